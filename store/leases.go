package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// Several server instances may share one PostgreSQL database. Exactly one of
// them drives a live call at a time: it runs the call's clock and writes its
// event log. That instance holds the call's lease. Claiming a call bumps its
// owner_epoch, and every write the holder makes checks, in the same
// transaction, that the epoch is still its own; an instance that lost the
// call therefore cannot write another event or end it, however stale its
// copy of the engine. Leases run out unless renewed, so the calls of an
// instance that died are taken up by another.
//
// A claim gives the call a lease of its own (calls.lease_until, zero once
// released); the instance then renews one row of instance_leases for all
// the calls it drives, so that a renewal costs one row write however many
// calls are live, where rewriting every live call's row every few seconds
// held the store's writer while replies waited. A call's lease runs until
// the later of the two, unless it was released.

// ErrNotOwner is returned (wrapped) when an instance writes a call whose
// lease another instance has claimed since. It is an ErrConflict too.
var ErrNotOwner = fmt.Errorf("%w: another instance drives the call", ErrConflict)

// ErrEnded is returned (wrapped) when a live call was expected and the call
// has ended. It is an ErrConflict too.
var ErrEnded = fmt.Errorf("%w: the call has ended", ErrConflict)

// Lease is one instance's claim to drive a live call.
type Lease struct {
	CallID string
	// Owner names the instance holding the lease.
	Owner string
	// Epoch is the claim's number: every claim of the call gets a higher
	// one, and only the latest claim's writes are accepted.
	Epoch int64
	// Until is when the lease runs out unless renewed (the instance's
	// renewals extend it).
	Until time.Time
}

// ClaimCall makes owner the driver of the live call id until until,
// whoever held it before: a trainee's socket arriving at an instance takes
// the call there. A call that has ended gives ErrEnded.
func (db *DB) ClaimCall(ctx context.Context, id, owner string, until time.Time) (Lease, error) {
	l, err := db.claim(ctx, id, owner, time.Time{}, until)
	if err != nil {
		return Lease{}, fmt.Errorf("claim call %s for %s: %w", id, owner, err)
	}
	return l, nil
}

// ClaimIdleCall makes owner the driver of the live call id until until,
// but only if nobody's lease on it is still running at now: that is how an
// instance takes up the calls of one that stopped or died. A running lease
// gives ErrNotOwner, an ended call ErrEnded.
func (db *DB) ClaimIdleCall(ctx context.Context, id, owner string, now, until time.Time) (Lease, error) {
	if now.IsZero() {
		return Lease{}, fmt.Errorf("claim idle call %s: %w: now is required", id, ErrInvalid)
	}
	l, err := db.claim(ctx, id, owner, now, until)
	if err != nil {
		return Lease{}, fmt.Errorf("claim idle call %s for %s: %w", id, owner, err)
	}
	return l, nil
}

// claim takes the call for owner; a non-zero idleAt claims it only when no
// lease is running at that time.
func (db *DB) claim(ctx context.Context, id, owner string, idleAt, until time.Time) (Lease, error) {
	if owner == "" {
		return Lease{}, fmt.Errorf("%w: owner is required", ErrInvalid)
	}
	var l Lease
	err := db.tx(ctx, func(tx *sqlTx) error {
		q := `UPDATE calls SET owner = ?, owner_epoch = owner_epoch + 1, lease_until = ? WHERE id = ? AND status = ?`
		args := []any{owner, millis(until), id, string(domain.CallLive)}
		if !idleAt.IsZero() {
			q += ` AND ` + leaseIdle
			args = append(args, millis(idleAt), millis(idleAt))
		}
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		var status string
		if err := tx.queryRow(ctx, `SELECT status, owner_epoch FROM calls WHERE id = ?`, id).Scan(&status, &l.Epoch); err != nil {
			return notFound(err)
		}
		switch {
		case n == 1:
			return nil
		case status != string(domain.CallLive):
			return ErrEnded
		default:
			return ErrNotOwner
		}
	})
	if err != nil {
		return Lease{}, err
	}
	l.CallID, l.Owner, l.Until = id, owner, until
	return l, nil
}

// checkLease fails with ErrNotOwner unless l is the call's latest claim, and
// with ErrEnded if the call has ended. On PostgreSQL it share-locks the
// call's row until the transaction ends, so a claim made meanwhile waits
// for the write and the new owner reads it.
func (t *sqlTx) checkLease(ctx context.Context, l Lease) error {
	var epoch int64
	var status string
	if err := t.queryRow(ctx, leaseQuery(t.db.dialect), l.CallID).Scan(&epoch, &status); err != nil {
		return notFound(err)
	}
	return leaseRefusal(l, epoch, status)
}

// leaseQuery reads a call's latest claim and status for checkLease; on
// PostgreSQL it share-locks the row.
func leaseQuery(d Dialect) string {
	return `SELECT owner_epoch, status FROM calls WHERE id = ?` + d.lock("FOR SHARE")
}

// leaseRefusal is why a write under l may not go in, when the call's row
// reads epoch and status: ErrNotOwner unless l is its latest claim,
// ErrEnded once it has ended; nil when the write may go in.
func leaseRefusal(l Lease, epoch int64, status string) error {
	switch {
	case epoch != l.Epoch:
		return fmt.Errorf("%w: claim %d is not the latest, %d", ErrNotOwner, l.Epoch, epoch)
	case status != string(domain.CallLive):
		return ErrEnded
	}
	return nil
}

// whereLive selects live calls with the literal the partial index
// calls_live (migration 0007) is defined on, so the planner uses it
// whatever its statistics say about owners: every lease check runs it, and
// a store of a million ended calls must not be scanned for the few live.
const whereLive = `status = '` + string(domain.CallLive) + `'`

// leaseIdle is the condition, on a row of calls, that no lease on the call
// runs at the time given as both its arguments: the lease of its claim was
// released, or has run out and its owner has not renewed past that time.
const leaseIdle = `(lease_until = 0 OR lease_until < ? AND NOT EXISTS (
	SELECT 1 FROM instance_leases i WHERE i.owner = calls.owner AND i.lease_until >= ?))`

// RenewLeases extends every lease owner holds on a live call to until.
func (db *DB) RenewLeases(ctx context.Context, owner string, until time.Time) error {
	if owner == "" {
		return fmt.Errorf("renew leases: %w: owner is required", ErrInvalid)
	}
	if _, err := db.exec(ctx, `INSERT INTO instance_leases (owner, lease_until) VALUES (?, ?)
		ON CONFLICT (owner) DO UPDATE SET lease_until = excluded.lease_until`, owner, millis(until)); err != nil {
		return fmt.Errorf("renew leases of %s: %w", owner, err)
	}
	return nil
}

// ReleaseLeases ends every lease owner holds, so that another instance (or
// the next start of this one) takes up its live calls at once.
func (db *DB) ReleaseLeases(ctx context.Context, owner string) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		if _, err := tx.exec(ctx, `DELETE FROM instance_leases WHERE owner = ?`, owner); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE calls SET lease_until = 0 WHERE `+db.ownedInOrder(), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release leases of %s: %w", owner, err)
	}
	return nil
}

// ownedInOrder selects the live calls of an owner (the argument). On
// PostgreSQL their rows are locked in id order first, the
// order group-committed appends lock theirs in, so that releasing every
// lease never deadlocks with a batch of appends.
func (db *DB) ownedInOrder() string {
	if db.dialect == Postgres {
		return `id IN (SELECT id FROM calls WHERE owner = ? AND ` + whereLive + ` ORDER BY id FOR UPDATE)`
	}
	return `owner = ? AND ` + whereLive
}

// OwnedCalls returns the epochs of the live calls owner holds, by call id.
// A call an instance drives that is missing here, or has another epoch, has
// been taken over.
func (db *DB) OwnedCalls(ctx context.Context, owner string) (map[string]int64, error) {
	rows, err := db.query(ctx, `SELECT id, owner_epoch FROM calls WHERE owner = ? AND `+whereLive, owner)
	if err != nil {
		return nil, fmt.Errorf("calls owned by %s: %w", owner, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var epoch int64
		if err := rows.Scan(&id, &epoch); err != nil {
			return nil, fmt.Errorf("calls owned by %s: %w", owner, err)
		}
		out[id] = epoch
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calls owned by %s: %w", owner, err)
	}
	return out, nil
}

// IdleCalls returns the live calls some instance once claimed on which no
// lease runs at now, oldest first, at most limit (0: no cap). A call nobody
// ever claimed has never rung, so there is nothing to drive.
func (db *DB) IdleCalls(ctx context.Context, now time.Time, limit int) ([]Call, error) {
	q := `SELECT ` + callColumns + ` FROM calls WHERE ` + whereLive + ` AND owner <> '' AND ` + leaseIdle + ` ORDER BY started_at, id`
	args := []any{millis(now), millis(now)}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	return db.queryCalls(ctx, "idle calls", q, args...)
}

// ReleaseLease ends lease l if it is still the call's latest claim, so that
// any instance may take the call up at once.
func (db *DB) ReleaseLease(ctx context.Context, l Lease) error {
	if _, err := db.exec(ctx, `UPDATE calls SET lease_until = 0 WHERE id = ? AND owner_epoch = ? AND status = ?`,
		l.CallID, l.Epoch, string(domain.CallLive)); err != nil {
		return fmt.Errorf("release lease %d of call %s: %w", l.Epoch, l.CallID, err)
	}
	return nil
}
