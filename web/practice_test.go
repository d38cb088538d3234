package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// golden returns a library scenario's golden transcript by name.
func golden(t *testing.T, lib *scenarios.Library, scenario, name string) (*scenarios.Scenario, *scenarios.Transcript) {
	t.Helper()
	sc, ok := lib.Scenario(scenario)
	require.True(t, ok, "scenario %s", scenario)
	for _, g := range lib.Golden[scenario] {
		if g.Name == name {
			return sc, g.Transcript.Spoken() // the call page has no desk yet
		}
	}
	t.Fatalf("scenario %s has no golden transcript %s", scenario, name)
	return nil, nil
}

// endedCall starts a call through the API as the holder of token and ends
// it with the scorecard the engine gives the golden transcript, as a call
// played live would be recorded.
func (e *testEnv) endedCall(lib *scenarios.Library, token, scenario, name, mode string) (string, *sim.Scorecard) {
	e.t.Helper()
	sc, tr := golden(e.t, lib, scenario, name)
	id, _ := e.startCall(token, scenario, mode)
	card, _, err := sim.Replay(sc, e.srv.cfg.Book, tr, sim.Options{Mode: domain.Mode(mode), Seed: 1})
	require.NoError(e.t, err)
	raw, err := json.Marshal(card)
	require.NoError(e.t, err)
	require.NoError(e.t, e.db.EndCall(context.Background(), id, store.CallResult{
		Ended: e.clock.Now(), Outcome: string(card.Outcome), Score: float64(card.Score), Passed: card.Passed, Scorecard: raw,
	}))
	return id, card
}

// page GETs path as the holder of token and returns the status and body.
func (e *testEnv) page(token, path string) (int, string, http.Header) {
	e.t.Helper()
	req := getReq(path)
	if token != "" {
		req = withCookie(req, token)
	}
	w := e.do(req)
	return w.Code, w.Body.String(), w.Header()
}

func TestScenariosPage(t *testing.T) {
	env, lib := newCallEnv(t)
	token, csrf := env.session(env.addUser("li", domain.RoleTrainee))
	_, card := env.endedCall(lib, token, "wrong-number", "pass", "exam")
	require.True(t, card.Passed)
	env.endedCall(lib, token, "wrong-number", "fail-rude", "practice")
	live, _ := env.startCall(token, "leak", "practice")
	otherToken, _ := env.session(env.addUser("wang", domain.RoleTrainee))
	env.endedCall(lib, otherToken, "leak", "pass", "exam")

	status, body, _ := env.page(token, "/scenarios")
	require.Equal(t, http.StatusOK, status, body)
	for _, sc := range lib.Scenarios {
		assert.Contains(t, body, html.EscapeString(sc.Title))
		assert.Contains(t, body, `<input type="hidden" name="scenario" value="`+sc.ID+`">`)
	}
	assert.Equal(t, len(lib.Scenarios), strings.Count(body, `<form method="post" action="/calls"`), "a start form per scenario")
	for _, sc := range lib.Scenarios {
		assert.Contains(t, scenarioCard(t, body, sc.ID), `name="csrf_token" value="`+csrf+`"`, "every start form carries the token")
	}
	assert.Contains(t, body, `value="practice" checked`)
	assert.Contains(t, body, `value="exam"`)

	wrong := scenarioCard(t, body, "wrong-number")
	assert.Contains(t, wrong, "<strong>100</strong> / 100", "best of the two attempts")
	assert.Contains(t, wrong, "已通过")
	assert.Contains(t, wrong, "<dd>2</dd>", "two attempts")
	assert.Contains(t, wrong, "供水")
	assert.Contains(t, wrong, "入门")
	leak := scenarioCard(t, body, "leak")
	assert.Contains(t, leak, "尚未练习", "another trainee's attempts do not count")
	assert.Contains(t, leak, `href="/calls/`+live+`"`, "the unfinished call can be taken up")
	assert.NotContains(t, body, "已认证", "no certification badge until certification fills it")

	// The catalogue describes the situation and gives nothing away: no
	// teaching points, no checklist, no model sentence or model call.
	for _, sc := range lib.Scenarios {
		card := scenarioCard(t, body, sc.ID)
		assert.Contains(t, card, html.EscapeString(sc.Summary))
		if sc.TrainerNote != "" {
			assert.NotContains(t, body, html.EscapeString(sc.TrainerNote))
		}
		for _, it := range sc.Checklist {
			assert.NotContains(t, card, html.EscapeString(it.Title), "%s: checklist item %s", sc.ID, it.ID)
			if it.Model != "" && !strings.Contains(it.Model, "{") {
				assert.NotContains(t, card, html.EscapeString(it.Model), "%s: model sentence of %s", sc.ID, it.ID)
			}
		}
		for _, tu := range sc.ModelCall {
			assert.NotContains(t, card, html.EscapeString(tu.Say), "%s: model call", sc.ID)
		}
	}

	status, body, _ = env.page(token, "/scenarios?lang=en")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Best score")
	assert.Contains(t, body, "Start the call")

	status, _, hdr := env.page("", "/scenarios")
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/login?next=%2Fscenarios", hdr.Get("Location"))

	status, body, _ = env.page(token, "/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `href="/scenarios"`, "home leads to the catalogue")
	assert.Contains(t, body, `href="/history"`)
}

// scenarioCard cuts one scenario's card out of the catalogue page.
func scenarioCard(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `data-scenario="`+id+`"`)
	require.GreaterOrEqual(t, start, 0, "card of %s", id)
	end := strings.Index(body[start:], "</li>")
	require.Greater(t, end, 0)
	return body[start : start+end]
}

func TestStartCallForm(t *testing.T) {
	env, _ := newCallEnv(t)
	u := env.addUser("li", domain.RoleTrainee)
	token, csrf := env.session(u)

	tests := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"practice", url.Values{csrfField: {csrf}, "scenario": {"wrong-number"}, "mode": {"practice"}}, http.StatusSeeOther, ""},
		{"exam", url.Values{csrfField: {csrf}, "scenario": {"leak"}, "mode": {"exam"}}, http.StatusSeeOther, ""},
		{"no token", url.Values{"scenario": {"leak"}, "mode": {"exam"}}, http.StatusForbidden, "csrf"},
		{"wrong token", url.Values{csrfField: {"x" + csrf}, "scenario": {"leak"}, "mode": {"exam"}}, http.StatusForbidden, "csrf"},
		{"unknown scenario", url.Values{csrfField: {csrf}, "scenario": {"no-such"}, "mode": {"exam"}}, http.StatusNotFound, "not_found"},
		{"bad mode", url.Values{csrfField: {csrf}, "scenario": {"leak"}, "mode": {"quiz"}}, http.StatusBadRequest, "bad_request"},
	}
	started := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.do(withCookie(formReq(http.MethodPost, "/calls", tc.form), token))
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.code != "" {
				assert.Contains(t, w.Body.String(), `data-code="`+tc.code+`"`)
				return
			}
			started++
			loc := w.Header().Get("Location")
			require.True(t, strings.HasPrefix(loc, "/calls/"), loc)
			rec, err := env.db.CallByID(context.Background(), strings.TrimPrefix(loc, "/calls/"))
			require.NoError(t, err)
			assert.Equal(t, u.ID, rec.UserID)
			assert.Equal(t, tc.form.Get("scenario"), rec.ScenarioID)
			assert.Equal(t, domain.Mode(tc.form.Get("mode")), rec.Mode)
			assert.Equal(t, domain.CallLive, rec.Status)
		})
	}
	calls, err := env.db.ListCalls(context.Background(), store.CallFilter{})
	require.NoError(t, err)
	assert.Len(t, calls, started, "refused forms start nothing")
}

func TestCallPage(t *testing.T) {
	env, lib := newCallEnv(t)
	sc, tr := golden(t, lib, "wrong-number", "pass")
	owner := env.addUser("li", domain.RoleTrainee)
	token, _ := env.session(owner)
	id, wsPath := env.startCall(token, sc.ID, "practice")

	status, body, _ := env.page(token, "/calls/"+id)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `data-ws="`+wsPath+`"`)
	assert.Contains(t, body, `data-after="0"`)
	assert.Contains(t, body, `data-phase="waiting"`, "nothing rings before the socket opens")
	assert.Contains(t, body, `<script src="/static/call.js" defer></script>`)
	assert.Contains(t, body, `id="say"`)
	assert.Contains(t, body, html.EscapeString(sc.Title))
	assert.NotContains(t, body, "<script>", "no inline script under the CSP")

	// One exchange over the socket; a reload shows it and resumes after it.
	ts := wsServer(t, env)
	conn := mustDial(t, ts, token, id, -1)
	readUntil(t, conn, "mood")
	env.clock.Set(secs(tr.Turns[0].At))
	send(t, conn, say(tr.Turns[0].Say))
	msgs := readUntil(t, conn, "customer")
	last := msgs[len(msgs)-1]

	status, body, _ = env.page(token, "/calls/"+id)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `data-phase="talking"`)
	assert.Contains(t, body, html.EscapeString(tr.Turns[0].Say))
	assert.Contains(t, body, html.EscapeString(last.Text))
	m := regexp.MustCompile(`data-after="(\d+)"`).FindStringSubmatch(body)
	require.Len(t, m, 2, "data-after on the page")
	after, err := strconv.ParseInt(m[1], 10, 64)
	require.NoError(t, err)
	assert.Equal(t, last.Seq, after, "the page resumes after the last message it shows")

	tests := []struct {
		who    string
		role   domain.Role
		status int
	}{
		{"other-trainee", domain.RoleTrainee, http.StatusNotFound},
		{"a-trainer", domain.RoleTrainer, http.StatusOK},
		{"a-manager", domain.RoleManager, http.StatusOK},
		{"an-admin", domain.RoleAdmin, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			other, _ := env.session(env.addUser(tc.who, tc.role))
			status, body, _ := env.page(other, "/calls/"+id)
			require.Equal(t, tc.status, status)
			if status != http.StatusOK {
				assert.NotContains(t, body, html.EscapeString(tr.Turns[0].Say))
				return
			}
			assert.Contains(t, body, `data-ws=""`, "only the trainee taking the call gets its socket")
			assert.NotContains(t, body, `id="say"`)
			assert.Contains(t, body, "这是 li 正在进行的通话")
			assert.Contains(t, body, html.EscapeString(tr.Turns[0].Say))
		})
	}

	status, _, _ = env.page(token, "/calls/nosuchcall")
	assert.Equal(t, http.StatusNotFound, status)

	ended, _ := env.endedCall(lib, token, sc.ID, "pass", "exam")
	status, _, hdr := env.page(token, "/calls/"+ended)
	assert.Equal(t, http.StatusSeeOther, status, "an ended call opens its scorecard")
	assert.Equal(t, "/calls/"+ended+"/scorecard", hdr.Get("Location"))
}

func TestScorecardPage(t *testing.T) {
	env, lib := newCallEnv(t)
	owner := env.addUser("li", domain.RoleTrainee)
	token, _ := env.session(owner)
	passID, pass := env.endedCall(lib, token, "wrong-number", "pass", "exam")
	failID, fail := env.endedCall(lib, token, "wrong-number", "fail-rude", "practice")
	require.True(t, pass.Passed)
	require.False(t, fail.Passed)
	require.NotEmpty(t, fail.Forbidden)

	t.Run("passed", func(t *testing.T) {
		status, body, _ := env.page(token, "/calls/"+passID+"/scorecard")
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, `<span class="score" id="score">100</span>`)
		assert.Contains(t, body, "✓ 通过")
		assert.Contains(t, body, "及格线 70")
		assert.Contains(t, body, `<strong id="best">100</strong> (共 2 次)`)
		assert.Contains(t, body, "客户满意挂机，通话正常结束")
		assert.Contains(t, body, html.EscapeString(pass.OutcomeNote))
		for _, it := range pass.Checklist {
			assert.Contains(t, body, `data-item="`+it.ID+`"`)
			assert.Contains(t, body, html.EscapeString(it.Explain))
			assert.Contains(t, body, html.EscapeString(it.Norm))
		}
		assert.Equal(t, len(pass.Checklist), strings.Count(body, `<li class="item done"`), "every item done")
		// The first reply's greeting is highlighted where it was said.
		first := pass.Turns[0]
		require.NotEmpty(t, first.Hits)
		h := first.Hits[0]
		said := string([]rune(first.Text)[h.Start:h.End])
		assert.Contains(t, body, `<mark class="hit required" data-entry="`+h.ID+`" title="问候">`+html.EscapeString(said)+`</mark>`)
		assert.Equal(t, len(pass.Turns), strings.Count(body, `<li class="line `), "every turn of both speakers")
		assert.Contains(t, body, "没有说不当用语")
	})

	t.Run("failed with a forbidden phrase", func(t *testing.T) {
		status, body, _ := env.page(token, "/calls/"+failID+"/scorecard")
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, "✗ 未通过")
		assert.Contains(t, body, `<strong id="best">100</strong>`, "best is across attempts")
		assert.Contains(t, body, "您先挂断了电话")
		f := fail.Forbidden[0]
		assert.Contains(t, body, `<del class="hit forbidden" title="态度生硬">`+html.EscapeString(f.Said)+`</del>`)
		assert.NotContains(t, body, `</del><ins`, "the forbidden words are struck out, nothing spliced into them")
		require.NotEmpty(t, f.Rewrite)
		assert.Contains(t, body, `<p class="model">可以这样说：<ins class="suggest">`+html.EscapeString(f.Rewrite)+`</ins></p>`, "a whole sentence instead")
		for _, it := range fail.Checklist {
			if !it.Done && it.Model != "" {
				assert.Contains(t, body, `<p class="model">可以这样说：<ins class="suggest">`+html.EscapeString(it.Model)+`</ins></p>`, "a missed item shows its model sentence")
			}
		}
		assert.Contains(t, body, `id="model-call"`, "the model call follows the call")
		assert.NotContains(t, body, `id="trainer-note"`, "the teaching points are for trainers")
		assert.Contains(t, body, `<del class="said-bad">`+html.EscapeString(f.Said)+`</del>`)
		for _, r := range fail.Reasons {
			assert.Contains(t, body, html.EscapeString(r))
		}
		assert.Contains(t, body, `<li class="item missed"`)
	})

	t.Run("english", func(t *testing.T) {
		status, body, _ := env.page(token, "/calls/"+failID+"/scorecard?lang=en")
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "Not passed")
		assert.Contains(t, body, "You hung up first")
		assert.Contains(t, body, "You could say")
	})

	tests := []struct {
		who    string
		role   domain.Role
		status int
	}{
		{"other-trainee", domain.RoleTrainee, http.StatusNotFound},
		{"a-trainer", domain.RoleTrainer, http.StatusOK},
		{"a-manager", domain.RoleManager, http.StatusOK},
		{"an-admin", domain.RoleAdmin, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			other, _ := env.session(env.addUser(tc.who, tc.role))
			status, body, _ := env.page(other, "/calls/"+passID+"/scorecard")
			require.Equal(t, tc.status, status)
			if status == http.StatusOK {
				assert.Contains(t, body, "学员 <strong>li</strong>", "someone else's scorecard says whose")
				assert.Contains(t, body, `id="trainer-note"`, "staff see the teaching points")
			} else {
				assert.NotContains(t, body, "id=\"score\"")
			}
		})
	}

	live, _ := env.startCall(token, "leak", "practice")
	status, _, hdr := env.page(token, "/calls/"+live+"/scorecard")
	assert.Equal(t, http.StatusSeeOther, status, "a live call has no scorecard yet")
	assert.Equal(t, "/calls/"+live, hdr.Get("Location"))
}

func TestHistoryPage(t *testing.T) {
	env, lib := newCallEnv(t)
	owner := env.addUser("li", domain.RoleTrainee)
	token, _ := env.session(owner)
	first, _ := env.endedCall(lib, token, "wrong-number", "fail-rude", "practice")
	env.clock.Advance(60_000_000_000)
	second, _ := env.endedCall(lib, token, "wrong-number", "pass", "exam")
	env.clock.Advance(60_000_000_000)
	live, _ := env.startCall(token, "leak", "practice")
	otherToken, _ := env.session(env.addUser("wang", domain.RoleTrainee))
	theirs, _ := env.endedCall(lib, otherToken, "leak", "pass", "exam")

	status, body, _ := env.page(token, "/history")
	require.Equal(t, http.StatusOK, status, body)
	iLive, iSecond, iFirst := strings.Index(body, `data-call="`+live+`"`), strings.Index(body, `data-call="`+second+`"`), strings.Index(body, `data-call="`+first+`"`)
	require.True(t, iLive >= 0 && iSecond >= 0 && iFirst >= 0, body)
	assert.True(t, iLive < iSecond && iSecond < iFirst, "newest first")
	assert.NotContains(t, body, theirs, "only the user's own attempts")
	assert.Contains(t, body, `href="/calls/`+live+`"`)
	assert.Contains(t, body, "继续通话")
	assert.Contains(t, body, `href="/calls/`+second+`/scorecard"`)
	assert.Contains(t, body, `<strong>100</strong>`)
	assert.Contains(t, body, "✓ 通过")
	assert.Contains(t, body, "✗ 未通过")
	assert.Contains(t, body, "您先挂断了电话")
	assert.Contains(t, body, "考试")
	// Shown in the site's time zone, Asia/Shanghai by default: t0 is 09:00 UTC.
	assert.Contains(t, body, "2025-11-03 17:00")

	status, _, _ = env.page(otherToken, "/history?user=li")
	assert.Equal(t, http.StatusNotFound, status, "a trainee cannot read another's history")
	trainer, _ := env.session(env.addUser("zhao", domain.RoleTrainer))
	status, body, _ = env.page(trainer, "/history?user=li")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "li的练习记录")
	assert.Contains(t, body, second)
	status, _, _ = env.page(trainer, "/history?user=nobody")
	assert.Equal(t, http.StatusNotFound, status)

	status, body, _ = env.page(trainer, "/history")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "还没有练习记录")
}

// TestPracticeTexts renders every practice page in both languages: a key
// missing from the catalogue would show as the key itself.
func TestPracticeTexts(t *testing.T) {
	env, lib := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	pass, _ := env.endedCall(lib, token, "wrong-number", "pass", "exam")
	fail, _ := env.endedCall(lib, token, "wrong-number", "fail-rude", "practice")
	live, _ := env.startCall(token, "leak", "exam")
	for _, lang := range []string{langZH, langEN} {
		for _, path := range []string{"/", "/scenarios", "/history", "/calls/" + live, "/calls/" + pass + "/scorecard", "/calls/" + fail + "/scorecard"} {
			t.Run(lang+path, func(t *testing.T) {
				status, body, _ := env.page(token, path+"?lang="+lang)
				require.Equal(t, http.StatusOK, status, body)
				assert.NotContains(t, body, "practice.", "a text key shows instead of its text")
			})
		}
	}

	status, body, hdr := env.page("", "/static/call.js")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, hdr.Get("Content-Type"), "javascript")
	assert.Contains(t, body, `"?after="`, "the call script resumes after the last message")
}
