package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNavFollowsRole checks that the top bar links each role to the pages
// it may open, and to no page it may not.
func TestNavFollowsRole(t *testing.T) {
	env := newEnv(t)
	links := []string{"/scenarios", "/history", "/progress", "/disputes/mine", "/author", "/disputes", "/manage", "/admin/accounts", "/admin/audit"}
	want := map[domain.Role][]string{
		domain.RoleTrainee: {"/scenarios", "/history", "/progress", "/disputes/mine"},
		domain.RoleTrainer: {"/scenarios", "/history", "/progress", "/author", "/disputes"},
		domain.RoleManager: {"/scenarios", "/history", "/progress", "/manage"},
		domain.RoleAdmin:   {"/scenarios", "/history", "/progress", "/author", "/disputes", "/admin/accounts", "/admin/audit"},
	}
	for _, role := range domain.Roles() {
		t.Run(string(role), func(t *testing.T) {
			token, _ := env.session(env.addUser("nav-"+string(role), role))
			w := env.do(withCookie(getReq("/"), token))
			require.Equal(t, http.StatusOK, w.Code)
			for _, link := range links {
				shown := strings.Contains(w.Body.String(), `href="`+link+`"`)
				assert.Equal(t, slices.Contains(want[role], link), shown, "link %s for %s", link, role)
				if shown {
					page := env.do(withCookie(getReq(link), token))
					assert.Equal(t, http.StatusOK, page.Code, "%s follows its link to %s", role, link)
				}
			}
		})
	}
}
