package loadtest

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/scenarios"
)

// Golden returns the passing golden transcripts (the model answers) of the
// built-in library, for the scenarios named in ids, or every scenario when
// ids is empty. A named scenario without a model answer is an error.
func Golden(ids []string) ([]*scenarios.Transcript, error) {
	fsys := scenarios.BuiltinFS()
	files, err := fs.Glob(fsys, "library/*/golden/*.json")
	if err != nil {
		return nil, fmt.Errorf("golden transcripts: %w", err)
	}
	var out []*scenarios.Transcript
	have := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, ".scorecard.json") {
			continue
		}
		id := path.Base(path.Dir(path.Dir(f)))
		if len(ids) > 0 && !slices.Contains(ids, id) {
			continue
		}
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("golden transcript %s: %w", f, err)
		}
		t, err := scenarios.ParseTranscript("scenarios/"+f, data)
		if err != nil {
			return nil, err
		}
		if t.Expect == nil || !t.Expect.Passed || len(t.Turns) == 0 {
			continue
		}
		// The load generator only talks: desk turns are not sent.
		out = append(out, t.Spoken())
		have[id] = true
	}
	for _, id := range ids {
		if !have[id] {
			return nil, fmt.Errorf("scenario %q has no passing golden transcript in the built-in library", id)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no passing golden transcripts in the built-in library")
	}
	return out, nil
}
