package app

import (
	"context"
	"errors"
	"time"

	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web/auth"
)

// SetupStore is what first-run setup needs of the store.
type SetupStore interface {
	HasAdmin(ctx context.Context) (bool, error)
	AddOneTimeToken(ctx context.Context, t store.OneTimeToken) error
	SetupTokenValid(ctx context.Context, hash string, now time.Time) (bool, error)
	CompleteSetup(ctx context.Context, hash string, u *store.User, now time.Time) error
}

// SetupTTL is how long a setup link works.
const SetupTTL = 24 * time.Hour

// Setup is the first run: on a store with no admin, a one-time link
// creates the first admin.
type Setup struct {
	st     SetupStore
	params auth.Params
	now    func() time.Time
}

// NewSetup makes the first-run workflow; params are the costs of the admin's
// password hash.
func NewSetup(st SetupStore, params auth.Params, now func() time.Time) *Setup {
	return &Setup{st: st, params: params, now: now}
}

// Begin makes a new setup token when the store has no admin, and returns
// it; with an admin there it returns "". Each call makes a new token;
// every token works until one of them is used.
func (s *Setup) Begin(ctx context.Context) (string, error) {
	has, err := s.st.HasAdmin(ctx)
	if err != nil || has {
		return "", err
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := s.now()
	err = s.st.AddOneTimeToken(ctx, store.OneTimeToken{Hash: auth.HashToken(token), Kind: store.TokenSetup, Created: now, Expires: now.Add(SetupTTL)})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Valid reports whether token still opens the setup page.
func (s *Setup) Valid(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	return s.st.SetupTokenValid(ctx, auth.HashToken(token), s.now())
}

// NewAccount is what a person gives to make an account.
type NewAccount struct {
	Username   string
	Password   string
	Name       string
	Role       string
	Team       string
	EmployeeNo string
}

// Check normalises and checks every field, naming the first refused one
// in a *FieldError, and hashes the password.
func (a NewAccount) Check(params auth.Params, created time.Time) (store.User, error) {
	name, err := auth.NormalizeUsername(a.Username)
	if err != nil {
		return store.User{}, fieldErr("username", err)
	}
	real, err := store.CleanName(a.Name)
	if err != nil {
		return store.User{}, fieldErr("name", err)
	}
	if real == "" {
		return store.User{}, fieldErr("name", errors.New("the person's real name is required"))
	}
	role, err := store.ParseRole(a.Role)
	if err != nil {
		return store.User{}, fieldErr("role", err)
	}
	team, err := store.CleanTeam(a.Team)
	if err != nil {
		return store.User{}, fieldErr("team", err)
	}
	no, err := store.CleanEmployeeNo(a.EmployeeNo)
	if err != nil {
		return store.User{}, fieldErr("employee_no", err)
	}
	if err := auth.CheckPassword(name, a.Password); err != nil {
		return store.User{}, fieldErr("password", err)
	}
	hash, err := auth.HashPassword(a.Password, params)
	if err != nil {
		return store.User{}, err
	}
	return store.User{Username: name, PasswordHash: hash, Role: role, Team: team, Name: real, EmployeeNo: no, Created: created}, nil
}

// Complete spends token and creates the first admin from a. A wrong, used or
// expired token, or an admin already there, gives store.ErrNotFound.
func (s *Setup) Complete(ctx context.Context, token string, a NewAccount) (store.User, error) {
	if token == "" {
		return store.User{}, store.ErrNotFound
	}
	a.Role = string(store.RoleAdmin)
	now := s.now()
	u, err := a.Check(s.params, now)
	if err != nil {
		return store.User{}, err
	}
	if err := s.st.CompleteSetup(ctx, auth.HashToken(token), &u, now); err != nil {
		return store.User{}, err
	}
	return u, nil
}
