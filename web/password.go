package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/store"
)

// passwordRoutes are changing one's own password and the page a reset link
// opens.
func (s *Server) passwordRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/account/password", access: signedIn(), maxBody: smallBody, temporaryOK: true, h: s.passwordPage},
		{method: http.MethodPost, path: "/account/password", access: signedIn(), maxBody: smallBody, temporaryOK: true, h: s.passwordForm},
		{method: http.MethodGet, path: "/reset", access: anyone(), maxBody: smallBody, h: s.resetPage},
		{method: http.MethodPost, path: "/reset", access: anyone(), maxBody: smallBody, h: s.resetForm},
	}
}

// requireFreshPassword sends a user whose password an admin set as
// temporary to the password page (or refuses the API with 403) on every
// route but the few that let them change it or leave.
func (s *Server) requireFreshPassword(c *gin.Context) {
	if u, ok := currentUser(c); ok && u.MustChangePassword {
		if c.Request.Method == http.MethodGet && !isAPI(c.Request.URL.Path) {
			c.Redirect(http.StatusSeeOther, "/account/password")
			c.Abort()
			return
		}
		s.fail(c, &Error{Status: http.StatusForbidden, Code: "password_change_required", Message: "err.password_change_required"})
		return
	}
	c.Next()
}

// passwordView is what the password pages show.
type passwordView struct {
	Required bool
	Token    string
	// Message is a catalogue key shown above the form.
	Message string
	Done    bool
}

// passwordPage is GET /account/password.
func (s *Server) passwordPage(c *gin.Context) error {
	u, _ := currentUser(c)
	s.render(c, http.StatusOK, "password", passwordView{Required: u.MustChangePassword})
	return nil
}

// passwordForm is POST /account/password: the current password and a new
// one. The account's other sessions end.
func (s *Server) passwordForm(c *gin.Context) error {
	u, _ := currentUser(c)
	sess, _ := currentSession(c)
	form := c.Request.PostForm
	err := s.app.ChangeOwnPassword(c.Request.Context(), u, form.Get("current"), form.Get("password"), sess.TokenHash, s.cfg.PasswordParams)
	var refused *app.AccountRefusal
	if errors.As(err, &refused) {
		e := classify(err)
		s.render(c, e.Status, "password", passwordView{Required: u.MustChangePassword, Message: e.Message})
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("password changed", "user", u.ID)
	s.render(c, http.StatusOK, "password", passwordView{Done: true})
	return nil
}

// resetPage is GET /reset?token=…: the form a reset link opens, while the
// link is live.
func (s *Server) resetPage(c *gin.Context) error {
	token := c.Query("token")
	if _, err := s.app.ResetLinkUser(c.Request.Context(), token); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound()
		}
		return err
	}
	s.render(c, http.StatusOK, "password", passwordView{Token: token})
	return nil
}

// resetForm is POST /reset: the link's token and the new password.
func (s *Server) resetForm(c *gin.Context) error {
	form := c.Request.PostForm
	token := form.Get("token")
	u, err := s.app.ResetWithLink(c.Request.Context(), token, form.Get("password"), s.cfg.PasswordParams)
	var refused *app.AccountRefusal
	switch {
	case errors.As(err, &refused):
		e := classify(err)
		s.render(c, e.Status, "password", passwordView{Token: token, Message: e.Message})
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNotFound()
	case err != nil:
		return err
	}
	s.log.Info("password reset with a link", "user", u.ID)
	s.sockets.poll(c.Request.Context())
	s.render(c, http.StatusOK, "login", loginView{Next: "/", Message: "reset.done"})
	return nil
}
