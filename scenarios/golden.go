package scenarios

import (
	"fmt"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// ParseGolden reads one golden transcript of the scenario scenarioID: a
// transcript that names that scenario and says what it expects. The library
// loader, coach check and the authoring pages read golden transcripts
// through it, so they agree on what a golden transcript is.
func ParseGolden(name, file string, data []byte, scenarioID string) (*Golden, error) {
	t, err := ParseTranscript(file, data)
	if err != nil {
		return nil, err
	}
	if err := CheckGolden(file, t, scenarioID); err != nil {
		return nil, err
	}
	return &Golden{Name: name, File: file, Transcript: t}, nil
}

// CheckGolden checks that transcript t, read from file, can be a golden
// transcript of scenario scenarioID: it names that scenario and says what
// it expects. ParseGolden, the library loader and coach check all judge
// golden transcripts here.
func CheckGolden(file string, t *Transcript, scenarioID string) error {
	if t.Scenario != scenarioID {
		return yamlfile.Errors{{File: file, Line: 1, Field: "scenario", Msg: fmt.Sprintf("%q but the golden transcript belongs to %q", t.Scenario, scenarioID)}}
	}
	if t.Expect == nil {
		return yamlfile.Errors{{File: file, Line: 1, Field: "expect", Msg: "required in a golden transcript: passed, outcome and reason"}}
	}
	return nil
}
