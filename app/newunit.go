package app

import (
	_ "embed" // the starting points of new units

	"github.com/hotlinecoach/coach/domain"
)

// The editor's starting points: for a scenario, the smallest file that says
// what to fill in; for a phrase file, one entry showing the fields. Both
// are valid as they are (TestNewUnitBodies).
var (
	//go:embed newunit/scenario.yaml
	newScenario string
	//go:embed newunit/phrases.yaml
	newPhrases string
)

// NewUnitBody is where a new unit of kind starts in the editor.
func NewUnitBody(kind domain.ContentKind) string {
	if kind == domain.ContentScenario {
		return newScenario
	}
	return newPhrases
}
