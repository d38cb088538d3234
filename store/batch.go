package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite has one writer, and each transaction costs a commit (a WAL append
// and its locking) plus statement preparation. Live calls append a few
// events per reply each, so with many calls the commits, not the inserts,
// bound the rate. The appender does group commit: appends that arrive while
// a transaction is being written wait and then go together in the next one,
// each inside its own savepoint so that one call's conflict leaves the
// others' events in. An append still returns only once its events are
// committed, so callers keep the rule that an event is stored before it is
// acted on; under light load every append is its own transaction, as before.
//
// PostgreSQL writes in parallel, but each commit waits for its WAL flush,
// so there too appends are grouped: a few writers (pgWriters) each take
// what has queued up and commit it in one transaction, one flush for many
// calls' events. A call's appends always go to the same writer, so no two
// transactions of one instance touch one call's log at once (which could
// otherwise deadlock two batches on each other's inserts).

// maxBatch caps how many appends share a transaction, which bounds how long
// the first of them waits for the last.
const maxBatch = 64

// appendRequest is one AppendEvents call waiting for its transaction.
type appendRequest struct {
	// lease, when set, is the writer's claim on the call, checked in the
	// same transaction as the insert.
	lease  *Lease
	events []Event
	done   chan error
	// queued is when the request was made, for the wait it reports.
	queued time.Time
}

// pgWriters is how many transactions of grouped appends PostgreSQL writes
// at once.
const pgWriters = 4

// appender runs the group commits of one DB.
type appender struct {
	db *DB
	// reqs holds one channel per writer.
	reqs []chan *appendRequest
	quit chan struct{}
	stop sync.Once
	wg   sync.WaitGroup
	// waited, when set, hears how long each append queued before its
	// transaction began: the store's queueing delay.
	waited atomic.Pointer[func(time.Duration)]
	// oneStatement counts the batches PostgreSQL wrote in one statement
	// (writePostgres), for the tests that must know which path ran.
	oneStatement atomic.Int64
}

// errClosed answers appends made after Close.
var errClosed = errors.New("store is closed")

// newAppender starts writers group-committing appends to db.
func newAppender(db *DB, writers int) *appender {
	a := &appender{db: db, reqs: make([]chan *appendRequest, writers), quit: make(chan struct{})}
	for i := range a.reqs {
		ch := make(chan *appendRequest)
		a.reqs[i] = ch
		a.wg.Go(func() { a.run(ch) })
	}
	return a
}

// append hands events to the writer and waits until they are committed or
// refused. The requests channel is unbuffered, so a request the writer has
// taken is always answered, even while closing.
func (a *appender) append(ctx context.Context, l *Lease, events []Event) error {
	r := &appendRequest{lease: l, events: events, done: make(chan error, 1), queued: time.Now()}
	h := fnv.New32a()
	_, _ = h.Write([]byte(events[0].CallID)) // hashing into memory does not fail
	select {
	case a.reqs[h.Sum32()%uint32(len(a.reqs))] <- r: // #nosec G115 -- a handful of writers
	case <-a.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.done
}

func (a *appender) run(reqs <-chan *appendRequest) {
	// The writer's statements, prepared once on the database rather than
	// per transaction: parsing them was a tenth of a busy server's CPU.
	var st *appendStmts
	defer func() {
		if st != nil {
			st.close()
		}
	}()
	for {
		var batch []*appendRequest
		select {
		case <-a.quit:
			return
		case r := <-reqs:
			batch = append(batch, r)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		if st == nil {
			var err error
			if st, err = prepareAppend(context.Background(), a.db); err != nil {
				for _, r := range batch {
					r.done <- err
				}
				continue
			}
		}
		a.write(st, batch)
	}
}

// write commits a batch in one transaction. A request whose events
// conflict is rolled back to its savepoint alone; a failed commit fails
// them all.
func (a *appender) write(st *appendStmts, batch []*appendRequest) {
	// The requests' own contexts are not used: one caller giving up must
	// not roll back the others, and the write is local and short.
	ctx := context.Background()
	// Each append share-locks its call's row (checkLease). Taken in call
	// id order, as RenewLeases and ReleaseLeases take theirs, no two
	// transactions wait on each other in a circle.
	slices.SortStableFunc(batch, func(x, y *appendRequest) int { return strings.Compare(x.events[0].CallID, y.events[0].CallID) })
	if a.db.dialect == Postgres {
		// PostgreSQL takes writes in parallel: the queue is the writer's.
		a.observeWait(batch, time.Now())
		if a.writePostgres(ctx, batch) {
			return
		}
	}
	errs := make([]error, len(batch))
	err := a.db.tx(ctx, func(tx *sqlTx) error {
		if a.db.dialect != Postgres {
			// The wait counts until the writer is ours: on SQLite other
			// transactions (a call ending, say) hold it too.
			a.observeWait(batch, time.Now())
		}
		t := st.in(ctx, tx)
		if len(batch) == 1 {
			errs[0] = t.append(batch[0].lease, batch[0].events)
			return errs[0]
		}
		for i, r := range batch {
			if err := t.exec(t.savepoint); err != nil {
				return err
			}
			if errs[i] = t.append(r.lease, r.events); errs[i] != nil {
				if err := t.exec(t.rollback); err != nil {
					return err
				}
			}
			if err := t.exec(t.release); err != nil {
				return err
			}
		}
		return nil
	})
	for i, r := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = err
		}
		r.done <- errs[i]
	}
}

// observeWait tells the waited observer how long each request of batch
// queued until began.
func (a *appender) observeWait(batch []*appendRequest, began time.Time) {
	if f := a.waited.Load(); f != nil {
		for _, r := range batch {
			(*f)(began.Sub(r.queued))
		}
	}
}

// close stops the writer once the batch in hand is written. Closing twice
// is harmless, as closing a DB twice is.
func (a *appender) close() {
	a.stop.Do(func() { close(a.quit) })
	a.wg.Wait()
}

// appendStmts are the statements a writer runs, prepared once on the
// database and used in each transaction (on SQLite's single writer
// connection without preparing again).
type appendStmts struct {
	lease, last, insert, savepoint, rollback, release *sql.Stmt
}

func prepareAppend(ctx context.Context, db *DB) (*appendStmts, error) {
	var st appendStmts
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.lease, leaseQuery(db.dialect)},
		{&st.last, `SELECT COALESCE(MAX(seq), 0) FROM call_events WHERE call_id = ?`},
		{&st.insert, `INSERT INTO call_events (call_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)`},
		{&st.savepoint, `SAVEPOINT append_events`},
		{&st.rollback, `ROLLBACK TO SAVEPOINT append_events`},
		{&st.release, `RELEASE SAVEPOINT append_events`},
	} {
		var err error
		if *p.stmt, err = db.w.PrepareContext(ctx, db.rebind(p.query)); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare appends: %w", classify(err))
		}
	}
	return &st, nil
}

// close releases the statements that were prepared.
func (s *appendStmts) close() {
	for _, st := range []*sql.Stmt{s.lease, s.last, s.insert, s.savepoint, s.rollback, s.release} {
		if st != nil {
			_ = st.Close()
		}
	}
}

// txAppend is a writer's statements bound to one transaction.
type txAppend struct {
	ctx context.Context
	tx  *sql.Tx
	*appendStmts
}

func (s *appendStmts) in(ctx context.Context, tx *sqlTx) txAppend {
	return txAppend{ctx: ctx, tx: tx.tx, appendStmts: s}
}

func (t txAppend) exec(st *sql.Stmt, args ...any) error {
	_, err := t.tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	return classify(err)
}

// append adds one call's events after checking that l, when given, is still
// the call's latest claim and that they continue its log.
func (t txAppend) append(l *Lease, events []Event) error {
	if l != nil {
		var epoch int64
		var status string
		if err := t.tx.StmtContext(t.ctx, t.lease).QueryRowContext(t.ctx, l.CallID).Scan(&epoch, &status); err != nil {
			return notFound(err)
		}
		if err := leaseRefusal(*l, epoch, status); err != nil {
			return err
		}
	}
	callID := events[0].CallID
	var last int64
	if err := t.tx.StmtContext(t.ctx, t.last).QueryRowContext(t.ctx, callID).Scan(&last); err != nil {
		return classify(err)
	}
	if err := continues(last, events[0].Seq); err != nil {
		return err
	}
	for _, e := range events {
		if err := t.exec(t.insert, e.CallID, e.Seq, e.Type, string(e.Payload), millis(e.At)); err != nil {
			return err
		}
	}
	return nil
}

// continues fails with ErrConflict unless first is the seq after last, the
// log's latest.
func continues(last, first int64) error {
	if first != last+1 {
		return fmt.Errorf("%w: next seq is %d, got %d", ErrConflict, last+1, first)
	}
	return nil
}
