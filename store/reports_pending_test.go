package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// pendingFixture is a store with two trainees of different teams and a
// trainer.
type pendingFixture struct {
	db          *store.DB
	li, qi, tan domain.User
	// at is when the next call ends: an hour after the last.
	at time.Time
}

func newPendingFixture(t *testing.T, db *store.DB) *pendingFixture {
	t.Helper()
	f := &pendingFixture{db: db, li: addUser(t, db, "li", domain.RoleTrainee), tan: addUser(t, db, "tan", domain.RoleTrainer), at: t0}
	f.qi = domain.User{Username: "qi", PasswordHash: "h", Role: domain.RoleTrainee, Team: "west", Created: t0}
	require.NoError(t, db.CreateUser(context.Background(), &f.qi))
	return f
}

// end starts and ends a call of u's.
func (f *pendingFixture) end(t *testing.T, u domain.User, scenario string, score float64, card json.RawMessage) store.Call {
	t.Helper()
	ctx := context.Background()
	f.at = f.at.Add(time.Hour)
	c := store.Call{UserID: u.ID, ScenarioID: scenario, ScenarioRevision: "r1", Mode: domain.Exam, Started: f.at.Add(-time.Minute)}
	require.NoError(t, f.db.CreateCall(ctx, &c))
	require.NoError(t, f.db.EndCall(ctx, c.ID, store.CallResult{Ended: f.at, Outcome: "completed", Score: score, Passed: score >= 80, Scorecard: card}))
	c.Ended, c.Score, c.Scorecard = f.at, score, card
	return c
}

// uphold upholds a dispute of c's item commit, which gives c score and
// card.
func (f *pendingFixture) uphold(t *testing.T, c store.Call, score float64, card json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	d := store.Dispute{CallID: c.ID, ItemID: "commit", Turn: 2, Text: "我承诺了上门时间", TraineeID: c.UserID, Created: f.at}
	require.NoError(t, f.db.OpenDispute(ctx, store.Actor{ID: c.UserID, Name: "trainee"}, &d))
	stored, err := f.db.CallByID(ctx, c.ID)
	require.NoError(t, err)
	_, err = f.db.UpholdDispute(ctx, store.Actor{ID: f.tan.ID, Name: f.tan.Username}, d.ID,
		store.Uphold{From: stored.Scorecard, Score: score, Passed: score >= 80, Scorecard: card})
	require.NoError(t, err)
}

func (f *pendingFixture) pending(t *testing.T) int {
	t.Helper()
	n, err := f.db.PendingReports(context.Background())
	require.NoError(t, err)
	return n
}

// checkReports compares what the reports answer, all time and over the
// range that holds every call, with the attempts counted the slow way. The
// first report read counts the pending calls.
func checkReports(t *testing.T, db *store.DB, stage string) {
	t.Helper()
	for _, f := range []store.ReportFilter{{}, {Team: "west"}, {From: t0, To: t0.AddDate(1, 0, 0)}} {
		wantCells, wantFindings := expectedReports(t, db, f)
		gotCells, gotFindings := gotReports(t, db, f)
		assert.Equal(t, wantCells, gotCells, "%s: cells of %+v", stage, f)
		assert.Equal(t, wantFindings, gotFindings, "%s: findings of %+v", stage, f)
	}
	n, err := db.PendingReports(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n, "%s: a report read counts the pending calls", stage)
}

// TestPendingCallsCountExactlyOnce runs every writer of the report tables
// while ended calls are still pending, and checks that the reports then
// count each call once, as it is stored.
func TestPendingCallsCountExactlyOnce(t *testing.T) {
	tests := []struct {
		name string
		// run acts on a store whose reporter is stopped; it returns how
		// many calls must be pending at its end, checked before the
		// reports are read.
		run func(t *testing.T, f *pendingFixture) int
	}{
		{"ended calls are counted when a report is read", func(t *testing.T, f *pendingFixture) int {
			f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}, "不归我管"))
			f.end(t, f.li, "leak", 90, reportCard(nil))
			f.end(t, f.qi, "arrears", 40, reportCard([]string{"greeting", "commit"}, "没办法"))
			f.end(t, f.tan, "leak", 10, reportCard([]string{"greeting"}, "你找别人"))
			return 4
		}},
		{"a pending call upheld is counted as upheld, once", func(t *testing.T, f *pendingFixture) int {
			c := f.end(t, f.li, "leak", 60, reportCard([]string{"commit", "greeting"}, "不归我管"))
			f.end(t, f.li, "leak", 70, reportCard([]string{"commit"}))
			f.uphold(t, c, 85, reportCard([]string{"greeting"}))
			return 1
		}},
		{"a counted call upheld beside pending calls of its total", func(t *testing.T, f *pendingFixture) int {
			c := f.end(t, f.li, "leak", 95, reportCard(nil))
			require.NoError(t, f.db.FlushReports(context.Background()))
			f.end(t, f.li, "leak", 50, reportCard([]string{"commit"}))
			f.end(t, f.li, "leak", 30, reportCard([]string{"commit", "greeting"}, "没办法"))
			// The best falls, so the total is recounted from the calls.
			f.uphold(t, c, 40, reportCard([]string{"commit", "ask-address"}))
			return 2
		}},
		{"an unopened call that timed out counts", func(t *testing.T, f *pendingFixture) int {
			ctx := context.Background()
			f.end(t, f.qi, "leak", 70, reportCard([]string{"commit"}))
			c := store.Call{UserID: f.qi.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: f.at}
			require.NoError(t, f.db.CreateCall(ctx, &c))
			require.NoError(t, f.db.EndUnopenedCall(ctx, c.ID, store.CallResult{Ended: f.at.Add(time.Minute), Outcome: "timed_out",
				Scorecard: reportCard([]string{"greeting", "ask-address", "commit"})}))
			assert.ErrorIs(t, f.db.EndUnopenedCall(ctx, c.ID, store.CallResult{Ended: f.at.Add(time.Hour), Outcome: "timed_out",
				Scorecard: reportCard(nil)}), store.ErrConflict, "a call ends once")
			return 2
		}},
		{"attempts imported beside pending calls", func(t *testing.T, f *pendingFixture) int {
			f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}))
			require.NoError(t, f.db.ImportAttempts(context.Background(), []store.Call{
				{UserID: f.li.ID, ScenarioID: "leak", ScenarioRevision: "demo", Mode: domain.Exam, Started: t0, Ended: t0.Add(time.Minute),
					Outcome: "completed", Score: 99, Passed: true, Scorecard: reportCard(nil, "不行")},
				{UserID: f.qi.ID, ScenarioID: "arrears", ScenarioRevision: "demo", Mode: domain.Exam, Started: t0, Ended: t0.Add(time.Minute),
					Outcome: "completed", Score: 20, Scorecard: reportCard([]string{"greeting"})},
			}))
			return 1
		}},
		{"the report tables rebuilt from the calls while calls are pending", func(t *testing.T, f *pendingFixture) int {
			f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}, "不归我管"))
			require.NoError(t, f.db.FlushReports(context.Background()))
			f.end(t, f.qi, "leak", 80, reportCard(nil, "没办法"))
			require.NoError(t, f.db.RebuildReports(context.Background()))
			return 0
		}},
		{"the findings upgraded to hours while calls are pending", func(t *testing.T, f *pendingFixture) int {
			f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}, "不归我管"))
			f.end(t, f.qi, "leak", 80, reportCard(nil, "没办法"))
			require.NoError(t, f.db.UpgradeFindingsToHours(context.Background()))
			return 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				// Ended calls stay pending until something counts them.
				db.StopReporter()
				f := newPendingFixture(t, db)
				want := tt.run(t, f)
				assert.Equal(t, want, f.pending(t), "calls pending before the reports are read")
				checkReports(t, db, tt.name)
			})
		})
	}
}

// TestReporterCountsEndedCalls checks that the reporter counts ended calls
// without any report being read, in as few transactions as it can.
func TestReporterCountsEndedCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		counted := make(chan int, 100)
		db.ObserveReportBatches(func(n int) { counted <- n })
		defer db.ObserveReportBatches(nil)
		f := newPendingFixture(t, db)
		const calls = 5
		for range calls {
			f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}))
		}
		total := 0
		deadline := time.After(30 * time.Second)
		for total < calls {
			select {
			case n := <-counted:
				total += n
			case <-deadline:
				t.Fatalf("the reporter counted %d of %d ended calls", total, calls)
			}
		}
		assert.Equal(t, calls, total)
		assert.Zero(t, f.pending(t))
		checkReports(t, db, "counted in the background")
	})
}

// TestPendingCallsOutliveTheProcess ends calls that a crash leaves pending
// and a close counts, and checks that nothing is lost either way.
func TestPendingCallsOutliveTheProcess(t *testing.T) {
	tests := []struct {
		name string
		// crash stops the reporter before the calls end, and so Close
		// from counting them, as a crash would.
		crash bool
		// pending is how many calls the first process leaves pending.
		pending int
	}{
		{"a crash before the reporter counted", true, 3},
		{"a close", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.EachDSN(t, func(t *testing.T, dsn string) {
				ctx := context.Background()
				db, err := store.Open(ctx, dsn)
				require.NoError(t, err)
				if tt.crash {
					db.StopReporter()
				}
				f := newPendingFixture(t, db)
				for range 3 {
					f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}, "没办法"))
				}
				require.NoError(t, db.Close())
				assert.Equal(t, tt.pending, pendingIn(t, dsn), "calls left pending")

				again, err := store.Open(ctx, dsn)
				require.NoError(t, err)
				defer func() { require.NoError(t, again.Close()) }()
				n, err := again.PendingReports(ctx)
				require.NoError(t, err)
				assert.Zero(t, n, "Open counts what an earlier process left pending")
				checkReports(t, again, tt.name)
			})
		})
	}
}

// pendingIn counts the pending calls in the database dsn names, with no
// store open on it.
func pendingIn(t *testing.T, dsn string) int {
	t.Helper()
	driver, name := "sqlite", dsn
	if store.IsPostgresDSN(dsn) {
		driver = "pgx"
	}
	conn, err := sql.Open(driver, name)
	require.NoError(t, err)
	defer conn.Close()
	var n int
	require.NoError(t, conn.QueryRow(`SELECT COUNT(*) FROM report_pending`).Scan(&n))
	return n
}

// TestTwoStoresCountEachCallOnce runs two stores on one database, as two
// instances: both end calls while both count pending calls, in the
// reporter's way and a flush's, from two goroutines each; then both uphold
// disputes of calls, some pending and some counted, while both count
// again. Every call must be counted once.
func TestTwoStoresCountEachCallOnce(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		open := func() *store.DB {
			db, err := store.Open(ctx, dsn)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, db.Close()) })
			// Only the counters below count.
			db.StopReporter()
			return db
		}
		stores := []*store.DB{open(), open()}
		var counted atomic.Int64
		for _, db := range stores {
			db.ObserveReportBatches(func(n int) { counted.Add(int64(n)) })
		}
		f := newPendingFixture(t, stores[0])
		trainees := []domain.User{f.li, f.qi}

		// concurrently runs work(i) for i in [0, n), each on its own
		// goroutine and store, beside four counters of pending calls, two
		// on each store: one waiting for the calls others are counting, one
		// passing over them. work kicks the counters after each end.
		concurrently := func(n int, work func(ctx context.Context, db *store.DB, i int, kick func()) error) {
			t.Helper()
			kicks := make(chan struct{}, 4)
			kick := func() {
				select {
				case kicks <- struct{}{}:
				default:
				}
			}
			workers, wctx := errgroup.WithContext(ctx)
			for i := range n {
				workers.Go(func() error { return work(wctx, stores[i%2], i, kick) })
			}
			counters, cctx := errgroup.WithContext(ctx)
			done := make(chan struct{})
			for i := range 4 {
				db, wait := stores[i%2], i/2 == 1
				counters.Go(func() error {
					for {
						select {
						case <-kicks:
						case <-done:
							return nil
						}
						if _, err := db.CountPendingBatch(cctx, wait); err != nil {
							return err
						}
					}
				})
			}
			err := workers.Wait()
			close(done)
			require.NoError(t, errors.Join(err, counters.Wait()))
		}

		const workers, callsEach = 4, 30
		ended := make([][]store.Call, workers)
		end := func(ctx context.Context, db *store.DB, u domain.User, j int, card json.RawMessage) (store.Call, error) {
			at := t0.Add(time.Duration(j) * 37 * time.Minute)
			c := store.Call{UserID: u.ID, ScenarioID: []string{"leak", "arrears"}[j%2], ScenarioRevision: "r1", Mode: domain.Exam, Started: at}
			if err := db.CreateCall(ctx, &c); err != nil {
				return c, err
			}
			c.Scorecard = card
			return c, db.EndCall(ctx, c.ID, store.CallResult{Ended: at.Add(time.Minute), Outcome: "completed", Score: float64(j), Scorecard: card})
		}
		concurrently(workers, func(ctx context.Context, db *store.DB, i int, kick func()) error {
			for j := range callsEach {
				c, err := end(ctx, db, trainees[i/2], j, reportCard([]string{"greeting", "commit"}[:j%3], "没办法"))
				if err != nil {
					return err
				}
				ended[i] = append(ended[i], c)
				kick()
			}
			return nil
		})
		require.NoError(t, stores[1].FlushReports(ctx))
		assert.Equal(t, int64(workers*callsEach), counted.Load(), "each ended call counted by one batch")
		checkReports(t, stores[0], "ended on two stores")

		// Each worker ends more calls and upholds a dispute of each, and of
		// each of its calls counted above, on the other store.
		uphold := func(ctx context.Context, db *store.DB, c store.Call, j int) error {
			d := store.Dispute{CallID: c.ID, ItemID: "commit", Turn: 1, Text: "我说了", TraineeID: c.UserID, Created: t0}
			if err := db.OpenDispute(ctx, store.Actor{ID: c.UserID, Name: "trainee"}, &d); err != nil {
				return err
			}
			_, err := db.UpholdDispute(ctx, store.Actor{ID: f.tan.ID, Name: f.tan.Username}, d.ID,
				store.Uphold{From: c.Scorecard, Score: float64(100 - j), Passed: true, Scorecard: reportCard(nil)})
			return err
		}
		concurrently(workers, func(ctx context.Context, db *store.DB, i int, kick func()) error {
			other := stores[(i+1)%2]
			for j, old := range ended[i] {
				c, err := end(ctx, db, trainees[i/2], j, reportCard([]string{"commit"}, "不归我管"))
				if err != nil {
					return err
				}
				kick()
				if err := uphold(ctx, other, c, j); err != nil {
					return fmt.Errorf("uphold a call just ended: %w", err)
				}
				if err := uphold(ctx, other, old, j); err != nil {
					return fmt.Errorf("uphold a counted call: %w", err)
				}
			}
			return nil
		})
		checkReports(t, stores[1], "upheld on two stores")
		checkReports(t, stores[0], "upheld on two stores")
	})
}

// TestReporterErrorsAreHeard: a count that fails in the background reaches
// the store's background-error hook, leaves its call pending, and the
// next count after the fault is gone counts it.
func TestReporterErrorsAreHeard(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, db.Close()) })
		heard := make(chan error, 100)
		db.OnBackgroundError(func(err error) {
			select {
			case heard <- err:
			default: // the hook must not block; one error heard is enough
			}
		})
		f := newPendingFixture(t, db)

		driver := "sqlite"
		if store.IsPostgresDSN(dsn) {
			driver = "pgx"
		}
		conn, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		defer conn.Close()
		// A report table gone wrong: the totals cannot take a row.
		_, err = conn.ExecContext(ctx, `ALTER TABLE report_totals RENAME TO report_totals_away`)
		require.NoError(t, err)
		f.end(t, f.li, "leak", 60, reportCard([]string{"commit"}))
		select {
		case err := <-heard:
			assert.ErrorContains(t, err, "count pending calls in the reports")
		case <-time.After(30 * time.Second):
			t.Fatal("the failed count was never heard")
		}
		assert.Equal(t, 1, f.pending(t), "the call stays pending")

		_, err = conn.ExecContext(ctx, `ALTER TABLE report_totals_away RENAME TO report_totals`)
		require.NoError(t, err)
		checkReports(t, db, "counted once the fault is gone")
		assert.Zero(t, f.pending(t))
	})
}
