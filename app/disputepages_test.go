package app_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDisputePages reads the trainee's form and the trainers' queue
// without HTTP.
func TestDisputePages(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	zhao := f.user(t, "zhao", domain.RoleTrainee)
	wang := f.user(t, "wang", domain.RoleTrainer)
	call, card := f.endedCall(t, li)
	said := f.app.SaidItems(ctx, call)
	item := func(pick func(sim.ItemResult) bool) string {
		i := slices.IndexFunc(card.Checklist, pick)
		require.GreaterOrEqual(t, i, 0)
		return card.Checklist[i].ID
	}
	missed := item(func(it sim.ItemResult) bool { return !it.Done && it.Points > 0 && said[it.ID] })
	measured := item(func(it sim.ItemResult) bool { return !it.Done && it.Points > 0 && !said[it.ID] })
	done := item(func(it sim.ItemResult) bool { return it.Done })
	var mine []int
	for i, tu := range card.Turns {
		if tu.Speaker == sim.Trainee {
			mine = append(mine, i)
		}
	}
	require.NotEmpty(t, mine)

	for _, tt := range []struct {
		name, item, closed string
		user               domain.User
		err                error
	}{
		{"a missed item said in the call", missed, "", li, nil},
		{"a done item", done, "already_done", li, nil},
		{"an item measured from the call", measured, "measured", li, nil},
		{"no such item", "no-such-item", "", li, domain.ErrNotFound},
		{"someone else's call", missed, "", zhao, domain.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form, err := f.app.DisputeForm(ctx, tt.user, call.ID, tt.item)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.closed, form.Closed)
			assert.Equal(t, tt.item, form.Item.ID)
			assert.Equal(t, !said[tt.item], form.Measured)
			assert.Nil(t, form.Existing)
			var turns []int
			for _, tu := range form.Turns {
				turns = append(turns, tu.Index)
				assert.False(t, tu.Current)
			}
			assert.Equal(t, mine, turns, "the trainee's lines only")
			form.Select(mine[0])
			assert.True(t, form.Turns[0].Current)
		})
	}

	id, err := f.app.OpenDispute(ctx, li, call.ID, missed, mine[0], "我做到了")
	require.NoError(t, err)
	form, err := f.app.DisputeForm(ctx, li, call.ID, missed)
	require.NoError(t, err)
	require.NotNil(t, form.Existing, "the form shows the dispute made")
	assert.Equal(t, id, form.Existing.ID)
	assert.Empty(t, form.Closed)

	queue, drafts, err := f.app.DisputeQueue(ctx)
	require.NoError(t, err)
	assert.Empty(t, drafts)
	require.Len(t, queue, 1)
	q := queue[0]
	assert.Equal(t, id, q.D.ID)
	assert.Equal(t, card.Title, q.Scenario())
	assert.Equal(t, card.Turns[mine[0]].Text, q.Said)
	var context []int
	for _, tu := range q.Context {
		context = append(context, tu.Index)
		assert.Equal(t, tu.Index == mine[0], tu.Current)
	}
	var around []int
	for i := max(mine[0]-1, 0); i <= mine[0]+1 && i < len(card.Turns); i++ {
		around = append(around, i)
	}
	assert.Equal(t, around, context, "the disputed turn between its neighbours")
	assert.Contains(t, context, mine[0]+1, "the caller's answer follows")

	_, err = f.app.UpholdDispute(ctx, wang, id, "对", nil)
	require.NoError(t, err)
	queue, _, err = f.app.DisputeQueue(ctx)
	require.NoError(t, err)
	assert.Empty(t, queue, "only open disputes wait")
}
