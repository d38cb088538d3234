package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// disputedCall stores an ended call of u in which the trainee said the model
// answer's first two lines and hung up, so that most checklist items were
// missed. It returns the call id, its scorecard, a missed item that
// phrasebook entries satisfy, another missed item, and the index of the
// trainee's second turn, which has the caller's lines on both sides.
func disputedCall(t *testing.T, env *testEnv, u domain.User) (string, sim.Scorecard, sim.ItemResult, sim.ItemResult, int) {
	t.Helper()
	ctx := context.Background()
	cs, err := env.srv.content.Published(ctx)
	require.NoError(t, err)
	sc, tr := passGolden(t, cs.Lib)
	short := &scenarios.Transcript{Scenario: sc.ID, Turns: []scenarios.Turn{tr.Turns[0], tr.Turns[1], {At: tr.Turns[1].At + 5, Hangup: true}}}
	card, _, err := sim.Replay(sc, cs.Book, short, sim.Options{Mode: domain.Exam, Seed: 3})
	require.NoError(t, err)
	rec := store.Call{UserID: u.ID, ScenarioID: sc.ID, ScenarioRevision: domain.CallRevision(cs.ScenarioRev(sc.ID), cs.Pub),
		Mode: domain.Exam, Seed: 3, Started: t0}
	require.NoError(t, env.db.CreateCall(ctx, &rec))
	var learnable, other *sim.ItemResult
	for i := range card.Checklist {
		it := &card.Checklist[i]
		if it.Done {
			continue
		}
		if learnable == nil && len(env.srv.app.ItemEntries(ctx, rec, it.ID)) > 0 {
			learnable = it
		} else if other == nil && said(sc, it.ID) {
			other = it
		}
	}
	require.NotNil(t, learnable, "a missed item with phrasebook entries")
	require.NotNil(t, other, "a second missed item")
	turn := -1
	for i, tu := range card.Turns {
		if tu.Speaker == sim.Trainee && i > 0 && i+1 < len(card.Turns) && card.Turns[i-1].Speaker == sim.Customer {
			turn = i
		}
	}
	require.GreaterOrEqual(t, turn, 0, "a trainee line between two of the caller's")

	raw, err := json.Marshal(card)
	require.NoError(t, err)
	require.NoError(t, env.db.EndCall(ctx, rec.ID, store.CallResult{Ended: t0, Outcome: string(card.Outcome),
		Score: float64(card.Score), Passed: card.Passed, Scorecard: raw}))
	return rec.ID, *card, *learnable, *other, turn
}

// said reports whether checklist item id of sc is graded on what was said.
func said(sc *scenarios.Scenario, id string) bool {
	for i := range sc.Checklist {
		if sc.Checklist[i].ID == id {
			return sc.Checklist[i].Said()
		}
	}
	return false
}

func TestDisputeUpheldAndLearnt(t *testing.T) {
	// The content comes from the store, as it does in production: the
	// built-in content is loaded on first use.
	env := newEnv(t)
	t.Cleanup(env.srv.Close)
	ctx := context.Background()
	li := env.addUser("li", domain.RoleTrainee)
	liToken, liCSRF := env.session(li)
	wangToken, wangCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	id, card, item, other, turn := disputedCall(t, env, li)
	page := "/calls/" + id + "/dispute"
	// The scorecard offers the dispute on the missed item to its trainee only.
	link := page + "?item=" + item.ID
	w := env.do(withCookie(getReq("/calls/"+id+"/scorecard"), liToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), link)
	// A measured item (the trainee hung up first) is not offered, and a
	// dispute of it is refused.
	cs, err := env.srv.content.Published(ctx)
	require.NoError(t, err)
	sc, ok := cs.Lib.Scenario(card.Scenario)
	require.True(t, ok)
	hungUp := ""
	for _, it := range sc.Checklist {
		if it.Rule == scenarios.RuleCallerHungUpFirst {
			hungUp = it.ID
		}
	}
	require.False(t, card.Checklist[card.ItemIndex(hungUp)].Done, "the trainee hung up first")
	assert.NotContains(t, w.Body.String(), page+"?item="+hungUp)
	w = env.do(withCookie(formReq(http.MethodPost, page, url.Values{csrfField: {liCSRF}, "item": {hungUp},
		"turn": {strconv.Itoa(turn)}, "text": {"我没有先挂"}}), liToken))
	assert.Equal(t, http.StatusConflict, w.Code)
	assert.Contains(t, w.Body.String(), "不能申诉")
	w = env.do(withCookie(getReq("/calls/"+id+"/scorecard"), wangToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotContains(t, w.Body.String(), link)

	// The trainee's form names the item and lists their lines.
	w = env.do(withCookie(getReq(page+"?item="+item.ID), liToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), item.Title)
	assert.Contains(t, w.Body.String(), `name="csrf_token" value="`+liCSRF+`"`)
	assert.Contains(t, w.Body.String(), card.Turns[turn].Text)
	assert.NotContains(t, w.Body.String(), "dispute.", "every text is in the catalogue")

	// Other people cannot see it; a form without the token is refused.
	zhaoToken, _ := env.session(env.addUser("zhao", domain.RoleTrainee))
	assert.Equal(t, http.StatusNotFound, env.do(withCookie(getReq(page+"?item="+item.ID), zhaoToken)).Code)
	assert.Equal(t, http.StatusNotFound, env.do(withCookie(getReq(page+"?item=no-such"), liToken)).Code)
	claim := "我问了，就在这一句"
	form := url.Values{"item": {item.ID}, "turn": {strconv.Itoa(turn)}, "text": {claim}}
	assert.Equal(t, http.StatusForbidden, env.do(withCookie(formReq(http.MethodPost, page, form), liToken)).Code)

	bad := []struct {
		name   string
		change func(url.Values)
		status int
	}{
		{"no reason", func(f url.Values) { f.Set("text", " ") }, http.StatusBadRequest},
		{"a caller's line", func(f url.Values) { f.Set("turn", strconv.Itoa(turn-1)) }, http.StatusBadRequest},
		{"no turn", func(f url.Values) { f.Del("turn") }, http.StatusBadRequest},
		{"too long", func(f url.Values) { f.Set("text", strings.Repeat("长", app.MaxDisputeRunes+1)) }, http.StatusBadRequest},
	}
	for _, tc := range bad {
		f := url.Values{csrfField: {liCSRF}}
		for k, v := range form {
			f[k] = v
		}
		tc.change(f)
		w := env.do(withCookie(formReq(http.MethodPost, page, f), liToken))
		assert.Equal(t, tc.status, w.Code, tc.name)
		assert.Contains(t, w.Body.String(), `role="alert"`, tc.name)
	}

	form.Set(csrfField, liCSRF)
	w = env.do(withCookie(formReq(http.MethodPost, page, form), liToken))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Regexp(t, `^/disputes/mine\?sent=\d+#dispute-\d+$`, w.Header().Get("Location"))
	loc, _, _ := strings.Cut(w.Header().Get("Location"), "#")
	w = env.do(withCookie(getReq(loc), liToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "申诉已提交", "the trainee is told it was sent")
	assert.Contains(t, w.Body.String(), html.EscapeString(card.Title), "the call is named by its scenario")
	assert.NotContains(t, w.Body.String(), ">"+id, "not by its id")
	w = env.do(withCookie(formReq(http.MethodPost, page, form), liToken))
	assert.Equal(t, http.StatusConflict, w.Code, "one dispute per item")

	// The trainer's queue shows the claim with the lines around the turn.
	w = env.do(withCookie(getReq("/disputes"), wangToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	body := w.Body.String()
	assert.Contains(t, body, claim)
	assert.Contains(t, body, card.Turns[turn-1].Text, "the line before")
	assert.Contains(t, body, card.Turns[turn+1].Text, "the line after")
	assert.Contains(t, body, `name="learn"`)
	assert.NotContains(t, body, "dispute.", "every text is in the catalogue")
	open, err := env.db.ListDisputes(ctx, store.DisputeFilter{State: domain.DisputeOpen})
	require.NoError(t, err)
	require.Len(t, open, 1)
	d := open[0]

	// Uphold, adding the wording to the first offered entry.
	callRec, err := env.db.CallByID(ctx, id)
	require.NoError(t, err)
	entry := env.srv.app.ItemEntries(ctx, callRec, item.ID)[0]
	said := card.Turns[turn].Text
	wording := env.srv.app.ProposeWording(ctx, callRec, item.ID, said)
	require.NotEmpty(t, wording)
	t.Logf("proposed %q for %s from %q", wording, item.ID, said)
	assert.Contains(t, body, `name="wording" value="`+wording+`"`, "the form proposes the wording")
	uphold := "/disputes/" + strconv.FormatInt(d.ID, 10) + "/uphold"
	w = env.do(withCookie(formReq(http.MethodPost, uphold, url.Values{csrfField: {wangCSRF}, "learn": {"1"}, "entry": {"not-offered"}, "wording": {wording}}), wangToken))
	assert.Equal(t, http.StatusBadRequest, w.Code, "only the item's entries")
	w = env.do(withCookie(formReq(http.MethodPost, uphold, url.Values{csrfField: {wangCSRF}, "comment": {"对，算你做到了"},
		"learn": {"1"}, "entry": {entry.ID}, "wording": {wording}}), wangToken))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	file := strings.TrimSuffix(path.Base(entry.Pos.File), ".yaml")
	head, err := env.db.Head(ctx, domain.ContentPhrases, file)
	require.NoError(t, err)
	review := "/author/phrases/" + file + "/review?note=proposed&rev=" + strconv.FormatInt(head.ID, 10)
	assert.Equal(t, review, w.Header().Get("Location"), "the trainer goes on to review the proposal")

	// The score is the one sim works out, and the card shows the override.
	want, err := sim.Uphold(card, item.ID, turn, sim.Upheld{Dispute: d.ID, By: "wang"})
	require.NoError(t, err)
	require.Greater(t, want.Score, card.Score)
	rec, err := env.db.CallByID(ctx, id)
	require.NoError(t, err)
	assert.InDelta(t, float64(want.Score), rec.Score, 0)
	var stored sim.Scorecard
	require.NoError(t, json.Unmarshal(rec.Scorecard, &stored))
	got := stored.Checklist[stored.ItemIndex(item.ID)]
	assert.True(t, got.Done)
	require.NotNil(t, got.Upheld)
	assert.Equal(t, card.Score, got.Upheld.ScoreBefore)
	w = env.do(withCookie(getReq("/calls/"+id+"/scorecard"), liToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "申诉已由培训师 wang 采纳", "the scorecard shows the override")
	assert.NotContains(t, w.Body.String(), link, "a done item is not disputed")

	// The phrasebook file has a draft revision with the wording; nothing
	// is published: new calls do not hear it yet.
	assert.Contains(t, head.Body, wording)
	info, err := env.db.Content(ctx, domain.ContentPhrases, file)
	require.NoError(t, err)
	assert.NotEqual(t, head.ID, info.PublishedID)
	cs, err = env.srv.content.Refresh(ctx)
	require.NoError(t, err)
	live, ok := cs.Book.Entry(entry.ID)
	require.True(t, ok)
	assert.NotContains(t, live.Variants, wording)
	// The review page shows the trainee's line newly matched.
	w = env.do(withCookie(getReq(review), wangToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "申诉已采纳")
	assert.Regexp(t, `新识别到[\s\S]*“`+regexp.QuoteMeta(said)+`”`, w.Body.String())
	cases, err := env.db.ListEvalCases(ctx)
	require.NoError(t, err)
	require.Len(t, cases, 1)
	assert.Equal(t, said, cases[0].Text)
	assert.Equal(t, string(entry.Intent), cases[0].Intent)

	// Both changes are in the audit log.
	log, err := env.db.ListAudit(ctx, store.AuditFilter{})
	require.NoError(t, err)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{"dispute.open", "dispute.uphold", "evalcase.add", "phrases.propose"} {
		assert.Contains(t, actions, a)
	}
	assert.NotContains(t, actions, "phrases.publish")

	// Deciding twice is refused; the export has the case.
	w = env.do(withCookie(formReq(http.MethodPost, uphold, url.Values{csrfField: {wangCSRF}}), wangToken))
	assert.Equal(t, http.StatusConflict, w.Code)
	w = env.do(withCookie(getReq("/eval-cases.yaml"), wangToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), wording)
	assert.Contains(t, w.Body.String(), "want: ["+string(entry.Intent)+"]")

	// A second dispute is rejected, with a comment the trainee reads.
	form = url.Values{csrfField: {liCSRF}, "item": {other.ID}, "turn": {strconv.Itoa(turn)}, "text": {"这一项我也做到了"}}
	require.Equal(t, http.StatusSeeOther, env.do(withCookie(formReq(http.MethodPost, page, form), liToken)).Code)
	open, err = env.db.ListDisputes(ctx, store.DisputeFilter{State: domain.DisputeOpen})
	require.NoError(t, err)
	require.Len(t, open, 1)
	reject := "/disputes/" + strconv.FormatInt(open[0].ID, 10) + "/reject"
	w = env.do(withCookie(formReq(http.MethodPost, reject, url.Values{csrfField: {wangCSRF}, "comment": {" "}}), wangToken))
	assert.Equal(t, http.StatusBadRequest, w.Code, "a rejection says why")
	why := "这一句没有提到该项内容"
	w = env.do(withCookie(formReq(http.MethodPost, reject, url.Values{csrfField: {wangCSRF}, "comment": {why}}), wangToken))
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	rec, err = env.db.CallByID(ctx, id)
	require.NoError(t, err)
	assert.InDelta(t, float64(want.Score), rec.Score, 0, "a rejection changes no score")

	w = env.do(withCookie(getReq("/disputes/mine"), liToken))
	require.Equal(t, http.StatusOK, w.Code)
	body = w.Body.String()
	assert.Contains(t, body, why)
	assert.Contains(t, body, "对，算你做到了")
	assert.Contains(t, body, strconv.Itoa(card.Score)+" → "+strconv.Itoa(want.Score))
	assert.Contains(t, body, "已采纳")
	assert.Contains(t, body, "未采纳")
	w = env.do(withCookie(getReq("/disputes/mine?lang=en"), liToken))
	assert.Contains(t, w.Body.String(), ">upheld<")
	assert.Contains(t, w.Body.String(), ">rejected<")
	assert.NotContains(t, w.Body.String(), "dispute.", "every text is in the catalogue")
	w = env.do(withCookie(getReq("/disputes/mine"), zhaoToken))
	assert.NotContains(t, w.Body.String(), why, "only one's own disputes")
}

// TestUpheldScoreEverywhere: a call played over the socket ends; a trainer
// upholds the trainee's dispute of a missed item; then the scorecard page,
// the API and the socket's replay all show the new score, from the call's
// one stored scorecard.
func TestUpheldScoreEverywhere(t *testing.T) {
	env, lib := newCallEnv(t)
	ctx := context.Background()
	sc, tr := passGolden(t, lib)
	li := env.addUser("li", domain.RoleTrainee)
	wang := env.addUser("wang", domain.RoleTrainer)
	token, _ := env.session(li)
	id, _ := env.startCall(token, sc.ID, "exam")
	ts := wsServer(t, env)

	conn := mustDial(t, ts, token, id, -1)
	for _, tu := range []scenarios.Turn{tr.Turns[0], tr.Turns[1], {At: tr.Turns[1].At + 5, Hangup: true}} {
		env.clock.Set(secs(tu.At))
		if tu.Hangup {
			send(t, conn, map[string]string{"type": "hangup"})
		} else {
			send(t, conn, say(tu.Say))
			readUntil(t, conn, "customer")
		}
	}
	got := readUntil(t, conn, "end")
	var before sim.Scorecard
	require.NoError(t, json.Unmarshal(got[len(got)-1].Scorecard, &before))
	_, err := closedWith(t, conn)
	require.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)

	// The trainee disputes the first missed item, naming their first line;
	// the trainer upholds it.
	rec, err := env.db.CallByID(ctx, id)
	require.NoError(t, err)
	said := env.srv.app.SaidItems(ctx, rec)
	var item sim.ItemResult
	for _, it := range before.Checklist {
		if !it.Done && it.Points > 0 && said[it.ID] {
			item = it
			break
		}
	}
	require.NotEmpty(t, item.ID, "the short call misses an item")
	turn := slices.IndexFunc(before.Turns, func(tu sim.Turn) bool { return tu.Speaker == sim.Trainee })
	_, err = env.srv.app.OpenDispute(ctx, li, id, item.ID, turn, "我做到了")
	require.NoError(t, err)
	open, err := env.db.ListDisputes(ctx, store.DisputeFilter{CallID: id})
	require.NoError(t, err)
	require.Len(t, open, 1)
	done, err := env.srv.app.UpholdDispute(ctx, wang, open[0].ID, "", nil)
	require.NoError(t, err)
	require.Equal(t, app.Upheld, done.Done)
	rec, err = env.db.CallByID(ctx, id)
	require.NoError(t, err)
	after, err := app.ParseCard(rec)
	require.NoError(t, err)
	require.Greater(t, after.Score, before.Score, "the upheld item adds points")

	// The scorecard page.
	w := env.do(withCookie(getReq("/calls/"+id+"/scorecard"), token))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), `<span class="score" id="score">`+strconv.Itoa(after.Score)+`</span>`)

	// The API: the call's score and its scorecard.
	w = env.do(withCookie(getReq("/api/calls/"+id), token))
	require.Equal(t, http.StatusOK, w.Code)
	var api struct {
		Call      struct{ Score float64 }
		Scorecard sim.Scorecard
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &api))
	assert.InDelta(t, float64(after.Score), api.Call.Score, 0)
	assert.Equal(t, after.Score, api.Scorecard.Score)

	// The socket's replay of the ended call.
	replayed, err := closedWith(t, mustDial(t, ts, token, id, 0))
	require.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)
	end := replayed[len(replayed)-1]
	require.Equal(t, "end", end.Type)
	var card sim.Scorecard
	require.NoError(t, json.Unmarshal(end.Scorecard, &card))
	assert.Equal(t, after.Score, card.Score)
	up := card.Checklist[card.ItemIndex(item.ID)]
	assert.True(t, up.Done)
	require.NotNil(t, up.Upheld)
	assert.Equal(t, before.Score, up.Upheld.ScoreBefore)
}
