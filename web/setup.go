package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/hotlinecoach/coach/domain"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/store"
)

// First run: on a store with no admin, coach serve prints a one-time link
// to /setup?token=…, whose page creates the first admin and signs them in.
// With an admin there, or without a live token, /setup is not found.

// setupRoutes are the first-run page and its API.
func (s *Server) setupRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/setup", access: anyone(), maxBody: smallBody, h: s.setupPage},
		{method: http.MethodPost, path: "/setup", access: anyone(), maxBody: smallBody, h: s.setupForm},
		{method: http.MethodPost, path: "/api/setup", access: anyone(), maxBody: smallBody, h: s.apiSetup},
	}
}

// SetupToken returns a new one-time setup token when the store has no
// admin, and "" when it has one; coach serve prints the link.
func (s *Server) SetupToken(ctx context.Context) (string, error) { return s.app.BeginSetup(ctx) }

// setupView is what the setup page shows.
type setupView struct {
	Token    string
	Name     string
	Username string
	// Message is a catalogue key, shown above the form when set.
	Message string
}

// setupPage is GET /setup?token=…: the form, while the token is live.
func (s *Server) setupPage(c *gin.Context) error {
	token := c.Query("token")
	ok, err := s.app.SetupValid(c.Request.Context(), token)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound()
	}
	s.render(c, http.StatusOK, "setup", setupView{Token: token})
	return nil
}

// setupForm is POST /setup: the form behind the setup page. A refused field
// shows the form again; the token stays live until an admin is made.
func (s *Server) setupForm(c *gin.Context) error {
	form := c.Request.PostForm
	v := setupView{Token: form.Get("token"), Name: form.Get("name"), Username: form.Get("username")}
	_, err := s.completeSetup(c, v.Token, form.Get("username"), form.Get("password"), form.Get("name"))
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/")
		return nil
	}
	var refused *app.AccountRefusal
	if errors.As(err, &refused) {
		e := classify(err)
		v.Message = e.Message
		s.render(c, e.Status, "setup", v)
		return nil
	}
	return err
}

type setupRequest struct {
	Token    string `json:"token"`
	Username string `json:"username"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// apiSetup is POST /api/setup: {"token","username","password","name"} →
// 201 {"user"} and the session cookie of the new admin.
func (s *Server) apiSetup(c *gin.Context) error {
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.completeSetup(c, req.Token, req.Username, req.Password, req.Name)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"user": toUserJSON(u)})
	return nil
}

// completeSetup makes the first admin with the token and signs them in. A
// wrong, used or expired token is not found, as the page is.
func (s *Server) completeSetup(c *gin.Context, token, username, password, name string) (domain.User, error) {
	u, err := s.app.CompleteSetup(c.Request.Context(), token, app.NewAccount{Username: username, Password: password, Name: name}, s.cfg.PasswordParams)
	if errors.Is(err, store.ErrNotFound) {
		return domain.User{}, errNotFound()
	}
	if err != nil {
		return domain.User{}, err
	}
	if err := s.startSession(c, u); err != nil {
		return domain.User{}, err
	}
	return u, nil
}
