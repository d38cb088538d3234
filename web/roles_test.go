package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantAccess is the role matrix: for every route, who may use it. It is
// written out here, apart from the route table, so that a route declared
// with the wrong roles fails this test, and a route added without an entry
// here fails it too.
var wantAccess = map[string]string{
	"GET /healthz":                      "anyone",
	"GET /setup":                        "anyone",
	"GET /reset":                        "anyone",
	"POST /reset":                       "anyone",
	"GET /account/password":             "trainee trainer manager admin",
	"POST /account/password":            "trainee trainer manager admin",
	"POST /admin/accounts/:id/password": "admin",
	"POST /admin/accounts/import":       "admin",
	"POST /admin/logins/unlock":         "admin",
	"POST /setup":                       "anyone",
	"POST /api/setup":                   "anyone",
	"GET /static/*file":                 "anyone",
	"GET /favicon.ico":                  "anyone",
	"GET /login":                        "anyone",
	"POST /login":                       "anyone",
	"POST /logout":                      "trainee trainer manager admin",
	"GET /":                             "trainee trainer manager admin",
	"POST /api/login":                   "anyone",
	"POST /api/logout":                  "trainee trainer manager admin",
	"GET /api/me":                       "trainee trainer manager admin",
	"GET /api/scenarios":                "trainee trainer manager admin",
	"POST /api/calls":                   "trainee trainer manager admin",
	"GET /api/calls/:id":                "trainee trainer manager admin",
	"GET /api/calls/:id/ws":             "trainee trainer manager admin",

	"GET /scenarios":                      "trainee trainer manager admin",
	"POST /calls":                         "trainee trainer manager admin",
	"GET /calls/:id":                      "trainee trainer manager admin",
	"GET /calls/:id/scorecard":            "trainee trainer manager admin",
	"GET /history":                        "trainee trainer manager admin",
	"GET /tickets":                        "trainee trainer manager admin",
	"GET /manage":                         "manager",
	"GET /manage/export.csv":              "manager",
	"GET /manage/trainees/:id":            "manager",
	"POST /manage/trainees/:id/decisions": "manager",
	"POST /manage/assignments":            "manager",
	"GET /api/xapi/statements":            "manager",
	"GET /progress":                       "trainee trainer manager admin",
	"GET /certificates/:user/:track":      "trainee trainer manager admin",
	"GET /admin/accounts":                 "admin",
	"POST /admin/accounts":                "admin",
	"POST /admin/accounts/:id":            "admin",
	"GET /author":                         "trainer admin",
	"GET /author/new":                     "trainer admin",
	"GET /author/tester":                  "trainer admin",
	"GET /author/:kind/:id":               "trainer admin",
	"GET /author/:kind/:id/history":       "trainer admin",
	"GET /author/:kind/:id/export":        "trainer admin",
	"POST /author/:kind/:id/publish":      "trainer admin",
	"POST /author/:kind/:id/retire":       "trainer admin",
	"POST /author/:kind/:id/clone":        "trainer admin",
	"POST /author/:kind/:id/play":         "trainer admin",
	"GET /author/:kind/:id/review":        "trainer admin",
	"POST /author/:kind/:id/confirm":      "trainer admin",
	"POST /author/:kind/:id/abandon":      "trainer admin",
	"POST /api/author/validate":           "trainer admin",
	"POST /api/author/save":               "trainer admin",
	"POST /api/author/golden":             "trainer admin",
	"POST /api/author/match":              "trainer admin",
	"POST /api/author/import":             "trainer admin",
	"GET /admin/audit":                    "admin",

	"GET /calls/:id/dispute":     "trainee",
	"POST /calls/:id/dispute":    "trainee",
	"GET /disputes/mine":         "trainee",
	"GET /disputes":              "trainer admin",
	"POST /disputes/:did/uphold": "trainer admin",
	"POST /disputes/:did/reject": "trainer admin",
	"GET /eval-cases.yaml":       "trainer admin",
}

// matrixPath fills a route pattern's parameters with plausible values.
func matrixPath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			parts[i] = "x"
		case p == "*file":
			parts[i] = "app.css"
		}
	}
	return strings.Join(parts, "/")
}

func TestRoleMatrix(t *testing.T) {
	env := newEnv(t)
	users := map[domain.Role]domain.User{}
	for _, r := range domain.Roles() {
		users[r] = env.addUser("user-"+string(r), r)
	}

	routes := env.srv.Routes()
	var declared []string
	for _, rt := range routes {
		declared = append(declared, rt.Method+" "+rt.Path)
	}
	var expected []string
	for k := range wantAccess {
		expected = append(expected, k)
	}
	slices.Sort(declared)
	slices.Sort(expected)
	require.Equal(t, expected, declared, "every route needs a row in wantAccess, and every row a route")

	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		want := wantAccess[key]
		if want == "anyone" {
			assert.True(t, rt.Public, "%s should be public", key)
		} else {
			var got []string
			for _, r := range rt.Roles {
				got = append(got, string(r))
			}
			assert.ElementsMatch(t, strings.Fields(want), got, "%s roles", key)
		}

		for _, who := range []string{"anonymous", "trainee", "trainer", "manager", "admin"} {
			t.Run(key+" as "+who, func(t *testing.T) {
				path := matrixPath(rt.Path)
				api := isAPI(path)
				var req *http.Request
				token, csrf := "", ""
				if who != "anonymous" {
					token, csrf = env.session(users[domain.Role(who)])
				}
				switch {
				case rt.Method == http.MethodGet:
					req = getReq(path)
				case api:
					req = jsonReq(rt.Method, path, `{}`)
				case rt.Public:
					// Public forms carry the pre-session token.
					req = publicForm(path, url.Values{})
				default:
					req = formReq(rt.Method, path, url.Values{csrfField: {csrf}})
				}
				if token != "" {
					req = withCookie(req, token)
				}
				w := env.do(req)

				allowed := want == "anyone" || slices.Contains(strings.Fields(want), who)
				switch {
				case allowed:
					assert.NotContains(t, []int{401, 403}, w.Code, w.Body.String())
					assert.False(t, strings.HasPrefix(w.Header().Get("Location"), "/login?next="), "sent to login")
				case who == "anonymous" && rt.Method == http.MethodGet && !api:
					assert.Equal(t, http.StatusSeeOther, w.Code)
					assert.Equal(t, "/login?next="+url.QueryEscape(path), w.Header().Get("Location"))
				case who == "anonymous":
					assert.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
				default:
					assert.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
				}
			})
		}
	}
}
