package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkTicketAccuracy measures the managers' work-order aggregate on
// a store of COACH_BENCH_TICKETS tickets (default 20,000) of eight graded
// fields each, by 2,000 trainees, on SQLite.
func BenchmarkTicketAccuracy(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("COACH_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db, err := Open(ctx, b.TempDir()+"/bench.db")
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	const users = 2000
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fields := []string{"name", "phone", "address", "type", "urgency", "team", "promise", "note"}
	require.NoError(b, db.tx(ctx, func(tx *sqlTx) error {
		for u := 1; u <= users; u++ {
			if _, err := tx.exec(ctx, `INSERT INTO users (id, username, password_hash, role, team, created_at) VALUES (?, ?, 'x', 'trainee', ?, 0)`,
				u, fmt.Sprintf("t%04d", u), fmt.Sprintf("team-%d", u%10)); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("c%07d", i)
			u := 1 + i%users
			at := millis(start.Add(time.Duration(i) * time.Minute))
			if _, err := tx.exec(ctx, `INSERT INTO calls (id, user_id, scenario_id, scenario_revision, mode, seed, status, started_at, desk) VALUES (?, ?, 'leak', 'r', 'exam', 1, 'ended', ?, 1)`, id, u, at); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO tickets (call_id, number, user_id, state, submitted_at, entered, fields_ok, fields_total) VALUES (?, ?, ?, 'pending-dispatch', ?, '{}', 6, 8)`, id, "GD"+id, u, at); err != nil {
				return err
			}
			for k, f := range fields {
				if _, err := tx.exec(ctx, `INSERT INTO ticket_fields (call_id, user_id, submitted_at, field, ok) VALUES (?, ?, ?, ?, ?)`, id, u, at, f, (i+k)%4/3^1); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	b.ResetTimer()
	for b.Loop() {
		rows, err := db.TicketAccuracy(ctx, time.Time{}, time.Time{})
		require.NoError(b, err)
		require.Len(b, rows, users*len(fields))
	}
}
