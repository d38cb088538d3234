package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// adminRoutes are the admin's account pages.
func (s *Server) adminRoutes() []route {
	admin := rolesOnly(domain.RoleAdmin)
	return []route{
		{method: http.MethodGet, path: "/admin/accounts", access: admin, maxBody: smallBody, h: s.accountsPage},
		{method: http.MethodPost, path: "/admin/accounts", access: admin, maxBody: smallBody, h: s.createAccountForm},
		{method: http.MethodPost, path: "/admin/accounts/:id", access: admin, maxBody: smallBody, h: s.updateAccountForm},
	}
}

// accountsView is the accounts page's view.
type accountsView struct {
	Users []domain.User
	Roles []domain.Role
	// Message is a catalogue key shown above the forms; Username and
	// Team refill the create form after a refusal.
	Message  string
	Username string
	Team     string
	Role     domain.Role
}

func (s *Server) showAccounts(c *gin.Context, status int, v accountsView) error {
	users, err := s.store.ListUsers(c.Request.Context())
	if err != nil {
		return err
	}
	v.Users, v.Roles = users, domain.Roles()
	if v.Role == "" {
		v.Role = domain.RoleTrainee
	}
	s.render(c, status, "accounts", v)
	return nil
}

// accountsPage is GET /admin/accounts: every account with forms to change
// it, and a form to create one.
func (s *Server) accountsPage(c *gin.Context) error {
	return s.showAccounts(c, http.StatusOK, accountsView{})
}

// actorOf is the signed-in user as the audit log names them.
func actorOf(c *gin.Context) store.Actor {
	me, _ := currentUser(c)
	return store.Actor{ID: me.ID, Name: me.Username}
}

// createAccountForm is POST /admin/accounts: a new account with a username,
// role, team and initial password (hashed with argon2id).
func (s *Server) createAccountForm(c *gin.Context) error {
	form := c.Request.PostForm
	v := accountsView{Username: form.Get("username"), Team: form.Get("team"), Role: domain.Role(form.Get("role"))}
	_, err := s.app.CreateAccount(c.Request.Context(), actorOf(c), app.NewAccount{
		Username: v.Username, Role: form.Get("role"), Team: v.Team, Password: form.Get("password"),
	}, s.cfg.PasswordParams)
	var refused *app.AccountRefusal
	if errors.As(err, &refused) {
		v.Message = "err.account_" + refused.Key
		return s.showAccounts(c, http.StatusBadRequest, v)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
	return nil
}

// updateAccountForm is POST /admin/accounts/:id: change role and team, or
// with action=disable / action=enable switch the account off or on. An
// admin cannot disable or demote themselves, so the site never loses its
// last way in by a slip of the mouse.
func (s *Server) updateAccountForm(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	form := c.Request.PostForm
	var ch store.UserChange
	switch form.Get("action") {
	case "disable", "enable":
		off := form.Get("action") == "disable"
		ch.Disabled = &off
	case "update":
		role, err := domain.ParseRole(form.Get("role"))
		if err != nil {
			return errBadRequest(err)
		}
		team := strings.TrimSpace(form.Get("team"))
		ch.Role, ch.Team = &role, &team
	default:
		return errBadRequest(errors.New("action must be update, disable or enable"))
	}
	me, _ := currentUser(c)
	_, err = s.app.UpdateAccount(c.Request.Context(), &me, actorOf(c), id, ch)
	var refused *app.AccountRefusal
	switch {
	case errors.As(err, &refused) && refused.Key == "self":
		return &Error{Status: http.StatusConflict, Code: "self_change", Message: "err.account_self", Err: err}
	case errors.As(err, &refused) && refused.Key == "last_admin":
		return &Error{Status: http.StatusConflict, Code: "last_admin", Message: "err.account_last_admin", Err: err}
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
	return nil
}
