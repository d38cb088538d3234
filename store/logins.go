package store

import (
	"context"
	"fmt"
	"time"
)

// LoginAttempt is one try at signing in. Attempts are stored rather than
// counted in memory so that a rate limit holds across server instances and
// restarts.
type LoginAttempt struct {
	Username string
	IP       string
	At       time.Time
	OK       bool
}

// RecordLoginAttempt stores one attempt.
func (db *DB) RecordLoginAttempt(ctx context.Context, a LoginAttempt) error {
	_, err := db.exec(ctx, `INSERT INTO login_attempts (username, ip, at, ok) VALUES (?, ?, ?, ?)`,
		a.Username, a.IP, millis(a.At), a.OK)
	if err != nil {
		return fmt.Errorf("record login attempt for %q: %w", a.Username, err)
	}
	return nil
}

// FailedLogins counts recent failed attempts.
type FailedLogins struct {
	// ByUsername counts failures for the username since the window opened or
	// since its last successful sign-in, whichever is later.
	ByUsername int
	// ByIP counts failures from the address since the window opened. A
	// success does not reset it: otherwise one valid account would let an
	// address guess at every other.
	ByIP int
}

// CountFailedLogins counts failed attempts at or after since for username and
// for ip.
func (db *DB) CountFailedLogins(ctx context.Context, username, ip string, since time.Time) (FailedLogins, error) {
	var f FailedLogins
	err := db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM login_attempts
			WHERE username = ? AND ok = ? AND at >= ?
			AND at >= COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ? AND ok = ?), 0)),
		(SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND ok = ? AND at >= ?)`,
		username, false, millis(since), username, true,
		ip, false, millis(since)).Scan(&f.ByUsername, &f.ByIP)
	if err != nil {
		return FailedLogins{}, fmt.Errorf("count failed logins for %q from %s: %w", username, ip, classify(err))
	}
	return f, nil
}

// PruneLoginAttempts removes attempts older than before and reports how many
// it removed.
func (db *DB) PruneLoginAttempts(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM login_attempts WHERE at < ?`, millis(before))
	if err != nil {
		return 0, fmt.Errorf("prune login attempts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune login attempts: %w", err)
	}
	return n, nil
}
