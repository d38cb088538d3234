package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"go.yaml.in/yaml/v3"
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

// disputeTurn is one line of a call as the dispute pages show it.
type disputeTurn struct {
	Index   int
	Speaker string
	At      float64
	Text    string
	// Current marks the disputed turn, or the one selected in the form.
	Current bool
}

// disputeFormView is the trainee's dispute form.
type disputeFormView struct {
	CallID   string
	Scenario string
	Item     sim.ItemResult
	Turns    []disputeTurn
	Text     string
	MaxRunes int
	// Existing is the item's dispute when there is one already.
	Existing *store.Dispute
	// Message is a catalogue key shown as an alert.
	Message string
	// Measured says the item is measured from the call, not graded on
	// what was said, and cannot be disputed.
	Measured bool
}

// entryOption is a phrasebook entry a trainer may add the wording to.
type entryOption struct {
	ID   string
	Text string
}

// queueItem is one open dispute in the trainer's queue.
type queueItem struct {
	D        store.Dispute
	Scenario string
	// When is when the call started; Card its scorecard's path.
	When string
	Card string
	Item sim.ItemResult
	// Context is the disputed turn with the lines before and after it.
	Context []disputeTurn
	// Said is the trainee's line at the disputed turn.
	Said    string
	Entries []entryOption
	// Proposal is the part of Said proposed as the variant.
	Proposal string
	Score    int
}

// queueView is the trainer's queue.
type queueView struct {
	Items    []queueItem
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

// mineItem is one of the trainee's disputes, with the call's scenario and
// date and its scorecard's path; New says it was decided since the trainee
// last looked.
type mineItem struct {
	D         store.Dispute
	ItemTitle string
	Said      string
	Scenario  string
	When      string
	Card      string
	New       bool
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

// ownEndedCall returns the signed-in trainee's ended call and its
// scorecard; anyone else's call is not found.
func (s *Server) ownEndedCall(c *gin.Context) (store.Call, sim.Scorecard, error) {
	u, _ := currentUser(c)
	return s.app.OwnEndedCall(c.Request.Context(), u, c.Param("id"))
}

// traineeTurns lists the trainee's lines, marking selected.
func traineeTurns(card sim.Scorecard, selected int) []disputeTurn {
	var out []disputeTurn
	for i, t := range card.Turns {
		if t.Speaker == sim.Trainee {
			out = append(out, disputeTurn{Index: i, Speaker: string(t.Speaker), At: t.At, Text: t.Text, Current: i == selected})
		}
	}
	return out
}

// disputeForm builds the form's view for item of the call.
func (s *Server) disputeForm(c *gin.Context, rec store.Call, card sim.Scorecard, itemID string) (disputeFormView, error) {
	i := card.ItemIndex(itemID)
	if i < 0 {
		e := errNotFound()
		e.Err = fmt.Errorf("call %s has no checklist item %q", rec.ID, itemID)
		return disputeFormView{}, e
	}
	v := disputeFormView{CallID: rec.ID, Scenario: card.Title, Item: card.Checklist[i], Turns: traineeTurns(card, -1), MaxRunes: app.MaxDisputeRunes,
		Measured: !s.app.SaidItems(c.Request.Context(), rec)[itemID]}
	var err error
	if v.Existing, err = s.app.DisputeOf(c.Request.Context(), rec.ID, itemID); err != nil {
		return disputeFormView{}, err
	}
	switch {
	case v.Item.Done && v.Existing == nil:
		v.Message = "dispute.already_done"
	case v.Measured && v.Existing == nil:
		v.Message = "dispute.measured"
	}
	return v, nil
}

// disputePage is GET /calls/:id/dispute?item=ID: the trainee's form to
// dispute one checklist item of their ended call.
func (s *Server) disputePage(c *gin.Context) error {
	rec, card, err := s.ownEndedCall(c)
	if err != nil {
		return err
	}
	v, err := s.disputeForm(c, rec, card, c.Query("item"))
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "dispute_new", v)
	return nil
}

// disputeSubmit is POST /calls/:id/dispute: item, turn and text.
func (s *Server) disputeSubmit(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	rec, card, err := s.ownEndedCall(c)
	if err != nil {
		return err
	}
	form := c.Request.PostForm
	v, err := s.disputeForm(c, rec, card, form.Get("item"))
	if err != nil {
		return err
	}
	text := strings.TrimSpace(app.CleanTraineeText(form.Get("text")))
	turn, convErr := strconv.Atoi(form.Get("turn"))
	if convErr != nil {
		turn = -1
	}
	v.Text, v.Turns = text, traineeTurns(card, turn)
	u, _ := currentUser(c)
	var refused *app.DisputeRefusal
	id, err := s.app.OpenDispute(c.Request.Context(), u, rec.ID, v.Item.ID, turn, text)
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

// formError tells a body too large from a form that does not parse.
func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	return errBadRequest(err)
}

// myDisputes is GET /disputes/mine: the trainee's disputes and how they
// were decided.
func (s *Server) myDisputes(c *gin.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request.Context()
	list, err := s.app.Disputes(ctx, store.DisputeFilter{TraineeID: u.ID})
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
	for _, dc := range list {
		v.Items = append(v.Items, mineItem{D: dc.D, ItemTitle: dc.Item.Title, Said: dc.Said,
			Scenario: cmp.Or(dc.Card.Title, dc.Call.ScenarioID), When: s.dateTime(dc.Call.Started), Card: scorecardPath(dc.Call.ID),
			New: dc.D.State != domain.DisputeOpen && dc.D.Decided.After(seen)})
	}
	// Newest first: a decision just made is at the top.
	slices.Reverse(v.Items)
	s.render(c, http.StatusOK, "dispute_mine", v)
	return nil
}

// disputeQueue is GET /disputes: the open disputes, oldest first, each with
// the disputed turn between the lines before and after it.
func (s *Server) disputeQueue(c *gin.Context) error {
	v, err := s.queue(c)
	if err != nil {
		return err
	}
	switch c.Query("done") {
	case "upheld", "known", "rejected":
		v.Done = "dispute.done_" + c.Query("done")
	}
	s.render(c, http.StatusOK, "dispute_queue", v)
	return nil
}

func (s *Server) queue(c *gin.Context) (queueView, error) {
	ctx := c.Request.Context()
	open, err := s.app.Disputes(ctx, store.DisputeFilter{State: domain.DisputeOpen})
	if err != nil {
		return queueView{}, err
	}
	v := queueView{MaxRunes: app.MaxDisputeRunes}
	for _, dc := range open {
		d, card := dc.D, dc.Card
		q := queueItem{D: d, Scenario: cmp.Or(card.Title, dc.Call.ScenarioID), When: s.dateTime(dc.Call.Started), Card: scorecardPath(dc.Call.ID),
			Score: card.Score, Item: dc.Item, Said: dc.Said}
		for i := max(d.Turn-1, 0); i <= d.Turn+1 && i < len(card.Turns); i++ {
			t := card.Turns[i]
			q.Context = append(q.Context, disputeTurn{Index: i, Speaker: string(t.Speaker), At: t.At, Text: t.Text, Current: i == d.Turn})
		}
		for _, e := range s.app.ItemEntries(ctx, dc.Call, d.ItemID) {
			q.Entries = append(q.Entries, entryOption{ID: e.ID, Text: e.Text})
		}
		if len(q.Entries) > 0 {
			q.Proposal = s.app.ProposeWording(ctx, dc.Call, d.ItemID, dc.Said)
		}
		v.Items = append(v.Items, q)
	}
	if v.Drafts, err = s.content.PendingDrafts(ctx); err != nil {
		return queueView{}, err
	}
	return v, nil
}

// openDispute reads the :did parameter's dispute.
func (s *Server) openDispute(c *gin.Context) (store.Dispute, error) {
	id, err := strconv.ParseInt(c.Param("did"), 10, 64)
	if err != nil || id <= 0 {
		e := errNotFound()
		e.Err = fmt.Errorf("dispute id %q", c.Param("did"))
		return store.Dispute{}, e
	}
	return s.store.DisputeByID(c.Request.Context(), id)
}

// queueAgain shows the queue with an alert after a refused action.
func (s *Server) queueAgain(c *gin.Context, status int, key string) error {
	v, err := s.queue(c)
	if err != nil {
		return err
	}
	v.Message = key
	s.render(c, status, "dispute_queue", v)
	return nil
}

// upholdDispute is POST /disputes/:did/uphold: comment, and when learn is
// set, entry and wording: the call is rescored with the item done; with
// learn, the wording becomes an evaluation case and is proposed as a
// variant of the entry, a draft of its phrase file, and the trainer goes on
// to its review page: nothing is published from this form.
func (s *Server) upholdDispute(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	d, err := s.openDispute(c)
	if err != nil {
		return err
	}
	form := c.Request.PostForm
	var learn *app.Learn
	if form.Get("learn") == "1" {
		learn = &app.Learn{EntryID: form.Get("entry"), Wording: form.Get("wording")}
	}
	u, _ := currentUser(c)
	res, err := s.app.UpholdDispute(c.Request.Context(), u, d.ID, form.Get("comment"), learn)
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
	return s.queueAgain(c, refusalStatus(refused), "dispute."+refused.Key)
}

// rejectDispute is POST /disputes/:did/reject: comment, which is required,
// since the trainee reads it.
func (s *Server) rejectDispute(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	d, err := s.openDispute(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.app.RejectDispute(c.Request.Context(), u, d.ID, c.Request.PostForm.Get("comment")); err != nil {
		return s.refused(c, err)
	}
	c.Redirect(http.StatusSeeOther, "/disputes?done=rejected")
	return nil
}

// evalCaseYAML is one case in the format of phrasebook/testdata/eval.yaml.
type evalCaseYAML struct {
	Text  string   `yaml:"text"`
	Style string   `yaml:"style"`
	Want  []string `yaml:"want,flow"`
	Note  string   `yaml:"note"`
}

// evalCases is GET /eval-cases.yaml: the evaluation cases learnt from
// upheld disputes, in the evaluation set's format, to review and merge into
// phrasebook/testdata/eval.yaml.
func (s *Server) evalCases(c *gin.Context) error {
	list, err := s.store.ListEvalCases(c.Request.Context())
	if err != nil {
		return err
	}
	out := struct {
		Cases []evalCaseYAML `yaml:"cases"`
	}{Cases: []evalCaseYAML{}}
	for _, ec := range list {
		note := fmt.Sprintf("upheld dispute %d", ec.DisputeID)
		if ec.EntryID != "" {
			note += ", variant of " + ec.EntryID
		}
		out.Cases = append(out.Cases, evalCaseYAML{Text: ec.Text, Style: "dispute", Want: []string{ec.Intent}, Note: note})
	}
	var buf bytes.Buffer
	buf.WriteString("# Evaluation cases learnt from upheld disputes. Only the disputed intent\n" +
		"# is labelled: check want lists every intent before merging into\n" +
		"# phrasebook/testdata/eval.yaml.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode evaluation cases: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode evaluation cases: %w", err)
	}
	c.Header("Content-Disposition", `attachment; filename="eval-cases.yaml"`)
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", buf.Bytes())
	return nil
}
