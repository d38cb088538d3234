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

func TestHome(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)

	fresh, err := f.app.Home(ctx, li)
	require.NoError(t, err)
	assert.Empty(t, fresh.Tracks, "no team, no tracks")
	require.NotNil(t, fresh.Next)
	assert.Equal(t, app.NextEasiest, fresh.Next.Why)
	assert.Empty(t, fresh.Missed)

	_, card := f.endedCall(t, li)
	home, err := f.app.Home(ctx, li)
	require.NoError(t, err)
	require.NotEmpty(t, home.Missed, "the items the call missed")
	assert.LessOrEqual(t, len(home.Missed), app.HomeMissed)
	missed := map[string]bool{}
	for _, it := range card.Checklist {
		missed[it.ID] = !it.Done
	}
	for _, m := range home.Missed {
		assert.True(t, missed[m.ID], "%s was missed", m.ID)
		assert.Equal(t, 1, m.Count)
	}
}
