package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLeases: a claim fences the previous holder's writes; an idle claim
// takes only calls nobody holds; renew, release and the owned list.
func TestLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "a", domain.RoleTrainee)
		c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))
		other := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0.Add(time.Second)}
		require.NoError(t, db.CreateCall(ctx, &other))

		idle, err := db.IdleCalls(ctx, t0, 0)
		require.NoError(t, err)
		assert.Empty(t, idle, "a call nobody claimed has not rung")

		a, err := db.ClaimIdleCall(ctx, c.ID, "A", t0, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, int64(1), a.Epoch)
		o, err := db.ClaimCall(ctx, other.ID, "A", t0.Add(time.Second))
		require.NoError(t, err)
		require.NoError(t, db.AppendOwnedEvents(ctx, a, event(c.ID, 1, "open", `{}`)))

		_, err = db.ClaimIdleCall(ctx, c.ID, "B", t0.Add(30*time.Second), t0.Add(2*time.Minute))
		assert.ErrorIs(t, err, store.ErrNotOwner, "A's lease still runs")

		b, err := db.ClaimCall(ctx, c.ID, "B", t0.Add(2*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, int64(2), b.Epoch)

		// A lost the call: it can neither log nor end it.
		err = db.AppendOwnedEvents(ctx, a, event(c.ID, 2, "ring", `{"n":1}`))
		assert.ErrorIs(t, err, store.ErrNotOwner)
		assert.ErrorIs(t, err, store.ErrConflict)
		res := store.CallResult{Ended: t0.Add(time.Minute), Outcome: "completed", Score: 80, Passed: true, Scorecard: json.RawMessage(`{}`)}
		assert.ErrorIs(t, db.EndOwnedCall(ctx, a, res), store.ErrNotOwner)
		require.NoError(t, db.AppendOwnedEvents(ctx, b, event(c.ID, 2, "ring", `{"n":1}`)))
		assert.ErrorIs(t, db.AppendOwnedEvents(ctx, b, event(other.ID, 1, "ring", `{}`)), store.ErrInvalid, "a lease is for one call")

		owned, err := db.OwnedCalls(ctx, "A")
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{other.ID: 1}, owned, "A keeps only the other call")
		owned, err = db.OwnedCalls(ctx, "B")
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{c.ID: 2}, owned)

		require.NoError(t, db.RenewLeases(ctx, "B", t0.Add(10*time.Minute)))
		got, err := db.CallByID(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "B", got.Owner)
		assert.Equal(t, int64(2), got.Epoch)
		assert.True(t, got.ClaimUntil.Equal(t0.Add(2*time.Minute)), "a renewal leaves the claim's own lease: %v", got.ClaimUntil)
		idle, err = db.IdleCalls(ctx, t0.Add(5*time.Minute), 0)
		require.NoError(t, err)
		assert.Equal(t, []string{other.ID}, ids(idle))
		idle, err = db.IdleCalls(ctx, t0.Add(11*time.Minute), 1)
		require.NoError(t, err)
		assert.Equal(t, []string{c.ID}, ids(idle), "an expired lease is idle; limit")

		require.NoError(t, db.ReleaseLease(ctx, a), "a stale release changes nothing")
		got, err = db.CallByID(ctx, c.ID)
		require.NoError(t, err)
		assert.True(t, got.ClaimUntil.Equal(t0.Add(2*time.Minute)))
		require.NoError(t, db.ReleaseLease(ctx, o))
		got, err = db.CallByID(ctx, other.ID)
		require.NoError(t, err)
		assert.True(t, got.ClaimUntil.IsZero())

		require.NoError(t, db.ReleaseLeases(ctx, "B"))
		cl, err := db.ClaimIdleCall(ctx, c.ID, "C", t0, t0.Add(time.Minute))
		require.NoError(t, err, "a released call is taken at once")
		assert.Equal(t, int64(3), cl.Epoch)

		require.NoError(t, db.EndOwnedCall(ctx, cl, res))
		assert.ErrorIs(t, db.AppendOwnedEvents(ctx, cl, event(c.ID, 3, "ring", `{}`)), store.ErrEnded)
		_, err = db.ClaimCall(ctx, c.ID, "A", t0.Add(time.Hour))
		assert.ErrorIs(t, err, store.ErrEnded)
		_, err = db.ClaimCall(ctx, "missing", "A", t0.Add(time.Hour))
		assert.ErrorIs(t, err, store.ErrNotFound)
		_, err = db.ClaimCall(ctx, other.ID, "", t0.Add(time.Hour))
		assert.ErrorIs(t, err, store.ErrInvalid)
		owned, err = db.OwnedCalls(ctx, "C")
		require.NoError(t, err)
		assert.Empty(t, owned, "an ended call is owned by nobody")
	})
}

func ids(cs []store.Call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// TestAppendInOneStatement checks PostgreSQL's one-statement append
// (store/batch_pg.go) on every answer write's transaction gives: stored,
// another's claim, an ended call, a seq taken or skipped, a missing call.
func TestAppendInOneStatement(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	u := addUser(t, db, "a", domain.RoleTrainee)
	newCall := func() store.Call {
		c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))
		return c
	}
	live, lost, ended := newCall(), newCall(), newCall()
	l, err := db.ClaimCall(ctx, live.ID, "A", t0)
	require.NoError(t, err)
	stale, err := db.ClaimCall(ctx, lost.ID, "A", t0)
	require.NoError(t, err)
	_, err = db.ClaimCall(ctx, lost.ID, "B", t0.Add(time.Hour))
	require.NoError(t, err)
	e, err := db.ClaimCall(ctx, ended.ID, "A", t0)
	require.NoError(t, err)
	require.NoError(t, db.EndOwnedCall(ctx, e, store.CallResult{Ended: t0.Add(time.Minute), Outcome: "completed", Scorecard: json.RawMessage(`{}`)}))

	tests := []struct {
		name   string
		append func() error
		want   error
	}{
		{"owned", func() error {
			return db.AppendOwnedEvents(ctx, l, event(live.ID, 1, "open", `{}`), event(live.ID, 2, "ring", `{"n":1}`))
		}, nil},
		{"owned again", func() error { return db.AppendOwnedEvents(ctx, l, event(live.ID, 3, "say", `{}`)) }, nil},
		{"seq taken", func() error { return db.AppendOwnedEvents(ctx, l, event(live.ID, 3, "say", `{}`)) }, store.ErrConflict},
		{"seq skipped", func() error { return db.AppendOwnedEvents(ctx, l, event(live.ID, 9, "say", `{}`)) }, store.ErrConflict},
		{"claimed by another", func() error { return db.AppendOwnedEvents(ctx, stale, event(lost.ID, 1, "say", `{}`)) }, store.ErrNotOwner},
		{"ended", func() error { return db.AppendOwnedEvents(ctx, e, event(ended.ID, 1, "say", `{}`)) }, store.ErrEnded},
		{"no lease", func() error { return db.AppendEvents(ctx, event(lost.ID, 1, "say", `{}`)) }, nil},
	}
	before := db.OneStatementBatches()
	for _, tt := range tests {
		err := tt.append()
		if tt.want == nil {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.name)
		}
	}
	assert.Equal(t, before+int64(len(tests)), db.OneStatementBatches(), "every append went in one statement")

	got, err := db.Events(ctx, live.ID, 0)
	require.NoError(t, err)
	require.Len(t, got, 3, "refused appends stored nothing")
	assert.Equal(t, "say", got[2].Type)

	// A missing call fails the statement (its foreign key); write's
	// transaction then answers it.
	assert.ErrorIs(t, db.AppendEvents(ctx, event("no-such-call", 1, "say", `{}`)), store.ErrNotFound)
}

// TestLeaseRenewedByInstance: an instance's renewal keeps every call it
// drives, and only those, from being taken as idle; a release frees its
// calls at once whatever the renewal said.
func TestLeaseRenewedByInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "a", domain.RoleTrainee)
		newCall := func() string {
			c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
			require.NoError(t, db.CreateCall(ctx, &c))
			return c.ID
		}
		kept, taken, freed := newCall(), newCall(), newCall()
		for _, id := range []string{kept, taken, freed} {
			_, err := db.ClaimCall(ctx, id, "A", t0.Add(time.Minute))
			require.NoError(t, err)
		}
		require.NoError(t, db.RenewLeases(ctx, "A", t0.Add(10*time.Minute)))
		_, err := db.ClaimIdleCall(ctx, kept, "B", t0.Add(5*time.Minute), t0.Add(6*time.Minute))
		assert.ErrorIs(t, err, store.ErrNotOwner, "A's renewal outlasts its claim")

		_, err = db.ClaimCall(ctx, taken, "B", t0.Add(2*time.Minute))
		require.NoError(t, err)
		fl, err := db.ClaimCall(ctx, freed, "A", t0.Add(time.Minute))
		require.NoError(t, err)
		require.NoError(t, db.ReleaseLease(ctx, fl))

		idle, err := db.IdleCalls(ctx, t0.Add(5*time.Minute), 0)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{taken, freed}, ids(idle), "A's renewal covers neither B's call nor a released one")

		require.NoError(t, db.RenewLeases(ctx, "A", t0.Add(time.Hour)))
		idle, err = db.IdleCalls(ctx, t0.Add(30*time.Minute), 0)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{taken, freed}, ids(idle), "a second renewal moves A's lease on")

		require.NoError(t, db.ReleaseLeases(ctx, "A"))
		idle, err = db.IdleCalls(ctx, t0, 0)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{kept, freed}, ids(idle), "A released: its calls are idle at once; B's claim still runs")
		l, err := db.ClaimIdleCall(ctx, kept, "B", t0, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, int64(2), l.Epoch)
		assert.ErrorIs(t, db.RenewLeases(ctx, "", t0), store.ErrInvalid)
	})
}
