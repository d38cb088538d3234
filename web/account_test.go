package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPILogin(t *testing.T) {
	env := newEnv(t)
	env.addUser("li.na", domain.RoleTrainee)
	disabled := env.addUser("gone", domain.RoleTrainee)
	require.NoError(t, env.db.SetUserDisabled(context.Background(), disabled.ID, true))

	tests := []struct {
		name        string
		contentType string
		body        string
		lang        string
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"wrong password", "application/json", loginBody("li.na", "不对的密码不对的密码"), "", 401, "bad_credentials", "用户名或密码错误。"},
		{"wrong password in English", "application/json", loginBody("li.na", "不对的密码不对的密码"), "en", 401, "bad_credentials", "Wrong username or password."},
		{"unknown user", "application/json", loginBody("nobody", testPassword), "", 401, "bad_credentials", "用户名或密码错误。"},
		{"disabled user", "application/json", loginBody("gone", testPassword), "", 401, "bad_credentials", "用户名或密码错误。"},
		{"malformed username", "application/json", loginBody("li na", testPassword), "", 401, "bad_credentials", "用户名或密码错误。"},
		{"empty", "application/json", `{}`, "", 400, "missing_credentials", "请输入用户名和密码。"},
		{"not json", "application/json", `username=li.na`, "", 400, "bad_json", "请求内容不是有效的 JSON。"},
		{"unknown field", "application/json", `{"username":"li.na","password":"x","remember":true}`, "", 400, "unknown_field", "请求里有本接口不认识的字段（见 field）。"},
		{"trailing data", "application/json", loginBody("li.na", testPassword) + `{}`, "", 400, "bad_json", "请求内容不是有效的 JSON。"},
		{"form encoded", "application/x-www-form-urlencoded", `username=li.na&password=x`, "", 415, "unsupported_media_type", "请以 application/json 格式提交。"},
		{"too large", "application/json", `{"username":"` + strings.Repeat("a", 8<<10) + `"}`, "", 413, "too_large", "提交的内容过大。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := jsonReq(http.MethodPost, "/api/login", tt.body)
			req.Header.Set("Content-Type", tt.contentType)
			if tt.lang != "" {
				req.AddCookie(&http.Cookie{Name: langCookie, Value: tt.lang})
			}
			w := env.do(req)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			assert.Nil(t, cookieFrom(w, sessionCookie))
			got := apiError(t, w)
			assert.Equal(t, tt.wantCode, got.Code)
			assert.Equal(t, tt.wantMessage, got.Message)
		})
	}

	t.Run("ok", func(t *testing.T) {
		w := env.do(jsonReq(http.MethodPost, "/api/login", loginBody(" Li.Na ", testPassword)))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var body struct{ User userJSON }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		assert.Equal(t, "li.na", body.User.Username)
		assert.Equal(t, "trainee", body.User.Role)

		ck := cookieFrom(w, sessionCookie)
		require.NotNil(t, ck)
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		assert.False(t, ck.Secure, "plain HTTP without --secure-cookies")
		assert.Equal(t, "/", ck.Path)
		assert.Equal(t, int((12 * time.Hour).Seconds()), ck.MaxAge)

		// Only the hash of the token is stored.
		_, _, err := env.db.SessionUser(context.Background(), ck.Value)
		assert.ErrorIs(t, err, store.ErrNotFound)
		sess, u, err := env.db.SessionUser(context.Background(), auth.HashToken(ck.Value))
		require.NoError(t, err)
		assert.Equal(t, "li.na", u.Username)
		assert.NotEmpty(t, sess.CSRFToken)

		me := env.do(withCookie(getReq("/api/me"), ck.Value))
		require.Equal(t, http.StatusOK, me.Code)
		assert.Contains(t, me.Body.String(), `"username":"li.na"`)
		assert.Contains(t, env.logs.String(), "route=/api/login status=200")
	})
}

func getReq(path string) *http.Request { return jsonReq(http.MethodGet, path, "") }

func TestLoginReplacesEarlierSession(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	old, _ := env.session(u)
	w := env.do(withCookie(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword)), old))
	require.Equal(t, http.StatusOK, w.Code)
	_, _, err := env.db.SessionUser(context.Background(), auth.HashToken(old))
	assert.ErrorIs(t, err, store.ErrNotFound, "the session from before the login is ended")
}

func TestSecureCookies(t *testing.T) {
	tests := []struct {
		name   string
		flag   bool
		tls    bool
		secure bool
	}{
		{"plain", false, false, false},
		{"flag", true, false, true},
		{"tls", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.SecureCookies = tt.flag })
			env.addUser("li.na", domain.RoleTrainee)
			req := jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword))
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			w := env.do(req)
			require.Equal(t, http.StatusOK, w.Code)
			ck := cookieFrom(w, sessionCookie)
			require.NotNil(t, ck)
			assert.Equal(t, tt.secure, ck.Secure)
		})
	}
}

func tryLogin(env *testEnv, user, pw, ip string) int {
	req := jsonReq(http.MethodPost, "/api/login", loginBody(user, pw))
	req.RemoteAddr = ip + ":40000"
	w := env.do(req)
	if w.Code == http.StatusTooManyRequests {
		env.t.Helper()
		retry, err := strconv.Atoi(w.Header().Get("Retry-After"))
		assert.NoError(env.t, err)
		assert.True(env.t, retry > 0 && retry <= 900, "Retry-After %d", retry)
		assert.Equal(env.t, "rate_limited", apiError(env.t, w).Code)
	}
	return w.Code
}

// TestLoginThrottlePerPair: five wrong passwords for one username from one
// address stop that pair, even with the right password, but never lock the
// account: the right password from another address still works.
func TestLoginThrottlePerPair(t *testing.T) {
	env := newEnv(t)
	env.addUser("li.na", domain.RoleTrainee)
	const ip = "203.0.113.7"
	for i := range 5 {
		require.Equal(t, 401, tryLogin(env, "li.na", "wrong-password-"+string(rune('a'+i)), ip), "attempt %d", i+1)
		env.clock.Advance(time.Minute)
	}
	assert.Equal(t, 429, tryLogin(env, "li.na", testPassword, ip), "this pair is throttled, right password or not")
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, "198.51.100.1"), "no lockout: another address signs in")
	assert.Equal(t, 401, tryLogin(env, "other", "wrong-password-z", ip), "other usernames from the address go on")

	env.clock.Advance(11 * time.Minute) // the window that opened with the first failure is over
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, ip))
	// A success starts the pair's count afresh.
	for range 4 {
		assert.Equal(t, 401, tryLogin(env, "li.na", "wrong-password-y", ip))
	}
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, ip))

	entries, err := env.db.ListAudit(context.Background(), store.AuditFilter{})
	require.NoError(t, err)
	var throttled int
	for _, e := range entries {
		if e.Action == "login.throttled" {
			throttled++
			assert.Equal(t, "user:li.na", e.Target)
		}
	}
	assert.Equal(t, 1, throttled, "the first refusal of a window is audited, once")
}

// TestLoginThrottleParallel: 50 wrong passwords sent at once get at most 5
// password checks (401), the rest 429; the right password from another
// loopback address then signs in. On both databases.
func TestLoginThrottleParallel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEnvOn(t, db)
		env.addUser("li.na", domain.RoleTrainee)
		const n = 50
		codes := make(chan int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req := jsonReq(http.MethodPost, "/api/login", loginBody("li.na", fmt.Sprintf("wrong-password-%02d", i)))
				req.RemoteAddr = "127.0.0.1:40000"
				codes <- env.do(req).Code
			}()
		}
		close(start)
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		assert.LessOrEqual(t, count[401], 5, "password checks: %v", count)
		assert.Equal(t, n, count[401]+count[429], "every answer is 401 or 429: %v", count)
		assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, "127.0.0.2"))
	})
}

// TestLoginThrottlePerAddress: an address is stopped after PerAddress
// failures over every username, but successes from it do not count, so a
// call centre behind one address signs in all morning.
func TestLoginThrottlePerAddress(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Login.PerAddress = 3 })
	env.addUser("li.na", domain.RoleTrainee)
	const ip = "203.0.113.9"
	for range 10 {
		require.Equal(t, 200, tryLogin(env, "li.na", testPassword, ip), "successes are not counted")
	}
	for _, name := range []string{"wang", "zhao", "sun"} {
		require.Equal(t, 401, tryLogin(env, name, "wrong-password-x", ip))
	}
	assert.Equal(t, 429, tryLogin(env, "li.na", testPassword, ip))
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, "198.51.100.2"))
}

// TestLoginUnlock: an admin clears a username's throttle, audited.
func TestLoginUnlock(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	admin := env.addUser("boss", domain.RoleAdmin)
	const ip = "203.0.113.7"
	for range 5 {
		require.Equal(t, 401, tryLogin(env, "li.na", "wrong-password-x", ip))
	}
	require.Equal(t, 429, tryLogin(env, "li.na", testPassword, ip))

	token, csrf := env.session(admin)
	w := env.do(withCookie(formReq(http.MethodPost, fmt.Sprintf("/admin/accounts/%d", u.ID), url.Values{csrfField: {csrf}, "action": {"unlock"}}), token))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, ip))

	entries, err := env.db.ListAudit(context.Background(), store.AuditFilter{})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	var unlock *store.AuditEntry
	for i := range entries {
		if entries[i].Action == "login.unlock" {
			unlock = &entries[i]
		}
	}
	require.NotNil(t, unlock)
	assert.Equal(t, "boss", unlock.Actor)
	assert.Equal(t, "user:li.na", unlock.Target)
}

// TestRateLimitHoldsAcrossInstances: the count lives in the database, so a
// second server on the same database refuses what the first has counted.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	db := storetest.SQLite(t)
	a := newEnvOn(t, db)
	b := newEnvOn(t, db)
	a.addUser("li.na", domain.RoleTrainee)
	for range 5 {
		require.Equal(t, 401, tryLogin(a, "li.na", "wrong-password-x", "203.0.113.1"))
	}
	assert.Equal(t, 429, tryLogin(b, "li.na", testPassword, "203.0.113.1"))
	assert.Equal(t, 200, tryLogin(b, "li.na", testPassword, "203.0.113.2"))
}

// TestSessionHoldsAcrossInstances: a session made by one server is honoured
// by another on the same database, as behind a load balancer.
func TestSessionHoldsAcrossInstances(t *testing.T) {
	db := storetest.SQLite(t)
	a := newEnvOn(t, db)
	b := newEnvOn(t, db)
	a.addUser("li.na", domain.RoleTrainee)
	w := a.do(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword)))
	require.Equal(t, http.StatusOK, w.Code)
	token := cookieFrom(w, sessionCookie).Value
	assert.Equal(t, http.StatusOK, b.do(withCookie(getReq("/api/me"), token)).Code)
	assert.Equal(t, http.StatusNoContent, b.do(withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token)).Code)
	assert.Equal(t, http.StatusUnauthorized, a.do(withCookie(getReq("/api/me"), token)).Code)
}

// TestClientIPIgnoresForwardedForByDefault: a client cannot dodge the
// per-address limit by making up X-Forwarded-For, unless it comes through a
// proxy the server was told to trust.
func TestClientIPIgnoresForwardedForByDefault(t *testing.T) {
	attempt := func(env *testEnv, remote, forwarded string) int {
		req := jsonReq(http.MethodPost, "/api/login", loginBody("nobody-"+forwarded, "wrong-password-x"))
		req.RemoteAddr = remote + ":40000"
		req.Header.Set("X-Forwarded-For", forwarded)
		return env.do(req).Code
	}
	limit := func(c *Config) { c.Login.PerAddress = 2 }

	direct := newEnv(t, limit)
	assert.Equal(t, 401, attempt(direct, "203.0.113.5", "10.0.0.1"))
	assert.Equal(t, 401, attempt(direct, "203.0.113.5", "10.0.0.2"))
	assert.Equal(t, 429, attempt(direct, "203.0.113.5", "10.0.0.3"), "counted by the real address")

	proxied := newEnv(t, limit, func(c *Config) { c.TrustedProxies = []string{"192.0.2.10"} })
	assert.Equal(t, 401, attempt(proxied, "192.0.2.10", "10.0.0.1"))
	assert.Equal(t, 401, attempt(proxied, "192.0.2.10", "10.0.0.2"))
	assert.Equal(t, 401, attempt(proxied, "192.0.2.10", "10.0.0.3"), "counted by the forwarded address")
	assert.Equal(t, 401, attempt(proxied, "192.0.2.10", "10.0.0.1"))
	assert.Equal(t, 429, attempt(proxied, "192.0.2.10", "10.0.0.1"))
}

func TestLogout(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	token, _ := env.session(u)

	w := env.do(withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token))
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	ck := cookieFrom(w, sessionCookie)
	require.NotNil(t, ck)
	assert.Equal(t, -1, ck.MaxAge)
	_, _, err := env.db.SessionUser(context.Background(), auth.HashToken(token))
	assert.ErrorIs(t, err, store.ErrNotFound)

	w = env.do(withCookie(getReq("/api/me"), token))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, "unauthorized", apiError(t, w).Code)
}

func TestLogoutForm(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	token, csrf := env.session(u)

	w := env.do(withCookie(formReq(http.MethodPost, "/logout", url.Values{csrfField: {csrf}}), token))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, "/login", w.Header().Get("Location"))
	_, _, err := env.db.SessionUser(context.Background(), auth.HashToken(token))
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestSessionLifetime(t *testing.T) {
	env := newEnv(t)
	env.addUser("li.na", domain.RoleTrainee)
	w := env.do(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword)))
	require.Equal(t, http.StatusOK, w.Code)
	token := cookieFrom(w, sessionCookie).Value
	me := func() int { return env.do(withCookie(getReq("/api/me"), token)).Code }

	// Used every 11 hours, a session outlives its 12-hour idle limit…
	for day := range 6 {
		env.clock.Advance(11 * time.Hour)
		require.Equal(t, http.StatusOK, me(), "after %d uses", day+1)
	}
	// …up to its 7-day maximum age.
	env.clock.Advance(7*24*time.Hour - 66*time.Hour)
	assert.Equal(t, http.StatusUnauthorized, me())

	// Left alone for 12 hours, a fresh session lapses.
	w = env.do(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword)))
	require.Equal(t, http.StatusOK, w.Code)
	token = cookieFrom(w, sessionCookie).Value
	env.clock.Advance(12 * time.Hour)
	assert.Equal(t, http.StatusUnauthorized, me())
	_, _, err := env.db.SessionUser(context.Background(), auth.HashToken(token))
	assert.ErrorIs(t, err, store.ErrNotFound, "a lapsed session is removed when seen")
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	token, _ := env.session(u)
	require.NoError(t, env.db.SetUserDisabled(context.Background(), u.ID, true))
	assert.Equal(t, http.StatusUnauthorized, env.do(withCookie(getReq("/api/me"), token)).Code)
}

func TestLoginPage(t *testing.T) {
	env := newEnv(t)
	env.addUser("li.na", domain.RoleTrainee)

	w := env.do(getReq("/login?next=/history"))
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, `<html lang="zh-CN">`)
	assert.Contains(t, body, "用户名")
	assert.Contains(t, body, `name="next" value="/history"`)
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))

	w = env.do(getReq("/login?lang=en"))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "Username")
	assert.Contains(t, w.Body.String(), `<html lang="en">`)
	langCk := cookieFrom(w, langCookie)
	require.NotNil(t, langCk)
	assert.Equal(t, "en", langCk.Value)

	tests := []struct {
		name, user, pw, next string
		wantStatus           int
		wantLocation         string
		wantBody             string
	}{
		{"ok goes to next", "li.na", testPassword, "/history", 303, "/history", ""},
		{"ok refuses a foreign next", "li.na", testPassword, "//evil.example/x", 303, "/", ""},
		{"ok refuses a scheme next", "li.na", testPassword, "https://evil.example", 303, "/", ""},
		{"wrong password shows the form again", "li.na", "wrong-password-x", "/history", 401, "", "用户名或密码错误。"},
		{"empty", "", "", "", 400, "", "请输入用户名和密码。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := env.do(publicForm("/login", url.Values{"username": {tt.user}, "password": {tt.pw}, "next": {tt.next}}))
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantLocation != "" {
				assert.Equal(t, tt.wantLocation, w.Header().Get("Location"))
				assert.NotNil(t, cookieFrom(w, sessionCookie))
			}
			if tt.wantBody != "" {
				assert.Contains(t, w.Body.String(), tt.wantBody)
				assert.Contains(t, w.Body.String(), `value="`+tt.user+`"`, "the username is kept")
			}
		})
	}
}

func TestHomePage(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainer)
	token, csrf := env.session(u)

	w := env.do(getReq("/"))
	require.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, "/login?next=%2F", w.Header().Get("Location"))

	w = env.do(withCookie(getReq("/"), token))
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, "您好，li.na")
	assert.Contains(t, body, "培训师")
	assert.Contains(t, body, `name="csrf_token" value="`+csrf+`"`, "the sign-out button carries the token")

	// A signed-in user opening the login page goes on.
	w = env.do(withCookie(getReq("/login?next=/x"), token))
	require.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, "/x", w.Header().Get("Location"))
}

// TestUnlockAddress: an address over its limit shows on the accounts page
// and an admin lifts it there, audited; the pair limits of that address
// are listed too.
func TestUnlockAddress(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Login.PerAddress = 3 })
	env.addUser("li.na", domain.RoleTrainee)
	admin := env.addUser("boss", domain.RoleAdmin)
	const ip = "203.0.113.44"
	for _, name := range []string{"wang", "zhao", "sun"} {
		require.Equal(t, 401, tryLogin(env, name, "wrong-password-x", ip))
	}
	require.Equal(t, 429, tryLogin(env, "li.na", testPassword, ip))

	token, csrf := env.session(admin)
	page := env.do(withCookie(getReq("/admin/accounts"), token))
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), `data-address="`+ip+`"`)

	w := env.do(withCookie(formReq(http.MethodPost, "/admin/logins/unlock", url.Values{csrfField: {csrf}, "address": {ip}}), token))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, 200, tryLogin(env, "li.na", testPassword, ip))
	page = env.do(withCookie(getReq("/admin/accounts"), token))
	assert.NotContains(t, page.Body.String(), `data-address="`+ip+`"`)

	entries, err := env.db.ListAudit(context.Background(), store.AuditFilter{})
	require.NoError(t, err)
	var targets []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "login.") {
			targets = append(targets, e.Action+" "+e.Target)
		}
	}
	assert.Equal(t, []string{"login.unlock address:" + ip, "login.throttled address:" + ip}, targets)
}
