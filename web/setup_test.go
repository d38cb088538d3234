package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/domain"

	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setupBody(token, user, pw, name string) string {
	return `{"token":"` + token + `","username":"` + user + `","password":"` + pw + `","name":"` + name + `"}`
}

// TestSetupAPI: on a store with no admin the setup token makes the first
// admin once (201 and a session); used, wrong or after an admin, refused,
// and the page is gone. On both databases.
func TestSetupAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEnvOn(t, db)
		ctx := context.Background()
		token, err := env.srv.SetupToken(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, token)
		spare, err := env.srv.SetupToken(ctx)
		require.NoError(t, err)

		assert.Equal(t, http.StatusOK, env.do(getReq("/setup?token="+url.QueryEscape(token))).Code)
		assert.Equal(t, http.StatusNotFound, env.do(getReq("/setup?token=wrong")).Code)
		assert.Equal(t, http.StatusNotFound, env.do(getReq("/setup")).Code)

		w := env.do(jsonReq(http.MethodPost, "/api/setup", setupBody("wrong", "boss", testPassword, "王建国")))
		assert.Equal(t, http.StatusNotFound, w.Code, "a wrong token is refused")
		w = env.do(jsonReq(http.MethodPost, "/api/setup", setupBody(token, "boss", "123456789012", "王建国")))
		require.Equal(t, http.StatusBadRequest, w.Code, "a weak password is refused and the token stays good")
		assert.Equal(t, "bad_password", apiError(t, w).Code)
		w = env.do(jsonReq(http.MethodPost, "/api/setup", setupBody(token, "boss", testPassword, "")))
		require.Equal(t, http.StatusBadRequest, w.Code, "the real name is required")
		assert.Equal(t, "bad_name", apiError(t, w).Code)

		w = env.do(jsonReq(http.MethodPost, "/api/setup", setupBody(token, "Boss", testPassword, "王建国")))
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		ck := cookieFrom(w, sessionCookie)
		require.NotNil(t, ck)
		me := env.do(withCookie(getReq("/api/me"), ck.Value))
		require.Equal(t, http.StatusOK, me.Code)
		assert.Contains(t, me.Body.String(), `"role":"admin"`)
		assert.Contains(t, me.Body.String(), `"name":"王建国"`)

		for _, tok := range []string{token, spare} {
			w = env.do(jsonReq(http.MethodPost, "/api/setup", setupBody(tok, "boss2", testPassword, "李四")))
			assert.Equal(t, http.StatusNotFound, w.Code, "a used token, and every other, is refused")
			assert.Equal(t, http.StatusNotFound, env.do(getReq("/setup?token="+url.QueryEscape(tok))).Code, "/setup is gone")
		}
		again, err := env.srv.SetupToken(ctx)
		require.NoError(t, err)
		assert.Empty(t, again, "no new link once an admin exists")

		entries, err := db.ListAudit(ctx, store.AuditFilter{})
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		assert.Equal(t, "setup.admin", entries[len(entries)-1].Action)
	})
}

// TestSetupPage: the form makes the admin and signs them in; it carries a
// CSRF token, without which it is refused.
func TestSetupPage(t *testing.T) {
	env := newEnv(t)
	token, err := env.srv.SetupToken(context.Background())
	require.NoError(t, err)

	w := env.do(getReq("/setup?token=" + url.QueryEscape(token)))
	require.Equal(t, http.StatusOK, w.Code)
	form := cookieFrom(w, formCookie)
	require.NotNil(t, form)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	require.NotNil(t, m)
	assert.Equal(t, form.Value, m[1])

	values := url.Values{"token": {token}, "name": {"王建国"}, "username": {"boss"}, "password": {testPassword}}
	w = env.do(formReq(http.MethodPost, "/setup", values))
	assert.Equal(t, http.StatusForbidden, w.Code, "no CSRF token")

	values.Set(csrfField, m[1])
	req := formReq(http.MethodPost, "/setup", values)
	req.AddCookie(form)
	w = env.do(req)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, "/", w.Header().Get("Location"))
	require.NotNil(t, cookieFrom(w, sessionCookie))
	assert.Equal(t, http.StatusNotFound, env.do(getReq("/setup?token="+url.QueryEscape(token))).Code)
}

// TestLoginFormCSRF: the sign-in form is refused without the token its
// page set; with it, it signs in.
func TestLoginFormCSRF(t *testing.T) {
	env := newEnv(t)
	env.addUser("li.na", domain.RoleTrainee)
	values := url.Values{"username": {"li.na"}, "password": {testPassword}}
	w := env.do(formReq(http.MethodPost, "/login", values))
	require.Equal(t, http.StatusForbidden, w.Code)
	assert.Nil(t, cookieFrom(w, sessionCookie))

	page := env.do(getReq("/login"))
	form := cookieFrom(page, formCookie)
	require.NotNil(t, form)
	assert.True(t, form.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, form.SameSite)
	assert.True(t, strings.Contains(page.Body.String(), `name="csrf_token" value="`+form.Value+`"`))

	values.Set(csrfField, "another-token-of-the-same-length-000000")
	req := formReq(http.MethodPost, "/login", values)
	req.AddCookie(form)
	require.Equal(t, http.StatusForbidden, env.do(req).Code, "a token that is not the cookie's")

	values.Set(csrfField, form.Value)
	req = formReq(http.MethodPost, "/login", values)
	req.AddCookie(form)
	w = env.do(req)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.NotNil(t, cookieFrom(w, sessionCookie))
}
