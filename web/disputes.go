package web

import (
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
	text := strings.TrimSpace(app.CleanTraineeText(form.Get("text")))
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
		"dispute.measured":               {langZH: "这一项是按通话过程测量的（例如几声铃内接听、谁先挂机），不是按您说的话评分，所以不能申诉。", langEN: "This item is measured from the call (such as answering within the rings or who hung up first), not graded on what you said, so it cannot be disputed."},
		"dispute.sent":                   {langZH: "申诉已提交。培训师处理后，结果会显示在这里，顶部的“我的申诉”也会提醒您。", langEN: "Your dispute has been sent. When a trainer decides it, the result shows here and “My disputes” at the top tells you."},
		"dispute.new":                    {langZH: "新结果", langEN: "new"},
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
		"dispute.learn":                  {langZH: "同时把这个说法提议为话术变体（先存为草稿，查看变化后再决定是否发布），并记为评测用例", langEN: "Also propose the wording as a variant (saved as a draft; you review the changes before anything is published) and store it as an evaluation case"},
		"dispute.entry":                  {langZH: "加入哪条话术", langEN: "Add to entry"},
		"dispute.wording":                {langZH: "提议的说法（只保留说明问题的那几个字，可修改）", langEN: "Proposed wording (only the words that made the point; you may edit it)"},
		"dispute.wording_full":           {langZH: "学员原话：", langEN: "The trainee's whole line: "},
		"dispute.uphold":                 {langZH: "采纳并重新评分", langEN: "Uphold and rescore"},
		"dispute.comment_required_label": {langZH: "不采纳的理由（必填，学员可见）", langEN: "Why not (required; the trainee sees it)"},
		"dispute.reject":                 {langZH: "不采纳", langEN: "Reject"},
		"dispute.comment_required":       {langZH: "不采纳时请写明理由。", langEN: "Say why when rejecting."},
		"dispute.decided":                {langZH: "这条申诉已经处理过了。", langEN: "This dispute has been decided already."},
		"dispute.not_upholdable":         {langZH: "这一项无法按申诉改判（可能已算作做到，或所指的不是学员的话）。", langEN: "This item cannot be upheld (it may count as done already, or the line is not the trainee's)."},
		"dispute.pick_entry":             {langZH: "请选择要加入的话术条目。", langEN: "Pick the entry to add the wording to."},
		"dispute.bad_wording":            {langZH: "这句说法无法加入话术库：请检查是否为空、过长或含换行。", langEN: "The wording cannot be added: check it is not empty, too long or split over lines."},
		"dispute.done_upheld":            {langZH: "已采纳，分数已重新计算。", langEN: "Upheld; the score has been recomputed."},
		"dispute.done_known":             {langZH: "已采纳，分数已重新计算；话术库已有这句说法，已记为评测用例。", langEN: "Upheld and rescored; the phrasebook already had the wording, which is stored as an evaluation case."},
		"dispute.done_rejected":          {langZH: "已不采纳，学员会看到您的理由。", langEN: "Rejected; the trainee will see your comment."},
	}
}
