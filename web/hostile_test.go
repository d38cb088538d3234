package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOversizedBodyOnEveryRoute walks the route table: a body one byte over
// a route's limit gets 413 on every route, whoever asks, before the route
// looks at anything else; under /api/ the answer is the JSON error.
func TestOversizedBodyOnEveryRoute(t *testing.T) {
	env, _ := newCallEnv(t)
	admin := env.addUser("admin", domain.RoleAdmin)
	token, csrf := env.session(admin)
	for _, rt := range env.srv.Routes() {
		require.Positive(t, rt.MaxBody, "%s %s", rt.Method, rt.Path)
		for _, who := range []string{"anonymous", "signed in"} {
			t.Run(rt.Method+" "+rt.Path+"/"+who, func(t *testing.T) {
				body := bytes.Repeat([]byte("x"), int(rt.MaxBody)+1)
				copy(body, `{"username":"`)
				req := httptest.NewRequest(rt.Method, matrixPath(rt.Path), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if who == "signed in" {
					req = withCookie(req, token)
					req.Header.Set("X-CSRF-Token", csrf)
				}
				w := env.do(req)
				require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
				if isAPI(req.URL.Path) || req.URL.Path == "/healthz" {
					assert.Equal(t, "too_large", apiError(t, w).Code)
				}
			})
		}
	}
}

// TestOversizedChunkedBody: a body that does not declare its length is cut
// off at the limit by the routes that read one, with 413.
func TestOversizedChunkedBody(t *testing.T) {
	env, lib := newCallEnv(t)
	token, csrf := env.session(env.addUser("li", domain.RoleTrainee))
	limits := map[string]int64{}
	for _, rt := range env.srv.Routes() {
		limits[rt.Method+" "+rt.Path] = rt.MaxBody
	}
	tests := []struct {
		path, ctype, prefix string
		signedIn            bool
	}{
		{"/api/login", "application/json", `{"username":"`, false},
		{"/api/calls", "application/json", `{"scenario":"` + lib.Scenarios[0].ID + `","mode":"`, true},
		{"/login", "application/x-www-form-urlencoded", "username=", false},
		{"/logout", "application/x-www-form-urlencoded", csrfField + "=" + csrf + "&x=", true},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			limit, ok := limits[http.MethodPost+" "+tc.path]
			require.True(t, ok, "no route POST %s", tc.path)
			// A reader of unknown length makes the request chunked.
			body := io.MultiReader(strings.NewReader(tc.prefix), bytes.NewReader(bytes.Repeat([]byte("a"), int(limit))))
			req := httptest.NewRequest(http.MethodPost, tc.path, body)
			require.EqualValues(t, -1, req.ContentLength)
			req.Header.Set("Content-Type", tc.ctype)
			if tc.signedIn {
				req = withCookie(req, token)
			}
			w := env.do(req)
			require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
			if isAPI(tc.path) {
				assert.Equal(t, "too_large", apiError(t, w).Code)
			}
		})
	}
	calls, err := env.db.ListCalls(context.Background(), store.CallFilter{})
	require.NoError(t, err)
	assert.Empty(t, calls)
}

// TestStaticTraversal: /static serves the embedded files and nothing else,
// however the way out is spelt.
func TestStaticTraversal(t *testing.T) {
	env := newEnv(t)
	ok := env.do(getReq("/static/app.css"))
	require.Equal(t, http.StatusOK, ok.Code)
	for _, target := range []string{
		"/static/../go.mod",
		"/static/../templates/layout.html",
		"/static/../../../../etc/passwd",
		"/static/%2e%2e/templates/layout.html",
		"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/static/..%2ftemplates%2flayout.html",
		"/static/%252e%252e/templates/layout.html",
		"/static//etc/passwd",
		"/static/%2fetc%2fpasswd",
		"/static/app.css/../../templates/layout.html",
		"/static/./app.css",
		"/static/..\\templates\\layout.html",
		"/static/%5c..%5ctemplates%5clayout.html",
		"/static/app.css%00.png",
		"/static/",
		"/static/.",
	} {
		t.Run(target, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			u, err := url.ParseRequestURI(target)
			require.NoError(t, err)
			req.URL, req.RequestURI = u, target
			w := env.do(req)
			// Gin may answer a path it would clean with a redirect to the
			// clean path; that path is then refused like the rest.
			assert.Contains(t, []int{http.StatusNotFound, http.StatusMovedPermanently}, w.Code, "%s: %s", target, w.Body.String())
			assert.NotContains(t, w.Body.String(), "root:", "%s", target)
			assert.NotContains(t, w.Body.String(), "{{", "%s: a template leaked", target)
			assert.NotContains(t, w.Body.String(), "module github.com", "%s", target)
		})
	}
}

// callEnvOn is newCallEnv on a given store.
func callEnvOn(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	lib, book := loadBuiltin(t)
	env := newEnvOn(t, db, func(c *Config) { c.Library, c.Book = lib, book })
	t.Cleanup(env.srv.Close)
	return env
}

// injections are values that would change a query built by pasting them
// into SQL, and bytes a database may refuse to store or compare.
var injections = []string{
	`' OR '1'='1`,
	`' OR 1=1 --`,
	`x'; DROP TABLE calls; --`,
	`x"; DROP TABLE users; --`,
	`1 UNION SELECT username, password_hash FROM users --`,
	`%' --`,
	`\'`,
	"nul\x00byte",
	"bad\xffutf8",
	strings.Repeat("长", 2000),
}

// TestInjectionLeavesDataIntact sends every injection through every value
// that reaches SQL: the call id in paths, ?after=, the username at both
// logins, the scenario and the mode of a new call. Each gets a 4xx, never a
// 500, on both databases, and afterwards the accounts and the call are as
// they were.
func TestInjectionLeavesDataIntact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := callEnvOn(t, db)
		ctx := context.Background()
		u := env.addUser("li.na", domain.RoleTrainee)
		token, _ := env.session(u)
		scID := env.srv.cfg.Library.Scenarios[0].ID
		id, _ := env.startCall(token, scID, "exam")
		ts := wsServer(t, env)

		check := func(t *testing.T, what string, w *httptest.ResponseRecorder) {
			t.Helper()
			assert.True(t, w.Code >= 400 && w.Code < 500, "%s: status %d: %s", what, w.Code, w.Body.String())
		}
		jsonString := func(s string) string {
			b, err := json.Marshal(s)
			require.NoError(t, err)
			return string(b)
		}
		for _, inj := range injections {
			esc := url.PathEscape(inj)
			check(t, "GET call "+esc, env.do(withCookie(getReq("/api/calls/"+esc), token)))
			check(t, "GET socket "+esc, env.do(withCookie(getReq("/api/calls/"+esc+"/ws"), token)))
			check(t, "after="+esc, env.do(withCookie(getReq("/api/calls/"+id+"/ws?after="+url.QueryEscape(inj)), token)))
			check(t, "API login "+esc, env.do(jsonReq(http.MethodPost, "/api/login", `{"username":`+jsonString(inj)+`,"password":"x"}`)))
			check(t, "form login "+esc, env.do(publicForm("/login", url.Values{"username": {inj}, "password": {"x"}})))
			check(t, "scenario "+esc, env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":`+jsonString(inj)+`,"mode":"exam"}`), token)))
			check(t, "mode "+esc, env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":"`+scID+`","mode":`+jsonString(inj)+`}`), token)))

			// On a real socket, ?after= is read before the upgrade.
			u := "ws" + strings.TrimPrefix(ts.URL, "http") + callSocketPath(id) + "?after=" + url.QueryEscape(inj)
			_, resp, err := (&websocket.Dialer{HandshakeTimeout: readWait}).Dial(u, http.Header{"Cookie": {sessionCookie + "=" + token}})
			require.Error(t, err)
			require.NotNil(t, resp)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "socket after=%s", esc)
		}

		users, err := env.db.ListUsers(ctx)
		require.NoError(t, err)
		require.Len(t, users, 1)
		assert.Equal(t, "li.na", users[0].Username)
		calls, err := env.db.ListCalls(ctx, store.CallFilter{})
		require.NoError(t, err)
		require.Len(t, calls, 1)
		assert.Equal(t, id, calls[0].ID)
		w := env.do(withCookie(getReq("/api/calls/"+id), token))
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		w = env.do(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword)))
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	})
}

// hostile is markup and template syntax a user might type as a name or a
// reply; it must come back as text everywhere.
const hostile = `"><script>alert(1)</script>{{.CSRF}}{{template "layout"}}`

// assertInert checks that body shows hostile only escaped: neither the
// markup nor the quote that would close an attribute before it survives.
func assertInert(t *testing.T, what, body string) {
	t.Helper()
	assert.NotContains(t, body, "<script>alert(1)", "%s: markup passed through", what)
	assert.NotContains(t, body, `"><script`, "%s: an attribute was broken out of", what)
}

func TestTemplateInjectionIsEscaped(t *testing.T) {
	env := newEnv(t)
	// The store takes any name; the login form's rules are not what keeps
	// pages safe.
	u := domain.User{Username: "li" + hostile, PasswordHash: "x", Role: domain.RoleTrainee, Created: t0}
	require.NoError(t, env.db.CreateUser(context.Background(), &u))
	token, csrf := env.session(u)

	t.Run("home page", func(t *testing.T) {
		w := env.do(withCookie(httptest.NewRequest(http.MethodGet, "/", nil), token))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		body := w.Body.String()
		assertInert(t, "home", body)
		assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;{{.CSRF}}", "the name is shown, escaped")
		assert.Equal(t, strings.Count(body, `name="csrf_token" value="`+csrf+`"`), strings.Count(body, csrf),
			"the CSRF token appears in the forms' token fields only, not where the name is")
	})
	t.Run("API", func(t *testing.T) {
		w := env.do(withCookie(getReq("/api/me"), token))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assertInert(t, "/api/me", w.Body.String())
		var body struct{ User struct{ Username string } }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		assert.Equal(t, u.Username, body.User.Username, "JSON carries the name exactly")
	})
	t.Run("login form", func(t *testing.T) {
		w := env.do(publicForm("/login", url.Values{"username": {hostile}, "password": {"x"}, "next": {"/" + hostile}}))
		require.Equal(t, http.StatusUnauthorized, w.Code)
		body := w.Body.String()
		assertInert(t, "login", body)
		assert.Contains(t, body, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;{{.CSRF}}`)
	})
	t.Run("login page next", func(t *testing.T) {
		w := env.do(httptest.NewRequest(http.MethodGet, "/login?next="+url.QueryEscape("/"+hostile), nil))
		require.Equal(t, http.StatusOK, w.Code)
		assertInert(t, "login?next", w.Body.String())
	})
}

// TestReplyInjectionIsEscaped: a reply with markup and template syntax is
// graded as text, and the socket and the API give it back escaped, intact.
func TestReplyInjectionIsEscaped(t *testing.T) {
	env, lib := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, lib.Scenarios[0].ID, "practice")
	conn := ringingSocket(t, wsServer(t, env), token, id)

	reply := "您好" + hostile
	send(t, conn, say(reply))
	send(t, conn, map[string]string{"type": "hangup"})
	for _, m := range readUntil(t, conn, "end") {
		assertInert(t, m.Type+" message", string(m.raw))
	}
	// The socket closes once the ended call is stored.
	_, err := closedWith(t, conn)
	require.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "closed normally after the end: %v", err)

	w := env.do(withCookie(getReq("/api/calls/"+id), token))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assertInert(t, "/api/calls/:id", w.Body.String())
	var body struct {
		Scorecard struct {
			Turns []struct{ Speaker, Text string }
		}
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	var said []string
	for _, turn := range body.Scorecard.Turns {
		said = append(said, turn.Text)
	}
	assert.Contains(t, said, reply, "the reply is kept exactly")
}
