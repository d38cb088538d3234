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
	if t.Scenario != scenarioID {
		return nil, yamlfile.Errors{{File: file, Line: 1, Field: "scenario", Msg: fmt.Sprintf("%q but the golden transcript belongs to %q", t.Scenario, scenarioID)}}
	}
	if t.Expect == nil {
		return nil, yamlfile.Errors{{File: file, Line: 1, Field: "expect", Msg: "required in a golden transcript: passed, outcome and reason"}}
	}
	return &Golden{Name: name, File: file, Transcript: t}, nil
}
