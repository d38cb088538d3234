package store

import (
	"context"
	"fmt"

	"github.com/hotlinecoach/coach/domain"
)

const userColumns = `id, username, password_hash, role, team, created_at, disabled`

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (domain.User, error) {
	var u domain.User
	var role string
	var created int64
	if err := s.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &u.Team, &created, &u.Disabled); err != nil {
		return domain.User{}, err
	}
	u.Role = domain.Role(role)
	u.Created = fromMillis(created)
	return u, nil
}

// CreateUser stores a new account and sets u.ID. A taken username gives
// ErrConflict.
func (db *DB) CreateUser(ctx context.Context, u *domain.User) error {
	if err := checkNewUser(u); err != nil {
		return err
	}
	if err := db.tx(ctx, func(tx *sqlTx) error { return insertUser(ctx, tx, u) }); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// checkNewUser checks what every new account needs: a username, a password
// hash and a known role.
func checkNewUser(u *domain.User) error {
	if u.Username == "" || u.PasswordHash == "" {
		return fmt.Errorf("create user: %w: username and password hash are required", ErrInvalid)
	}
	if _, err := domain.ParseRole(string(u.Role)); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// insertUser stores u in tx and sets u.ID.
func insertUser(ctx context.Context, tx *sqlTx, u *domain.User) error {
	err := tx.queryRow(ctx, `INSERT INTO users (username, password_hash, role, team, created_at, disabled)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.PasswordHash, string(u.Role), u.Team, millis(u.Created), u.Disabled).Scan(&u.ID)
	return classify(err)
}

// UserByID returns the account with the given id.
func (db *DB) UserByID(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return domain.User{}, fmt.Errorf("user %d: %w", id, notFound(err))
	}
	return u, nil
}

// UserByUsername returns the account with the given username, compared
// exactly; callers normalise usernames before storing and looking them up.
func (db *DB) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return domain.User{}, fmt.Errorf("user %q: %w", username, notFound(err))
	}
	return u, nil
}

// ListUsers returns every account ordered by username.
func (db *DB) ListUsers(ctx context.Context) ([]domain.User, error) {
	rows, err := db.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetUserDisabled disables or re-enables an account. Disabling also ends
// every session of the account, in the same transaction, so a disabled user
// is signed out everywhere at once.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		res, err := tx.exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set user %d disabled=%t: %w", id, disabled, err)
	}
	return nil
}

// SetUserPassword replaces an account's password hash and ends its sessions,
// so a changed password locks out whoever knew the old one.
func (db *DB) SetUserPassword(ctx context.Context, id int64, passwordHash string) error {
	if passwordHash == "" {
		return fmt.Errorf("set password of user %d: %w: empty hash", id, ErrInvalid)
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		_, err = tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", id, err)
	}
	return nil
}
