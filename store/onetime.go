package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// The kinds of one-time token.
const (
	// TokenSetup is the first-run link that creates the first admin.
	TokenSetup = "setup"
	// TokenReset is an admin's password-reset link for one account.
	TokenReset = "reset"
)

// OneTimeToken is a link that works once. Only its hash is stored.
type OneTimeToken struct {
	Hash    string
	Kind    string
	UserID  int64 // the account a reset token is for; 0 for setup
	Created time.Time
	Expires time.Time
}

// AddOneTimeToken stores a new one-time token.
func (db *DB) AddOneTimeToken(ctx context.Context, t OneTimeToken) error {
	if t.Hash == "" || (t.Kind != TokenSetup && t.Kind != TokenReset) || (t.Kind == TokenReset) != (t.UserID != 0) {
		return fmt.Errorf("add one-time token: %w: a hash, and a user for a reset token only", ErrInvalid)
	}
	var user sql.NullInt64
	if t.UserID != 0 {
		user = sql.NullInt64{Int64: t.UserID, Valid: true}
	}
	if _, err := db.exec(ctx, `INSERT INTO one_time_tokens (token_hash, kind, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.Kind, user, millis(t.Created), millis(t.Expires)); err != nil {
		return fmt.Errorf("add %s token: %w", t.Kind, err)
	}
	return nil
}

// HasAdmin reports whether an enabled admin account exists: without one,
// the site needs its first-run setup.
func (db *DB) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = ?`, string(domain.RoleAdmin), false).Scan(&n); err != nil {
		return false, fmt.Errorf("look for an admin: %w", err)
	}
	return n > 0, nil
}

// SetupTokenValid reports whether hash is an unspent, unexpired setup
// token at now and no admin exists yet: whether the setup page may show.
func (db *DB) SetupTokenValid(ctx context.Context, hash string, now time.Time) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM one_time_tokens
		WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?
		AND NOT EXISTS (SELECT 1 FROM users WHERE role = ? AND disabled = ?)`,
		hash, TokenSetup, millis(now), string(domain.RoleAdmin), false).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check setup token: %w", err)
	}
	return n > 0, nil
}

// CompleteSetup spends the setup token hash and creates the first admin u
// (u.ID is set), with its audit entry, in one transaction. Every setup
// token is spent with it, so no second link can make a second admin. A
// wrong, spent or expired token, or an admin already there, gives
// ErrNotFound and changes nothing.
func (db *DB) CompleteSetup(ctx context.Context, hash string, u *domain.User, now time.Time) error {
	if u.Role != domain.RoleAdmin {
		return fmt.Errorf("setup: %w: the first account is an admin", ErrInvalid)
	}
	if err := checkNewUser(u); err != nil {
		return err
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		// Spending every live setup token locks their rows: a second
		// setup running at once waits here, then finds none left.
		rows, err := tx.tx.QueryContext(ctx, db.rebind(`UPDATE one_time_tokens SET used_at = ?
			WHERE kind = ? AND used_at IS NULL AND expires_at > ? RETURNING token_hash`),
			millis(now), TokenSetup, millis(now))
		if err != nil {
			return classify(err)
		}
		found := false
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				_ = rows.Close()
				return err
			}
			found = found || h == hash
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: the setup link is wrong, used or expired", ErrNotFound)
		}
		var admins int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = ?`, string(domain.RoleAdmin)).Scan(&admins); err != nil {
			return err
		}
		if admins > 0 {
			return fmt.Errorf("%w: an admin exists already", ErrNotFound)
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: u.ID, Actor: u.Username, Action: "setup.admin",
			Target: "user:" + u.Username, Detail: fmt.Sprintf("first admin %q created with the setup link", u.Name)})
	})
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

// ResetTokenUser returns the account an unspent, unexpired reset token
// hash at now is for; ErrNotFound otherwise.
func (db *DB) ResetTokenUser(ctx context.Context, hash string, now time.Time) (domain.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+qualifiedUserColumns("u")+` FROM one_time_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.kind = ? AND t.used_at IS NULL AND t.expires_at > ? AND u.disabled = ?`,
		hash, TokenReset, millis(now), false))
	if err != nil {
		return domain.User{}, fmt.Errorf("reset token: %w", notFound(err))
	}
	return u, nil
}

// ResetPassword spends the reset token hash and sets its account's password
// hash, ending the account's sessions, with an audit entry, in one
// transaction. A wrong, spent or expired token gives ErrNotFound.
func (db *DB) ResetPassword(ctx context.Context, hash, passwordHash string, now time.Time) (domain.User, error) {
	var u domain.User
	err := db.tx(ctx, func(tx *sqlTx) error {
		var id int64
		err := tx.queryRow(ctx, `UPDATE one_time_tokens SET used_at = ?
			WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
			millis(now), hash, TokenReset, millis(now)).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		if u, err = setPassword(ctx, tx, id, passwordHash, false, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: u.ID, Actor: u.Username, Action: "user.password",
			Target: "user:" + u.Username, Detail: "new password set with a reset link"})
	})
	if err != nil {
		return domain.User{}, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}

// AddResetToken stores a password-reset token for t.UserID with the audit
// entry of the admin who made it, in one transaction.
func (db *DB) AddResetToken(ctx context.Context, t OneTimeToken, by Actor) error {
	if t.Hash == "" || t.UserID == 0 {
		return fmt.Errorf("add reset token: %w: a hash and a user are required", ErrInvalid)
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		var username string
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE id = ?`, t.UserID).Scan(&username); err != nil {
			return notFound(err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO one_time_tokens (token_hash, kind, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			t.Hash, TokenReset, t.UserID, millis(t.Created), millis(t.Expires)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, by.audit(t.Created, "user.reset_link", "user:"+username,
			"one-time password-reset link made, valid until "+t.Expires.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return fmt.Errorf("add reset token for user %d: %w", t.UserID, err)
	}
	return nil
}
