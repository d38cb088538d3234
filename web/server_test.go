package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorsAreAnsweredInOneShape(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantCode   string
		wantHTML   bool
	}{
		{"unknown API path", getReq("/api/nothing-here"), 404, "not_found", false},
		{"wrong API method", jsonReq(http.MethodDelete, "/api/login", ""), 405, "method_not_allowed", false},
		{"anonymous API", getReq("/api/me"), 401, "unauthorized", false},
		{"unknown page", getReq("/nothing-here"), 404, "not_found", true},
		{"missing static file", getReq("/static/nope.css"), 404, "not_found", true},
		{"static directory", getReq("/static/"), 404, "not_found", true},
		{"static escape", getReq("/static/../templates/layout.html"), 404, "not_found", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := env.do(tt.req)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantHTML {
				assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
				assert.Contains(t, w.Body.String(), `data-code="`+tt.wantCode+`"`)
				return
			}
			e := apiError(t, w)
			assert.Equal(t, tt.wantCode, e.Code)
			assert.NotEmpty(t, e.Message)
			assert.NotEqual(t, "err."+tt.wantCode, e.Message, "the message is text, not a key")
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{errForbidden(), 403, "forbidden"},
		{store.ErrNotFound, 404, "not_found"},
		{errors.Join(errors.New("context"), store.ErrConflict), 409, "conflict"},
		{store.ErrInvalid, 400, "bad_request"},
		{&http.MaxBytesError{Limit: 10}, 413, "too_large"},
		{context.Canceled, 499, "canceled"},
		{errors.New("disk on fire"), 500, "internal"},
	}
	cat := testTexts(t).messages
	for _, tt := range tests {
		e := classify(tt.err)
		assert.Equal(t, tt.wantStatus, e.Status, tt.err.Error())
		assert.Equal(t, tt.wantCode, e.Code, tt.err.Error())
		_, ok := cat[e.Message]
		assert.True(t, ok, "message key %s is in the catalogue", e.Message)
	}
}

func TestCatalogueIsComplete(t *testing.T) {
	for key, texts := range testTexts(t).messages {
		for _, lang := range []string{langZH, langEN} {
			assert.NotEmpty(t, texts[lang], "%s in %s", key, lang)
		}
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	env := newEnv(t)
	env.srv.engine.GET("/api/test-panic", env.srv.handle(func(*gin.Context) error { panic("boom") }))
	w := env.do(getReq("/api/test-panic"))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	e := apiError(t, w)
	assert.Equal(t, "internal", e.Code)
	assert.NotContains(t, e.Message, "boom", "causes stay in the log")
	assert.Contains(t, env.logs.String(), "boom")
}

func TestHealthzMetricsStatic(t *testing.T) {
	env := newEnv(t)
	// A second server in the same process must not collide on metrics.
	_ = newEnv(t)

	w := env.do(getReq("/healthz"))
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"status":"ok"}`, w.Body.String())

	// Anonymous /metrics on the site's listener is refused: the metrics
	// live on the private listener only.
	w = env.do(getReq("/metrics"))
	require.Equal(t, http.StatusNotFound, w.Code)
	assert.NotContains(t, w.Body.String(), "coach_http_requests_total")
	mw := httptest.NewRecorder()
	env.srv.MetricsHandler().ServeHTTP(mw, getReq("/metrics"))
	require.Equal(t, http.StatusOK, mw.Code)
	body := mw.Body.String()
	assert.Contains(t, body, `coach_http_requests_total{method="GET",route="/healthz",status="200"} 1`)
	assert.Contains(t, body, "go_goroutines")

	w = env.do(getReq("/static/app.css"))
	require.Equal(t, http.StatusOK, w.Code)
	assert.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "text/css"))
	w = env.do(getReq("/static/app.js"))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Header().Get("Content-Type"), "javascript")
	// Every page links the icon; a browser asking for /favicon.ico
	// gets it too, rather than a 404 on each page.
	for _, icon := range []string{"/favicon.ico", "/static/favicon.svg"} {
		iw := env.do(getReq(icon))
		require.Equal(t, http.StatusOK, iw.Code, icon)
		assert.Equal(t, "image/svg+xml", iw.Header().Get("Content-Type"), icon)
		assert.Contains(t, iw.Body.String(), "<svg", icon)
	}

	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		assert.NotEmpty(t, w.Header().Get(h), h)
	}
}

func TestHealthzReportsDeadDatabase(t *testing.T) {
	env := newEnv(t)
	w := env.do(getReq("/healthz"))
	require.Equal(t, http.StatusOK, w.Code)
	require.NoError(t, env.db.Close())
	w = env.do(getReq("/healthz"))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "unavailable", apiError(t, w).Code)
}

// TestServeShutsDownOnCancel runs the real listener and checks that
// cancelling the context stops it cleanly; goleak in TestMain checks that
// nothing is left running.
func TestServeShutsDownOnCancel(t *testing.T) {
	env := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- env.srv.Serve(ctx, ln) }()

	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get("http://" + ln.Addr().String() + "/healthz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ok"}`, string(body))
	client.CloseIdleConnections()

	cancel()
	require.NoError(t, <-done)
	_, err = client.Get("http://" + ln.Addr().String() + "/healthz")
	assert.Error(t, err, "the listener is closed")
	assert.Contains(t, env.logs.String(), "shutting down")
}
