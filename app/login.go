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

// LoginPolicy is how sign-in attempts are throttled. Nothing here locks an
// account: the counts are per (username, address) pair and per address,
// so failures from one place never keep the right password out from
// another. Zero fields take the defaults WithDefaults gives.
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
	// DummyHash is verified against when a username does not exist, so
	// that a missing account takes as long to refuse as a wrong password.
	DummyHash string
}

// WithDefaults returns p with its zero fields set to their defaults.
func (p LoginPolicy) WithDefaults() LoginPolicy {
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
	return p
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

// The ways a login fails.
var (
	ErrMissingCredentials = fmt.Errorf("%w: username and password are required", domain.ErrInvalid)
	ErrBadCredentials     = errors.New("wrong username or password")
)

// RateLimited is a login refused for now; try again after Retry, when the
// counting window that refused it closes.
type RateLimited struct {
	Retry time.Duration
	// Reason is "pair" (this username from this address) or "address".
	Reason string
}

func (r *RateLimited) Error() string {
	return fmt.Sprintf("too many sign-in attempts (%s); retry in %s", r.Reason, r.Retry.Round(time.Second))
}

// Throttle keys: one per (username, address) pair, one per address.
func pairKey(username, addr string) string { return "pair:" + username + "|" + addr }
func addrKey(addr string) string           { return "addr:" + addr }

// Authenticate checks a username and password from address ip under the
// throttle and records the attempt. A disabled account does not sign in.
// It gives the account, ErrMissingCredentials, ErrBadCredentials or a
// *RateLimited. Every check is counted before the password is compared,
// in one store statement, so parallel guesses cannot outnumber the limit.
func (a *App) Authenticate(ctx context.Context, username, password, ip string, p LoginPolicy) (domain.User, error) {
	p = p.WithDefaults()
	if strings.TrimSpace(username) == "" || password == "" {
		return domain.User{}, ErrMissingCredentials
	}
	name, err := auth.NormalizeUsername(username)
	if err != nil || len(password) > 4*auth.MaxPasswordLen {
		// No such account can exist, so there is nothing to count.
		return domain.User{}, ErrBadCredentials
	}
	now := a.now()
	pair, err := a.db.ReserveLoginCheck(ctx, pairKey(name, ip), now, p.Window)
	if err != nil {
		return domain.User{}, err
	}
	if pair.Count > p.PerPair {
		return domain.User{}, a.throttled(ctx, p, pair, p.PerPair, "pair", "user:"+name, ip, now)
	}
	address, err := a.db.ReserveLoginCheck(ctx, addrKey(ip), now, p.Window)
	if err != nil {
		return domain.User{}, errors.Join(err, a.db.ReleaseLoginCheck(ctx, pair.Key))
	}
	if address.Count > p.PerAddress {
		err := a.throttled(ctx, p, address, p.PerAddress, "address", "address:"+ip, ip, now)
		return domain.User{}, errors.Join(err, a.db.ReleaseLoginCheck(ctx, pair.Key))
	}
	if d := p.Delay(address.Count); d > 0 {
		if err := sleepCtx(ctx, d); err != nil {
			return domain.User{}, err
		}
	}

	user, err := a.db.UserByUsername(ctx, name)
	ok := false
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
		a.log.Info("login failed", "username", name, "ip", ip, "pair_count", pair.Count, "address_count", address.Count)
		return domain.User{}, ErrBadCredentials
	}
	// A success clears its pair and gives back its place in the address's
	// count: only failures add up.
	if _, err := a.db.ClearLoginThrottle(ctx, pair.Key); err != nil {
		return domain.User{}, err
	}
	if err := a.db.ReleaseLoginCheck(ctx, address.Key); err != nil {
		return domain.User{}, err
	}
	a.log.Info("login", "user", user.ID, "username", name, "ip", ip)
	return user, nil
}

// throttled makes the refusal for a count over limit, auditing the first
// refusal of the window.
func (a *App) throttled(ctx context.Context, p LoginPolicy, c store.ThrottleCount, limit int, reason, target, ip string, now time.Time) error {
	until := c.WindowStart.Add(p.Window)
	a.log.Warn("login throttled", "reason", reason, "target", target, "ip", ip, "count", c.Count)
	if c.Count == limit+1 {
		err := a.db.AppendAudit(ctx, store.AuditEntry{At: now, Actor: "system", Action: "login.throttled", Target: target,
			Detail: fmt.Sprintf("%d failed sign-ins from %s within %s; refused until %s", limit, ip, p.Window,
				until.UTC().Format(time.RFC3339))})
		if err != nil {
			return err
		}
	}
	return &RateLimited{Retry: max(until.Sub(now), time.Second), Reason: reason}
}

// UnlockLogins lets account id sign in again from every address at once,
// by an admin, audited; it reports how many addresses were throttled.
func (a *App) UnlockLogins(ctx context.Context, id int64, by store.Actor) (int64, error) {
	u, err := a.db.UserByID(ctx, id)
	if err != nil {
		return 0, err
	}
	name := u.Username
	n, err := a.db.ClearLoginThrottlePrefix(ctx, pairKey(name, ""))
	if err != nil {
		return 0, err
	}
	return n, a.db.AppendAudit(ctx, store.AuditEntry{At: a.now(), ActorID: by.ID, Actor: by.Name, Action: "login.unlock",
		Target: "user:" + name, Detail: fmt.Sprintf("sign-in throttle cleared (%d addresses)", n)})
}

// UnlockAddress lets address ip sign in again, by an admin, audited.
func (a *App) UnlockAddress(ctx context.Context, ip string, by store.Actor) (int64, error) {
	ip = strings.TrimSpace(ip)
	if ip == "" {
		return 0, refuseAccount("address", errors.New("address is required"))
	}
	n, err := a.db.ClearLoginThrottle(ctx, addrKey(ip))
	if err != nil {
		return 0, err
	}
	return n, a.db.AppendAudit(ctx, store.AuditEntry{At: a.now(), ActorID: by.ID, Actor: by.Name, Action: "login.unlock",
		Target: "address:" + ip, Detail: "sign-in throttle cleared"})
}

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

// Throttle is a sign-in limit in force: a username from one address, or an
// address for every username.
type Throttle struct {
	// Username is set for a (username, address) pair; empty for an
	// address's own limit.
	Username string
	Address  string
	Count    int
	// Until is when the window that set the limit closes.
	Until time.Time
}

// Throttles lists the sign-in limits in force now under p, for the admin
// who may lift them.
func (a *App) Throttles(ctx context.Context, p LoginPolicy) ([]Throttle, error) {
	p = p.WithDefaults()
	now := a.now()
	counts, err := a.db.LoginThrottles(ctx, now, p.Window, min(p.PerPair, p.PerAddress)+1)
	if err != nil {
		return nil, err
	}
	var out []Throttle
	for _, c := range counts {
		t := Throttle{Count: c.Count, Until: c.WindowStart.Add(p.Window)}
		if rest, ok := strings.CutPrefix(c.Key, "pair:"); ok && c.Count > p.PerPair {
			t.Username, t.Address, _ = strings.Cut(rest, "|")
		} else if addr, ok := strings.CutPrefix(c.Key, "addr:"); ok && c.Count > p.PerAddress {
			t.Address = addr
		} else {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}
