package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// A call "nobody opened" is a live call no instance has claimed: claiming
// is the first thing a socket does, so owner stays empty until a trainee's
// socket reached the call (see Lease).

// QuotaError says a user has as many unopened live calls as allowed. It
// wraps ErrConflict.
type QuotaError struct {
	// Oldest is when the user's oldest unopened call started; it times out
	// first and frees a place.
	Oldest time.Time
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("%v: too many live calls that no socket has opened (oldest started %s)", ErrConflict, e.Oldest.UTC().Format(time.RFC3339))
}

// Unwrap makes a QuotaError an ErrConflict.
func (e *QuotaError) Unwrap() error { return ErrConflict }

// CreateCallWithin stores a new live call like CreateCall, unless its user
// has max or more live calls nobody opened, which gives a *QuotaError
// (max 0: no limit). The
// count and the insert are one transaction holding the user's row, so
// parallel starts cannot all pass the count.
func (db *DB) CreateCallWithin(ctx context.Context, c *Call, max int) error {
	if _, err := domain.ParseMode(string(c.Mode)); err != nil {
		return fmt.Errorf("create call: %w", err)
	}
	if c.ScenarioID == "" {
		return fmt.Errorf("create call: %w: scenario id is required", ErrInvalid)
	}
	id := c.ID
	if id == "" {
		var err error
		if id, err = newCallID(); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		if max <= 0 {
			return insertCall(ctx, tx, id, c)
		}
		if db.dialect == Postgres {
			// SQLite's writer is one connection, so its transactions run
			// one at a time already.
			if _, err := tx.exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, c.UserID); err != nil {
				return err
			}
		}
		var n int
		var oldest int64
		if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(started_at), 0) FROM calls
			WHERE user_id = ? AND status = ? AND owner = ''`, c.UserID, string(domain.CallLive)).Scan(&n, &oldest); err != nil {
			return err
		}
		if n >= max {
			return &QuotaError{Oldest: fromMillis(oldest)}
		}
		return insertCall(ctx, tx, id, c)
	})
	if err != nil {
		return fmt.Errorf("create call for user %d: %w", c.UserID, err)
	}
	c.ID, c.Status = id, domain.CallLive
	return nil
}

func insertCall(ctx context.Context, tx *sqlTx, id string, c *Call) error {
	desk := 0
	if c.Desk {
		desk = 1
	}
	_, err := tx.exec(ctx, `INSERT INTO calls (id, user_id, scenario_id, scenario_revision, mode, seed, status, started_at, desk)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, c.UserID, c.ScenarioID, c.ScenarioRevision, string(c.Mode), c.Seed, string(domain.CallLive), millis(c.Started), desk)
	return err
}

// UnopenedCallsBefore returns live calls nobody opened that started before
// before, oldest first, at most limit.
func (db *DB) UnopenedCallsBefore(ctx context.Context, before time.Time, limit int) ([]Call, error) {
	return db.queryCalls(ctx, "unopened calls", `SELECT `+callColumns+` FROM calls WHERE status = ? AND owner = '' AND started_at < ?
		ORDER BY started_at, id LIMIT ?`, string(domain.CallLive), millis(before), limit)
}

// EndUnopenedCall records the end of call id if it is still live and
// nobody has opened it; one a socket claimed meanwhile is left alone and
// reported as ErrConflict. The call counts in the reports like any other.
func (db *DB) EndUnopenedCall(ctx context.Context, id string, r CallResult) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		if ended, err := tx.endLive(ctx, id, r, true); err != nil || ended {
			return err
		}
		return fmt.Errorf("%w: opened or ended meanwhile", ErrConflict)
	})
	if err != nil {
		return fmt.Errorf("end unopened call %s: %w", id, err)
	}
	db.reports.noteEnded()
	return nil
}
