package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPhraseTester(t *testing.T) {
	ctx := context.Background()
	f := storeFixture(t)
	published(t, f.app)
	draft := func(body string) *domain.Revision {
		r, err := app.Draft(string(domain.ContentPhrases), "extra", body, nil)
		require.NoError(t, err)
		return &r
	}
	// hit is the first hit of intent in a line, or none.
	hit := func(l app.TesterLine, intent string) (app.TesterHit, bool) {
		for _, h := range l.Hits {
			if h.Intent == intent {
				return h, true
			}
		}
		return app.TesterHit{}, false
	}
	tests := []struct {
		name   string
		q      app.TesterQuery
		err    error
		issues bool
		check  func(t *testing.T, lines []app.TesterLine)
	}{
		{name: "blank lines are skipped; a hit says what it matched", q: app.TesterQuery{Text: "您好，请问有什么可以帮您？\r\n\n  \n不归我管"},
			check: func(t *testing.T, lines []app.TesterLine) {
				require.Len(t, lines, 2)
				h, ok := hit(lines[0], "greeting")
				require.True(t, ok)
				assert.Equal(t, "您好", h.Said)
				assert.Equal(t, 0, h.Start)
				assert.NotEmpty(t, h.Wording, "the entry's canonical wording")
				assert.Empty(t, h.Items, "no scenario, no checklist")
				h, ok = hit(lines[1], "deflect")
				require.True(t, ok)
				assert.Equal(t, "forbidden", h.Kind)
			}},
		{name: "within a scenario, a hit names the items it counts for", q: app.TesterQuery{Text: "您好", Scenario: "leak"},
			check: func(t *testing.T, lines []app.TesterLine) {
				require.Len(t, lines, 1)
				h, ok := hit(lines[0], "greeting")
				require.True(t, ok)
				assert.Contains(t, h.Items, "开口先问候", "leak's greeting item")
			}},
		{name: "a draft's new wording hits", q: app.TesterQuery{Text: "早上好呀",
			Draft: draft("entries:\n  - id: extra-greet\n    intent: greeting\n    kind: required\n    text: 早上好呀\n")},
			check: func(t *testing.T, lines []app.TesterLine) {
				require.Len(t, lines, 1)
				h, ok := hit(lines[0], "greeting")
				require.True(t, ok)
				assert.Equal(t, "extra-greet", h.ID)
				assert.Equal(t, "早上好呀", h.Wording)
			}},
		{name: "a draft with problems gives them", q: app.TesterQuery{Text: "早上好呀", Draft: draft("entries:\n  - id: extra-greet\n    intent: nonsense\n")}, issues: true},
		{name: "an unknown scenario is not found", q: app.TesterQuery{Text: "您好", Scenario: "no-such"}, err: store.ErrNotFound},
		{name: "too many lines", q: app.TesterQuery{Text: strings.Repeat("您好\n", app.MaxTesterLines)}, err: domain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, issues, err := f.app.Content().TestPhrases(ctx, tt.q)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.issues {
				assert.NotEmpty(t, issues)
				assert.Empty(t, lines)
				return
			}
			assert.Empty(t, issues)
			tt.check(t, lines)
		})
	}
}
