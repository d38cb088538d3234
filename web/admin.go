package web

import (
	"errors"
	"net/http"
	"net/url"
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
		{method: http.MethodPost, path: "/admin/accounts/:id/password", access: admin, maxBody: smallBody, h: s.resetPasswordForm},
		{method: http.MethodPost, path: "/admin/accounts/import", access: admin, maxBody: importBody, h: s.importAccountsForm},
		{method: http.MethodPost, path: "/admin/logins/unlock", access: admin, maxBody: smallBody, h: s.unlockAddressForm},
	}
}

// importBody bounds an uploaded accounts CSV with its form.
const importBody = 1 << 20

// accountsView is the accounts page's view.
type accountsView struct {
	Users []domain.User
	Roles []domain.Role
	// Message is a catalogue key shown above the forms; Detail, when set,
	// follows it (the lines an import refused). Username, Name, Team,
	// EmployeeNo and Role refill the create form after a refusal.
	Message    string
	Detail     []string
	Username   string
	Name       string
	Team       string
	EmployeeNo string
	Role       domain.Role
	// ResetFor and ResetLink show a reset link made just now, once.
	ResetFor  string
	ResetLink string
	// Imported lists the accounts an import made just now, with their
	// temporary passwords, shown once.
	Imported []app.Imported
	// Throttles are the sign-in limits in force, which the admin may lift.
	Throttles []app.Throttle
}

func (s *Server) showAccounts(c *gin.Context, status int, v accountsView) error {
	var err error
	if v.Users, v.Throttles, err = s.app.Accounts(c.Request.Context(), s.cfg.Login); err != nil {
		return err
	}
	v.Roles = domain.Roles()
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
// real name, role, team, optional employee number and initial password
// (hashed with argon2id), under the same rules as the command line.
func (s *Server) createAccountForm(c *gin.Context) error {
	form := c.Request.PostForm
	v := accountsView{Username: form.Get("username"), Name: form.Get("name"), Team: form.Get("team"),
		EmployeeNo: form.Get("employee_no"), Role: domain.Role(form.Get("role"))}
	_, err := s.app.CreateAccount(c.Request.Context(), actorOf(c), app.NewAccount{
		Username: v.Username, Name: v.Name, Role: form.Get("role"), Team: v.Team, EmployeeNo: v.EmployeeNo,
		Password: form.Get("password"),
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

// resetPasswordForm is POST /admin/accounts/:id/password: with
// mode=link a one-time link with which the person chooses a new password
// (shown to the admin once, to hand over); with mode=temporary the given
// password, which the person must change at the next sign-in. Either way
// the account's sessions end.
func (s *Server) resetPasswordForm(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, form := c.Request.Context(), c.Request.PostForm
	switch form.Get("mode") {
	case "link":
		u, token, err := s.app.ResetLink(ctx, actorOf(c), id)
		if err != nil {
			return err
		}
		link := (&url.URL{Scheme: scheme(c), Host: c.Request.Host, Path: "/reset", RawQuery: "token=" + url.QueryEscape(token)}).String()
		return s.showAccounts(c, http.StatusOK, accountsView{ResetFor: u.DisplayName(), ResetLink: link})
	case "temporary":
		_, err := s.app.SetPassword(ctx, actorOf(c), id, form.Get("password"), true, s.cfg.PasswordParams)
		var refused *app.AccountRefusal
		if errors.As(err, &refused) {
			return s.showAccounts(c, http.StatusBadRequest, accountsView{Message: "err.account_password"})
		}
		if err != nil {
			return err
		}
		s.sockets.poll(ctx)
		c.Redirect(http.StatusSeeOther, "/admin/accounts")
		return nil
	}
	return errBadRequest(errors.New("mode must be link or temporary"))
}

// importAccountsForm is POST /admin/accounts/import: accounts from an
// uploaded CSV (username,name,role,team,employee_no). Any refused line is
// listed and nothing is imported; otherwise the page lists each new
// account's temporary password once.
func (s *Server) importAccountsForm(c *gin.Context) error {
	file, _, err := c.Request.FormFile("file")
	if err != nil {
		return s.showAccounts(c, http.StatusBadRequest, accountsView{Message: "admin.import_nofile"})
	}
	defer file.Close()
	made, err := s.app.ImportAccounts(c.Request.Context(), actorOf(c), file, s.cfg.PasswordParams)
	var ie *app.ImportError
	if errors.As(err, &ie) {
		v := accountsView{Message: "admin.import_refused"}
		for _, l := range ie.Lines {
			v.Detail = append(v.Detail, l.Error())
		}
		return s.showAccounts(c, http.StatusBadRequest, v)
	}
	if err != nil {
		return err
	}
	s.log.Info("accounts imported", "count", len(made), "by", actorOf(c).ID)
	return s.showAccounts(c, http.StatusOK, accountsView{Message: "admin.import_done", Imported: made})
}

// unlockAddressForm is POST /admin/logins/unlock: lift an address's
// sign-in limit (a call centre's NAT after a burst of typos), audited.
func (s *Server) unlockAddressForm(c *gin.Context) error {
	if _, err := s.app.UnlockAddress(c.Request.Context(), c.Request.PostForm.Get("address"), actorOf(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
	return nil
}

// scheme is the request's scheme as the browser sees it.
func scheme(c *gin.Context) string {
	if c.Request.TLS != nil {
		return "https"
	}
	return "http"
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
		if _, err := s.app.UnlockLogins(c.Request.Context(), id, actorOf(c)); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/admin/accounts")
		return nil
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
		// Absent fields stay as they are; present and empty clears them.
		if v, ok := form["name"]; ok {
			ch.Name = &v[0]
		}
		if v, ok := form["employee_no"]; ok {
			ch.EmployeeNo = &v[0]
		}
	default:
		return errBadRequest(errors.New("action must be update, disable, enable or unlock"))
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
	// A disabled account or a new role ended the account's sessions; the
	// log of ended sessions says so, and reading it now closes their
	// sockets here at once.
	s.sockets.poll(c.Request.Context())
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
	return nil
}
