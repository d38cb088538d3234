package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReviewPage: a phrase-file draft is published from its review page,
// which only trainers and admins reach, and whose forms need the CSRF
// token; the editor's publish button leads there; abandon drops a draft.
func TestReviewPage(t *testing.T) {
	env := newEnv(t)
	env.loadContent()
	ctx := context.Background()
	wangTok, wangCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	adminTok, _ := env.session(env.addUser("root", domain.RoleAdmin))
	liTok, liCSRF := env.session(env.addUser("li", domain.RoleTrainee))
	bossTok, _ := env.session(env.addUser("boss", domain.RoleManager))

	const said = "回执码"
	draft := func() store.Publication {
		head, err := env.db.Head(ctx, domain.ContentPhrases, "handling")
		require.NoError(t, err)
		body, err := phrasebook.AddVariant("handling.yaml", []byte(head.Body), "ticket.number", said)
		require.NoError(t, err)
		_, err = env.db.SaveRevision(ctx, store.Actor{Name: "wang"}, store.SaveRequest{Kind: domain.ContentPhrases, ID: "handling",
			Body: string(body), Parent: head.N})
		require.NoError(t, err)
		pub, err := env.db.CurrentPublication(ctx)
		require.NoError(t, err)
		return pub
	}
	pub := draft()
	head, err := env.db.Head(ctx, domain.ContentPhrases, "handling")
	require.NoError(t, err)
	rev := strconv.FormatInt(head.ID, 10)

	// The editor's publish button does not publish a phrase file: it
	// leads to the review.
	w := env.postForm(wangTok, wangCSRF, "/author/phrases/handling/publish", url.Values{"rev": {rev}})
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	page := "/author/phrases/handling/review?rev=" + rev
	assert.Equal(t, page, w.Header().Get("Location"))
	info, err := env.db.Content(ctx, domain.ContentPhrases, "handling")
	require.NoError(t, err)
	assert.NotEqual(t, head.ID, info.PublishedID)

	for _, tok := range []string{liTok, bossTok} {
		assert.Equal(t, http.StatusForbidden, env.do(withCookie(getReq(page), tok)).Code)
	}
	w = env.postForm(liTok, liCSRF, "/author/phrases/handling/confirm", url.Values{"rev": {rev}, "pub": {strconv.FormatInt(pub.ID, 10)}})
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, http.StatusOK, env.do(withCookie(getReq(page), adminTok)).Code)
	assert.Equal(t, http.StatusNotFound, env.do(withCookie(getReq("/author/scenario/leak/review"), wangTok)).Code, "only phrase files")

	w = env.do(withCookie(getReq(page), wangTok))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	body := w.Body.String()
	assert.Contains(t, body, "发布前查看变化")
	assert.Contains(t, body, said, "the diff shows the new wording")
	assert.Contains(t, body, `name="pub" value="`+strconv.FormatInt(pub.ID, 10)+`"`)
	assert.Contains(t, body, `name="csrf_token" value="`+wangCSRF+`"`)
	assert.NotContains(t, body, "review.", "every text is in the catalogue")

	// Confirming needs the token, and a review of the content now live.
	confirm := url.Values{"rev": {rev}, "pub": {strconv.FormatInt(pub.ID, 10)}}
	w = env.do(withCookie(formReq(http.MethodPost, "/author/phrases/handling/confirm", confirm), wangTok))
	assert.Equal(t, http.StatusForbidden, w.Code, "no CSRF token")
	w = env.postForm(wangTok, wangCSRF, "/author/phrases/handling/confirm", url.Values{"rev": {rev}, "pub": {strconv.FormatInt(pub.ID-1, 10)}})
	require.Equal(t, http.StatusSeeOther, w.Code)
	assert.Contains(t, w.Header().Get("Location"), "note=stale")
	w = env.postForm(wangTok, wangCSRF, "/author/phrases/handling/confirm", confirm)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, "/author/phrases/handling?done=published", w.Header().Get("Location"))
	info, err = env.db.Content(ctx, domain.ContentPhrases, "handling")
	require.NoError(t, err)
	assert.Equal(t, head.ID, info.PublishedID)
	cs, err := env.srv.content.Published(ctx)
	require.NoError(t, err)
	e, ok := cs.Book.Entry("ticket.number")
	require.True(t, ok)
	assert.Contains(t, e.Variants, said)

	// The published revision is no longer a draft: no buttons; another
	// draft can be abandoned.
	w = env.do(withCookie(getReq(page), wangTok))
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotContains(t, w.Body.String(), "/confirm")
	head, err = env.db.Head(ctx, domain.ContentPhrases, "handling")
	require.NoError(t, err)
	body2, err := phrasebook.AddVariant("handling.yaml", []byte(head.Body), "ticket.number", "单号给您")
	require.NoError(t, err)
	d2, err := env.db.SaveRevision(ctx, store.Actor{Name: "wang"}, store.SaveRequest{Kind: domain.ContentPhrases, ID: "handling", Body: string(body2), Parent: head.N})
	require.NoError(t, err)
	w = env.postForm(wangTok, wangCSRF, "/author/phrases/handling/abandon", url.Values{"rev": {strconv.FormatInt(d2.ID, 10)}})
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, "/author/phrases/handling?done=abandoned", w.Header().Get("Location"))
	w = env.postForm(wangTok, wangCSRF, "/author/phrases/handling/abandon", url.Values{"rev": {strconv.FormatInt(d2.ID, 10)}})
	assert.Equal(t, http.StatusConflict, w.Code)
	now, err := env.db.Head(ctx, domain.ContentPhrases, "handling")
	require.NoError(t, err)
	assert.Equal(t, head.Body, now.Body)
}
