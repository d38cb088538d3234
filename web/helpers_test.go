package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the default Asia/Shanghai, wherever tests run

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	// bleve starts its analysis workers when its package is initialised
	// (sim's matcher imports it); they live as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
	os.Exit(0)
}

// fastParams make test hashes cheap; production costs are set in auth.
var fastParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// t0 is the fake clock's start; tests never read the real clock.
var t0 = time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// syncBuffer is a log sink safe to read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testEnv struct {
	t     *testing.T
	db    *store.DB
	srv   *Server
	clock *fakeClock
	logs  *syncBuffer
}

const testPassword = "暖气片漏水了请您别着急"

// newEnv starts a server on a fresh SQLite store with a fake clock.
func newEnv(t *testing.T, mods ...func(*Config)) *testEnv {
	t.Helper()
	db := storetest.SQLite(t)
	return newEnvOn(t, db, mods...)
}

func newEnvOn(t *testing.T, db *store.DB, mods ...func(*Config)) *testEnv {
	t.Helper()
	clock := &fakeClock{now: t0}
	logs := &syncBuffer{}
	// Admission control is off unless a test turns it on: a busy test
	// machine must not make a test's calls look like overload.
	cfg := Config{Now: clock.Now, PasswordParams: fastParams, OverloadDelay: -1}
	for _, m := range mods {
		m(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(db, logger, cfg)
	require.NoError(t, err)
	// Close stops live calls and the content's indexes; it may run twice.
	t.Cleanup(srv.Close)
	return &testEnv{t: t, db: db, srv: srv, clock: clock, logs: logs}
}

func (e *testEnv) addUser(name string, role domain.Role) domain.User {
	e.t.Helper()
	h, err := auth.HashPassword(testPassword, fastParams)
	require.NoError(e.t, err)
	u := domain.User{Username: name, PasswordHash: h, Role: role, Created: t0}
	require.NoError(e.t, e.db.CreateUser(context.Background(), &u))
	return u
}

// session makes a session for u directly in the store and returns its
// cookie token and CSRF token.
func (e *testEnv) session(u domain.User) (token, csrf string) {
	e.t.Helper()
	token, err := auth.NewToken()
	require.NoError(e.t, err)
	csrf, err = auth.NewToken()
	require.NoError(e.t, err)
	now := e.clock.Now()
	require.NoError(e.t, e.db.CreateSession(context.Background(), store.Session{
		TokenHash: auth.HashToken(token), UserID: u.ID, CSRFToken: csrf,
		Created: now, Expires: now.Add(time.Hour), LastSeen: now,
	}))
	return token, csrf
}

func (e *testEnv) do(req *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w
}

func jsonReq(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func formReq(method, path string, form url.Values) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func withCookie(req *http.Request, token string) *http.Request {
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return req
}

func cookieFrom(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// apiError decodes a JSON error body, failing the test if it has any other
// shape.
func apiError(t *testing.T, w *httptest.ResponseRecorder) errorDetail {
	t.Helper()
	require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"), w.Body.String())
	var body errorBody
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body))
	_, err := dec.Token()
	require.ErrorIs(t, err, io.EOF)
	return body.Error
}

func loginBody(user, pw string) string {
	b, _ := json.Marshal(loginRequest{Username: user, Password: pw})
	return string(b)
}

// testFormToken stands for the pre-session CSRF token a sign-in or setup
// page hands out; publicForm posts a form with it, cookie and field.
const testFormToken = "form-token-for-tests-0123456789abcdef"

func publicForm(path string, form url.Values) *http.Request {
	form.Set(csrfField, testFormToken)
	req := formReq(http.MethodPost, path, form)
	req.AddCookie(&http.Cookie{Name: formCookie, Value: testFormToken})
	return req
}

// openDSN opens another store on the database at dsn, as a second server
// instance would, closed when the test ends.
func openDSN(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}
