package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrossOriginAPI(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.TrustedOrigins = []string{"https://training.example"} })
	u := env.addUser("li.na", domain.RoleTrainee)

	tests := []struct {
		name       string
		headers    map[string]string
		wantStatus int
	}{
		{"no browser headers (CLI, tests)", nil, 204},
		{"same origin by fetch metadata", map[string]string{"Sec-Fetch-Site": "same-origin"}, 204},
		{"typed into the address bar", map[string]string{"Sec-Fetch-Site": "none"}, 204},
		{"same origin by Origin", map[string]string{"Origin": "http://example.com"}, 204},
		{"cross site by fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"same site, other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://a.example.com"}, 403},
		{"other origin, old browser", map[string]string{"Origin": "https://evil.example"}, 403},
		{"trusted origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://training.example"}, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _ := env.session(u)
			req := withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			w := env.do(req)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantStatus == 403 {
				e := apiError(t, w)
				assert.Equal(t, "cross_origin", e.Code)
				assert.Equal(t, "已拒绝来自其他网站的请求。", e.Message)
			}
		})
	}

	t.Run("cross-site reads are allowed", func(t *testing.T) {
		token, _ := env.session(u)
		req := withCookie(getReq("/api/me"), token)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusOK, env.do(req).Code)
	})

	t.Run("cross-site login refused", func(t *testing.T) {
		req := jsonReq(http.MethodPost, "/api/login", loginBody("li.na", testPassword))
		req.Header.Set("Origin", "https://evil.example")
		w := env.do(req)
		assert.Equal(t, http.StatusForbidden, w.Code)
		assert.Nil(t, cookieFrom(w, sessionCookie))
	})
}

// TestAPIRequiresJSON: without fetch metadata or Origin, a cross-site form
// could still post; it cannot post application/json, so the API refuses
// every other content type.
func TestAPIRequiresJSON(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"} {
		token, _ := env.session(u)
		req := withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token)
		req.Header.Set("Content-Type", ct)
		w := env.do(req)
		assert.Equal(t, http.StatusUnsupportedMediaType, w.Code, "content type %q", ct)
	}
	token, _ := env.session(u)
	req := withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, http.StatusNoContent, env.do(req).Code)
}

func TestFormToken(t *testing.T) {
	env := newEnv(t)
	u := env.addUser("li.na", domain.RoleTrainee)
	other := env.addUser("wang", domain.RoleTrainee)

	tests := []struct {
		name       string
		token      func(mine, theirs string) string
		wantStatus int
	}{
		{"missing", func(_, _ string) string { return "" }, 403},
		{"wrong", func(_, _ string) string { return "not-the-token" }, 403},
		{"another session's", func(_, theirs string) string { return theirs }, 403},
		{"right", func(mine, _ string) string { return mine }, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, mine := env.session(u)
			_, theirs := env.session(other)
			form := url.Values{}
			if v := tt.token(mine, theirs); v != "" {
				form.Set(csrfField, v)
			}
			w := env.do(withCookie(formReq(http.MethodPost, "/logout", form), token))
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantStatus == 403 {
				assert.Contains(t, w.Body.String(), "页面已过期，请刷新后重试。")
				assert.Contains(t, w.Body.String(), `data-code="csrf"`)
			}
		})
	}
}
