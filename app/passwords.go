package app

import (
	"context"
	"time"

	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web/auth"
)

// PasswordStore is what password changes need of the store.
type PasswordStore interface {
	UserByID(ctx context.Context, id int64) (store.User, error)
	SetUserPasswordBy(ctx context.Context, id int64, passwordHash string, mustChange bool, at time.Time, by store.Actor) (store.User, error)
	AddResetToken(ctx context.Context, t store.OneTimeToken, by store.Actor) error
	ResetTokenUser(ctx context.Context, hash string, now time.Time) (store.User, error)
	ResetPassword(ctx context.Context, hash, passwordHash string, now time.Time) (store.User, error)
	ChangeOwnPassword(ctx context.Context, id int64, passwordHash, keepToken string, at time.Time) error
}

// ResetTTL is how long a password-reset link works.
const ResetTTL = 24 * time.Hour

// Passwords sets, resets and changes passwords, under one strength rule
// for the web and the command line.
type Passwords struct {
	st     PasswordStore
	params auth.Params
	now    func() time.Time
}

// NewPasswords makes the password workflow; params are the hash costs.
func NewPasswords(st PasswordStore, params auth.Params, now func() time.Time) *Passwords {
	return &Passwords{st: st, params: params, now: now}
}

// hash checks password against the strength rule for username and hashes it.
func (p *Passwords) hash(username, password string) (string, error) {
	if err := auth.CheckPassword(username, password); err != nil {
		return "", fieldErr("password", err)
	}
	return auth.HashPassword(password, p.params)
}

// Set gives the account id a new password, by an admin or the command
// line. A temporary one must be changed at the next sign-in. The account's
// sessions end, so its open sockets close.
func (p *Passwords) Set(ctx context.Context, id int64, password string, temporary bool, by store.Actor) (store.User, error) {
	u, err := p.st.UserByID(ctx, id)
	if err != nil {
		return store.User{}, err
	}
	hash, err := p.hash(u.Username, password)
	if err != nil {
		return store.User{}, err
	}
	return p.st.SetUserPasswordBy(ctx, id, hash, temporary, p.now(), by)
}

// ResetLink makes a one-time link token with which the account id's owner
// chooses a new password; the admin hands the link over.
func (p *Passwords) ResetLink(ctx context.Context, id int64, by store.Actor) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := p.now()
	err = p.st.AddResetToken(ctx, store.OneTimeToken{Hash: auth.HashToken(token), Kind: store.TokenReset, UserID: id,
		Created: now, Expires: now.Add(ResetTTL)}, by)
	if err != nil {
		return "", err
	}
	return token, nil
}

// LinkUser returns the account a live reset link token is for, or
// store.ErrNotFound.
func (p *Passwords) LinkUser(ctx context.Context, token string) (store.User, error) {
	if token == "" {
		return store.User{}, store.ErrNotFound
	}
	return p.st.ResetTokenUser(ctx, auth.HashToken(token), p.now())
}

// ResetWithLink spends the link token and sets the new password.
func (p *Passwords) ResetWithLink(ctx context.Context, token, password string) (store.User, error) {
	u, err := p.LinkUser(ctx, token)
	if err != nil {
		return store.User{}, err
	}
	hash, err := p.hash(u.Username, password)
	if err != nil {
		return store.User{}, err
	}
	return p.st.ResetPassword(ctx, auth.HashToken(token), hash, p.now())
}

// ChangeOwn sets the signed-in user's new password after checking the
// current one, and ends their other sessions, keeping keepToken's.
func (p *Passwords) ChangeOwn(ctx context.Context, u store.User, current, password, keepToken string) error {
	ok, err := auth.VerifyPassword(u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return fieldErr("current_password", ErrBadCredentials)
	}
	if current == password {
		return fieldErr("password", errSamePassword)
	}
	hash, err := p.hash(u.Username, password)
	if err != nil {
		return err
	}
	return p.st.ChangeOwnPassword(ctx, u.ID, hash, keepToken, p.now())
}
