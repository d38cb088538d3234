package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// Accounts have one set of rules whoever changes them, the admin's pages
// or `coach user` on the shell: usernames and passwords as package auth
// says, a role of domain.Roles, a team on one line; an admin does not
// demote or disable themselves, and nobody demotes or disables the last
// active admin.

// AccountRefusal says why an account change was refused, as a key the
// transport turns into a message: username, role, team, password, taken,
// self, last_admin, name, employee_no, current_password or address. Err is
// the cause.
type AccountRefusal struct {
	Key string
	Err error
}

func (r *AccountRefusal) Error() string { return fmt.Sprintf("account refused (%s): %v", r.Key, r.Err) }

// Unwrap gives the cause, which wraps domain.ErrInvalid or
// domain.ErrConflict.
func (r *AccountRefusal) Unwrap() error { return r.Err }

func refuseAccount(key string, err error) error {
	if !errors.Is(err, domain.ErrInvalid) && !errors.Is(err, domain.ErrConflict) {
		err = fmt.Errorf("%w: %w", domain.ErrInvalid, err)
	}
	return &AccountRefusal{Key: key, Err: err}
}

// NewAccount is an account to create, as a form, the setup page, an
// import line or the command line gives it.
type NewAccount struct {
	Username, Role, Team, Password string
	// Name is the person's real name; EmployeeNo their company's number
	// for them, optional.
	Name, EmployeeNo string
	// NameOptional lets Name be empty: the shell's coach user add, for
	// scripts written before accounts had names.
	NameOptional bool
}

// check normalises and checks every field, naming the first refused one in
// an *AccountRefusal, and hashes the password with params.
func (n NewAccount) check(params auth.Params, created time.Time) (domain.User, error) {
	name, err := auth.NormalizeUsername(n.Username)
	if err != nil {
		return domain.User{}, refuseAccount("username", err)
	}
	real, err := store.CleanName(n.Name)
	if err != nil {
		return domain.User{}, refuseAccount("name", err)
	}
	if real == "" && !n.NameOptional {
		return domain.User{}, refuseAccount("name", errors.New("the person's real name is required"))
	}
	role, err := domain.ParseRole(n.Role)
	if err != nil {
		return domain.User{}, refuseAccount("role", err)
	}
	team, err := store.CleanTeam(n.Team)
	if err != nil {
		return domain.User{}, refuseAccount("team", err)
	}
	no, err := store.CleanEmployeeNo(n.EmployeeNo)
	if err != nil {
		return domain.User{}, refuseAccount("employee_no", err)
	}
	if err := auth.CheckPassword(name, n.Password); err != nil {
		return domain.User{}, refuseAccount("password", err)
	}
	hash, err := auth.HashPassword(n.Password, params)
	if err != nil {
		return domain.User{}, err
	}
	return domain.User{Username: name, PasswordHash: hash, Role: role, Team: team, Name: real, EmployeeNo: no, Created: created}, nil
}

// CreateAccount checks and stores a new account with its audit entry; the
// password is hashed with params. A refusal is an *AccountRefusal.
func (a *App) CreateAccount(ctx context.Context, by store.Actor, n NewAccount, params auth.Params) (domain.User, error) {
	u, err := n.check(params, a.now())
	if err != nil {
		return domain.User{}, err
	}
	if err := a.db.CreateUserBy(ctx, &u, by); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return domain.User{}, refuseAccount("taken", err)
		}
		return domain.User{}, err
	}
	a.log.Info("account created", "user", u.ID, "role", u.Role, "by", by.Name)
	return u, nil
}

// UpdateAccount applies ch to account id. me is the admin making the
// change on the site (nil on the shell), who may not demote or disable
// themselves; nobody may demote or disable the last active admin. A
// refusal is an *AccountRefusal.
func (a *App) UpdateAccount(ctx context.Context, me *domain.User, by store.Actor, id int64, ch store.UserChange) (domain.User, error) {
	if ch.Role != nil {
		if _, err := domain.ParseRole(string(*ch.Role)); err != nil {
			return domain.User{}, refuseAccount("role", err)
		}
	}
	if ch.Name != nil {
		if _, err := store.CleanName(*ch.Name); err != nil {
			return domain.User{}, refuseAccount("name", err)
		}
	}
	if ch.EmployeeNo != nil {
		if _, err := store.CleanEmployeeNo(*ch.EmployeeNo); err != nil {
			return domain.User{}, refuseAccount("employee_no", err)
		}
	}
	if me != nil && id == me.ID && ((ch.Disabled != nil && *ch.Disabled) || (ch.Role != nil && *ch.Role != domain.RoleAdmin)) {
		return domain.User{}, refuseAccount("self", fmt.Errorf("%w: %s may not demote or disable themselves", domain.ErrConflict, me.Username))
	}
	u, err := a.db.UpdateUser(ctx, id, ch, a.now(), by)
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		return domain.User{}, refuseAccount("last_admin", err)
	case errors.Is(err, store.ErrInvalid):
		return domain.User{}, refuseAccount("team", err)
	}
	return u, err
}

// Accounts are every account and the sign-in limits in force under p: the
// admin's accounts page.
func (a *App) Accounts(ctx context.Context, p LoginPolicy) ([]domain.User, []Throttle, error) {
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	throttles, err := a.Throttles(ctx, p)
	return users, throttles, err
}
