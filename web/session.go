package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// sessionCookie holds the session token; the store keeps only its hash.
const sessionCookie = "coach_session"

// Keys under which loadSession leaves the signed-in user and session in the
// gin context.
const (
	userKey    = "coach.user"
	sessionKey = "coach.session"
)

// touchEvery limits how often a session's last use is written, so that a
// busy page does not write to the database on every request.
const touchEvery = time.Minute

func currentUser(c *gin.Context) (domain.User, bool) {
	v, ok := c.Get(userKey)
	if !ok {
		return domain.User{}, false
	}
	u, ok := v.(domain.User)
	return u, ok
}

func currentSession(c *gin.Context) (store.Session, bool) {
	v, ok := c.Get(sessionKey)
	if !ok {
		return store.Session{}, false
	}
	sess, ok := v.(store.Session)
	return sess, ok
}

// secure reports whether cookies set on this request must be Secure.
func (s *Server) secure(c *gin.Context) bool {
	return s.cfg.SecureCookies || c.Request.TLS != nil
}

func (s *Server) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection (TLS or Config.SecureCookies): on plain HTTP at 127.0.0.1 a Secure cookie would never come back
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   max(int(expires.Sub(s.cfg.Now()).Seconds()), 1),
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection (TLS or Config.SecureCookies): on plain HTTP at 127.0.0.1 a Secure cookie would never come back
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// sessionExpiry is when a session used at now lapses: after the idle time,
// but never later than its maximum age.
func (s *Server) sessionExpiry(created, now time.Time) time.Time {
	idle := now.Add(s.cfg.SessionIdle)
	if limit := created.Add(s.cfg.SessionMaxAge); limit.Before(idle) {
		return limit
	}
	return idle
}

// loadSession identifies the signed-in user from the session cookie. An
// unknown, expired or disabled session leaves the request anonymous; which
// routes admit anonymous requests is authorize's business.
func (s *Server) loadSession(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err != nil || token == "" {
		c.Next()
		return
	}
	ctx := c.Request.Context()
	hash := auth.HashToken(token)
	sess, user, err := s.store.SessionUser(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		s.clearSessionCookie(c)
		c.Next()
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.cfg.Now()
	if !now.Before(sess.Expires) || user.Disabled {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			s.log.Warn("delete lapsed session", "user", user.ID, "err", err)
		}
		s.clearSessionCookie(c)
		c.Next()
		return
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		expires := s.sessionExpiry(sess.Created, now)
		// A failed touch costs the session some lifetime, not this request.
		if err := s.store.TouchSession(ctx, hash, now, expires); err != nil {
			s.log.Warn("touch session", "user", user.ID, "err", err)
		} else {
			sess.LastSeen, sess.Expires = now, expires
			s.setSessionCookie(c, token, expires)
		}
	}
	c.Set(userKey, user)
	c.Set(sessionKey, sess)
	c.Next()
}
