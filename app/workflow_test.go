package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is an application on the built-in content over a fresh store.
type fixture struct {
	db  *store.DB
	app *app.App
	lib *scenarios.Library
	bk  *sim.Book
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	a := app.New(db, nil, app.Config{Now: func() time.Time { return t0 }, Library: lib, Book: book})
	t.Cleanup(a.Close)
	return fixture{db: db, app: a, lib: lib, bk: book}
}

func (f fixture) user(t *testing.T, name string, role domain.Role) domain.User {
	t.Helper()
	u := domain.User{Username: name, PasswordHash: "x", Role: role, Created: t0}
	require.NoError(t, f.db.CreateUser(context.Background(), &u))
	return u
}

// endedCall stores an ended exam of u in which the trainee said the model
// answer's first two lines and hung up, missing most of the checklist.
func (f fixture) endedCall(t *testing.T, u domain.User) (store.Call, sim.Scorecard) {
	t.Helper()
	ctx := context.Background()
	var sc *scenarios.Scenario
	var tr *scenarios.Transcript
	for _, s := range f.lib.Scenarios {
		for _, g := range f.lib.Golden[s.ID] {
			if g.Transcript.Expect.Passed && len(g.Transcript.Turns) > 3 && tr == nil {
				sc, tr = s, g.Transcript
			}
		}
	}
	require.NotNil(t, tr)
	short := &scenarios.Transcript{Scenario: sc.ID, Turns: []scenarios.Turn{tr.Turns[0], tr.Turns[1], {At: tr.Turns[1].At + 5, Hangup: true}}}
	card, _, err := sim.Replay(sc, f.bk, short, sim.Options{Mode: domain.Exam, Seed: 3})
	require.NoError(t, err)
	call, err := f.app.CreateCall(ctx, u, sc.ID, domain.BuiltinRevision, domain.Exam, false)
	require.NoError(t, err)
	raw, err := json.Marshal(card)
	require.NoError(t, err)
	require.NoError(t, f.db.EndCall(ctx, call.ID, store.CallResult{Ended: t0, Outcome: string(card.Outcome),
		Score: float64(card.Score), Passed: card.Passed, Scorecard: raw}))
	call, err = f.db.CallByID(ctx, call.ID)
	require.NoError(t, err)
	return call, *card
}

func disputeKey(err error) string {
	var r *app.DisputeRefusal
	if errors.As(err, &r) {
		return r.Key
	}
	return ""
}

// TestDisputeWorkflow opens, upholds and rejects disputes without HTTP:
// the refusals come as keys, and an upheld dispute rescores the call's
// one stored scorecard and its score columns together.
func TestDisputeWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		li := f.user(t, "li", domain.RoleTrainee)
		zhao := f.user(t, "zhao", domain.RoleTrainee)
		wang := f.user(t, "wang", domain.RoleTrainer)
		call, card := f.endedCall(t, li)
		said := f.app.SaidItems(ctx, call)
		var missed, measured, done []string
		for _, it := range card.Checklist {
			switch {
			case it.Done:
				done = append(done, it.ID)
			case it.Points > 0 && said[it.ID]:
				missed = append(missed, it.ID)
			case it.Points > 0:
				measured = append(measured, it.ID)
			}
		}
		require.NotEmpty(t, measured, "a missed item measured from the call")
		require.GreaterOrEqual(t, len(missed), 2)
		require.NotEmpty(t, done)
		turn := slices.IndexFunc(card.Turns, func(tu sim.Turn) bool { return tu.Speaker == sim.Trainee })

		tests := []struct {
			name    string
			user    domain.User
			item    string
			turn    int
			text    string
			key     string
			errKind error
		}{
			{"someone else's call", zhao, missed[0], turn, "我做到了", "", domain.ErrNotFound},
			{"done already", li, done[0], turn, "我做到了", "already_done", domain.ErrConflict},
			{"measured, not said", li, measured[0], turn, "我做到了", "measured", domain.ErrConflict},
			{"the caller's turn", li, missed[0], turn + 1, "我做到了", "pick_turn", domain.ErrInvalid},
			{"no reason", li, missed[0], turn, "  ", "say_why", domain.ErrInvalid},
			{"no such item", li, "no-such-item", turn, "我做到了", "", domain.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := f.app.OpenDispute(ctx, tt.user, call.ID, tt.item, tt.turn, tt.text)
			assert.Equal(t, tt.key, disputeKey(err), tt.name)
			assert.ErrorIs(t, err, tt.errKind, tt.name)
		}

		first, err := f.app.OpenDispute(ctx, li, call.ID, missed[0], turn, " 我\u202e做到了\x00 ")
		require.NoError(t, err)
		_, err = f.app.OpenDispute(ctx, li, call.ID, missed[0], turn, "again")
		assert.Equal(t, "exists", disputeKey(err))
		second, err := f.app.OpenDispute(ctx, li, call.ID, missed[1], turn, "这一项也做到了")
		require.NoError(t, err)
		assert.Greater(t, second, first, "each dispute's id is returned")
		list, err := f.app.Disputes(ctx, store.DisputeFilter{CallID: call.ID})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, "我做到了", list[0].D.Text, "stored cleaned of what could disguise it")

		done1, err := f.app.UpholdDispute(ctx, wang, list[0].D.ID, "对", nil)
		require.NoError(t, err)
		assert.Equal(t, app.Upheld, done1.Done)
		rec, err := db.CallByID(ctx, call.ID)
		require.NoError(t, err)
		after, err := app.ParseCard(rec)
		require.NoError(t, err)
		assert.Greater(t, after.Score, card.Score)
		assert.InDelta(t, float64(after.Score), rec.Score, 0, "the score column follows the scorecard")
		assert.Equal(t, after.Passed, rec.Passed)
		assert.NotNil(t, after.Checklist[after.ItemIndex(list[0].D.ItemID)].Upheld)

		_, err = f.app.UpholdDispute(ctx, wang, list[0].D.ID, "", nil)
		assert.Equal(t, "decided", disputeKey(err))
		assert.Equal(t, "comment_required", disputeKey(f.app.RejectDispute(ctx, wang, list[1].D.ID, " ")))
		require.NoError(t, f.app.RejectDispute(ctx, wang, list[1].D.ID, "没有听到"))
		got, err := db.DisputeByID(ctx, list[1].D.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.DisputeRejected, got.State)
	})
}

// TestCertDecisionChecksInItsTransaction: a decision checked against
// decisions that have changed since is not written.
func TestCertDecisionChecksInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		li := f.user(t, "li", domain.RoleTrainee)
		boss := f.user(t, "boss", domain.RoleManager)
		require.NotEmpty(t, f.lib.Tracks)
		track := f.lib.Tracks[0]

		// The rules refuse a sign-off before the exams are passed.
		_, err := f.app.Decide(ctx, boss, li.ID, track, domain.SignOff, "好")
		var refused *app.CertRefusal
		require.ErrorAs(t, err, &refused)

		// The store refuses a decision whose check saw an older state.
		d := store.CertDecision{UserID: li.ID, TrackID: track.ID, Action: domain.Suspend, At: t0, ActorID: boss.ID, Actor: boss.Username, Comment: "一"}
		require.NoError(t, db.DecideCert(ctx, &d, 0))
		stale := store.CertDecision{UserID: li.ID, TrackID: track.ID, Action: domain.Reinstate, At: t0, ActorID: boss.ID, Actor: boss.Username, Comment: "二"}
		require.ErrorIs(t, db.DecideCert(ctx, &stale, 0), store.ErrConflict)
		require.NoError(t, db.DecideCert(ctx, &stale, d.ID))
		ds, err := db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: li.ID})
		require.NoError(t, err)
		assert.Len(t, ds, 2)
	})
}
