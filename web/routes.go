package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/domain"
)

// access says who may use a route: anyone, or signed-in users with one of
// the listed roles. There is no role hierarchy; each route names every role
// it admits, so the role matrix can be read straight off the table.
type access struct {
	public bool
	roles  []domain.Role
}

func anyone() access { return access{public: true} }

func rolesOnly(rs ...domain.Role) access { return access{roles: rs} }

func signedIn() access { return rolesOnly(domain.Roles()...) }

// handlerFunc is a handler that returns its error for fail to answer, so
// that errors become responses in one place.
type handlerFunc func(c *gin.Context) error

// route is one entry of the route table.
type route struct {
	method string
	path   string
	access access
	// maxBody caps the request body in bytes.
	maxBody int64
	// noSession skips the session lookup, for routes that never need to
	// know who is asking and must stay cheap (health, metrics, files).
	noSession bool
	// temporaryOK admits a user who must change a temporary password;
	// every other signed-in route sends them to do that first.
	temporaryOK bool
	h           handlerFunc
}

// Body limits. Every route has one; the small one fits a login form.
const (
	smallBody  = 4 << 10
	normalBody = 64 << 10
)

// routeTable lists every route the server answers. A route absent from here
// does not exist; the role matrix test fails when a route is added without
// stating who may use it.
func (s *Server) routeTable() []route {
	return slices.Concat(s.baseRoutes(), s.setupRoutes(), s.passwordRoutes(), s.practiceRoutes(), s.certRoutes(), s.adminRoutes(), s.authorRoutes(), s.reviewRoutes(), s.disputeRoutes(), s.deskRoutes())
}

// baseRoutes are health, files, sign-in and the calls API. Metrics are not
// among them: MetricsHandler serves them on a private listener.
func (s *Server) baseRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/healthz", access: anyone(), maxBody: smallBody, noSession: true, h: s.healthz},
		{method: http.MethodGet, path: "/static/*file", access: anyone(), maxBody: smallBody, noSession: true, h: s.staticFile},
		// Browsers ask for /favicon.ico whatever the page links to.
		{method: http.MethodGet, path: "/favicon.ico", access: anyone(), maxBody: smallBody, noSession: true, h: s.favicon},

		{method: http.MethodGet, path: "/login", access: anyone(), maxBody: smallBody, h: s.loginPage},
		{method: http.MethodPost, path: "/login", access: anyone(), maxBody: smallBody, h: s.loginForm},
		{method: http.MethodPost, path: "/logout", access: signedIn(), maxBody: smallBody, temporaryOK: true, h: s.logoutForm},
		{method: http.MethodGet, path: "/", access: signedIn(), maxBody: smallBody, h: s.home},

		{method: http.MethodPost, path: "/api/login", access: anyone(), maxBody: smallBody, h: s.apiLogin},
		{method: http.MethodPost, path: "/api/logout", access: signedIn(), maxBody: smallBody, temporaryOK: true, h: s.apiLogout},
		{method: http.MethodGet, path: "/api/me", access: signedIn(), maxBody: smallBody, temporaryOK: true, h: s.apiMe},

		// Everyone may practise; per-object rules (a trainee sees only
		// their own calls, a socket only its owner) are the handlers'.
		{method: http.MethodGet, path: "/api/scenarios", access: signedIn(), maxBody: smallBody, h: s.apiScenarios},
		{method: http.MethodPost, path: "/api/calls", access: signedIn(), maxBody: smallBody, h: s.apiStartCall},
		{method: http.MethodGet, path: "/api/calls/:id", access: signedIn(), maxBody: smallBody, h: s.apiCall},
		{method: http.MethodGet, path: "/api/calls/:id/ws", access: signedIn(), maxBody: smallBody, h: s.callSocket},
	}
}

// RouteInfo describes a route: its method, path pattern, who may use it
// and the largest request body it takes.
type RouteInfo struct {
	Method  string
	Path    string
	Public  bool
	Roles   []domain.Role
	MaxBody int64
}

// Routes lists the route table, for tests and documentation.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteInfo{Method: rt.method, Path: rt.path, Public: rt.access.public, Roles: slices.Clone(rt.access.roles), MaxBody: rt.maxBody})
	}
	return out
}

func (s *Server) buildEngine() (*gin.Engine, error) {
	e := gin.New()
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	e.Use(s.recoverPanics, s.observe, securityHeaders, s.chooseLang, s.crossOrigin)
	e.NoRoute(func(c *gin.Context) { s.fail(c, errNotFound()) })
	e.NoMethod(func(c *gin.Context) { s.fail(c, newError(http.StatusMethodNotAllowed, "method_not_allowed")) })
	for _, rt := range s.routes {
		if !rt.access.public && len(rt.access.roles) == 0 {
			return nil, fmt.Errorf("route %s %s admits nobody", rt.method, rt.path)
		}
		if rt.maxBody <= 0 {
			return nil, fmt.Errorf("route %s %s has no body limit", rt.method, rt.path)
		}
		chain := []gin.HandlerFunc{s.limitBody(rt.maxBody)}
		if !rt.noSession {
			chain = append(chain, s.loadSession)
		}
		chain = append(chain, s.authorize(rt.access))
		if !rt.access.public && !rt.temporaryOK {
			chain = append(chain, s.requireFreshPassword)
		}
		chain = append(chain, s.checkCSRF(rt.access), s.handle(rt.h))
		e.Handle(rt.method, rt.path, chain...)
	}
	return e, nil
}

// handle adapts a handlerFunc to gin, sending its error to fail.
func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}
