package app

import (
	"context"
	"errors"
	"time"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// ResetTTL is how long a password-reset link works.
const ResetTTL = 24 * time.Hour

var errSamePassword = errors.New("the new password is the current one")

// hashPassword checks password against the strength rule for username and
// hashes it; a weak one is an *AccountRefusal ("password").
func hashPassword(username, password string, params auth.Params) (string, error) {
	if err := auth.CheckPassword(username, password); err != nil {
		return "", refuseAccount("password", err)
	}
	return auth.HashPassword(password, params)
}

// SetPassword gives the account id a new password, by an admin or the
// command line. A temporary one must be changed at the next sign-in. The
// account's sessions end, so its open sockets close.
func (a *App) SetPassword(ctx context.Context, by store.Actor, id int64, password string, temporary bool, params auth.Params) (domain.User, error) {
	u, err := a.db.UserByID(ctx, id)
	if err != nil {
		return domain.User{}, err
	}
	hash, err := hashPassword(u.Username, password, params)
	if err != nil {
		return domain.User{}, err
	}
	return a.db.SetUserPasswordBy(ctx, id, hash, temporary, a.now(), by)
}

// ResetLink makes a one-time link token with which the owner of account id
// chooses a new password; the admin hands the link over. It gives the
// account too, to say whose link it is.
func (a *App) ResetLink(ctx context.Context, by store.Actor, id int64) (domain.User, string, error) {
	u, err := a.db.UserByID(ctx, id)
	if err != nil {
		return domain.User{}, "", err
	}
	token, err := auth.NewToken()
	if err != nil {
		return domain.User{}, "", err
	}
	now := a.now()
	err = a.db.AddResetToken(ctx, store.OneTimeToken{Hash: auth.HashToken(token), Kind: store.TokenReset, UserID: id,
		Created: now, Expires: now.Add(ResetTTL)}, by)
	if err != nil {
		return domain.User{}, "", err
	}
	return u, token, nil
}

// ResetLinkUser returns the account a live reset link token is for, or
// store.ErrNotFound.
func (a *App) ResetLinkUser(ctx context.Context, token string) (domain.User, error) {
	if token == "" {
		return domain.User{}, store.ErrNotFound
	}
	return a.db.ResetTokenUser(ctx, auth.HashToken(token), a.now())
}

// ResetWithLink spends the link token and sets the new password.
func (a *App) ResetWithLink(ctx context.Context, token, password string, params auth.Params) (domain.User, error) {
	u, err := a.ResetLinkUser(ctx, token)
	if err != nil {
		return domain.User{}, err
	}
	hash, err := hashPassword(u.Username, password, params)
	if err != nil {
		return domain.User{}, err
	}
	return a.db.ResetPassword(ctx, auth.HashToken(token), hash, a.now())
}

// ChangeOwnPassword sets the signed-in user's new password after checking
// the current one, and ends their other sessions, keeping keepToken's.
func (a *App) ChangeOwnPassword(ctx context.Context, u domain.User, current, password, keepToken string, params auth.Params) error {
	ok, err := auth.VerifyPassword(u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return refuseAccount("current_password", ErrBadCredentials)
	}
	if current == password {
		return refuseAccount("password", errSamePassword)
	}
	hash, err := hashPassword(u.Username, password, params)
	if err != nil {
		return err
	}
	return a.db.ChangeOwnPassword(ctx, u.ID, hash, keepToken, a.now())
}
