package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/hotlinecoach/coach/domain"
)

// maxTeam bounds a team name, in bytes.
const maxTeam = 100

// CleanTeam trims a team name and checks its length.
func CleanTeam(team string) (string, error) {
	team = strings.TrimSpace(team)
	if len(team) > maxTeam || strings.ContainsAny(team, "\r\n\t") {
		return "", fmt.Errorf("%w: team %q: at most %d bytes on one line", ErrInvalid, team, maxTeam)
	}
	return team, nil
}

// Bounds of a real name and an employee number, in bytes.
const (
	maxName       = 100
	maxEmployeeNo = 40
)

// CleanName trims a person's real name and checks it: one line, at most
// 100 bytes.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if len(name) > maxName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("%w: name %q: at most %d bytes on one line", ErrInvalid, name, maxName)
	}
	return name, nil
}

// CleanEmployeeNo trims an employee number and checks it: letters, digits
// and '-' only, at most 40 bytes; empty means none.
func CleanEmployeeNo(no string) (string, error) {
	no = strings.TrimSpace(no)
	ok := len(no) <= maxEmployeeNo && strings.IndexFunc(no, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	}) < 0
	if !ok {
		return "", fmt.Errorf("%w: employee number %q: letters, digits and '-' only, at most %d", ErrInvalid, no, maxEmployeeNo)
	}
	return no, nil
}

// CreateUserBy stores a new account like CreateUser and writes its audit
// entry in the same transaction.
func (db *DB) CreateUserBy(ctx context.Context, u *domain.User, by Actor) error {
	return db.CreateUsersBy(ctx, []*domain.User{u}, by)
}

// CreateUsersBy stores new accounts and their audit entries in one
// transaction: all of them, or none.
func (db *DB) CreateUsersBy(ctx context.Context, us []*domain.User, by Actor) error {
	for _, u := range us {
		if err := cleanNewUser(u); err != nil {
			return err
		}
	}
	cur := "accounts"
	err := db.tx(ctx, func(tx *sqlTx) error {
		for _, u := range us {
			cur = u.Username
			if err := insertUser(ctx, tx, u); err != nil {
				return err
			}
			detail := fmt.Sprintf("role %s, team %q", u.Role, u.Team)
			if u.Name != "" {
				detail = u.Name + ", " + detail
			}
			if u.EmployeeNo != "" {
				detail += fmt.Sprintf(", employee number %q", u.EmployeeNo)
			}
			if err := appendAudit(ctx, tx, by.audit(u.Created, "user.create", "user:"+u.Username, detail)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", cur, err)
	}
	return nil
}

// cleanNewUser checks a new account and cleans its team, name and
// employee number.
func cleanNewUser(u *domain.User) error {
	if err := checkNewUser(u); err != nil {
		return err
	}
	var err error
	if u.Team, err = CleanTeam(u.Team); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	if u.Name, err = CleanName(u.Name); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	if u.EmployeeNo, err = CleanEmployeeNo(u.EmployeeNo); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// ErrLastAdmin is returned (wrapped) by UpdateUser when the change would
// demote or disable the last active admin, which would leave nobody able to
// run the site. The count and the write are one transaction, so two
// admins demoting each other at once cannot both succeed.
var ErrLastAdmin = fmt.Errorf("%w: the last active admin must stay", ErrConflict)

// UserChange is a change to an account; nil fields stay as they are.
type UserChange struct {
	Role       *domain.Role
	Team       *string
	Disabled   *bool
	Name       *string
	EmployeeNo *string
}

// UpdateUser applies ch to the account id, writes one audit entry per
// changed field in the same transaction, and returns the account as it now
// is. Disabling an account ends its sessions; so does a change of role, so
// that nobody keeps a page open with powers they no longer have.
func (db *DB) UpdateUser(ctx context.Context, id int64, ch UserChange, at time.Time, by Actor) (domain.User, error) {
	var out domain.User
	err := db.tx(ctx, func(tx *sqlTx) error {
		old, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			return notFound(err)
		}
		u := old
		target := "user:" + old.Username
		var entries []AuditEntry
		if ch.Role != nil && *ch.Role != old.Role {
			if _, err := domain.ParseRole(string(*ch.Role)); err != nil {
				return err
			}
			u.Role = *ch.Role
			entries = append(entries, by.audit(at, "user.role", target, fmt.Sprintf("%s -> %s", old.Role, u.Role)))
		}
		if ch.Team != nil {
			team, err := CleanTeam(*ch.Team)
			if err != nil {
				return err
			}
			if team != old.Team {
				u.Team = team
				entries = append(entries, by.audit(at, "user.team", target, fmt.Sprintf("%q -> %q", old.Team, u.Team)))
			}
		}
		if ch.Name != nil {
			name, err := CleanName(*ch.Name)
			if err != nil {
				return err
			}
			if name != old.Name {
				u.Name = name
				entries = append(entries, by.audit(at, "user.name", target, fmt.Sprintf("%q -> %q", old.Name, u.Name)))
			}
		}
		if ch.EmployeeNo != nil {
			no, err := CleanEmployeeNo(*ch.EmployeeNo)
			if err != nil {
				return err
			}
			if no != old.EmployeeNo {
				u.EmployeeNo = no
				entries = append(entries, by.audit(at, "user.employee_no", target, fmt.Sprintf("%q -> %q", old.EmployeeNo, u.EmployeeNo)))
			}
		}
		if ch.Disabled != nil && *ch.Disabled != old.Disabled {
			u.Disabled = *ch.Disabled
			action := "user.enable"
			if u.Disabled {
				action = "user.disable"
			}
			entries = append(entries, by.audit(at, action, target, ""))
		}
		out = u
		if len(entries) == 0 {
			return nil
		}
		if old.Role == domain.RoleAdmin && !old.Disabled && (u.Role != domain.RoleAdmin || u.Disabled) {
			if db.dialect == Postgres {
				// Two admins demoting each other at once: the second
				// waits here for the first and then counts its change.
				if _, err := tx.exec(ctx, `SELECT id FROM users WHERE role = ? AND NOT disabled FOR UPDATE`, string(domain.RoleAdmin)); err != nil {
					return err
				}
			}
			var others int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND NOT disabled AND id <> ?`,
				string(domain.RoleAdmin), id).Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				return fmt.Errorf("%w: %s is the last active admin", ErrLastAdmin, old.Username)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE users SET role = ?, team = ?, disabled = ?, name = ?, employee_no = ? WHERE id = ?`,
			string(u.Role), u.Team, u.Disabled, u.Name, u.EmployeeNo, id); err != nil {
			return err
		}
		if u.Disabled && !old.Disabled || u.Role != old.Role {
			if err := endSessions(ctx, tx, id, "", at); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if err := appendAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return domain.User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return out, nil
}
