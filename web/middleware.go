package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/auth"
)

// recoverPanics turns a panicking handler into a 500 answer and a logged
// stack, keeping the server up.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(r) // net/http's way to abort a response; not a fault
		}
		s.log.Error("panic in handler", "path", c.Request.URL.Path, "panic", r, "stack", string(debug.Stack()))
		s.fail(c, fmt.Errorf("panic: %v", r))
	}()
	c.Next()
}

// observe logs every request and counts it in the metrics.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())

	level := slog.LevelInfo
	switch {
	case status >= 500 && c.Writer.Header().Get("Retry-After") == "":
		level = slog.LevelError
	case route == "/healthz" || route == "/metrics" || route == "/static/*file":
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.Duration("duration", elapsed),
		slog.String("ip", c.ClientIP()),
	}
	if u, ok := currentUser(c); ok {
		attrs = append(attrs, slog.Int64("user", u.ID))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// contentSecurityPolicy admits only the site's own scripts, styles and
// connections (websockets included), so injected markup cannot run.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// hsts tells browsers to use HTTPS only for a year, on TLS answers only: on
// plain HTTP the header would be ignored, or pin a site that cannot keep it.
const hsts = "max-age=31536000; includeSubDomains"

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	if c.Request.TLS != nil {
		h.Set("Strict-Transport-Security", hsts)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Next()
}

// crossOrigin refuses state-changing requests a browser makes on behalf of
// another site, judged by Sec-Fetch-Site or Origin against Host. Requests
// without either header (the CLI, tests, the load generator) pass.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.fail(c, errCrossOrigin(err))
		return
	}
	c.Next()
}

// limitBody caps how much of a request body a handler can read. A body
// declared larger than the cap is refused before anything else runs, also
// on routes whose handlers never read it, so that every route answers an
// oversized request alike.
func (s *Server) limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			s.fail(c, &http.MaxBytesError{Limit: n})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// authorize admits the route's roles. An anonymous browser asking for a page
// is sent to the login page; anything else anonymous gets 401, and a
// signed-in user without the role 403.
func (s *Server) authorize(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.public {
			c.Next()
			return
		}
		u, ok := currentUser(c)
		if !ok {
			if c.Request.Method == http.MethodGet && !isAPI(c.Request.URL.Path) {
				c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			s.fail(c, errUnauthorized())
			return
		}
		if !slices.Contains(a.roles, u.Role) {
			s.fail(c, errForbidden())
			return
		}
		c.Next()
	}
}

// csrfField is the form field carrying the session's CSRF token.
const csrfField = "csrf_token"

// formCookie holds the CSRF token of the forms shown before signing in.
const formCookie = "coach_form"

// formToken returns the pre-session CSRF token of the browser, setting
// the cookie that holds it when there is none yet.
func (s *Server) formToken(c *gin.Context) (string, error) {
	if v, err := c.Cookie(formCookie); err == nil && len(v) >= 32 && len(v) <= 64 {
		return v, nil
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection, as for the session cookie
		Name: formCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(c), SameSite: http.SameSiteStrictMode,
	})
	return token, nil
}

// checkCSRF backs the cross-origin check with a second, independent one for
// browsers that send neither Sec-Fetch-Site nor Origin. A state-changing API
// request must be application/json, which a cross-site form cannot send
// without a CORS preflight the server never grants. A form posted to a
// signed-in route must carry the session's token. Public forms (sign-in,
// setup) have no session yet: they carry the token of the formCookie the
// page set (a double-submit token), which another site can neither read
// nor set.
func (s *Server) checkCSRF(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if isAPI(c.Request.URL.Path) {
			mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
			if err != nil || mt != "application/json" {
				s.fail(c, newError(http.StatusUnsupportedMediaType, "unsupported_media_type"))
				return
			}
			c.Next()
			return
		}
		err := c.Request.ParseForm()
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); err == nil && mt == "multipart/form-data" {
			// A file upload; the route's body limit bounds it.
			err = c.Request.ParseMultipartForm(importBody)
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.fail(c, err)
			} else {
				s.fail(c, errBadRequest(err))
			}
			return
		}
		got := c.Request.PostForm.Get(csrfField)
		want := ""
		if sess, ok := currentSession(c); ok && !a.public {
			want = sess.CSRFToken
		} else if a.public {
			want, _ = c.Cookie(formCookie)
		}
		if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.fail(c, newError(http.StatusForbidden, "csrf"))
			return
		}
		c.Next()
	}
}
