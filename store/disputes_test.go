package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDisputes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee)
		other := addUser(t, db, "zhao", domain.RoleTrainee)
		wang := addUser(t, db, "wang", domain.RoleTrainer)
		trainer := store.Actor{ID: wang.ID, Name: wang.Username}
		trainee := store.Actor{ID: li.ID, Name: li.Username}

		c := store.Call{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))
		live := store.Call{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &live))
		card := json.RawMessage(`{"score":70,"checklist":[{"id":"ask-address","done":false}]}`)
		require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: t0, Outcome: "completed", Score: 70, Passed: false, Scorecard: card}))

		d := store.Dispute{CallID: c.ID, ItemID: "ask-address", Turn: 4, Text: "我问了地址：第4句", TraineeID: li.ID, Created: t0}
		require.NoError(t, db.OpenDispute(ctx, trainee, &d))
		assert.NotZero(t, d.ID)
		assert.Equal(t, domain.DisputeOpen, d.State)

		bad := []struct {
			name string
			d    store.Dispute
			want error
		}{
			{"same item again", store.Dispute{CallID: c.ID, ItemID: "ask-address", Turn: 2, Text: "再来", TraineeID: li.ID}, store.ErrConflict},
			{"live call", store.Dispute{CallID: live.ID, ItemID: "greet", Turn: 0, Text: "x", TraineeID: li.ID}, store.ErrConflict},
			{"another's call", store.Dispute{CallID: c.ID, ItemID: "greet", Turn: 0, Text: "x", TraineeID: other.ID}, store.ErrNotFound},
			{"no call", store.Dispute{CallID: "nope", ItemID: "greet", Turn: 0, Text: "x", TraineeID: li.ID}, store.ErrNotFound},
			{"empty text", store.Dispute{CallID: c.ID, ItemID: "greet", Turn: 0, Text: "  ", TraineeID: li.ID}, store.ErrInvalid},
			{"negative turn", store.Dispute{CallID: c.ID, ItemID: "greet", Turn: -1, Text: "x", TraineeID: li.ID}, store.ErrInvalid},
		}
		for _, tc := range bad {
			assert.ErrorIs(t, db.OpenDispute(ctx, trainee, &tc.d), tc.want, tc.name)
		}

		greet := store.Dispute{CallID: c.ID, ItemID: "greet", Turn: 0, Text: "我说了您好", TraineeID: li.ID, Created: t0.Add(1)}
		require.NoError(t, db.OpenDispute(ctx, trainee, &greet))

		open, err := db.ListDisputes(ctx, store.DisputeFilter{State: domain.DisputeOpen})
		require.NoError(t, err)
		require.Len(t, open, 2)
		assert.Equal(t, d.ID, open[0].ID, "oldest first")
		assert.Equal(t, "li", open[0].Trainee)
		assert.Equal(t, 4, open[0].Turn)
		assert.Equal(t, "我问了地址：第4句", open[0].Text)
		mine, err := db.ListDisputes(ctx, store.DisputeFilter{TraineeID: other.ID})
		require.NoError(t, err)
		assert.Empty(t, mine)

		newCard := json.RawMessage(`{"score":90,"checklist":[{"id":"ask-address","done":true}]}`)
		uphold := store.Uphold{Comment: "确实问了", From: card, Scorecard: newCard, Score: 90, Passed: true,
			EvalCase: &store.EvalCase{Text: "您家是哪个小区几号楼", Intent: "ask-address", EntryID: "ask-address.where"}}
		stale := uphold
		stale.From = json.RawMessage(`{"score":1}`)
		_, err = db.UpholdDispute(ctx, trainer, d.ID, stale)
		assert.ErrorIs(t, err, store.ErrConflict, "the scorecard changed since it was read")

		got, err := db.UpholdDispute(ctx, trainer, d.ID, uphold)
		require.NoError(t, err)
		assert.Equal(t, domain.DisputeUpheld, got.State)
		assert.Equal(t, "wang", got.Trainer)
		assert.InDelta(t, 70, got.ScoreBefore, 0)
		assert.InDelta(t, 90, got.ScoreAfter, 0)
		rec, err := db.CallByID(ctx, c.ID)
		require.NoError(t, err)
		assert.InDelta(t, 90, rec.Score, 0)
		assert.True(t, rec.Passed)
		assert.JSONEq(t, string(newCard), string(rec.Scorecard))
		_, err = db.UpholdDispute(ctx, trainer, d.ID, store.Uphold{From: newCard, Scorecard: newCard, Score: 90})
		assert.ErrorIs(t, err, store.ErrConflict, "decided already")

		_, err = db.RejectDispute(ctx, trainer, greet.ID, "")
		assert.ErrorIs(t, err, store.ErrInvalid, "a rejection says why")
		rej, err := db.RejectDispute(ctx, trainer, greet.ID, "第0句只说了“喂”")
		require.NoError(t, err)
		assert.Equal(t, domain.DisputeRejected, rej.State)
		_, err = db.RejectDispute(ctx, trainer, greet.ID, "again")
		assert.ErrorIs(t, err, store.ErrConflict)
		_, err = db.RejectDispute(ctx, trainer, 9999, "x")
		assert.ErrorIs(t, err, store.ErrNotFound)

		seen, err := db.DisputeByID(ctx, greet.ID)
		require.NoError(t, err)
		assert.Equal(t, "第0句只说了“喂”", seen.Comment)
		assert.False(t, seen.Decided.IsZero())
		rec, err = db.CallByID(ctx, c.ID)
		require.NoError(t, err)
		assert.InDelta(t, 90, rec.Score, 0, "a rejection changes no score")

		cases, err := db.ListEvalCases(ctx)
		require.NoError(t, err)
		require.Len(t, cases, 1)
		assert.Equal(t, "您家是哪个小区几号楼", cases[0].Text)
		assert.Equal(t, "ask-address", cases[0].Intent)
		assert.Equal(t, d.ID, cases[0].DisputeID)
		assert.Equal(t, wang.ID, cases[0].CreatedBy)

		log, err := db.ListAudit(ctx, store.AuditFilter{})
		require.NoError(t, err)
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []string{"dispute.reject", "evalcase.add", "dispute.uphold", "dispute.open", "dispute.open"}, actions)
		assert.Contains(t, log[2].Detail, "70 → 90")
		assert.Equal(t, "call:"+c.ID, log[2].Target)
	})
}

// TestUpholdWaitsForTheCall: on PostgreSQL, an uphold that reaches a call
// another transaction is rewriting waits for it and then sees its
// scorecard, so it refuses to overwrite what it did not read. The other
// transaction stands for a second uphold of the same call.
func TestUpholdWaitsForTheCall(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	li := addUser(t, db, "li", domain.RoleTrainee)
	wang := addUser(t, db, "wang", domain.RoleTrainer)
	c := store.Call{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: t0}
	require.NoError(t, db.CreateCall(ctx, &c))
	card := json.RawMessage(`{"score":70,"checklist":[{"id":"greet","done":false},{"id":"ask-address","done":false}]}`)
	require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: t0, Outcome: "completed", Score: 70, Scorecard: card}))
	d := store.Dispute{CallID: c.ID, ItemID: "ask-address", Turn: 4, Text: "我问了地址", TraineeID: li.ID, Created: t0}
	require.NoError(t, db.OpenDispute(ctx, store.Actor{ID: li.ID, Name: "li"}, &d))

	conn, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer conn.Close()
	other, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer other.Rollback() //nolint:errcheck // committed below; a failed test leaves it to roll back
	_, err = other.ExecContext(ctx, `UPDATE calls SET scorecard = $1, score = 85 WHERE id = $2`,
		`{"score":85,"checklist":[{"id":"greet","done":true},{"id":"ask-address","done":false}]}`, c.ID)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		_, err := db.UpholdDispute(ctx, store.Actor{ID: wang.ID, Name: "wang"}, d.ID, store.Uphold{Comment: "问了",
			From: card, Scorecard: json.RawMessage(`{"score":90,"checklist":[{"id":"greet","done":false},{"id":"ask-address","done":true}]}`), Score: 90})
		done <- err
	}()
	// The uphold waits, reading the call, for the other write's lock.
	require.Eventually(t, func() bool {
		var n int
		err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'SELECT scorecard, score FROM calls%'`).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 5*time.Millisecond, "the uphold never waited for the call's row as it read it")
	require.NoError(t, other.Commit())
	assert.ErrorIs(t, <-done, store.ErrConflict, "the uphold read the scorecard as it was after the other write")
	got, err := db.CallByID(ctx, c.ID)
	require.NoError(t, err)
	assert.InDelta(t, 85, got.Score, 0, "the other write stands")
}
