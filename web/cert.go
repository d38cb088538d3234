package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
)

// Who sees what on the certification and dashboard pages: a manager sees
// every team (a hotline's managers cover for each other, and teams are
// plain labels on accounts, not a hierarchy), and only a manager signs off,
// suspends or reinstates. A trainee sees their own progress and their own
// certificate. An admin runs accounts, not training, and has no dashboard.
func (s *Server) certRoutes() []route {
	manager := rolesOnly(domain.RoleManager)
	return []route{
		{method: http.MethodGet, path: "/manage", access: manager, maxBody: smallBody, h: s.matrixPage},
		{method: http.MethodGet, path: "/manage/export.csv", access: manager, maxBody: smallBody, h: s.matrixCSV},
		{method: http.MethodGet, path: "/manage/trainees/:id", access: manager, maxBody: smallBody, h: s.traineePage},
		{method: http.MethodPost, path: "/manage/trainees/:id/decisions", access: manager, maxBody: smallBody, h: s.decisionForm},
		{method: http.MethodPost, path: "/manage/assignments", access: manager, maxBody: smallBody, h: s.assignmentForm},
		{method: http.MethodGet, path: "/api/xapi/statements", access: manager, maxBody: smallBody, h: s.xapiStatements},
		{method: http.MethodGet, path: "/progress", access: signedIn(), maxBody: smallBody, h: s.progressPage},
		{method: http.MethodGet, path: "/certificates/:user/:track", access: signedIn(), maxBody: smallBody, h: s.certificatePage},
	}
}

// pathID parses a numeric path parameter; anything else is not found.
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound()
	}
	return id, nil
}

// decisionForm is POST /manage/trainees/:id/decisions: a manager signs
// off, suspends or reinstates a trainee's certificate on a track, with a
// comment. The rules of package cert decide whether it is allowed.
func (s *Server) decisionForm(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	form := c.Request.PostForm
	t, ok := s.app.Track(ctx, form.Get("track"))
	if !ok {
		return errBadRequest(errors.New("unknown track"))
	}
	action, err := domain.ParseCertAction(form.Get("action"))
	if err != nil {
		return err
	}
	me, _ := currentUser(c)
	if _, err := s.app.Decide(ctx, me, id, t, action, form.Get("comment")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage/trainees/"+strconv.FormatInt(id, 10))
	return nil
}

// assignmentForm is POST /manage/assignments: assign a track to a team, or
// with op=unassign take it away.
func (s *Server) assignmentForm(c *gin.Context) error {
	form := c.Request.PostForm
	op := form.Get("op")
	if op != "assign" && op != "unassign" {
		return errBadRequest(errors.New("op must be assign or unassign"))
	}
	team, err := s.app.AssignTrack(c.Request.Context(), actorOf(c), form.Get("team"), form.Get("track"), op == "assign")
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage?team="+url.QueryEscape(team))
	return nil
}

// progressView is the progress page's view.
type progressView struct {
	Tracks []app.TrackStanding
	UserID int64
}

// progressPage is GET /progress: the signed-in user's standing on the
// tracks of their team.
func (s *Server) progressPage(c *gin.Context) error {
	me, _ := currentUser(c)
	ps, err := s.app.TrackStatus(c.Request.Context(), me)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "progress", progressView{Tracks: ps, UserID: me.ID})
	return nil
}

// certificatePage is GET /certificates/:user/:track: the printable
// certificate of a certified trainee (App.Certificate).
func (s *Server) certificatePage(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	me, _ := currentUser(c)
	v, err := s.app.Certificate(c.Request.Context(), me, id, c.Param("track"))
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "certificate", v)
	return nil
}

// errCertRefused turns a refusal of the certification rules into what the
// manager is told.
func errCertRefused(err error) *Error {
	key := "err.cert_refused"
	status := http.StatusConflict
	switch {
	case errors.Is(err, cert.ErrNotSigner):
		status, key = http.StatusForbidden, "err.cert_not_signer"
	case errors.Is(err, cert.ErrCommentRequired):
		status, key = http.StatusBadRequest, "err.cert_comment"
	case errors.Is(err, cert.ErrExamsNotPassed):
		key = "err.cert_exams"
	case errors.Is(err, cert.ErrNotCertified):
		key = "err.cert_not_certified"
	case errors.Is(err, cert.ErrNotSuspended):
		key = "err.cert_not_suspended"
	}
	return &Error{Status: status, Code: "cert_refused", Message: key, Err: err}
}
