package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lastAudit(t *testing.T, db *store.DB, n int) []store.AuditEntry {
	t.Helper()
	es, err := db.ListAudit(context.Background(), store.AuditFilter{Limit: n})
	require.NoError(t, err)
	return es
}

func TestTrackAssignments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boss := addUser(t, db, "boss", domain.RoleManager)
		by := store.Actor{ID: boss.ID, Name: boss.Username}
		require.NoError(t, db.AssignTrack(ctx, store.TrackAssignment{Team: "east", TrackID: "heating-level-1", AssignedAt: t0}, by))
		require.NoError(t, db.AssignTrack(ctx, store.TrackAssignment{Team: " west ", TrackID: "heating-level-1", AssignedAt: t0}, by))
		err := db.AssignTrack(ctx, store.TrackAssignment{Team: "east", TrackID: "heating-level-1", AssignedAt: t0}, by)
		require.ErrorIs(t, err, store.ErrConflict)
		require.ErrorIs(t, db.AssignTrack(ctx, store.TrackAssignment{Team: " ", TrackID: "x"}, by), store.ErrInvalid)

		got, err := db.ListTrackAssignments(ctx)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, store.TrackAssignment{Team: "east", TrackID: "heating-level-1", AssignedAt: t0, AssignedBy: "boss"}, got[0])
		assert.Equal(t, "west", got[1].Team)

		require.NoError(t, db.UnassignTrack(ctx, "west", "heating-level-1", t0.Add(time.Hour), by))
		require.ErrorIs(t, db.UnassignTrack(ctx, "west", "heating-level-1", t0, by), store.ErrNotFound)
		got, err = db.ListTrackAssignments(ctx)
		require.NoError(t, err)
		assert.Len(t, got, 1)

		es := lastAudit(t, db, 10)
		require.Len(t, es, 3, "the refused changes left no entry")
		assert.Equal(t, "track.unassign", es[0].Action)
		assert.Equal(t, "team:west", es[0].Target)
		assert.Equal(t, "track.assign", es[2].Action)
		assert.Equal(t, boss.ID, es[2].ActorID)
	})
}

func TestCertDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boss := addUser(t, db, "boss", domain.RoleManager)
		li := addUser(t, db, "li", domain.RoleTrainee)
		wang := addUser(t, db, "wang", domain.RoleTrainee)
		sign := store.CertDecision{UserID: li.ID, TrackID: "heating-level-1", Action: domain.SignOff, At: t0,
			Expires: t0.AddDate(1, 0, 0), ActorID: boss.ID, Actor: "boss", Comment: " 六个场景考试全部通过 "}
		require.NoError(t, db.AddCertDecision(ctx, &sign))
		assert.NotZero(t, sign.ID)
		susp := store.CertDecision{UserID: li.ID, TrackID: "heating-level-1", Action: domain.Suspend, At: t0.Add(time.Hour),
			ActorID: boss.ID, Actor: "boss", Comment: "投诉核查中"}
		require.NoError(t, db.AddCertDecision(ctx, &susp))
		other := store.CertDecision{UserID: wang.ID, TrackID: "other", Action: domain.SignOff, At: t0,
			Expires: t0.AddDate(0, 0, 30), ActorID: boss.ID, Actor: "boss", Comment: "ok"}
		require.NoError(t, db.AddCertDecision(ctx, &other))

		bad := []store.CertDecision{
			{UserID: li.ID, TrackID: "t", Action: "revoke", At: t0, ActorID: boss.ID, Actor: "boss", Comment: "x"},
			{UserID: li.ID, TrackID: "t", Action: domain.Suspend, At: t0, ActorID: boss.ID, Actor: "boss", Comment: "  "},
			{UserID: li.ID, TrackID: "", Action: domain.Suspend, At: t0, ActorID: boss.ID, Actor: "boss", Comment: "x"},
		}
		for _, d := range bad {
			require.ErrorIs(t, db.AddCertDecision(ctx, &d), store.ErrInvalid)
		}
		missing := store.CertDecision{UserID: 9999, TrackID: "t", Action: domain.Suspend, At: t0, ActorID: boss.ID, Actor: "boss", Comment: "x"}
		require.ErrorIs(t, db.AddCertDecision(ctx, &missing), store.ErrNotFound)

		got, err := db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: li.ID})
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, sign, got[0], "read back as written, comment trimmed")
		assert.Equal(t, "六个场景考试全部通过", got[0].Comment)
		assert.True(t, got[1].Expires.IsZero())
		assert.Equal(t, domain.Suspend, got[1].Action)
		got, err = db.ListCertDecisions(ctx, store.CertDecisionFilter{TrackID: "other"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, wang.ID, got[0].UserID)

		es := lastAudit(t, db, 10)
		require.Len(t, es, 3)
		assert.Equal(t, "cert.suspend", es[1].Action)
		assert.Equal(t, "user:li", es[1].Target)
		assert.Contains(t, es[1].Detail, "投诉核查中")
		assert.Equal(t, "cert.signoff", es[2].Action)
		assert.Contains(t, es[2].Detail, "valid until 2026-11-03")
	})
}

func TestListAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee) // team east
		wu := domain.User{Username: "wu", PasswordHash: "h", Role: domain.RoleTrainee, Team: "west", Created: t0}
		require.NoError(t, db.CreateUser(ctx, &wu))
		mk := func(u domain.User, scenario string, mode domain.Mode, hours int, score float64, end bool) string {
			c := store.Call{UserID: u.ID, ScenarioID: scenario, ScenarioRevision: "r1", Mode: mode, Started: t0.Add(time.Duration(hours) * time.Hour)}
			require.NoError(t, db.CreateCall(ctx, &c))
			if end {
				require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: c.Started.Add(5 * time.Minute), Outcome: "completed",
					Score: score, Passed: score >= 80, Scorecard: []byte(`{"score":1}`)}))
			}
			return c.ID
		}
		a := mk(li, "leak", domain.Exam, 1, 85, true)
		b := mk(li, "arrears", domain.Practice, 30, 60, true)
		mk(li, "leak", domain.Exam, 50, 0, false) // live: never listed
		w := mk(wu, "leak", domain.Exam, 2, 90, true)

		ids := func(f store.AttemptFilter) []string {
			got, err := db.ListAttempts(ctx, f)
			require.NoError(t, err)
			var out []string
			for _, a := range got {
				out = append(out, a.ID)
			}
			return out
		}
		assert.Equal(t, []string{a, w, b}, ids(store.AttemptFilter{}))
		assert.Equal(t, []string{a, b}, ids(store.AttemptFilter{Team: "east"}))
		assert.Equal(t, []string{w}, ids(store.AttemptFilter{UserID: wu.ID}))
		assert.Equal(t, []string{w, b}, ids(store.AttemptFilter{From: t0.Add(2 * time.Hour)}))
		assert.Equal(t, []string{a, w}, ids(store.AttemptFilter{To: t0.Add(30 * time.Hour)}))
		assert.Equal(t, []string{a}, ids(store.AttemptFilter{Limit: 1}))

		got, err := db.ListAttempts(ctx, store.AttemptFilter{UserID: li.ID})
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "li", got[0].Username)
		assert.Equal(t, "east", got[0].Team)
		assert.Equal(t, 85.0, got[0].Score)
		assert.True(t, got[0].Passed)
		assert.Equal(t, domain.Exam, got[0].Mode)
		assert.JSONEq(t, `{"score":1}`, string(got[0].Scorecard))
		assert.Equal(t, t0.Add(time.Hour+5*time.Minute), got[0].Ended)

		lean, err := db.ListAttempts(ctx, store.AttemptFilter{UserID: li.ID, WithoutScorecard: true})
		require.NoError(t, err)
		require.Len(t, lean, 2)
		assert.Empty(t, lean[0].Scorecard)
		assert.Equal(t, 85.0, lean[0].Score)

		stop := errors.New("stop")
		n := 0
		err = db.EachAttempt(ctx, store.AttemptFilter{}, func(store.Attempt) error { n++; return stop })
		require.ErrorIs(t, err, stop)
		assert.Equal(t, 1, n, "an error from fn ends the scan")
	})
}

func TestAccountsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := addUser(t, db, "root", domain.RoleAdmin)
		by := store.Actor{ID: admin.ID, Name: admin.Username}
		u := domain.User{Username: "zhao", PasswordHash: "h", Role: domain.RoleTrainee, Team: " 东区一班 ", Created: t0}
		require.NoError(t, db.CreateUserBy(ctx, &u, by))
		assert.Equal(t, "东区一班", u.Team)
		dup := domain.User{Username: "zhao", PasswordHash: "h", Role: domain.RoleTrainee, Created: t0}
		require.ErrorIs(t, db.CreateUserBy(ctx, &dup, by), store.ErrConflict)
		require.NoError(t, db.CreateSession(ctx, store.Session{TokenHash: "tok", UserID: u.ID, CSRFToken: "c", Created: t0, Expires: t0.Add(time.Hour), LastSeen: t0}))

		mgr, team, off := domain.RoleManager, "西区", true
		got, err := db.UpdateUser(ctx, u.ID, store.UserChange{Role: &mgr, Team: &team, Disabled: &off}, t0.Add(time.Minute), by)
		require.NoError(t, err)
		assert.Equal(t, domain.RoleManager, got.Role)
		assert.Equal(t, "西区", got.Team)
		assert.True(t, got.Disabled)
		_, _, err = db.SessionUser(ctx, "tok")
		require.ErrorIs(t, err, store.ErrNotFound, "sessions end with the change")

		// No change, no entry.
		_, err = db.UpdateUser(ctx, u.ID, store.UserChange{Team: &team}, t0, by)
		require.NoError(t, err)
		bad := domain.Role("boss")
		_, err = db.UpdateUser(ctx, u.ID, store.UserChange{Role: &bad}, t0, by)
		require.ErrorIs(t, err, store.ErrInvalid)
		long := string(make([]byte, 200))
		_, err = db.UpdateUser(ctx, u.ID, store.UserChange{Team: &long}, t0, by)
		require.ErrorIs(t, err, store.ErrInvalid)
		_, err = db.UpdateUser(ctx, 9999, store.UserChange{Team: &team}, t0, by)
		require.ErrorIs(t, err, store.ErrNotFound)

		es := lastAudit(t, db, 10)
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
			assert.Equal(t, "user:zhao", e.Target)
			assert.Equal(t, "root", e.Actor)
		}
		assert.Equal(t, []string{"user.disable", "user.team", "user.role", "user.create"}, actions)
		assert.Equal(t, "trainee -> manager", es[2].Detail)

		on := false
		_, err = db.UpdateUser(ctx, u.ID, store.UserChange{Disabled: &on}, t0, store.CLI)
		require.NoError(t, err)
		es = lastAudit(t, db, 1)
		assert.Equal(t, "user.enable", es[0].Action)
		assert.Equal(t, "cli", es[0].Actor)
		assert.Zero(t, es[0].ActorID)
	})
}
