package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// Disputes: a trainee who thinks the engine missed a checklist item says
// which turn did it (GET/POST /calls/:id/dispute); trainers see the open
// disputes with the turn in context and uphold or reject them (/disputes);
// the trainee reads the outcome (/disputes/mine). Upholding rescores the
// call by sim's rules and can store the trainee's wording as an evaluation
// case (GET /eval-cases.yaml exports them in the evaluation set's format)
// and propose it, trimmed to the words that made the point, as a variant of
// the phrasebook entry: a draft that goes live only after its review
// (review.go).

// disputeRoutes are the dispute pages.
func (s *Server) disputeRoutes() []route {
	trainee := rolesOnly(domain.RoleTrainee)
	trainer := rolesOnly(domain.RoleTrainer, domain.RoleAdmin)
	return []route{
		{method: http.MethodGet, path: "/calls/:id/dispute", access: trainee, maxBody: smallBody, h: s.disputePage},
		{method: http.MethodPost, path: "/calls/:id/dispute", access: trainee, maxBody: smallBody, h: s.disputeSubmit},
		{method: http.MethodGet, path: "/disputes/mine", access: trainee, maxBody: smallBody, h: s.myDisputes},
		{method: http.MethodGet, path: "/disputes", access: trainer, maxBody: smallBody, h: s.disputeQueue},
		{method: http.MethodPost, path: "/disputes/:did/uphold", access: trainer, maxBody: smallBody, h: s.upholdDispute},
		{method: http.MethodPost, path: "/disputes/:did/reject", access: trainer, maxBody: smallBody, h: s.rejectDispute},
		{method: http.MethodGet, path: "/eval-cases.yaml", access: trainer, maxBody: smallBody, h: s.evalCases},
	}
}

// disputeFormView is the trainee's dispute form (App.DisputeForm).
type disputeFormView struct {
	*app.DisputeForm
	Text     string
	MaxRunes int
	// Message is a catalogue key shown as an alert.
	Message string
}

// queueView is the trainers' queue (App.DisputeQueue).
type queueView struct {
	Items    []app.QueuedDispute
	MaxRunes int
	// Drafts are the phrase files' drafts waiting for review.
	Drafts []domain.Revision
	// Done is a catalogue key saying what the last action did.
	Done    string
	Message string
}

// mineView is the trainee's disputes; Sent is the one just sent.
type mineView struct {
	Items []mineItem
	Sent  int64
}

// mineItem is one of the trainee's disputes; New says it was decided
// since the trainee last looked.
type mineItem struct {
	app.DisputeCard
	New bool
}

// seenCookie keeps when the trainee last looked at their disputes, as Unix
// milliseconds, for the top bar's badge.
const seenCookie = "disputes_seen"

// disputesSeen is when the trainee last opened their disputes; the zero
// time if never.
func disputesSeen(c *gin.Context) time.Time {
	if t, ok := c.Get(seenCookie); ok {
		return t.(time.Time)
	}
	v, err := c.Cookie(seenCookie)
	if err != nil {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// markDisputesSeen records that the trainee has seen their disputes now.
func (s *Server) markDisputesSeen(c *gin.Context) {
	c.Set(seenCookie, s.cfg.Now())
	http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection, as for the language cookie
		Name: seenCookie, Value: strconv.FormatInt(s.cfg.Now().UnixMilli(), 10), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
	})
}

// decidedUnseen counts the trainee's disputes decided since they last
// opened their disputes: the top bar's badge.
func (s *Server) decidedUnseen(c *gin.Context, u domain.User) int {
	n, err := s.app.DecidedSince(c.Request.Context(), u.ID, disputesSeen(c))
	if err != nil {
		s.log.Error("top bar: disputes", "user", u.ID, "err", err)
		return 0
	}
	return n
}

// disputeForm reads the form for item of the call in the path.
func (s *Server) disputeForm(c *gin.Context, itemID string) (disputeFormView, error) {
	u, _ := currentUser(c)
	f, err := s.app.DisputeForm(c.Request.Context(), u, c.Param("id"), itemID)
	if err != nil {
		return disputeFormView{}, err
	}
	v := disputeFormView{DisputeForm: f, MaxRunes: app.MaxDisputeRunes}
	if f.Closed != "" {
		v.Message = "dispute." + f.Closed
	}
	return v, nil
}

// disputePage is GET /calls/:id/dispute?item=ID: the trainee's form to
// dispute one checklist item of their ended call.
func (s *Server) disputePage(c *gin.Context) error {
	v, err := s.disputeForm(c, c.Query("item"))
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "dispute_new", v)
	return nil
}

// disputeSubmit is POST /calls/:id/dispute: item, turn and text.
func (s *Server) disputeSubmit(c *gin.Context) error {
	form := c.Request.PostForm
	v, err := s.disputeForm(c, form.Get("item"))
	if err != nil {
		return err
	}
	text := form.Get("text")
	turn, convErr := strconv.Atoi(form.Get("turn"))
	if convErr != nil {
		turn = -1
	}
	v.Text = text
	v.Select(turn)
	u, _ := currentUser(c)
	var refused *app.DisputeRefusal
	id, err := s.app.OpenDispute(c.Request.Context(), u, v.CallID, v.Item.ID, turn, text)
	if errors.As(err, &refused) {
		v.Message = "dispute." + refused.Key
		s.render(c, refusalStatus(refused), "dispute_new", v)
		return nil
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/disputes/mine?sent=%d#dispute-%d", id, id))
	return nil
}

// refusalStatus is the status of a refused dispute action.
func refusalStatus(r *app.DisputeRefusal) int {
	if r.Conflict {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// myDisputes is GET /disputes/mine: the trainee's disputes and how they
// were decided.
func (s *Server) myDisputes(c *gin.Context) error {
	u, _ := currentUser(c)
	list, err := s.app.Disputes(c.Request.Context(), store.DisputeFilter{TraineeID: u.ID})
	if err != nil {
		return err
	}
	v := mineView{Items: make([]mineItem, 0, len(list))}
	if sent, err := strconv.ParseInt(c.Query("sent"), 10, 64); err == nil {
		v.Sent = sent
	}
	// What was decided since the trainee last looked is marked new; the
	// top bar's badge counts those until now.
	seen := disputesSeen(c)
	s.markDisputesSeen(c)
	// Newest first: a decision just made is at the top.
	for _, dc := range slices.Backward(list) {
		v.Items = append(v.Items, mineItem{DisputeCard: dc, New: dc.D.State != domain.DisputeOpen && dc.D.Decided.After(seen)})
	}
	s.render(c, http.StatusOK, "dispute_mine", v)
	return nil
}

// disputeQueue is GET /disputes: the open disputes, oldest first, each with
// the disputed turn between the lines before and after it.
func (s *Server) disputeQueue(c *gin.Context) error {
	key := ""
	switch c.Query("done") {
	case "upheld", "known", "rejected":
		key = "dispute.done_" + c.Query("done")
	}
	return s.showQueue(c, http.StatusOK, queueView{Done: key})
}

// showQueue renders the queue with v's notice or alert.
func (s *Server) showQueue(c *gin.Context, status int, v queueView) error {
	var err error
	if v.Items, v.Drafts, err = s.app.DisputeQueue(c.Request.Context()); err != nil {
		return err
	}
	v.MaxRunes = app.MaxDisputeRunes
	s.render(c, status, "dispute_queue", v)
	return nil
}

// upholdDispute is POST /disputes/:did/uphold: comment, and when learn is
// set, entry and wording: the call is rescored with the item done; with
// learn, the wording becomes an evaluation case and is proposed as a
// variant of the entry, a draft of its phrase file, and the trainer goes on
// to its review page: nothing is published from this form.
func (s *Server) upholdDispute(c *gin.Context) error {
	id, err := pathID(c, "did")
	if err != nil {
		return err
	}
	form := c.Request.PostForm
	var learn *app.Learn
	if form.Get("learn") == "1" {
		learn = &app.Learn{EntryID: form.Get("entry"), Wording: form.Get("wording")}
	}
	u, _ := currentUser(c)
	res, err := s.app.UpholdDispute(c.Request.Context(), u, id, form.Get("comment"), learn)
	if err != nil {
		return s.refused(c, err)
	}
	if res.Done == app.Proposed {
		c.Redirect(http.StatusSeeOther, reviewURL(res.Draft.ContentID, res.Draft.ID, url.Values{"note": {"proposed"}}))
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/disputes?done="+res.Done)
	return nil
}

// refused shows the queue with the alert of a refused action; any other
// error is returned.
func (s *Server) refused(c *gin.Context, err error) error {
	var refused *app.DisputeRefusal
	if !errors.As(err, &refused) {
		return err
	}
	return s.showQueue(c, refusalStatus(refused), queueView{Message: "dispute." + refused.Key})
}

// rejectDispute is POST /disputes/:did/reject: comment, which is required,
// since the trainee reads it.
func (s *Server) rejectDispute(c *gin.Context) error {
	id, err := pathID(c, "did")
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.app.RejectDispute(c.Request.Context(), u, id, c.Request.PostForm.Get("comment")); err != nil {
		return s.refused(c, err)
	}
	c.Redirect(http.StatusSeeOther, "/disputes?done=rejected")
	return nil
}

// evalCases is GET /eval-cases.yaml: the evaluation cases learnt from
// upheld disputes (App.EvalCasesYAML).
func (s *Server) evalCases(c *gin.Context) error {
	data, err := s.app.EvalCasesYAML(c.Request.Context())
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="eval-cases.yaml"`)
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", data)
	return nil
}
