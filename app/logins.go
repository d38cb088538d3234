package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web/auth"
)

// LoginPolicy is how sign-in attempts are throttled. Nothing here locks an
// account: the counts are per (username, address) pair and per address,
// so failures from one place never keep the right password out from
// another.
type LoginPolicy struct {
	// Window is the span one count runs over. Default 15 minutes.
	Window time.Duration
	// PerPair caps the password checks for one username from one address
	// in a window, failures and checks in flight together. Default 5.
	PerPair int
	// PerAddress caps the failed (and in-flight) checks from one address
	// over all usernames in a window: high, since a call centre signs in
	// from behind one NAT. Default 200.
	PerAddress int
	// DelayAfter is how many failures from one address come without delay;
	// past it every check from the address waits DelayStep, doubling every
	// DelayAfter failures more, up to MaxDelay. Defaults 20, 100ms, 4s.
	DelayAfter int
	DelayStep  time.Duration
	MaxDelay   time.Duration
}

func (p *LoginPolicy) setDefaults() {
	if p.Window <= 0 {
		p.Window = 15 * time.Minute
	}
	if p.PerPair <= 0 {
		p.PerPair = 5
	}
	if p.PerAddress <= 0 {
		p.PerAddress = 200
	}
	if p.DelayAfter <= 0 {
		p.DelayAfter = 20
	}
	if p.DelayStep <= 0 {
		p.DelayStep = 100 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 4 * time.Second
	}
}

// Delay is how long a check waits when count failures (this one included)
// from its address are in the window.
func (p LoginPolicy) Delay(count int) time.Duration {
	over := count - p.DelayAfter
	if over <= 0 {
		return 0
	}
	d := p.DelayStep << min((over-1)/p.DelayAfter, 16)
	return min(d, p.MaxDelay)
}

// LoginStore is what sign-in needs of the store.
type LoginStore interface {
	UserByUsername(ctx context.Context, username string) (store.User, error)
	RecordLoginAttempt(ctx context.Context, a store.LoginAttempt) error
	ReserveLoginCheck(ctx context.Context, key string, now time.Time, window time.Duration) (store.ThrottleCount, error)
	ReleaseLoginCheck(ctx context.Context, key string) error
	ClearLoginThrottle(ctx context.Context, key string) (int64, error)
	ClearLoginThrottlePrefix(ctx context.Context, prefix string) (int64, error)
	AppendAudit(ctx context.Context, e store.AuditEntry) error
}

// Logins checks passwords under the throttle.
type Logins struct {
	st     LoginStore
	log    *slog.Logger
	policy LoginPolicy
	now    func() time.Time
	// dummyHash is verified against when a username has no account, so
	// that a missing account takes as long to refuse as a wrong password.
	dummyHash string
	// wait sleeps for a throttle delay; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewLogins makes the sign-in workflow. params are the costs of the dummy
// hash, which should match the stored hashes'.
func NewLogins(st LoginStore, log *slog.Logger, policy LoginPolicy, params auth.Params, now func() time.Time) (*Logins, error) {
	policy.setDefaults()
	dummy, err := auth.HashPassword("no such account", params)
	if err != nil {
		return nil, err
	}
	return &Logins{st: st, log: log, policy: policy, now: now, dummyHash: dummy, wait: sleepCtx}, nil
}

// Policy returns the throttle policy in force, defaults filled in.
func (l *Logins) Policy() LoginPolicy { return l.policy }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Throttle keys: one per (username, address) pair, one per address.
func pairKey(username, addr string) string { return "pair:" + username + "|" + addr }
func addrKey(addr string) string           { return "addr:" + addr }

// Check verifies username and password, signing in from addr. It gives the
// account, ErrBadCredentials, a *ThrottledError, or a *FieldError for
// input no account could match. Every check is counted before the password
// is compared, in one store statement, so parallel guesses cannot
// outnumber the limit.
func (l *Logins) Check(ctx context.Context, username, password, addr string) (store.User, error) {
	if strings.TrimSpace(username) == "" || password == "" {
		return store.User{}, fieldErr("credentials", errors.New("username and password are required"))
	}
	name, err := auth.NormalizeUsername(username)
	if err != nil || len(password) > 4*auth.MaxPasswordLen {
		// No such account can exist, so there is nothing to count.
		return store.User{}, ErrBadCredentials
	}
	now := l.now()
	pair, err := l.st.ReserveLoginCheck(ctx, pairKey(name, addr), now, l.policy.Window)
	if err != nil {
		return store.User{}, err
	}
	if pair.Count > l.policy.PerPair {
		return store.User{}, l.throttled(ctx, pair, l.policy.PerPair, "pair", "user:"+name, addr, now)
	}
	address, err := l.st.ReserveLoginCheck(ctx, addrKey(addr), now, l.policy.Window)
	if err != nil {
		return store.User{}, errors.Join(err, l.st.ReleaseLoginCheck(ctx, pair.Key))
	}
	if address.Count > l.policy.PerAddress {
		err := l.throttled(ctx, address, l.policy.PerAddress, "address", "address:"+addr, addr, now)
		return store.User{}, errors.Join(err, l.st.ReleaseLoginCheck(ctx, pair.Key))
	}
	if d := l.policy.Delay(address.Count); d > 0 {
		if err := l.wait(ctx, d); err != nil {
			return store.User{}, err
		}
	}

	user, err := l.st.UserByUsername(ctx, name)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, err := auth.VerifyPassword(l.dummyHash, password); err != nil {
			return store.User{}, err
		}
	case err != nil:
		return store.User{}, err
	default:
		if ok, err = auth.VerifyPassword(user.PasswordHash, password); err != nil {
			return store.User{}, err
		}
		ok = ok && !user.Disabled
	}
	if err := l.st.RecordLoginAttempt(ctx, store.LoginAttempt{Username: name, IP: addr, At: now, OK: ok}); err != nil {
		return store.User{}, err
	}
	if !ok {
		l.log.Info("login failed", "username", name, "ip", addr, "pair_count", pair.Count, "address_count", address.Count)
		return store.User{}, ErrBadCredentials
	}
	// A success clears its pair and gives back its place in the address's
	// count: only failures add up.
	if _, err := l.st.ClearLoginThrottle(ctx, pair.Key); err != nil {
		return store.User{}, err
	}
	if err := l.st.ReleaseLoginCheck(ctx, address.Key); err != nil {
		return store.User{}, err
	}
	return user, nil
}

// throttled makes the refusal for a count over limit, auditing the first
// refusal of the window.
func (l *Logins) throttled(ctx context.Context, c store.ThrottleCount, limit int, reason, target, addr string, now time.Time) error {
	retry := max(c.WindowStart.Add(l.policy.Window).Sub(now), time.Second)
	l.log.Warn("login throttled", "reason", reason, "target", target, "ip", addr, "count", c.Count)
	if c.Count == limit+1 {
		err := l.st.AppendAudit(ctx, store.AuditEntry{At: now, Actor: "system", Action: "login.throttled", Target: target,
			Detail: fmt.Sprintf("%d failed sign-ins from %s within %s; refused until %s", limit, addr, l.policy.Window,
				c.WindowStart.Add(l.policy.Window).UTC().Format(time.RFC3339))})
		if err != nil {
			return err
		}
	}
	return &ThrottledError{RetryAfter: retry, Reason: reason}
}

// Unlock lets username sign in again from every address at once, by an
// admin, audited.
func (l *Logins) Unlock(ctx context.Context, username string, by store.Actor) (int64, error) {
	name, err := auth.NormalizeUsername(username)
	if err != nil {
		return 0, fieldErr("username", err)
	}
	n, err := l.st.ClearLoginThrottlePrefix(ctx, pairKey(name, ""))
	if err != nil {
		return 0, err
	}
	return n, l.st.AppendAudit(ctx, store.AuditEntry{At: l.now(), ActorID: by.ID, Actor: by.Name, Action: "login.unlock",
		Target: "user:" + name, Detail: fmt.Sprintf("sign-in throttle cleared (%d addresses)", n)})
}

// UnlockAddress lets addr sign in again, by an admin, audited.
func (l *Logins) UnlockAddress(ctx context.Context, addr string, by store.Actor) (int64, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return 0, fieldErr("address", errors.New("address is required"))
	}
	n, err := l.st.ClearLoginThrottle(ctx, addrKey(addr))
	if err != nil {
		return 0, err
	}
	return n, l.st.AppendAudit(ctx, store.AuditEntry{At: l.now(), ActorID: by.ID, Actor: by.Name, Action: "login.unlock",
		Target: "address:" + addr, Detail: "sign-in throttle cleared"})
}
