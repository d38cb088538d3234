package app_test

import (
	"context"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewUnitBodies checks that the editor's starting points for a new
// scenario and a new phrase file are valid against the published content.
func TestNewUnitBodies(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, tt := range []struct {
		kind domain.ContentKind
		id   string
	}{{domain.ContentScenario, "new-scenario"}, {domain.ContentPhrases, "new-phrases"}} {
		t.Run(string(tt.kind), func(t *testing.T) {
			r, err := app.Draft(string(tt.kind), tt.id, app.NewUnitBody(tt.kind), nil)
			require.NoError(t, err)
			issues, err := f.app.Content().Check(context.Background(), r)
			require.NoError(t, err)
			assert.Empty(t, issues)
		})
	}
	assert.NotEqual(t, app.NewUnitBody(domain.ContentScenario), app.NewUnitBody(domain.ContentPhrases))
}
