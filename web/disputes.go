package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"go.yaml.in/yaml/v3"
)

// Disputes: a trainee who thinks the engine missed a checklist item says
// which turn did it (GET/POST /calls/:id/dispute); trainers see the open
// disputes with the turn in context and uphold or reject them (/disputes);
// the trainee reads the outcome (/disputes/mine). Upholding rescores the
// call by sim's rules and can, in the same click, add the trainee's wording
// to the phrasebook entry as a variant (a new published revision of its
// file) and store it as an evaluation case (GET /eval-cases.yaml exports
// them in the evaluation set's format).

// maxDisputeRunes is how long a trainee's explanation or a trainer's
// comment may be, in characters; the store's byte limits hold any text of
// this length.
const maxDisputeRunes = 300

// disputeRoutes are the dispute pages.
func (s *Server) disputeRoutes() []route {
	trainee := rolesOnly(store.RoleTrainee)
	trainer := rolesOnly(store.RoleTrainer, store.RoleAdmin)
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
	Item     sim.ItemResult
	// Context is the disputed turn with the lines before and after it.
	Context []disputeTurn
	// Said is the trainee's line at the disputed turn.
	Said    string
	Entries []entryOption
	Score   int
}

// queueView is the trainer's queue.
type queueView struct {
	Items    []queueItem
	MaxRunes int
	// Done is a catalogue key saying what the last action did.
	Done    string
	Message string
}

// mineItem is one of the trainee's disputes.
type mineItem struct {
	D         store.Dispute
	ItemTitle string
	Said      string
}

// ownEndedCall returns the signed-in trainee's ended call and its
// scorecard; anyone else's call is not found.
func (s *Server) ownEndedCall(c *gin.Context) (store.Call, sim.Scorecard, error) {
	u, _ := currentUser(c)
	rec, err := s.store.CallByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		return store.Call{}, sim.Scorecard{}, err
	}
	if rec.UserID != u.ID {
		e := errNotFound()
		e.Err = fmt.Errorf("call %s belongs to user %d, not %d", rec.ID, rec.UserID, u.ID)
		return store.Call{}, sim.Scorecard{}, e
	}
	if rec.Status != store.CallEnded {
		return store.Call{}, sim.Scorecard{}, fmt.Errorf("dispute call %s: %w: the call has not ended", rec.ID, store.ErrConflict)
	}
	card, err := parseCard(rec)
	return rec, card, err
}

func parseCard(rec store.Call) (sim.Scorecard, error) {
	var card sim.Scorecard
	if err := json.Unmarshal(rec.Scorecard, &card); err != nil {
		return sim.Scorecard{}, fmt.Errorf("call %s: scorecard: %w", rec.ID, err)
	}
	return card, nil
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
	v := disputeFormView{CallID: rec.ID, Scenario: card.Title, Item: card.Checklist[i], Turns: traineeTurns(card, -1), MaxRunes: maxDisputeRunes}
	existing, err := s.store.ListDisputes(c.Request.Context(), store.DisputeFilter{CallID: rec.ID})
	if err != nil {
		return disputeFormView{}, err
	}
	for _, d := range existing {
		if d.ItemID == itemID {
			v.Existing = &d
		}
	}
	if v.Item.Done && v.Existing == nil {
		v.Message = "dispute.already_done"
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
	v.Text, v.Turns = text, traineeTurns(card, turn)
	again := func(status int, key string) error {
		v.Message = key
		s.render(c, status, "dispute_new", v)
		return nil
	}
	switch {
	case v.Existing != nil:
		return again(http.StatusConflict, "dispute.exists")
	case v.Item.Done:
		return again(http.StatusConflict, "dispute.already_done")
	case convErr != nil || turn < 0 || turn >= len(card.Turns) || card.Turns[turn].Speaker != sim.Trainee:
		return again(http.StatusBadRequest, "dispute.pick_turn")
	case text == "":
		return again(http.StatusBadRequest, "dispute.say_why")
	case utf8.RuneCountInString(text) > maxDisputeRunes:
		return again(http.StatusBadRequest, "dispute.too_long")
	}
	u, _ := currentUser(c)
	d := store.Dispute{CallID: rec.ID, ItemID: v.Item.ID, Turn: turn, Text: text, TraineeID: u.ID}
	if err := s.store.OpenDispute(c.Request.Context(), store.Actor{ID: u.ID, Name: u.Username}, &d); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return again(http.StatusConflict, "dispute.exists")
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, "/disputes/mine")
	return nil
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
	list, err := s.store.ListDisputes(ctx, store.DisputeFilter{TraineeID: u.ID})
	if err != nil {
		return err
	}
	items := make([]mineItem, 0, len(list))
	cards := map[string]sim.Scorecard{}
	for _, d := range list {
		card, ok := cards[d.CallID]
		if !ok {
			rec, err := s.store.CallByID(ctx, d.CallID)
			if err != nil {
				return err
			}
			if card, err = parseCard(rec); err != nil {
				return err
			}
			cards[d.CallID] = card
		}
		it := mineItem{D: d, ItemTitle: d.ItemID}
		if i := card.ItemIndex(d.ItemID); i >= 0 {
			it.ItemTitle = card.Checklist[i].Title
		}
		if d.Turn < len(card.Turns) {
			it.Said = card.Turns[d.Turn].Text
		}
		items = append(items, it)
	}
	s.render(c, http.StatusOK, "dispute_mine", items)
	return nil
}

// itemEntries lists the published phrasebook's shared entries that satisfy
// checklist item itemID of the call's scenario: the wording of an upheld
// dispute can be added to one of them. Items graded by rule or fact have
// none, nor has a call whose content cannot be loaded any more.
func (s *Server) itemEntries(ctx context.Context, rec store.Call, itemID string) []*phrasebook.Entry {
	sc, _, err := s.content.forCall(ctx, rec)
	if err != nil {
		s.log.Info("dispute: no scenario for the call", "call", rec.ID, "err", err)
		return nil
	}
	cs, err := s.content.published(ctx)
	if err != nil {
		s.log.Error("dispute: published content", "err", err)
		return nil
	}
	var item *scenarios.Item
	for i := range sc.Checklist {
		if sc.Checklist[i].ID == itemID {
			item = &sc.Checklist[i]
		}
	}
	if item == nil {
		return nil
	}
	var out []*phrasebook.Entry
	for _, ref := range item.Refs() {
		if e, ok := cs.book.Entry(ref); ok {
			if e.Scope == "" && e.Kind != phrasebook.Forbidden {
				out = append(out, e)
			}
			continue
		}
		for _, e := range cs.book.Entries() {
			if string(e.Intent) == ref && e.Scope == "" && e.Kind != phrasebook.Forbidden {
				out = append(out, e)
			}
		}
	}
	return out
}

// disputeQueue is GET /disputes: the open disputes, oldest first, each with
// the disputed turn between the lines before and after it.
func (s *Server) disputeQueue(c *gin.Context) error {
	v, err := s.queue(c)
	if err != nil {
		return err
	}
	switch c.Query("done") {
	case "upheld", "learnt", "known", "draft", "rejected":
		v.Done = "dispute.done_" + c.Query("done")
	}
	s.render(c, http.StatusOK, "dispute_queue", v)
	return nil
}

func (s *Server) queue(c *gin.Context) (queueView, error) {
	ctx := c.Request.Context()
	open, err := s.store.ListDisputes(ctx, store.DisputeFilter{State: store.DisputeOpen})
	if err != nil {
		return queueView{}, err
	}
	v := queueView{MaxRunes: maxDisputeRunes}
	for _, d := range open {
		rec, err := s.store.CallByID(ctx, d.CallID)
		if err != nil {
			return queueView{}, err
		}
		card, err := parseCard(rec)
		if err != nil {
			return queueView{}, err
		}
		q := queueItem{D: d, Scenario: card.Title, Score: card.Score, Item: sim.ItemResult{ID: d.ItemID, Title: d.ItemID}}
		if i := card.ItemIndex(d.ItemID); i >= 0 {
			q.Item = card.Checklist[i]
		}
		for i := max(d.Turn-1, 0); i <= d.Turn+1 && i < len(card.Turns); i++ {
			t := card.Turns[i]
			q.Context = append(q.Context, disputeTurn{Index: i, Speaker: string(t.Speaker), At: t.At, Text: t.Text, Current: i == d.Turn})
		}
		if d.Turn < len(card.Turns) {
			q.Said = card.Turns[d.Turn].Text
		}
		for _, e := range s.itemEntries(ctx, rec, d.ItemID) {
			q.Entries = append(q.Entries, entryOption{ID: e.ID, Text: e.Text})
		}
		v.Items = append(v.Items, q)
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

// variantEdit is the phrasebook change an upheld dispute asks for.
type variantEdit struct {
	entry *phrasebook.Entry
	file  string
	// body is the file with the wording added; nil when the entry has the
	// wording already.
	body   []byte
	parent int
}

// phraseFileID is the content id of the phrasebook file an entry was
// loaded from: "builtin/details.yaml" is "details".
func phraseFileID(e *phrasebook.Entry) string {
	return strings.TrimSuffix(path.Base(e.Pos.File), ".yaml")
}

// prepareVariant works out the new revision of the entry's phrasebook file
// with wording added: from the file's newest stored revision, or from the
// built-in file when none is stored yet.
func (s *Server) prepareVariant(c *gin.Context, e *phrasebook.Entry, wording string) (variantEdit, error) {
	ed := variantEdit{entry: e, file: phraseFileID(e), parent: store.NewContent}
	var body []byte
	head, err := s.store.Head(c.Request.Context(), store.ContentPhrases, ed.file)
	switch {
	case err == nil:
		body, ed.parent = []byte(head.Body), head.N
	case errors.Is(err, store.ErrNotFound):
		if body, err = phrasebook.BuiltinFile(ed.file); err != nil {
			return variantEdit{}, err
		}
	default:
		return variantEdit{}, err
	}
	if ed.body, err = phrasebook.AddVariant(ed.file+".yaml", body, e.ID, wording); err != nil {
		return variantEdit{}, err
	}
	if bytes.Equal(ed.body, body) {
		// The entry has the wording already.
		ed.body = nil
	}
	return ed, nil
}

// upholdDispute is POST /disputes/:did/uphold: comment, and when learn is
// set, entry and wording: the call is rescored with the item done; with
// learn, the wording becomes a variant of the entry (a new published
// revision of its phrasebook file) and an evaluation case.
func (s *Server) upholdDispute(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	ctx := c.Request.Context()
	d, err := s.openDispute(c)
	if err != nil {
		return err
	}
	if d.State != store.DisputeOpen {
		return s.queueAgain(c, http.StatusConflict, "dispute.decided")
	}
	form := c.Request.PostForm
	comment := strings.TrimSpace(form.Get("comment"))
	if utf8.RuneCountInString(comment) > maxDisputeRunes {
		return s.queueAgain(c, http.StatusBadRequest, "dispute.too_long")
	}
	u, _ := currentUser(c)
	actor := store.Actor{ID: u.ID, Name: u.Username}

	var edit *variantEdit
	var evalCase *store.EvalCase
	if form.Get("learn") == "1" {
		rec, err := s.store.CallByID(ctx, d.CallID)
		if err != nil {
			return err
		}
		var entry *phrasebook.Entry
		for _, e := range s.itemEntries(ctx, rec, d.ItemID) {
			if e.ID == form.Get("entry") {
				entry = e
			}
		}
		wording := strings.TrimSpace(form.Get("wording"))
		switch {
		case entry == nil:
			return s.queueAgain(c, http.StatusBadRequest, "dispute.pick_entry")
		case wording == "" || utf8.RuneCountInString(wording) > maxDisputeRunes || strings.ContainsAny(wording, "\r\n"):
			return s.queueAgain(c, http.StatusBadRequest, "dispute.bad_wording")
		}
		ed, err := s.prepareVariant(c, entry, wording)
		if err != nil {
			s.log.Info("phrase variant refused", "dispute", d.ID, "entry", entry.ID, "err", err)
			return s.queueAgain(c, http.StatusBadRequest, "dispute.bad_wording")
		}
		edit = &ed
		evalCase = &store.EvalCase{Text: wording, Intent: string(entry.Intent), EntryID: entry.ID}
	}

	// The scorecard is read, rescored and written back on condition that
	// it did not change meanwhile (another item of the call upheld).
	for attempt := 0; ; attempt++ {
		rec, err := s.store.CallByID(ctx, d.CallID)
		if err != nil {
			return err
		}
		card, err := parseCard(rec)
		if err != nil {
			return err
		}
		next, err := sim.Uphold(card, d.ItemID, d.Turn, sim.Upheld{Dispute: d.ID, By: u.Username})
		if errors.Is(err, sim.ErrNotDisputable) {
			s.log.Info("dispute cannot be upheld", "dispute", d.ID, "err", err)
			return s.queueAgain(c, http.StatusConflict, "dispute.not_upholdable")
		}
		if err != nil {
			return err
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("dispute %d: encode scorecard: %w", d.ID, err)
		}
		_, err = s.store.UpholdDispute(ctx, actor, d.ID, store.Uphold{Comment: comment, From: rec.Scorecard,
			Scorecard: raw, Score: float64(next.Score), Passed: next.Passed, EvalCase: evalCase})
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrConflict) || attempt == 2 {
			return err
		}
		if now, err := s.store.DisputeByID(ctx, d.ID); err != nil {
			return err
		} else if now.State != store.DisputeOpen {
			return s.queueAgain(c, http.StatusConflict, "dispute.decided")
		}
	}

	done := "upheld"
	if edit != nil {
		done = "known"
		if edit.body != nil {
			published, err := s.publishVariant(c, actor, d, edit, strings.TrimSpace(form.Get("wording")))
			if err != nil {
				return err
			}
			done = "learnt"
			if !published {
				done = "draft"
			}
		}
	}
	c.Redirect(http.StatusSeeOther, "/disputes?done="+done)
	return nil
}

// publishVariant saves the phrasebook file with the new variant and
// publishes it with the checks the editor's publish button makes (every
// published scenario's golden transcripts still end as they expect). If
// someone saved the file since it was read, the variant is added to their
// revision instead. A refused publication leaves the revision as a draft
// for a trainer to look at, and reports false.
func (s *Server) publishVariant(c *gin.Context, actor store.Actor, d store.Dispute, ed *variantEdit, wording string) (bool, error) {
	ctx := c.Request.Context()
	for attempt := 0; ; attempt++ {
		_, err := s.saveAndPublish(ctx, actor, store.SaveRequest{
			Kind: store.ContentPhrases, ID: ed.file, Body: string(ed.body), Parent: ed.parent,
			Message: fmt.Sprintf("variant of %s from dispute %d: %s", ed.entry.ID, d.ID, wording),
		})
		var refused *contentRefusal
		switch {
		case err == nil:
			return true, nil
		case errors.As(err, &refused):
			s.log.Info("dispute variant saved as a draft, not published", "dispute", d.ID, "file", ed.file, "err", err)
			return false, nil
		case !errors.Is(err, store.ErrConflict) || attempt == 2:
			return false, fmt.Errorf("dispute %d: save and publish %s: %w", d.ID, ed.file, err)
		}
		again, err := s.prepareVariant(c, ed.entry, wording)
		if err != nil {
			return false, err
		}
		if again.body == nil {
			return true, nil
		}
		*ed = again
	}
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
	comment := strings.TrimSpace(c.Request.PostForm.Get("comment"))
	switch {
	case d.State != store.DisputeOpen:
		return s.queueAgain(c, http.StatusConflict, "dispute.decided")
	case comment == "":
		return s.queueAgain(c, http.StatusBadRequest, "dispute.comment_required")
	case utf8.RuneCountInString(comment) > maxDisputeRunes:
		return s.queueAgain(c, http.StatusBadRequest, "dispute.too_long")
	}
	u, _ := currentUser(c)
	if _, err := s.store.RejectDispute(c.Request.Context(), store.Actor{ID: u.ID, Name: u.Username}, d.ID, comment); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.queueAgain(c, http.StatusConflict, "dispute.decided")
		}
		return err
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

// disputeText holds the texts of the dispute pages.
func disputeText() catalogue {
	return catalogue{
		"dispute.new_title":              {langZH: "对评分提出申诉", langEN: "Dispute a scorecard item"},
		"dispute.scenario":               {langZH: "情景", langEN: "Scenario"},
		"dispute.item":                   {langZH: "评分项", langEN: "Item"},
		"dispute.engine_note":            {langZH: "系统评语", langEN: "What the scorer found"},
		"dispute.pick_turn_label":        {langZH: "您在哪一句做到了？", langEN: "Which of your lines did it?"},
		"dispute.seconds":                {langZH: " 秒", langEN: " s"},
		"dispute.why":                    {langZH: "说明理由", langEN: "Why"},
		"dispute.why_example":            {langZH: "例如：我问了地址，就在这一句", langEN: "e.g. I did ask for the address: this line"},
		"dispute.submit":                 {langZH: "提交申诉", langEN: "Send the dispute"},
		"dispute.no_turns":               {langZH: "这通电话里您没有说话，无从申诉。", langEN: "You said nothing in this call, so there is nothing to dispute."},
		"dispute.exists_state":           {langZH: "这一项已经申诉过，当前状态：", langEN: "This item is disputed already; state:"},
		"dispute.mine_link":              {langZH: "查看我的申诉", langEN: "See my disputes"},
		"dispute.already_done":           {langZH: "这一项已经算作做到，无需申诉。", langEN: "This item already counts as done; there is nothing to dispute."},
		"dispute.exists":                 {langZH: "这一项已经申诉过了。", langEN: "This item has been disputed already."},
		"dispute.pick_turn":              {langZH: "请选择您做到这一项的那一句。", langEN: "Pick the line in which you did it."},
		"dispute.say_why":                {langZH: "请说明理由。", langEN: "Please say why."},
		"dispute.too_long":               {langZH: "文字太长，请控制在 300 字以内。", langEN: "That is too long: 300 characters at most."},
		"dispute.state_open":             {langZH: "待处理", langEN: "open"},
		"dispute.state_upheld":           {langZH: "已采纳", langEN: "upheld"},
		"dispute.state_rejected":         {langZH: "未采纳", langEN: "rejected"},
		"dispute.mine_title":             {langZH: "我的申诉", langEN: "My disputes"},
		"dispute.mine_empty":             {langZH: "您还没有提出过申诉。", langEN: "You have not disputed anything yet."},
		"dispute.your_turn":              {langZH: "您说的话", langEN: "Your line"},
		"dispute.claim":                  {langZH: "申诉理由", langEN: "The trainee's claim"},
		"dispute.trainer":                {langZH: "处理人", langEN: "Decided by"},
		"dispute.comment":                {langZH: "处理意见", langEN: "Comment"},
		"dispute.no_comment":             {langZH: "（无）", langEN: "(none)"},
		"dispute.score":                  {langZH: "得分", langEN: "Score"},
		"dispute.queue_title":            {langZH: "待处理的申诉", langEN: "Open disputes"},
		"dispute.queue_empty":            {langZH: "没有待处理的申诉。", langEN: "No open disputes."},
		"dispute.export":                 {langZH: "导出从申诉中学到的评测用例（YAML）", langEN: "Export the evaluation cases learnt from disputes (YAML)"},
		"dispute.trainee":                {langZH: "学员", langEN: "Trainee"},
		"dispute.call":                   {langZH: "通话", langEN: "Call"},
		"dispute.speaker_trainee":        {langZH: "学员", langEN: "Trainee"},
		"dispute.speaker_customer":       {langZH: "客户", langEN: "Caller"},
		"dispute.comment_optional":       {langZH: "意见（可选，学员可见）", langEN: "Comment (optional; the trainee sees it)"},
		"dispute.learn":                  {langZH: "同时把这句说法加入话术库（作为变体）和评测用例", langEN: "Also add the wording to the phrasebook (as a variant) and to the evaluation cases"},
		"dispute.entry":                  {langZH: "加入哪条话术", langEN: "Add to entry"},
		"dispute.wording":                {langZH: "说法（可删去无关部分）", langEN: "Wording (trim what does not belong)"},
		"dispute.uphold":                 {langZH: "采纳并重新评分", langEN: "Uphold and rescore"},
		"dispute.comment_required_label": {langZH: "不采纳的理由（必填，学员可见）", langEN: "Why not (required; the trainee sees it)"},
		"dispute.reject":                 {langZH: "不采纳", langEN: "Reject"},
		"dispute.comment_required":       {langZH: "不采纳时请写明理由。", langEN: "Say why when rejecting."},
		"dispute.decided":                {langZH: "这条申诉已经处理过了。", langEN: "This dispute has been decided already."},
		"dispute.not_upholdable":         {langZH: "这一项无法按申诉改判（可能已算作做到，或所指的不是学员的话）。", langEN: "This item cannot be upheld (it may count as done already, or the line is not the trainee's)."},
		"dispute.pick_entry":             {langZH: "请选择要加入的话术条目。", langEN: "Pick the entry to add the wording to."},
		"dispute.bad_wording":            {langZH: "这句说法无法加入话术库：请检查是否为空、过长或含换行。", langEN: "The wording cannot be added: check it is not empty, too long or split over lines."},
		"dispute.done_upheld":            {langZH: "已采纳，分数已重新计算。", langEN: "Upheld; the score has been recomputed."},
		"dispute.done_learnt":            {langZH: "已采纳，分数已重新计算；说法已加入话术库并发布，也记为评测用例。", langEN: "Upheld and rescored; the wording was added to the phrasebook, published, and stored as an evaluation case."},
		"dispute.done_known":             {langZH: "已采纳，分数已重新计算；话术库已有这句说法，已记为评测用例。", langEN: "Upheld and rescored; the phrasebook already had the wording, which is stored as an evaluation case."},
		"dispute.done_draft":             {langZH: "已采纳，分数已重新计算，已记为评测用例；但加入说法后的话术文件未通过发布检查，已存为草稿，请在编辑器中查看。", langEN: "Upheld, rescored and stored as an evaluation case; the phrasebook file with the wording did not pass the publishing checks and is saved as a draft: see it in the editor."},
		"dispute.done_rejected":          {langZH: "已不采纳，学员会看到您的理由。", langEN: "Rejected; the trainee will see your comment."},
	}
}
