package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
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

// trackProgress is a user's standing on one track assigned to their team.
type trackProgress struct {
	Track  *scenarios.Track
	Status cert.Status
	// Titles maps the track's scenario ids to their titles.
	Titles map[string]string
}

// Certified reports whether the user holds a valid, unsuspended
// certificate on the track.
func (p trackProgress) Certified() bool { return p.Status.State == cert.Certified }

// trackStatus returns the user's standing on every track assigned to their
// team (app.TrackStatus), with the scenarios' titles.
func (s *Server) trackStatus(ctx context.Context, u domain.User) ([]trackProgress, error) {
	standings, err := s.app.TrackStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	titles := s.app.ScenarioTitles(ctx)
	var out []trackProgress
	for _, st := range standings {
		out = append(out, trackProgress{Track: st.Track, Status: st.Status, Titles: titles})
	}
	return out, nil
}

// pathID parses a numeric path parameter; anything else is not found.
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound()
	}
	return id, nil
}

// pathUser loads the account whose id is the path parameter "id".
func (s *Server) pathUser(c *gin.Context) (domain.User, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return domain.User{}, err
	}
	return s.store.UserByID(c.Request.Context(), id)
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
	trainee, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	form := c.Request.PostForm
	t, ok := s.app.Track(ctx, form.Get("track"))
	if !ok {
		return errBadRequest(errors.New("unknown track"))
	}
	action, err := domain.ParseCertAction(form.Get("action"))
	if err != nil {
		return errBadRequest(err)
	}
	comment := strings.TrimSpace(form.Get("comment"))
	if len(comment) > 2000 {
		return errBadRequest(errors.New("comment longer than 2000 bytes"))
	}
	me, _ := currentUser(c)
	if _, err := s.app.Decide(ctx, me, trainee.ID, t, action, comment); err != nil {
		var refused *app.CertRefusal
		if errors.As(err, &refused) {
			return errCertRefused(err)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage/trainees/"+strconv.FormatInt(trainee.ID, 10))
	return nil
}

// assignmentForm is POST /manage/assignments: assign a track to a team, or
// with op=unassign take it away.
func (s *Server) assignmentForm(c *gin.Context) error {
	form := c.Request.PostForm
	team, err := store.CleanTeam(form.Get("team"))
	if err != nil || team == "" {
		return errBadRequest(errors.New("team is required"))
	}
	t, ok := s.app.Track(c.Request.Context(), form.Get("track"))
	if !ok {
		return errBadRequest(errors.New("unknown track"))
	}
	me, _ := currentUser(c)
	by := store.Actor{ID: me.ID, Name: me.Username}
	ctx := c.Request.Context()
	switch form.Get("op") {
	case "assign":
		err = s.store.AssignTrack(ctx, store.TrackAssignment{Team: team, TrackID: t.ID, AssignedAt: s.cfg.Now()}, by)
	case "unassign":
		err = s.store.UnassignTrack(ctx, team, t.ID, s.cfg.Now(), by)
	default:
		return errBadRequest(errors.New("op must be assign or unassign"))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage?team="+url.QueryEscape(team))
	return nil
}

// progressView is the progress page's view.
type progressView struct {
	Tracks []trackProgress
	UserID int64
}

// progressPage is GET /progress: the signed-in user's standing on the
// tracks of their team.
func (s *Server) progressPage(c *gin.Context) error {
	me, _ := currentUser(c)
	ps, err := s.trackStatus(c.Request.Context(), me)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "progress", progressView{Tracks: ps, UserID: me.ID})
	return nil
}

// certificateView is the printable certificate.
type certificateView struct {
	Trainee  domain.User
	Track    *scenarios.Track
	Status   cert.Status
	SignedBy string
	Comment  string
	Titles   map[string]string
}

// certificatePage is GET /certificates/:user/:track: the printable
// certificate of a certified trainee, for the trainee and managers. Anyone
// else, and anyone without a valid certificate, gets "not found", which
// says nothing about whether the account exists.
func (s *Server) certificatePage(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	me, _ := currentUser(c)
	if me.ID != id && me.Role != domain.RoleManager {
		return errNotFound()
	}
	t, ok := s.app.Track(c.Request.Context(), c.Param("track"))
	if !ok {
		return errNotFound()
	}
	ctx := c.Request.Context()
	trainee, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	standing, err := s.app.StandingOn(ctx, id, t)
	if err != nil {
		return err
	}
	st := standing.Status
	if st.State != cert.Certified {
		return errNotFound()
	}
	v := certificateView{Trainee: trainee, Track: t, Status: st, Titles: s.app.ScenarioTitles(ctx)}
	for _, d := range standing.Decisions {
		if d.Action == domain.SignOff && d.At.Equal(st.CertifiedAt) {
			v.SignedBy, v.Comment = d.Actor, d.Comment
		}
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
