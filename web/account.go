package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// login checks a username and password against the rate limits and the
// stored hash and, when they pass, starts a session and sets its cookie.
func (s *Server) login(c *gin.Context, username, password string) (domain.User, error) {
	ctx := c.Request.Context()
	user, err := s.app.Authenticate(ctx, username, password, c.ClientIP(), s.cfg.Login)
	var limited *app.RateLimited
	switch {
	case errors.Is(err, app.ErrBadCredentials):
		s.metrics.logins.WithLabelValues("bad_credentials").Inc()
	case errors.As(err, &limited):
		s.metrics.logins.WithLabelValues("rate_limited").Inc()
	}
	if err != nil {
		return domain.User{}, err
	}
	if err := s.startSession(c, user); err != nil {
		return domain.User{}, err
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	return user, nil
}

// startSession signs user in: a new session and its cookie. A session that
// was there before is ended, so a token planted in the browser beforehand
// cannot ride on this sign-in.
func (s *Server) startSession(c *gin.Context, user domain.User) error {
	ctx := c.Request.Context()
	now := s.cfg.Now()
	if old, had := currentSession(c); had {
		if err := s.endSession(ctx, old); err != nil {
			return err
		}
	}
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return err
	}
	expires := s.sessionExpiry(now, now)
	if err := s.store.CreateSession(ctx, store.Session{
		TokenHash: auth.HashToken(token), UserID: user.ID, CSRFToken: csrf,
		Created: now, Expires: expires, LastSeen: now,
	}); err != nil {
		return err
	}
	s.setSessionCookie(c, token, expires)
	return nil
}

// endSession ends a session everywhere: the store forgets it and logs the
// end, and the sockets it opened on this instance close at once (other
// instances read the log).
func (s *Server) endSession(ctx context.Context, sess store.Session) error {
	if err := s.store.EndSession(ctx, sess.TokenHash, s.cfg.Now()); err != nil {
		return err
	}
	s.sockets.closeSession(sess.UserID, sess.TokenHash)
	return nil
}

// logout ends the request's session, if any, and clears the cookie.
func (s *Server) logout(c *gin.Context) error {
	if sess, ok := currentSession(c); ok {
		if err := s.endSession(c.Request.Context(), sess); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return nil
}

// userJSON is how the API shows an account.
type userJSON struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	Name       string `json:"name"`
	EmployeeNo string `json:"employee_no,omitempty"`
	Role       string `json:"role"`
	Team       string `json:"team"`
	// MustChangePassword: the next step is choosing a new password.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

func toUserJSON(u domain.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Name: u.Name, EmployeeNo: u.EmployeeNo, Role: string(u.Role), Team: u.Team,
		MustChangePassword: u.MustChangePassword}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// apiLogin is POST /api/login: {"username","password"} → 200 {"user"} and
// the session cookie.
func (s *Server) apiLogin(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.login(c, req.Username, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(u)})
	return nil
}

// apiLogout is POST /api/logout → 204.
func (s *Server) apiLogout(c *gin.Context) error {
	if err := s.logout(c); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiMe is GET /api/me: the signed-in account.
func (s *Server) apiMe(c *gin.Context) error {
	u, _ := currentUser(c)
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(u)})
	return nil
}

// loginView is what the login page shows.
type loginView struct {
	Username string
	Next     string
	// Message is a catalogue key, shown above the form when set.
	Message string
}

// loginPage is GET /login. Someone already signed in goes on to where they
// were headed.
func (s *Server) loginPage(c *gin.Context) error {
	next := safeNext(c.Query("next"))
	if _, ok := currentUser(c); ok {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.render(c, http.StatusOK, "login", loginView{Next: next})
	return nil
}

// loginForm is POST /login, the form behind the login page. Expected
// failures show the form again with the message; others go to fail.
func (s *Server) loginForm(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return errBadRequest(err)
	}
	username := c.Request.PostForm.Get("username")
	next := safeNext(c.Request.PostForm.Get("next"))
	_, err := s.login(c, username, c.Request.PostForm.Get("password"))
	if err == nil {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	switch e := classify(err); e.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests:
		s.metrics.errors.WithLabelValues(e.Code).Inc()
		setRetryAfter(c, e)
		s.render(c, e.Status, "login", loginView{Username: username, Next: next, Message: e.Message})
		return nil
	}
	return err
}

// logoutForm is POST /logout, the sign-out button on every page.
func (s *Server) logoutForm(c *gin.Context) error {
	if err := s.logout(c); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

// safeNext returns next if it is a path on this site, else "/", so that the
// login page cannot be used to send people elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// decodeJSON reads one JSON object from the request body into v. Unknown
// fields and trailing data are errors: a misspelt field should fail loudly,
// and the answer names it (code unknown_field); anything else that is not
// one JSON object is bad_json. A body over the limit stays too_large.
func decodeJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return err
	}
	// encoding/json reports an unknown field only in its message.
	if field, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return &Error{Status: http.StatusBadRequest, Code: "unknown_field", Message: "err.unknown_field",
			Field: strings.TrimSuffix(field, `"`), Err: err}
	}
	return &Error{Status: http.StatusBadRequest, Code: "bad_json", Message: "err.bad_json", Err: err}
}
