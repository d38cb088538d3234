package store

import (
	"context"
	"fmt"
	"time"
)

// ThrottleCount is a login throttle key's count in its current window.
type ThrottleCount struct {
	Key         string
	Count       int
	WindowStart time.Time
}

// ReserveLoginCheck counts one more password check under key, in one
// statement, and returns the count with the window it falls in. A window
// that opened at or before now-window is over: the count starts again at 1
// in a window opening now. Parallel requests each get their own count, so
// a limit compared against it holds however many arrive at once.
func (db *DB) ReserveLoginCheck(ctx context.Context, key string, now time.Time, window time.Duration) (ThrottleCount, error) {
	out := ThrottleCount{Key: key}
	var start int64
	expired := millis(now.Add(-window))
	err := db.tx(ctx, func(tx *sqlTx) error {
		return tx.queryRow(ctx, `INSERT INTO login_throttle (key, window_start, count) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.count + 1 END,
			window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END
		RETURNING count, window_start`, key, millis(now), expired, expired).Scan(&out.Count, &start)
	})
	if err != nil {
		return ThrottleCount{}, fmt.Errorf("count login check for %s: %w", key, classify(err))
	}
	out.WindowStart = fromMillis(start)
	return out, nil
}

// ReleaseLoginCheck gives back one check counted under key: a password
// check that succeeded, or one that was never made.
func (db *DB) ReleaseLoginCheck(ctx context.Context, key string) error {
	if _, err := db.exec(ctx, `UPDATE login_throttle SET count = count - 1 WHERE key = ? AND count > 0`, key); err != nil {
		return fmt.Errorf("release login check for %s: %w", key, err)
	}
	return nil
}

// ClearLoginThrottle forgets key: a success clearing its pair, or an
// admin's unlock of an address.
func (db *DB) ClearLoginThrottle(ctx context.Context, key string) (int64, error) {
	return db.clearThrottle(ctx, `key = ?`, key)
}

// ClearLoginThrottlePrefix forgets every key that starts with prefix and
// reports how many it removed: an admin's unlock of a username.
func (db *DB) ClearLoginThrottlePrefix(ctx context.Context, prefix string) (int64, error) {
	if prefix == "" {
		return 0, fmt.Errorf("clear login throttle: %w: empty prefix", ErrInvalid)
	}
	// substr rather than LIKE: usernames may hold '_', LIKE's wildcard.
	return db.clearThrottle(ctx, `substr(key, 1, length(?)) = ?`, prefix, prefix)
}

func (db *DB) clearThrottle(ctx context.Context, where string, args ...any) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM login_throttle WHERE `+where, args...)
	if err != nil {
		return 0, fmt.Errorf("clear login throttle %v: %w", args[0], err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("clear login throttle %v: %w", args[0], err)
	}
	return n, nil
}

// LoginThrottles lists the keys whose window is still open at now (opened
// after now-window) with at least min checks, highest count first.
func (db *DB) LoginThrottles(ctx context.Context, now time.Time, window time.Duration, min int) ([]ThrottleCount, error) {
	rows, err := db.query(ctx, `SELECT key, count, window_start FROM login_throttle
		WHERE window_start > ? AND count >= ? ORDER BY count DESC, key LIMIT 200`, millis(now.Add(-window)), min)
	if err != nil {
		return nil, fmt.Errorf("list login throttles: %w", err)
	}
	defer rows.Close()
	var out []ThrottleCount
	for rows.Next() {
		var t ThrottleCount
		var start int64
		if err := rows.Scan(&t.Key, &t.Count, &start); err != nil {
			return nil, fmt.Errorf("list login throttles: %w", err)
		}
		t.WindowStart = fromMillis(start)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list login throttles: %w", err)
	}
	return out, nil
}

// PruneLoginThrottle removes keys whose window opened before before.
func (db *DB) PruneLoginThrottle(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM login_throttle WHERE window_start < ?`, millis(before)); err != nil {
		return fmt.Errorf("prune login throttle: %w", err)
	}
	return nil
}
