package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web/auth"
)

// adminRoutes are the admin's account pages.
func (s *Server) adminRoutes() []route {
	admin := rolesOnly(store.RoleAdmin)
	return []route{
		{method: http.MethodGet, path: "/admin/accounts", access: admin, maxBody: smallBody, h: s.accountsPage},
		{method: http.MethodPost, path: "/admin/accounts", access: admin, maxBody: smallBody, h: s.createAccountForm},
		{method: http.MethodPost, path: "/admin/accounts/:id", access: admin, maxBody: smallBody, h: s.updateAccountForm},
	}
}

// accountsView is the accounts page's view.
type accountsView struct {
	Users []store.User
	Roles []store.Role
	// Message is a catalogue key shown above the forms; Username and
	// Team refill the create form after a refusal.
	Message  string
	Username string
	Team     string
	Role     store.Role
}

func (s *Server) showAccounts(c *gin.Context, status int, v accountsView) error {
	users, err := s.store.ListUsers(c.Request.Context())
	if err != nil {
		return err
	}
	v.Users, v.Roles = users, store.Roles()
	if v.Role == "" {
		v.Role = store.RoleTrainee
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
	v := accountsView{Username: form.Get("username"), Team: form.Get("team"), Role: store.Role(form.Get("role"))}
	refuse := func(key string) error {
		v.Message = key
		return s.showAccounts(c, http.StatusBadRequest, v)
	}
	name, err := auth.NormalizeUsername(v.Username)
	if err != nil {
		return refuse("err.account_username")
	}
	role, err := store.ParseRole(form.Get("role"))
	if err != nil {
		return refuse("err.account_role")
	}
	team, err := store.CleanTeam(v.Team)
	if err != nil {
		return refuse("err.account_team")
	}
	password := form.Get("password")
	if err := auth.CheckPassword(name, password); err != nil {
		return refuse("err.account_password")
	}
	hash, err := auth.HashPassword(password, s.cfg.PasswordParams)
	if err != nil {
		return err
	}
	u := store.User{Username: name, PasswordHash: hash, Role: role, Team: team, Created: s.cfg.Now()}
	if err := s.store.CreateUserBy(c.Request.Context(), &u, actorOf(c)); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return refuse("err.account_taken")
		}
		return err
	}
	s.log.Info("account created", "user", u.ID, "role", role, "by", actorOf(c).ID)
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
	case "unlock":
		// Lets the account sign in again from every address it was
		// throttled at.
		u, err := s.store.UserByID(c.Request.Context(), id)
		if err != nil {
			return err
		}
		if _, err := s.logins.Unlock(c.Request.Context(), u.Username, actorOf(c)); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/admin/accounts")
		return nil
	case "disable", "enable":
		off := form.Get("action") == "disable"
		ch.Disabled = &off
	case "update":
		role, err := store.ParseRole(form.Get("role"))
		if err != nil {
			return errBadRequest(err)
		}
		team := strings.TrimSpace(form.Get("team"))
		ch.Role, ch.Team = &role, &team
	default:
		return errBadRequest(errors.New("action must be update, disable, enable or unlock"))
	}
	me, _ := currentUser(c)
	if id == me.ID && ((ch.Disabled != nil && *ch.Disabled) || (ch.Role != nil && *ch.Role != store.RoleAdmin)) {
		return &Error{Status: http.StatusConflict, Code: "self_change", Message: "err.account_self"}
	}
	if _, err := s.store.UpdateUser(c.Request.Context(), id, ch, s.cfg.Now(), actorOf(c)); err != nil {
		return err
	}
	// A disabled account or a new role ended the account's sessions; the
	// log of ended sessions says so, and reading it now closes their
	// sockets here at once.
	s.sockets.poll(c.Request.Context())
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
	return nil
}
