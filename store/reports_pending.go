package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Counting an ended call in the report tables (addReports) is some fifty
// upserts: a row per checklist item and forbidden phrase in each of three
// widths. Done in the transaction that ends the call, on SQLite's single
// writer, a wave of calls ending together held the writer long enough for
// every live call's appends to queue behind it. So the end only records
// the call in report_pending, and the reporter counts the calls recorded
// there a batch at a time: woken by the ends, it waits a little
// (reportDelay, or until reportBatch calls have ended) and counts them in
// one transaction, where addReports adds up the rows of all of them first,
// so that a hundred calls of one team and scenario cost about as many
// upserts as one.
//
// Each call is counted exactly once: by the transaction that deletes its
// row from report_pending, which counts it as stored when it deletes it.
// With two instances on one PostgreSQL database, the reporters take rows
// with SKIP LOCKED, passing over those another transaction is counting;
// a flush (below) waits for them instead. A call recorded but not counted
// when the process stops is counted by the next Open, on any instance.
//
// The writers that change what a counted call contributes know about the
// pending calls: rescoring one (reportRescored) takes it off the pending
// calls and counts it as now, since it was never counted as before; a
// total recounted from the calls (retallyTotal) leaves pending calls out.
//
// Read-your-writes: the queries that read the report tables flush first,
// counting every call pending when they start, which costs one indexed
// read when none is, so a report shows every call ended before it was
// asked for, wherever it ended.

const (
	// reportBatch caps how many calls one transaction counts, and wakes
	// the reporter before reportDelay when as many have ended.
	reportBatch = 256
	// reportDelay is how long the reporter lets ends gather after the
	// first one, and so about how long a report table lags the calls
	// (reads do not see the lag: they flush).
	reportDelay = 250 * time.Millisecond
	// reportCloseTimeout bounds the last count when the store closes;
	// what it leaves pending the next Open counts.
	reportCloseTimeout = 10 * time.Second
)

// markPending records call id, ended in this transaction, as still to be
// counted in the reports.
func (t *sqlTx) markPending(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `INSERT INTO report_pending (call_id) VALUES (?)`, id); err != nil {
		return fmt.Errorf("record call %s for the reports: %w", id, err)
	}
	return nil
}

// takePendingCall takes call id off the pending calls, and reports whether
// it was pending. On PostgreSQL it waits for a transaction counting it.
func (t *sqlTx) takePendingCall(ctx context.Context, id string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM report_pending WHERE call_id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("take call %s off the pending calls: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("take call %s off the pending calls: %w", id, err)
	}
	return n == 1, nil
}

// takePending deletes up to reportBatch pending calls and returns their
// ids. On PostgreSQL, with wait it waits for the calls other transactions
// are counting (and leaves them out once those commit); without, it passes
// over them.
func (t *sqlTx) takePending(ctx context.Context, wait bool) ([]string, error) {
	// The rows are locked in call_id order, so two waiting transactions
	// cannot each hold a row the other waits for.
	lock := t.db.dialect.lock("FOR UPDATE")
	if !wait {
		lock = t.db.dialect.lock("FOR UPDATE SKIP LOCKED")
	}
	rows, err := t.tx.QueryContext(ctx, t.db.rebind(`DELETE FROM report_pending WHERE call_id IN
		(SELECT call_id FROM report_pending ORDER BY call_id LIMIT ?`+lock+`) RETURNING call_id`), reportBatch)
	if err != nil {
		return nil, fmt.Errorf("take pending calls: %w", classify(err))
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, closeAfter(fmt.Errorf("take pending calls: %w", err), rows)
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("take pending calls: %w", classify(err))
	}
	return ids, nil
}

// countPendingBatch counts up to reportBatch pending calls in one
// transaction (see takePending for wait), and reports how many it took.
func (db *DB) countPendingBatch(ctx context.Context, wait bool) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sqlTx) error {
		ids, err := tx.takePending(ctx, wait)
		if err != nil || len(ids) == 0 {
			return err
		}
		n = len(ids)
		as, err := tx.reportAttempts(ctx, ids)
		if err != nil {
			return err
		}
		return tx.addReports(ctx, as, reportCards{})
	})
	if err != nil {
		return 0, fmt.Errorf("count pending calls in the reports: %w", err)
	}
	if f := db.reports.counted.Load(); f != nil && n > 0 {
		(*f)(n)
	}
	return n, nil
}

// countPending counts pending calls a batch at a time until a batch is not
// full. With wait (see takePending), every call pending when it started is
// counted when it returns, by it or by a transaction it waited for.
func (db *DB) countPending(ctx context.Context, wait bool) error {
	for {
		n, err := db.countPendingBatch(ctx, wait)
		if err != nil || n < reportBatch {
			return err
		}
	}
}

// flushReports counts every call pending now, so that the report tables
// read after it count every call ended before it. When none is pending it
// is one read.
func (db *DB) flushReports(ctx context.Context) error {
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM report_pending LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("flush reports: %w", classify(err))
	}
	return db.countPending(ctx, true)
}

// reporter counts the calls this instance ends, in the background.
type reporter struct {
	db *DB
	// wake holds a token when calls have ended since the reporter last
	// looked.
	wake chan struct{}
	// ended counts the calls ended since the reporter last began counting.
	ended atomic.Int64
	quit  chan struct{}
	// ctx is cancelled when the reporter stops, ending a count under way.
	ctx    context.Context
	cancel context.CancelFunc
	// countOnQuit says whether to count what is left before stopping; set
	// before quit is closed.
	countOnQuit bool
	stop        sync.Once
	wg          sync.WaitGroup
	// counted, when set, hears how many calls each transaction counted,
	// for the tests.
	counted atomic.Pointer[func(int)]
}

// startReporter counts what an earlier process left pending, then starts
// counting the calls ended from now on in the background.
func startReporter(ctx context.Context, db *DB) error {
	db.reports = &reporter{db: db, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	db.reports.ctx, db.reports.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := db.countPending(ctx, false); err != nil {
		return err
	}
	db.reports.wg.Go(db.reports.run)
	return nil
}

// noteEnded wakes the reporter after a call ended.
func (r *reporter) noteEnded() {
	r.ended.Add(1)
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *reporter) run() {
	for {
		select {
		case <-r.quit:
			r.finish()
			return
		case <-r.wake:
		}
		if !r.gather() {
			r.finish()
			return
		}
		r.ended.Store(0)
		// A failed count leaves its calls pending; the next end, report
		// read or Open counts them. Waking again retries after a delay
		// without waiting for those. Closing cancels a count under way:
		// finish counts again.
		if err := r.db.countPending(r.ctx, false); err != nil {
			if r.ctx.Err() == nil {
				r.db.backgroundError(err)
			}
			r.noteEnded()
		}
	}
}

// gather waits for ends to gather: reportDelay, or until reportBatch calls
// ended. It reports false when the store is closing.
func (r *reporter) gather() bool {
	t := time.NewTimer(reportDelay)
	defer t.Stop()
	for r.ended.Load() < reportBatch {
		select {
		case <-t.C:
			return true
		case <-r.wake:
		case <-r.quit:
			return false
		}
	}
	return true
}

// finish counts what is left, when the store closes.
func (r *reporter) finish() {
	if !r.countOnQuit {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), reportCloseTimeout)
	defer cancel()
	// What this leaves pending, the next Open counts.
	if err := r.db.countPending(ctx, false); err != nil {
		r.db.backgroundError(err)
	}
}

// close stops the reporter, counting what is left first if count is set.
// Only the first call has an effect.
func (r *reporter) close(count bool) {
	r.stop.Do(func() {
		r.countOnQuit = count
		close(r.quit)
		r.cancel()
	})
	r.wg.Wait()
}
