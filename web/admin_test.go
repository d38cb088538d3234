package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdminAccounts(t *testing.T) {
	env := newEnv(t)
	admin := env.addUser("root", domain.RoleAdmin)
	token, csrf := env.session(admin)
	post := func(path string, form url.Values) int {
		form.Set(csrfField, csrf)
		return env.do(withCookie(formReq(http.MethodPost, path, form), token)).Code
	}
	ctx := context.Background()

	create := url.Values{"username": {" Zhang.Wei "}, "name": {"张伟"}, "employee_no": {"HX-007"}, "role": {"trainee"}, "team": {"东区一班"}, "password": {"供热热线服务好评如潮呀"}}
	require.Equal(t, http.StatusSeeOther, post("/admin/accounts", create))
	u, err := env.db.UserByUsername(ctx, "zhang.wei")
	require.NoError(t, err)
	assert.Equal(t, domain.RoleTrainee, u.Role)
	assert.Equal(t, "东区一班", u.Team)
	assert.Equal(t, "张伟", u.Name)
	assert.Equal(t, "HX-007", u.EmployeeNo)
	ok, err := auth.VerifyPassword(u.PasswordHash, "供热热线服务好评如潮呀")
	require.NoError(t, err)
	assert.True(t, ok, "the password is stored hashed and verifies")
	assert.NotContains(t, u.PasswordHash, "供热")

	for name, form := range map[string]url.Values{
		"taken":               {"username": {"zhang.wei"}, "name": {"张伟"}, "role": {"trainee"}, "password": {"供热热线服务好评如潮呀"}},
		"no name":             {"username": {"wang"}, "role": {"trainee"}, "password": {"供热热线服务好评如潮呀"}},
		"bad employee number": {"username": {"wang"}, "name": {"王"}, "employee_no": {"no spaces"}, "role": {"trainee"}, "password": {"供热热线服务好评如潮呀"}},
		"weak":                {"username": {"li"}, "role": {"trainee"}, "password": {"123"}},
		"bad name":            {"username": {"a b"}, "role": {"trainee"}, "password": {"供热热线服务好评如潮呀"}},
		"bad role":            {"username": {"wang"}, "role": {"boss"}, "password": {"供热热线服务好评如潮呀"}},
		"long team":           {"username": {"wang"}, "role": {"trainee"}, "team": {string(make([]byte, 101))}, "password": {"供热热线服务好评如潮呀"}},
	} {
		assert.Equal(t, http.StatusBadRequest, post("/admin/accounts", form), name)
	}

	path := fmt.Sprintf("/admin/accounts/%d", u.ID)
	require.Equal(t, http.StatusSeeOther, post(path, url.Values{"action": {"update"}, "role": {"manager"}, "team": {"西区"}}))
	require.Equal(t, http.StatusSeeOther, post(path, url.Values{"action": {"disable"}}))
	u, err = env.db.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.RoleManager, u.Role)
	assert.Equal(t, "西区", u.Team)
	assert.True(t, u.Disabled)
	require.Equal(t, http.StatusSeeOther, post(path, url.Values{"action": {"enable"}}))
	assert.Equal(t, http.StatusBadRequest, post(path, url.Values{"action": {"update"}, "role": {"boss"}}))
	assert.Equal(t, http.StatusBadRequest, post(path, url.Values{"action": {"delete"}}))
	assert.Equal(t, http.StatusNotFound, post("/admin/accounts/99999", url.Values{"action": {"disable"}}))

	self := fmt.Sprintf("/admin/accounts/%d", admin.ID)
	assert.Equal(t, http.StatusConflict, post(self, url.Values{"action": {"disable"}}), "no locking oneself out")
	assert.Equal(t, http.StatusConflict, post(self, url.Values{"action": {"update"}, "role": {"trainee"}, "team": {""}}))
	assert.Equal(t, http.StatusSeeOther, post(self, url.Values{"action": {"update"}, "role": {"admin"}, "team": {"总部"}}))

	page := env.do(withCookie(getReq("/admin/accounts"), token))
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), `data-user="zhang.wei"`)
	assert.Contains(t, page.Body.String(), "西区")

	es, err := env.db.ListAudit(ctx, store.AuditFilter{})
	require.NoError(t, err)
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action+" "+e.Target)
		assert.Equal(t, "root", e.Actor)
	}
	assert.Equal(t, []string{"user.team user:root", "user.enable user:zhang.wei", "user.disable user:zhang.wei",
		"user.team user:zhang.wei", "user.role user:zhang.wei", "user.create user:zhang.wei"}, actions)
}
