package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hotlinecoach/coach/domain"
)

// On PostgreSQL every statement is a round trip to the server, and the
// transaction of write (BEGIN, a savepoint, the lease check, the last seq
// and the inserts for every append, then COMMIT) makes about ten of them
// for one append. With thousands of live calls those round trips, not the
// WAL flush, were most of a reply's latency. writePostgres does the same
// checks and inserts for a whole batch in one statement, one round trip
// and one commit. It covers the common batch, one append per call; a batch
// with two appends for one call (the second's seq check would need the
// first's inserts) and any error go to write's transaction, which gives
// each append its own answer.

// pgAppendBatch checks and inserts a batch of appends in one statement.
// $1…$4 are the appends: index in the batch, call, first seq, and the
// lease epoch or -1 for none. $5…$10 are their events. Each call's row is
// share-locked, in id order like every other lease lock, so that a claim
// made meanwhile waits for this write and then sees it. An append's events
// go in only when its lease holds and its first seq continues the log; the
// result gives, for every append, what its checks read, so that the
// refused ones get the same errors as in write.
const pgAppendBatch = `
WITH req AS (
	SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::bigint[]) AS r(idx, call_id, first_seq, epoch)
), locked AS (
	SELECT id, owner_epoch, status FROM calls WHERE id = ANY($2::text[]) ORDER BY id FOR SHARE
), checked AS (
	SELECT req.idx, req.first_seq, req.epoch, locked.owner_epoch, locked.status,
		COALESCE((SELECT MAX(seq) FROM call_events e WHERE e.call_id = req.call_id), 0) AS last
	FROM req LEFT JOIN locked ON locked.id = req.call_id
), ok AS (
	SELECT idx FROM checked
	WHERE first_seq = last + 1 AND (epoch < 0 OR (owner_epoch = epoch AND status = '` + string(domain.CallLive) + `'))
), ins AS (
	INSERT INTO call_events (call_id, seq, type, payload, at)
	SELECT ev.call_id, ev.seq, ev.type, ev.payload, ev.at
	FROM unnest($5::int[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::bigint[]) AS ev(idx, call_id, seq, type, payload, at)
	WHERE ev.idx IN (SELECT idx FROM ok)
)
SELECT idx, owner_epoch, status, last FROM checked`

// writePostgres tries the batch as one statement. It reports false, having
// answered nobody, when the batch is not one append per call or the
// statement failed; then write takes it.
func (a *appender) writePostgres(ctx context.Context, batch []*appendRequest) bool {
	n := 0
	seen := make(map[string]bool, len(batch))
	for _, r := range batch {
		id := r.events[0].CallID
		if seen[id] {
			return false
		}
		seen[id] = true
		n += len(r.events)
	}
	var (
		idx, evIdx          = make([]int32, len(batch)), make([]int32, 0, n)
		calls, evCalls      = make([]string, len(batch)), make([]string, 0, n)
		firsts, epochs      = make([]int64, len(batch)), make([]int64, len(batch))
		evSeqs, evAts       = make([]int64, 0, n), make([]int64, 0, n)
		evTypes, evPayloads = make([]string, 0, n), make([]string, 0, n)
	)
	for i, r := range batch {
		idx[i], calls[i], firsts[i], epochs[i] = int32(i), r.events[0].CallID, r.events[0].Seq, -1 // #nosec G115 -- i < maxBatch
		if r.lease != nil {
			epochs[i] = r.lease.Epoch
		}
		for _, e := range r.events {
			evIdx, evCalls, evSeqs = append(evIdx, int32(i)), append(evCalls, e.CallID), append(evSeqs, e.Seq) // #nosec G115 -- i < maxBatch
			evTypes, evPayloads, evAts = append(evTypes, e.Type), append(evPayloads, string(e.Payload)), append(evAts, millis(e.At))
		}
	}
	rows, err := a.db.w.QueryContext(ctx, pgAppendBatch, idx, calls, firsts, epochs, evIdx, evCalls, evSeqs, evTypes, evPayloads, evAts)
	if err != nil {
		return false
	}
	errs := make([]error, len(batch))
	answered := make([]bool, len(batch))
	for rows.Next() {
		var (
			i      int
			epoch  sql.NullInt64
			status sql.NullString
			last   int64
		)
		if err := rows.Scan(&i, &epoch, &status, &last); err != nil || i < 0 || i >= len(batch) {
			_ = rows.Close()
			return false
		}
		answered[i] = true
		errs[i] = appendRefusal(batch[i], epoch, status, last)
	}
	// The statement commits when its rows are read to the end; an error
	// here (the commit's included) leaves the outcome to write, whose
	// seq checks then tell what is in.
	if rows.Close() != nil || rows.Err() != nil {
		return false
	}
	a.oneStatement.Add(1)
	for i, r := range batch {
		if !answered[i] {
			errs[i] = fmt.Errorf("%w: append %d of the batch got no answer", ErrConflict, i)
		}
		r.done <- errs[i]
	}
	return true
}

// appendRefusal is the error write gives an append whose checks read
// epoch, status and last, or nil when they pass.
func appendRefusal(r *appendRequest, epoch sql.NullInt64, status sql.NullString, last int64) error {
	if l := r.lease; l != nil {
		if !epoch.Valid {
			return ErrNotFound
		}
		if err := leaseRefusal(*l, epoch.Int64, status.String); err != nil {
			return err
		}
	}
	return continues(last, r.events[0].Seq)
}
