package store_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/require"
)

// BenchmarkAppendEvent measures appending one event to a call's log, the
// write every turn of a live call makes before the server answers. Parallel
// goroutines each own a call, as concurrent calls do.
func BenchmarkAppendEvent(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
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
}
