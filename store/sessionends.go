package store

import (
	"context"
	"fmt"
	"time"
)

// SessionEnd says that a session, or every session of a user, ended by
// logout, a disabled account, or a change of role or password. Every
// instance reads the ends past the last it saw and closes the sockets
// those sessions opened.
type SessionEnd struct {
	ID     int64
	UserID int64
	// TokenHash names the one session that ended; empty, all the user's.
	TokenHash string
	At        time.Time
}

// endSessions deletes the sessions of user (one, when tokenHash is set)
// and logs the end, in the caller's transaction.
func endSessions(ctx context.Context, tx *sqlTx, userID int64, tokenHash string, at time.Time) error {
	q, args := `DELETE FROM sessions WHERE user_id = ?`, []any{userID}
	if tokenHash != "" {
		q, args = q+` AND token_hash = ?`, append(args, tokenHash)
	}
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO session_ends (user_id, token_hash, at) VALUES (?, ?, ?)`,
		userID, tokenHash, millis(at)); err != nil {
		return fmt.Errorf("log session end of user %d: %w", userID, err)
	}
	return nil
}

// EndSession ends one session (a logout) and logs the end so that every
// instance closes its sockets. Ending a session that does not exist is no
// error and logs nothing.
func (db *DB) EndSession(ctx context.Context, tokenHash string, at time.Time) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		var userID int64
		err := tx.queryRow(ctx, `SELECT user_id FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&userID)
		if err != nil {
			err = notFound(err)
			if err == ErrNotFound {
				return nil
			}
			return err
		}
		return endSessions(ctx, tx, userID, tokenHash, at)
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// SessionEndsAfter returns the session ends logged after id, oldest first,
// at most limit.
func (db *DB) SessionEndsAfter(ctx context.Context, id int64, limit int) ([]SessionEnd, error) {
	rows, err := db.query(ctx, `SELECT id, user_id, token_hash, at FROM session_ends WHERE id > ? ORDER BY id LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("session ends after %d: %w", id, err)
	}
	defer rows.Close()
	var out []SessionEnd
	for rows.Next() {
		var e SessionEnd
		var at int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.TokenHash, &at); err != nil {
			return nil, fmt.Errorf("session ends after %d: %w", id, err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session ends after %d: %w", id, err)
	}
	return out, nil
}

// LastSessionEnd returns the id of the newest session end, 0 if none: where
// an instance starting up begins to read.
func (db *DB) LastSessionEnd(ctx context.Context) (int64, error) {
	var id int64
	if err := db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM session_ends`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last session end: %w", err)
	}
	return id, nil
}

// PruneSessionEnds removes session ends logged before before.
func (db *DB) PruneSessionEnds(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM session_ends WHERE at < ?`, millis(before)); err != nil {
		return fmt.Errorf("prune session ends: %w", err)
	}
	return nil
}
