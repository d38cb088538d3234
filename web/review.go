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
