package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOversizedBodyOnEveryRoute walks the route table: a body one byte over
// a route's limit gets 413 on every route, whoever asks, before the route
// looks at anything else; under /api/ the answer is the JSON error.
func TestOversizedBodyOnEveryRoute(t *testing.T) {
	env, _ := newCallEnv(t)
	admin := env.addUser("admin", store.RoleAdmin)
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
	token, csrf := env.session(env.addUser("li", store.RoleTrainee))
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
