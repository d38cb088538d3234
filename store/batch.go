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
		a.write(batch)
	}
}

// write commits a batch in one transaction. A request whose events
// conflict is rolled back to its savepoint alone; a failed commit fails
// them all.
func (a *appender) write(batch []*appendRequest) {
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
		st, err := prepareAppend(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		if len(batch) == 1 {
			errs[0] = st.append(ctx, tx, batch[0].lease, batch[0].events)
			return errs[0]
		}
		for i, r := range batch {
			if _, err := tx.exec(ctx, `SAVEPOINT append_events`); err != nil {
				return err
			}
			if errs[i] = st.append(ctx, tx, r.lease, r.events); errs[i] != nil {
				if _, err := tx.exec(ctx, `ROLLBACK TO SAVEPOINT append_events`); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `RELEASE SAVEPOINT append_events`); err != nil {
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

// appendStmts are the statements an append runs, prepared once per
// transaction.
type appendStmts struct {
	last, insert *sql.Stmt
}

func prepareAppend(ctx context.Context, tx *sqlTx) (*appendStmts, error) {
	last, err := tx.tx.PrepareContext(ctx, tx.db.rebind(`SELECT COALESCE(MAX(seq), 0) FROM call_events WHERE call_id = ?`))
	if err != nil {
		return nil, classify(err)
	}
	insert, err := tx.tx.PrepareContext(ctx, tx.db.rebind(`INSERT INTO call_events (call_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)`))
	if err != nil {
		return nil, errors.Join(classify(err), last.Close())
	}
	return &appendStmts{last: last, insert: insert}, nil
}

// close releases the statements. They belong to a transaction that is
// committed or rolled back next, which closes them anyway, so an error here
// changes nothing.
func (s *appendStmts) close() {
	_ = s.last.Close()
	_ = s.insert.Close()
}

// append adds one call's events after checking that l, when given, is still
// the call's latest claim and that they continue its log.
func (s *appendStmts) append(ctx context.Context, tx *sqlTx, l *Lease, events []Event) error {
	if l != nil {
		if err := tx.checkLease(ctx, *l); err != nil {
			return err
		}
	}
	callID := events[0].CallID
	var last int64
	if err := s.last.QueryRowContext(ctx, callID).Scan(&last); err != nil {
		return classify(err)
	}
	if err := continues(last, events[0].Seq); err != nil {
		return err
	}
	for _, e := range events {
		if _, err := s.insert.ExecContext(ctx, e.CallID, e.Seq, e.Type, string(e.Payload), millis(e.At)); err != nil {
			return classify(err)
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
