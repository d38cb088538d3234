package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

const userColumns = `id, username, password_hash, role, team, created_at, disabled, name, employee_no, must_change_password`

type scanner interface{ Scan(dest ...any) error }

// qualifiedUserColumns is userColumns with each column prefixed by the
// table alias, for joins.
func qualifiedUserColumns(alias string) string {
	cols := strings.Split(userColumns, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// prefixScanner scans a row whose first columns go to prefix and the rest
// to the dest its caller gives, so a join can reuse scanUser.
type prefixScanner struct {
	s      scanner
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.s.Scan(append(append([]any{}, p.prefix...), dest...)...)
}

func scanUser(s scanner) (domain.User, error) {
	var u domain.User
	var role string
	var created int64
	if err := s.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &u.Team, &created, &u.Disabled,
		&u.Name, &u.EmployeeNo, &u.MustChangePassword); err != nil {
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
	err := tx.queryRow(ctx, `INSERT INTO users (username, password_hash, role, team, created_at, disabled, name, employee_no, must_change_password)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.PasswordHash, string(u.Role), u.Team, millis(u.Created), u.Disabled,
		u.Name, u.EmployeeNo, u.MustChangePassword).Scan(&u.ID)
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
			return endSessions(ctx, tx, id, "", time.Now())
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
	err := db.tx(ctx, func(tx *sqlTx) error {
		_, err := setPassword(ctx, tx, id, passwordHash, false, time.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", id, err)
	}
	return nil
}

// SetUserPasswordBy replaces an account's password hash as SetUserPassword
// does, with an audit entry by actor. With mustChange the password is a
// temporary one: the next sign-in asks for a new one.
func (db *DB) SetUserPasswordBy(ctx context.Context, id int64, passwordHash string, mustChange bool, at time.Time, by Actor) (domain.User, error) {
	var u domain.User
	err := db.tx(ctx, func(tx *sqlTx) error {
		var err error
		if u, err = setPassword(ctx, tx, id, passwordHash, mustChange, at); err != nil {
			return err
		}
		detail := "password set"
		if mustChange {
			detail = "temporary password set; to be changed at the next sign-in"
		}
		return appendAudit(ctx, tx, by.audit(at, "user.password", "user:"+u.Username, detail))
	})
	if err != nil {
		return domain.User{}, fmt.Errorf("set password of user %d: %w", id, err)
	}
	return u, nil
}

// ChangeOwnPassword sets the password of the signed-in user id, clears
// must_change_password and ends the account's other sessions, keeping
// keepToken's, with an audit entry.
func (db *DB) ChangeOwnPassword(ctx context.Context, id int64, passwordHash, keepToken string, at time.Time) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`, passwordHash, false, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, id, keepToken); err != nil {
			return err
		}
		// Logged for the whole user: the sockets of the other sessions
		// close, and so, harmlessly, do this session's own.
		if _, err := tx.exec(ctx, `INSERT INTO session_ends (user_id, token_hash, at) VALUES (?, '', ?)`, id, millis(at)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, ActorID: id, Actor: u.Username, Action: "user.password",
			Target: "user:" + u.Username, Detail: "changed own password"})
	})
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", id, err)
	}
	return nil
}

// setPassword sets the account's password hash and must_change_password,
// ends its sessions, and returns the account, in the caller's transaction.
func setPassword(ctx context.Context, tx *sqlTx, id int64, passwordHash string, mustChange bool, at time.Time) (domain.User, error) {
	if passwordHash == "" {
		return domain.User{}, fmt.Errorf("%w: empty password hash", ErrInvalid)
	}
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return domain.User{}, notFound(err)
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`, passwordHash, mustChange, id); err != nil {
		return domain.User{}, err
	}
	u.PasswordHash, u.MustChangePassword = passwordHash, mustChange
	return u, endSessions(ctx, tx, id, "", at)
}
