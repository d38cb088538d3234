package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/hotlinecoach/coach/domain"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAdminResetLink: an admin makes a one-time link; it opens the form
// once, sets the password, signs the account out everywhere and is then
// gone.
func TestAdminResetLink(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	admin := env.addUser("root", domain.RoleAdmin)
	u := env.addUser("li.na", domain.RoleTrainee)
	userToken, _ := env.session(u)
	token, csrf := env.session(admin)

	w := env.do(withCookie(formReq(http.MethodPost, fmt.Sprintf("/admin/accounts/%d/password", u.ID),
		url.Values{csrfField: {csrf}, "mode": {"link"}}), token))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	m := regexp.MustCompile(`<code>http://[^/]+(/reset\?token=[^<]+)</code>`).FindStringSubmatch(w.Body.String())
	require.NotNil(t, m, w.Body.String())
	link := m[1]

	page := env.do(getReq(link))
	require.Equal(t, http.StatusOK, page.Code)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	require.NotNil(t, tok)
	w = env.do(publicForm("/reset", url.Values{"token": {tok[1]}, "password": {"123456789012"}}))
	assert.Equal(t, http.StatusBadRequest, w.Code, "a weak password is refused, the link stays")
	w = env.do(publicForm("/reset", url.Values{"token": {tok[1]}, "password": {"新的一天新的密码来了"}}))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	assert.Equal(t, http.StatusUnauthorized, env.do(withCookie(getReq("/api/me"), userToken)).Code, "signed out everywhere")
	assert.Equal(t, 200, tryLogin(env, "li.na", "新的一天新的密码来了", "203.0.113.1"))
	assert.Equal(t, http.StatusNotFound, env.do(getReq(link)).Code, "the link works once")
	w = env.do(publicForm("/reset", url.Values{"token": {tok[1]}, "password": {"再换一个新的密码吧好"}}))
	assert.Equal(t, http.StatusNotFound, w.Code)

	es, err := env.db.ListAudit(ctx, store.AuditFilter{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(es), 2)
	assert.Equal(t, "user.password", es[0].Action)
	assert.Equal(t, "user.reset_link", es[1].Action)
	assert.Equal(t, "root", es[1].Actor)
}

// TestTemporaryPassword: a temporary password set by an admin signs in,
// but every page sends the user to change it and the API refuses, until
// they have.
func TestTemporaryPassword(t *testing.T) {
	env, lib := newCallEnv(t)
	admin := env.addUser("root", domain.RoleAdmin)
	u := env.addUser("li.na", domain.RoleTrainee)
	token, csrf := env.session(admin)
	w := env.do(withCookie(formReq(http.MethodPost, fmt.Sprintf("/admin/accounts/%d/password", u.ID),
		url.Values{csrfField: {csrf}, "mode": {"temporary"}, "password": {"临时密码请您尽快修改"}}), token))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())

	w = env.do(jsonReq(http.MethodPost, "/api/login", loginBody("li.na", "临时密码请您尽快修改")))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), `"must_change_password":true`)
	userToken := cookieFrom(w, sessionCookie).Value

	page := env.do(withCookie(getReq("/scenarios"), userToken))
	require.Equal(t, http.StatusSeeOther, page.Code)
	assert.Equal(t, "/account/password", page.Header().Get("Location"))
	w = env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":"`+lib.Scenarios[0].ID+`","mode":"practice"}`), userToken))
	require.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "password_change_required", apiError(t, w).Code)

	page = env.do(withCookie(getReq("/account/password"), userToken))
	require.Equal(t, http.StatusOK, page.Code)
	sess, _, err := env.db.SessionUser(context.Background(), auth.HashToken(userToken))
	require.NoError(t, err)
	change := func(current, next string) int {
		return env.do(withCookie(formReq(http.MethodPost, "/account/password",
			url.Values{csrfField: {sess.CSRFToken}, "current": {current}, "password": {next}}), userToken)).Code
	}
	assert.Equal(t, http.StatusBadRequest, change("wrong-current-pass", "自己选的新密码真是好"))
	assert.Equal(t, http.StatusBadRequest, change("临时密码请您尽快修改", "临时密码请您尽快修改"), "the same again")
	require.Equal(t, http.StatusOK, change("临时密码请您尽快修改", "自己选的新密码真是好"))
	assert.Equal(t, http.StatusOK, env.do(withCookie(getReq("/scenarios"), userToken)).Code, "free to go on")
}

// TestImportAccountsWeb: the admin uploads a CSV; a bad line imports
// nothing and is named; a good file lists the temporary passwords once.
func TestImportAccountsWeb(t *testing.T) {
	env := newEnv(t)
	admin := env.addUser("root", domain.RoleAdmin)
	token, csrf := env.session(admin)
	upload := func(body string) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField(csrfField, csrf))
		fw, err := mw.CreateFormFile("file", "accounts.csv")
		require.NoError(t, err)
		_, err = fw.Write([]byte(body))
		require.NoError(t, err)
		require.NoError(t, mw.Close())
		req := withCookie(httptest.NewRequest(http.MethodPost, "/admin/accounts/import", &buf), token)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return env.do(req)
	}
	resp := upload("username,name,role,team,employee_no\nli.na,李娜,trainee,东区,\nwang,,trainee,东区,\n")
	require.Equal(t, http.StatusBadRequest, resp.Code)
	body := resp.Body.String()
	assert.Contains(t, body, "line 3, name:")
	users, err := env.db.ListUsers(context.Background())
	require.NoError(t, err)
	assert.Len(t, users, 1, "nothing half imported")

	resp = upload("username,name,role,team,employee_no\nli.na,李娜,trainee,东区,HX-1\nwang,王芳,trainer,西区,\n")
	require.Equal(t, http.StatusOK, resp.Code, resp.Body.String())
	body = resp.Body.String()
	assert.Regexp(t, `<td>li.na</td><td>李娜</td><td><code>[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}</code></td>`, body)
	u, err := env.db.UserByUsername(context.Background(), "wang")
	require.NoError(t, err)
	assert.Equal(t, domain.RoleTrainer, u.Role)
	assert.True(t, u.MustChangePassword)
}

// TestRealNamesShown: the real name and employee number appear on the
// trainee's dashboard, their history as a manager sees it, the team
// matrix, the top bar, and the audit log (actor and target).
func TestRealNamesShown(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	admin := env.addUser("root", domain.RoleAdmin)
	adminToken, csrf := env.session(admin)
	mgr := env.addUser("boss", domain.RoleManager)
	mgrToken, _ := env.session(mgr)
	w := env.do(withCookie(formReq(http.MethodPost, "/admin/accounts", url.Values{csrfField: {csrf},
		"username": {"li.na"}, "name": {"李娜"}, "employee_no": {"HX-0042"}, "role": {"trainee"}, "team": {"东区"},
		"password": {testPassword}}), adminToken))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	u, err := env.db.UserByUsername(ctx, "li.na")
	require.NoError(t, err)
	name := "root"
	_, err = env.db.UpdateUser(ctx, admin.ID, store.UserChange{Name: &name}, t0, store.CLI)
	require.NoError(t, err)

	for path, want := range map[string]string{
		fmt.Sprintf("/manage/trainees/%d", u.ID): "HX-0042",
		"/history?user=li.na":                    "李娜 (li.na)",
		"/manage":                                "HX-0042",
	} {
		w := env.do(withCookie(getReq(path), mgrToken))
		require.Equal(t, http.StatusOK, w.Code, path)
		assert.Contains(t, w.Body.String(), "李娜", path)
		assert.Contains(t, w.Body.String(), want, path)
	}
	traineeToken, _ := env.session(u)
	w = env.do(withCookie(getReq("/"), traineeToken))
	assert.Contains(t, w.Body.String(), "李娜")

	w = env.do(withCookie(getReq("/admin/audit"), adminToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "账号 李娜 (li.na) #HX-0042", "the target as people know the account")
	assert.Contains(t, w.Body.String(), "<td>root (root)</td><td class=\"nowrap\">创建账号</td>", "the actor by real name")
	w = env.do(withCookie(getReq("/admin/audit?lang=en"), adminToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "user:李娜 (li.na) #HX-0042")
}
