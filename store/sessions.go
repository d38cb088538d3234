package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// Session is a signed-in browser. Only a hash of the session token is
// stored, so a copy of the database does not let anyone sign in.
type Session struct {
	TokenHash string
	UserID    int64
	CSRFToken string
	Created   time.Time
	Expires   time.Time
	LastSeen  time.Time
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	if s.TokenHash == "" || s.CSRFToken == "" {
		return fmt.Errorf("create session: %w: token hash and CSRF token are required", ErrInvalid)
	}
	_, err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CSRFToken, millis(s.Created), millis(s.Expires), millis(s.LastSeen))
	if err != nil {
		return fmt.Errorf("create session for user %d: %w", s.UserID, err)
	}
	return nil
}

// SessionUser returns the session with the given token hash and its account,
// in one query because every authenticated request needs both. Expiry and
// disabled accounts are the caller's to judge.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (Session, domain.User, error) {
	var s Session
	var created, expires, seen int64
	row := db.queryRow(ctx, `SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, `+
		qualifiedUserColumns("u")+` FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ?`, tokenHash)
	u, err := scanUser(prefixScanner{row, []any{&s.TokenHash, &s.UserID, &s.CSRFToken, &created, &expires, &seen}})
	if err != nil {
		return Session{}, domain.User{}, fmt.Errorf("session: %w", notFound(err))
	}
	s.Created, s.Expires, s.LastSeen = fromMillis(created), fromMillis(expires), fromMillis(seen)
	return s, u, nil
}

// TouchSession records that a session was used and moves its expiry.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, lastSeen, expires time.Time) error {
	res, err := db.exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`,
		millis(lastSeen), millis(expires), tokenHash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touch session: %w", err)
	} else if n == 0 {
		return fmt.Errorf("touch session: %w", ErrNotFound)
	}
	return nil
}

// DeleteSession ends a session. Ending one that does not exist is not an
// error: signing out twice leaves the same state as signing out once.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now and reports
// how many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, millis(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
