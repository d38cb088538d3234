package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// LoginPolicy bounds password guessing.
type LoginPolicy struct {
	// Window is the span over which failed logins are counted.
	Window time.Duration
	// MaxPerUser and MaxPerIP are how many failures within Window lock a
	// username, or an address, out.
	MaxPerUser, MaxPerIP int
	// DummyHash is verified against when a username does not exist, so
	// that a missing account takes as long to refuse as a wrong password.
	DummyHash string
}

// The ways a login fails.
var (
	ErrMissingCredentials = fmt.Errorf("%w: username and password are required", domain.ErrInvalid)
	ErrBadCredentials     = errors.New("wrong username or password")
)

// RateLimited is a login refused because too many failed recently; try
// again after Retry.
type RateLimited struct{ Retry time.Duration }

func (r *RateLimited) Error() string {
	return fmt.Sprintf("too many failed logins; retry in %s", r.Retry)
}

// Authenticate checks a username and password from address ip against the
// rate limits and the stored hash, and records the attempt. A disabled
// account does not sign in.
func (a *App) Authenticate(ctx context.Context, username, password, ip string, p LoginPolicy) (domain.User, error) {
	if strings.TrimSpace(username) == "" || password == "" {
		return domain.User{}, ErrMissingCredentials
	}
	name, err := auth.NormalizeUsername(username)
	if err != nil || len(password) > 4*auth.MaxPasswordLen {
		// No such account can exist, so there is nothing to count.
		return domain.User{}, ErrBadCredentials
	}
	now := a.now()
	// Parallel guesses may all pass this check before any is recorded, so
	// the limit can be overshot by the number of requests in flight; it
	// still caps guessing at a handful per window.
	failed, err := a.db.CountFailedLogins(ctx, name, ip, now.Add(-p.Window))
	if err != nil {
		return domain.User{}, err
	}
	if failed.ByUsername >= p.MaxPerUser || failed.ByIP >= p.MaxPerIP {
		a.log.Warn("login rate limited", "username", name, "ip", ip,
			"failures_user", failed.ByUsername, "failures_ip", failed.ByIP)
		return domain.User{}, &RateLimited{Retry: p.Window}
	}
	user, err := a.db.UserByUsername(ctx, name)
	var ok bool
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Spend the same time as for a wrong password, so response times
		// do not reveal which usernames exist.
		if _, err := auth.VerifyPassword(p.DummyHash, password); err != nil {
			return domain.User{}, err
		}
	case err != nil:
		return domain.User{}, err
	default:
		if ok, err = auth.VerifyPassword(user.PasswordHash, password); err != nil {
			return domain.User{}, err
		}
		ok = ok && !user.Disabled
	}
	if err := a.db.RecordLoginAttempt(ctx, store.LoginAttempt{Username: name, IP: ip, At: now, OK: ok}); err != nil {
		return domain.User{}, err
	}
	if !ok {
		a.log.Info("login failed", "username", name, "ip", ip)
		return domain.User{}, ErrBadCredentials
	}
	a.log.Info("login", "user", user.ID, "username", name, "ip", ip)
	return user, nil
}
