package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoFillsAnEmptyStore(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	tests := []struct {
		trainees, attempts int
		teams              int
	}{
		{trainees: 1, attempts: 0, teams: 1},
		{trainees: 5, attempts: 300, teams: 1},
		{trainees: 201, attempts: 2000, teams: 2},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d trainees %d attempts", tc.trainees, tc.attempts), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.SQLite(t)
			opt := app.DemoOptions{Trainees: tc.trainees, Attempts: tc.attempts, PasswordHash: "hash", Library: lib, Book: book, Now: now, Seed: 7}
			res, err := app.Demo(ctx, db, opt)
			require.NoError(t, err)
			assert.Equal(t, tc.teams, res.Teams)
			assert.Equal(t, tc.trainees, res.Trainees)
			assert.Positive(t, res.Replays)

			users, err := db.ListUsers(ctx)
			require.NoError(t, err)
			require.Len(t, users, tc.trainees+2)
			roles := map[domain.Role]int{}
			teams := map[string]bool{}
			for _, u := range users {
				roles[u.Role]++
				if u.Role == domain.RoleTrainee {
					assert.True(t, strings.HasPrefix(u.Username, app.DemoTraineePrefix), u.Username)
					teams[u.Team] = true
				}
			}
			assert.Equal(t, map[domain.Role]int{domain.RoleManager: 1, domain.RoleTrainer: 1, domain.RoleTrainee: tc.trainees}, roles)
			assert.Len(t, teams, tc.teams)
			_, err = db.UserByUsername(ctx, fmt.Sprintf("%s%04d", app.DemoTraineePrefix, tc.trainees))
			assert.NoError(t, err)

			all, err := db.ListAttempts(ctx, store.AttemptFilter{})
			require.NoError(t, err)
			assert.Len(t, all, res.Attempts)
			recent, err := db.ListAttempts(ctx, store.AttemptFilter{From: now.AddDate(0, 0, -90), To: now.Add(time.Millisecond)})
			require.NoError(t, err)
			assert.Len(t, recent, tc.attempts, "the asked-for attempts lie in the last 90 days; older ones earned expired certificates")
			modes := map[domain.Mode]int{}
			scores := map[float64]bool{}
			for _, a := range all {
				modes[a.Mode]++
				scores[a.Score] = true
				assert.True(t, a.Started.Before(a.Ended))
				assert.NotEmpty(t, a.Scorecard)
			}
			if tc.attempts >= 300 {
				assert.Positive(t, modes[domain.Exam])
				assert.Greater(t, modes[domain.Practice], modes[domain.Exam])
				assert.Greater(t, len(scores), 10, "scores vary")
				decisions, err := db.ListCertDecisions(ctx, store.CertDecisionFilter{})
				require.NoError(t, err)
				assert.Len(t, decisions, res.SignedOff+res.Suspended+res.Expired)
			}

			// A second run, and a run on a store with other accounts, are
			// refused and change nothing.
			_, err = app.Demo(ctx, db, opt)
			assert.ErrorIs(t, err, app.ErrDemoRefused)
			assert.ErrorContains(t, err, "already holds demo data")
			again, err := db.ListAttempts(ctx, store.AttemptFilter{})
			require.NoError(t, err)
			assert.Len(t, again, res.Attempts)
		})
	}
	t.Run("other accounts", func(t *testing.T) {
		ctx := context.Background()
		db := storetest.SQLite(t)
		admin := domain.User{Username: "admin", PasswordHash: "h", Role: domain.RoleAdmin, Created: now}
		require.NoError(t, db.CreateUser(ctx, &admin))
		_, err := app.Demo(ctx, db, app.DemoOptions{Trainees: 2, Attempts: 10, PasswordHash: "h", Library: lib, Book: book, Now: now})
		assert.ErrorIs(t, err, app.ErrDemoRefused)
		assert.ErrorContains(t, err, "admin")
		users, err := db.ListUsers(ctx)
		require.NoError(t, err)
		assert.Len(t, users, 1)
	})
}
