package app_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallerNumber(t *testing.T) {
	withPhone := func(v string) *scenarios.Scenario {
		return &scenarios.Scenario{Facts: []scenarios.Fact{{Key: "phone", Value: v}}}
	}
	mobile := regexp.MustCompile(`^13\d \d{4} \d{4}$`)
	for _, tt := range []struct {
		name string
		sc   *scenarios.Scenario
		want string
	}{
		{"the persona's phone", withPhone("139-1234-5678"), "139 1234 5678"},
		{"the persona's phone, spaced", withPhone("139 1234 5678"), "139 1234 5678"},
		{"ten digits are no mobile number: one made up", withPhone("010-8765432"), ""},
		{"no phone: one made up", &scenarios.Scenario{}, ""},
		{"no scenario: one made up", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := app.CallerNumber(tt.sc, "call-1")
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
				return
			}
			assert.Regexp(t, mobile, got)
			assert.Equal(t, got, app.CallerNumber(tt.sc, "call-1"), "the same on every reload")
			assert.NotEqual(t, got, app.CallerNumber(tt.sc, "call-2"), "another call, another number")
		})
	}
}

func TestCallScreen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	sc, ok := f.lib.Scenario("angry-caller")
	require.True(t, ok)
	require.NotNil(t, sc.Desk)
	for _, desk := range []bool{true, false} {
		call, err := f.app.CreateCall(ctx, li, sc.ID, domain.BuiltinRevision, domain.Practice, desk)
		require.NoError(t, err)
		screen, err := f.app.CallScreen(ctx, call)
		require.NoError(t, err)
		assert.Equal(t, sc.Title, screen.Title)
		assert.Equal(t, sc.Persona.Temper, screen.Temper)
		assert.Equal(t, "li", screen.OwnerName)
		assert.False(t, screen.Draft, "the built-in revision is what is published")
		if desk {
			assert.Same(t, sc.Desk, screen.Desk)
		} else {
			assert.Nil(t, screen.Desk, "a call taken without the desk")
		}
		var said []string
		for _, it := range sc.Checklist {
			if it.Rule == "" {
				said = append(said, it.ID)
			}
		}
		require.Len(t, screen.Steps, len(said), "the items graded on what is said")
		assert.Less(t, len(said), len(sc.Checklist), "rules graded on the call's timing are no steps")
		assert.Equal(t, 2, screen.MarkDone([]string{said[0], said[1], "no-such-item"}))
		assert.True(t, screen.Steps[1].Done)
		assert.False(t, screen.Steps[2].Done)
	}

	gone := store.Call{ID: "x", ScenarioID: "retired-long-ago", ScenarioRevision: domain.BuiltinRevision, UserID: li.ID}
	screen, err := f.app.CallScreen(ctx, gone)
	require.NoError(t, err, "a scenario that cannot be loaded leaves the page showing its id")
	assert.Equal(t, "retired-long-ago", screen.Title)
	assert.Equal(t, "calm", screen.Temper)
	assert.Empty(t, screen.Steps)
}

func TestCallScorecard(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	wang := f.user(t, "wang", domain.RoleTrainer)
	call, card := f.endedCall(t, li)
	sc, ok := f.lib.Scenario(call.ScenarioID)
	require.True(t, ok)

	own, err := f.app.CallScorecard(ctx, li, call)
	require.NoError(t, err)
	assert.Equal(t, card.Score, own.Card.Score)
	assert.True(t, own.Own)
	assert.NotEmpty(t, own.Disputable, "the owner may dispute the items graded on what was said")
	assert.Empty(t, own.TrainerNote, "teaching points are for staff")
	assert.Equal(t, "li", own.OwnerName)
	assert.Equal(t, 1, own.Attempts)
	assert.Equal(t, card.Score, own.Best)
	var keys []string
	for _, fact := range own.Facts {
		keys = append(keys, fact.Key)
		assert.Equal(t, card.Facts[fact.Key], fact.Value)
	}
	var order []string
	for _, fact := range sc.Facts {
		if _, ok := card.Facts[fact.Key]; ok {
			order = append(order, fact.Key)
		}
	}
	assert.Equal(t, order, keys, "in the scenario's order")
	assert.Equal(t, len(sc.ModelCall) > 0, own.ModelCall != nil)

	staff, err := f.app.CallScorecard(ctx, wang, call)
	require.NoError(t, err)
	assert.False(t, staff.Own)
	assert.Empty(t, staff.Disputable)
	assert.Equal(t, sc.TrainerNote, staff.TrainerNote)
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	qi := f.user(t, "qi", domain.RoleTrainee)
	wang := f.user(t, "wang", domain.RoleTrainer)
	ended, _ := f.endedCall(t, li)
	live, err := f.app.CreateCall(ctx, li, "leak", domain.BuiltinRevision, domain.Practice, false)
	require.NoError(t, err)
	leak, _ := f.lib.Scenario("leak")

	for _, tt := range []struct {
		name   string
		viewer domain.User
		ask    string
		err    error
	}{
		{"one's own", li, "", nil},
		{"one's own by name", li, "li", nil},
		{"a trainer's view of a trainee", wang, "li", nil},
		{"another trainee's", qi, "li", store.ErrNotFound},
		{"nobody's", wang, "nobody", store.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := f.app.History(ctx, tt.viewer, tt.ask)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, li.ID, h.Who.ID)
			require.Len(t, h.Calls, 2)
			assert.False(t, h.Truncated)
			ids := map[string]string{}
			for _, c := range h.Calls {
				ids[c.ID] = c.Title
			}
			assert.Equal(t, leak.Title, ids[live.ID])
			assert.Contains(t, ids, ended.ID)
		})
	}
}
