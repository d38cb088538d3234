package app

import (
	"context"
	"time"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// SetupTTL is how long a first-run setup link works.
const SetupTTL = 24 * time.Hour

// BeginSetup makes a new one-time setup token when the store has no admin,
// and returns it; with an admin there it returns "". Each call makes a new
// token; every token works until one of them is used.
func (a *App) BeginSetup(ctx context.Context) (string, error) {
	has, err := a.db.HasAdmin(ctx)
	if err != nil || has {
		return "", err
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := a.now()
	err = a.db.AddOneTimeToken(ctx, store.OneTimeToken{Hash: auth.HashToken(token), Kind: store.TokenSetup, Created: now, Expires: now.Add(SetupTTL)})
	if err != nil {
		return "", err
	}
	return token, nil
}

// SetupValid reports whether token still opens the setup page.
func (a *App) SetupValid(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	return a.db.SetupTokenValid(ctx, auth.HashToken(token), a.now())
}

// CompleteSetup spends token and creates the first admin from n (its role
// is admin, whatever n says), under the rules of every new account. A
// refused field is an *AccountRefusal and leaves the token good; a wrong,
// used or expired token, or an admin already there, gives
// store.ErrNotFound.
func (a *App) CompleteSetup(ctx context.Context, token string, n NewAccount, params auth.Params) (domain.User, error) {
	if token == "" {
		return domain.User{}, store.ErrNotFound
	}
	n.Role, n.NameOptional = string(domain.RoleAdmin), false
	now := a.now()
	u, err := n.check(params, now)
	if err != nil {
		return domain.User{}, err
	}
	if err := a.db.CompleteSetup(ctx, auth.HashToken(token), &u, now); err != nil {
		return domain.User{}, err
	}
	a.log.Info("first admin created with the setup link", "user", u.ID, "username", u.Username)
	return u, nil
}
