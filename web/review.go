package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
)

// The review of a phrase-file draft (GET /author/phrases/:id/review): what
// publishing it would change in the evaluation sets and the golden
// transcripts, with the trainer's two answers, publish (POST .../confirm)
// or abandon (POST .../abandon). A draft proposed by an upheld dispute and
// the editor's publish button of a phrase file both lead here.

// reviewRoutes are the review page and its two actions.
func (s *Server) reviewRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/author/:kind/:id/review", access: authors(), maxBody: smallBody, h: s.withContent(s.reviewPage)},
		{method: http.MethodPost, path: "/author/:kind/:id/confirm", access: authors(), maxBody: smallBody, h: s.withContent(s.reviewConfirm)},
		{method: http.MethodPost, path: "/author/:kind/:id/abandon", access: authors(), maxBody: smallBody, h: s.withContent(s.reviewAbandon)},
	}
}

// reviewView is the review page.
type reviewView struct {
	ID      string
	Review  *app.Review
	Pending bool
	Intents []app.IntentChanges
	// Notice is a catalogue key shown as a status line; Alert one shown
	// as an alert.
	Notice string
	Alert  string
	// Refused holds the problems of a refused publication.
	Refused *app.Refusal
}

// reviewURL is the review page of revision rev of phrase file id.
func reviewURL(id string, rev int64, extra url.Values) string {
	q := url.Values{"rev": {strconv.FormatInt(rev, 10)}}
	for k, v := range extra {
		q[k] = v
	}
	return unitURL(domain.ContentPhrases, id) + "/review?" + q.Encode()
}

// phraseRevision reads revision id v (default the newest) of the unit in
// the path, which must be a phrase file.
func (s *Server) phraseRevision(c *gin.Context, v string) (domain.Revision, error) {
	if c.Param("kind") != string(domain.ContentPhrases) {
		e := errNotFound()
		e.Err = fmt.Errorf("only phrase files are reviewed, not %s/%s", c.Param("kind"), c.Param("id"))
		return domain.Revision{}, e
	}
	return s.unitRevision(c, v)
}

// reviewPage is GET /author/phrases/:id/review?rev=ID (default the newest).
func (s *Server) reviewPage(c *gin.Context) error {
	r, err := s.phraseRevision(c, c.Query("rev"))
	if err != nil {
		return err
	}
	v := reviewView{ID: r.ContentID}
	switch c.Query("note") {
	case "proposed", "stale":
		v.Notice = "review.note_" + c.Query("note")
	}
	return s.renderReview(c, http.StatusOK, r, v)
}

func (s *Server) renderReview(c *gin.Context, status int, r domain.Revision, v reviewView) error {
	ctx := c.Request.Context()
	var err error
	if v.Pending, err = s.content.Pending(ctx, r); err != nil {
		return err
	}
	if v.Review, err = s.content.Review(ctx, r); err != nil {
		return err
	}
	v.Intents = v.Review.ByIntent()
	s.render(c, status, "author_review", v)
	return nil
}

// reviewConfirm is POST /author/phrases/:id/confirm: rev, and pub, the
// publication the review was made against. The draft is published if the
// content did not change since and it breaks nothing.
func (s *Server) reviewConfirm(c *gin.Context) error {
	r, err := s.phraseRevision(c, c.PostForm("rev"))
	if err != nil {
		return err
	}
	id := r.ContentID
	pub, err := strconv.ParseInt(c.PostForm("pub"), 10, 64)
	if err != nil {
		return errBadRequest(fmt.Errorf("pub %q", c.PostForm("pub")))
	}
	var refused *app.Refusal
	switch err := s.content.ConfirmPublish(c.Request.Context(), actorOf(c), r, pub); {
	case errors.Is(err, app.ErrReviewStale):
		c.Redirect(http.StatusSeeOther, reviewURL(id, r.ID, url.Values{"note": {"stale"}}))
		return nil
	case errors.As(err, &refused):
		return s.renderReview(c, http.StatusUnprocessableEntity, r, reviewView{ID: id, Alert: "review.refused", Refused: refused})
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(domain.ContentPhrases, id)+"?done=published")
	return nil
}

// reviewAbandon is POST /author/phrases/:id/abandon: rev, the draft to
// drop; the published text becomes the file's newest revision again.
func (s *Server) reviewAbandon(c *gin.Context) error {
	r, err := s.phraseRevision(c, c.PostForm("rev"))
	if err != nil {
		return err
	}
	id := r.ContentID
	if _, err := s.content.Abandon(c.Request.Context(), actorOf(c), r); errors.Is(err, app.ErrNoDraft) {
		return s.renderReview(c, http.StatusConflict, r, reviewView{ID: id, Alert: "review.no_draft"})
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(domain.ContentPhrases, id)+"?done=abandoned")
	return nil
}

// reviewText holds the texts of the review page.
func reviewText() catalogue {
	return catalogue{
		"review.title":               {langZH: "发布前查看变化", langEN: "Review before publishing"},
		"review.intro":               {langZH: "下面是发布这个草稿后评分会发生的变化。确认无误再发布；不合适就放弃，线上的话术不受影响。", langEN: "This is what publishing the draft would change in scoring. Publish only if it is right; abandon it otherwise, and what is live stays as it is."},
		"review.draft":               {langZH: "草稿", langEN: "Draft"},
		"review.live":                {langZH: "线上版本", langEN: "Live"},
		"review.none_live":           {langZH: "尚未发布", langEN: "none yet"},
		"review.not_pending":         {langZH: "这个版本不是待审核的草稿（已发布、已被更新的版本取代，或与线上内容相同），不能在这里发布或放弃。", langEN: "This revision is not a draft waiting for review (it is published, superseded, or the same as what is live): it cannot be published or abandoned here."},
		"review.changes":             {langZH: "话术文件的改动", langEN: "Changes to the phrase file"},
		"review.no_diff":             {langZH: "与线上版本相同。", langEN: "Same as the live version."},
		"review.issues":              {langZH: "草稿有问题，无法发布", langEN: "The draft has problems and cannot be published"},
		"review.eval":                {langZH: "评测语句", langEN: "Evaluation utterances"},
		"review.eval_count":          {langZH: "已用草稿重放的评测语句数：", langEN: "Utterances replayed with the draft: "},
		"review.eval_none":           {langZH: "没有任何评测语句的识别结果发生变化。", langEN: "No utterance is read differently."},
		"review.gained":              {langZH: "新识别到", langEN: "Newly matched"},
		"review.lost":                {langZH: "不再识别", langEN: "No longer matched"},
		"review.forbidden":           {langZH: "禁用语", langEN: "forbidden"},
		"review.false_hit":           {langZH: "误判：这句话并不含此意图", langEN: "wrong: the utterance does not say this"},
		"review.false_forbid":        {langZH: "误判：礼貌的说法会被当成禁用语", langEN: "wrong: a polite reply would count as an offence"},
		"review.lost_labelled":       {langZH: "退步：这句话本应识别为此意图", langEN: "worse: the utterance does say this"},
		"review.good_gain":           {langZH: "正确", langEN: "right"},
		"review.source_eval":         {langZH: "内置评测集", langEN: "built-in set"},
		"review.source_dev":          {langZH: "盲写评测集", langEN: "blind set"},
		"review.source_dispute":      {langZH: "来自申诉", langEN: "from a dispute"},
		"review.goldens":             {langZH: "黄金对话的评分", langEN: "Golden transcripts' scorecards"},
		"review.golden_count":        {langZH: "已重放的黄金对话数：", langEN: "Golden transcripts replayed: "},
		"review.goldens_none":        {langZH: "所有黄金对话的得分和结论都不变。", langEN: "Every golden transcript keeps its score and verdict."},
		"review.before":              {langZH: "之前", langEN: "Before"},
		"review.after":               {langZH: "之后", langEN: "After"},
		"review.passed":              {langZH: "通过", langEN: "passed"},
		"review.failed":              {langZH: "未通过", langEN: "failed"},
		"review.breaks":              {langZH: "不再符合预期，因此不能发布：", langEN: "no longer ends as expected, so the draft cannot be published: "},
		"review.blocked":             {langZH: "这个草稿会破坏已有检查，不能发布。请在编辑器中修改，或放弃它。", langEN: "The draft breaks a check and cannot be published. Change it in the editor, or abandon it."},
		"review.publish":             {langZH: "确认发布", langEN: "Publish"},
		"review.abandon":             {langZH: "放弃这个草稿", langEN: "Abandon the draft"},
		"review.edit":                {langZH: "在编辑器中修改", langEN: "Edit in the editor"},
		"review.note_proposed":       {langZH: "申诉已采纳，分数已重新计算。学员的说法已存为话术草稿，尚未生效：请查看下面的变化，再决定发布或放弃。", langEN: "The dispute is upheld and the call rescored. The trainee's wording is saved as a draft and is not live yet: look at the changes below, then publish or abandon it."},
		"review.note_stale":          {langZH: "查看之后线上内容有了变化，请根据最新结果重新确认。", langEN: "The live content changed after you looked: check the updated results and confirm again."},
		"review.refused":             {langZH: "未发布：草稿没有通过发布检查。", langEN: "Not published: the draft did not pass the publishing checks."},
		"review.no_draft":            {langZH: "这个版本已不是待审核的草稿，无法放弃。", langEN: "This revision is no longer a draft waiting for review; there is nothing to abandon."},
		"review.done_abandoned":      {langZH: "草稿已放弃：话术文件恢复为线上版本的内容。", langEN: "Draft abandoned: the phrase file is back to the live text."},
		"review.publish_from_editor": {langZH: "查看变化后发布", langEN: "Review the changes and publish"},
		"review.pending_title":       {langZH: "待审核的话术草稿", langEN: "Phrase drafts waiting for review"},
		"review.open":                {langZH: "查看变化", langEN: "Review"},
	}
}
