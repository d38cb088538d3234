package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/require"
)

// benchEach runs fn as a sub-benchmark once per dialect, on a fresh store
// each time.
func benchEach(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// BenchmarkAppendEvent measures appending one event to a call's log, the
// write every turn of a live call makes before the server answers. Parallel
// goroutines each own a call, as concurrent calls do.
func BenchmarkAppendEvent(b *testing.B) {
	benchEach(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		u := domain.User{Username: "bench", PasswordHash: "x", Role: domain.RoleTrainee, Created: t0}
		require.NoError(b, db.CreateUser(ctx, &u))
		payload := json.RawMessage(`{"text":"您好，暖心供热公司，请问有什么可以帮您？","at":4.25}`)
		var calls atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
			if err := db.CreateCall(ctx, &c); err != nil {
				b.Error(err)
				return
			}
			calls.Add(1)
			seq := int64(0)
			for pb.Next() {
				seq++
				err := db.AppendEvents(ctx, store.Event{CallID: c.ID, Seq: seq, Type: "say", Payload: payload, At: t0.Add(time.Duration(seq) * time.Second)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// endCard is a scorecard of the size a call ends with: fourteen checklist
// items, a third of them missed, and a forbidden phrase; some fifty rows of
// the report tables.
func endCard() json.RawMessage {
	var ids, missed []string
	for i := range 14 {
		ids = append(ids, fmt.Sprintf("item-%02d", i))
		if i%3 == 0 {
			missed = append(missed, ids[i])
		}
	}
	return scorecard(ids, missed, "不归我管")
}

// BenchmarkEndCall measures the transaction that ends a call, one after
// another, as the writer runs them: the calls are made before the clock
// starts. Counting the call in the reports is not in it (see
// BenchmarkCountEndedCalls).
func BenchmarkEndCall(b *testing.B) {
	benchEach(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		ids := liveCalls(b, db, b.N)
		card := endCard()
		b.ResetTimer()
		for i, id := range ids {
			if err := db.EndCall(ctx, id, endResult(i, card)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCountEndedCalls measures counting ended calls in the reports,
// per call, when b.N calls of one trainee and scenario ended together:
// the work the end's transaction no longer does.
func BenchmarkCountEndedCalls(b *testing.B) {
	benchEach(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		db.StopReporter()
		card := endCard()
		for i, id := range liveCalls(b, db, b.N) {
			require.NoError(b, db.EndCall(ctx, id, endResult(i, card)))
		}
		b.ResetTimer()
		require.NoError(b, db.FlushReports(ctx))
		b.StopTimer()
		n, err := db.PendingReports(ctx)
		require.NoError(b, err)
		require.Zero(b, n)
	})
}

// liveCalls starts n calls of one trainee and returns their ids.
func liveCalls(b *testing.B, db *store.DB, n int) []string {
	ctx := context.Background()
	u := domain.User{Username: "bench", PasswordHash: "x", Role: domain.RoleTrainee, Team: "east", Created: t0}
	require.NoError(b, db.CreateUser(ctx, &u))
	ids := make([]string, n)
	for i := range ids {
		c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: t0}
		require.NoError(b, db.CreateCall(ctx, &c))
		ids[i] = c.ID
	}
	return ids
}

// endResult is the i-th call's result: a second apart, within one hour.
func endResult(i int, card json.RawMessage) store.CallResult {
	return store.CallResult{Ended: t0.Add(time.Duration(i) * time.Second), Outcome: "completed",
		Score: float64(i % 100), Passed: i%2 == 0, Scorecard: card}
}
