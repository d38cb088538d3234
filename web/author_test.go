package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// builtinFile reads a file of the built-in library.
func builtinFile(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(scenarios.BuiltinFS(), name)
	require.NoError(t, err)
	return string(b)
}

// copyScenario is the built-in scenario from renamed to id, with its
// golden transcripts.
func copyScenario(t *testing.T, from, id string) (string, map[string]string) {
	t.Helper()
	body := strings.Replace(builtinFile(t, "library/"+from+"/scenario.yaml"), "id: "+from+"\n", "id: "+id+"\n", 1)
	golden := map[string]string{}
	for _, name := range []string{"pass", "fail-rude"} {
		g := builtinFile(t, "library/"+from+"/golden/"+name+".json")
		golden[name] = strings.Replace(g, `"scenario": "`+from+`"`, `"scenario": "`+id+`"`, 1)
	}
	return body, golden
}

// lineOf is the 1-based line of the first line of body starting with prefix.
func lineOf(t *testing.T, body, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return 0
}

// loadContent loads the built-in content into the store, as the first
// request would.
func (e *testEnv) loadContent() {
	e.t.Helper()
	_, err := e.srv.content.Published(context.Background())
	require.NoError(e.t, err)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

type issuesResp struct {
	Issues   []app.Issue `json:"issues"`
	Revision struct {
		ID int64 `json:"id"`
		N  int   `json:"n"`
	} `json:"revision"`
	URL     string          `json:"url"`
	Results []app.GoldenRun `json:"results"`
}

func (e *testEnv) postJSON(token, path string, body any) (int, issuesResp, string) {
	e.t.Helper()
	w := e.do(withCookie(jsonReq(http.MethodPost, path, mustJSON(e.t, body)), token))
	var out issuesResp
	if w.Code == http.StatusOK {
		require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	}
	return w.Code, out, w.Body.String()
}

func (e *testEnv) postForm(token, csrf, path string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, csrf)
	return e.do(withCookie(formReq(http.MethodPost, path, form), token))
}

func (e *testEnv) scenarioIDs(token string) []string {
	e.t.Helper()
	w := e.do(withCookie(getReq("/api/scenarios"), token))
	require.Equal(e.t, http.StatusOK, w.Code, w.Body.String())
	var body struct{ Scenarios []scenarioJSON }
	require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &body))
	var ids []string
	for _, s := range body.Scenarios {
		ids = append(ids, s.ID)
	}
	return ids
}

// TestAuthorDoneWhen is the issue's done-when path: a trainer creates a
// scenario in the browser, sees a validation error at the right line,
// fixes it, runs its golden transcripts, plays the draft over a real
// websocket, publishes, and a trainee can play it.
func TestAuthorDoneWhen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEnvOn(t, db)
		ts := wsServer(t, env)
		trainer := env.addUser("wang", domain.RoleTrainer)
		tTok, tCSRF := env.session(trainer)
		lTok, _ := env.session(env.addUser("li", domain.RoleTrainee))
		ctx := context.Background()

		const id = "wrong-number-night"
		good, golden := copyScenario(t, "wrong-number", id)
		bad := strings.Replace(good, "domain: water\n", "domain: gas\n", 1)
		draft := draftJSON{Kind: "scenario", ID: id, Body: bad, Golden: golden}

		// The editor's check reports the bad domain at its line.
		code, res, raw := env.postJSON(tTok, "/api/author/validate", draft)
		require.Equal(t, http.StatusOK, code, raw)
		require.Len(t, res.Issues, 1, raw)
		assert.Equal(t, app.Issue{File: app.ScenarioFile(id), Line: lineOf(t, bad, "domain:"), Field: "domain"},
			app.Issue{File: res.Issues[0].File, Line: res.Issues[0].Line, Field: res.Issues[0].Field})
		assert.Contains(t, res.Issues[0].Message, "gas")

		// A draft with problems may be saved, but not played or published.
		code, res, raw = env.postJSON(tTok, "/api/author/save", saveJSON{draftJSON: draft, Message: "first go", Parent: 0})
		require.Equal(t, http.StatusOK, code, raw)
		assert.Equal(t, 1, res.Revision.N)
		assert.NotEmpty(t, res.Issues)
		assert.Equal(t, "/author/scenario/"+id, res.URL)
		w := env.postForm(tTok, tCSRF, "/author/scenario/"+id+"/play", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, w.Code)
		assert.Contains(t, w.Body.String(), "gas")

		// Fixed, it checks clean and its golden transcripts behave.
		draft.Body = good
		code, res, raw = env.postJSON(tTok, "/api/author/validate", draft)
		require.Equal(t, http.StatusOK, code, raw)
		assert.Empty(t, res.Issues)
		code, res, raw = env.postJSON(tTok, "/api/author/save", saveJSON{draftJSON: draft, Message: "domain fixed", Parent: 1})
		require.Equal(t, http.StatusOK, code, raw)
		require.Equal(t, 2, res.Revision.N)
		rev2 := res.Revision.ID
		code, res, raw = env.postJSON(tTok, "/api/author/golden", draft)
		require.Equal(t, http.StatusOK, code, raw)
		require.Len(t, res.Results, 2, raw)
		for _, g := range res.Results {
			assert.True(t, g.OK, "%s: %s", g.Name, g.Problem)
		}
		assert.NotContains(t, env.scenarioIDs(lTok), id, "a draft is not in the catalogue")

		// Playing the draft makes a practice call against revision 2.
		w = env.postForm(tTok, tCSRF, "/author/scenario/"+id+"/play", url.Values{"rev": {strconv.FormatInt(rev2, 10)}})
		require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
		callID := strings.TrimPrefix(w.Header().Get("Location"), "/calls/")
		rec, err := db.CallByID(ctx, callID)
		require.NoError(t, err)
		pub1, err := db.CurrentPublication(ctx)
		require.NoError(t, err)
		assert.Equal(t, domain.CallRevision(rev2, pub1.ID), rec.ScenarioRevision)
		conn := mustDial(t, ts, tTok, callID, -1)
		readUntil(t, conn, "ring")
		send(t, conn, say("您好，清源供水公司，请问有什么可以帮您？"))
		msgs := readUntil(t, conn, "customer")
		assert.Contains(t, msgs[len(msgs)-1].Text, "福满楼")
		send(t, conn, map[string]string{"type": "hangup"})
		// Played from the editor, the call has the desk: the wrap-up
		// follows the hang-up, and a second hang-up ends it.
		readUntil(t, conn, "wrapup")
		send(t, conn, map[string]string{"type": "hangup"})
		readUntil(t, conn, "end")

		// Published, trainees see it and their calls record the published
		// revision.
		w = env.postForm(tTok, tCSRF, "/author/scenario/"+id+"/publish", url.Values{"rev": {strconv.FormatInt(rev2, 10)}})
		require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
		assert.Contains(t, env.scenarioIDs(lTok), id)
		callID, _ = env.startCall(lTok, id, "practice")
		w = env.do(withCookie(getReq("/api/calls/"+callID), lTok))
		require.Equal(t, http.StatusOK, w.Code)
		var got struct{ Call callJSON }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		pub2, err := db.CurrentPublication(ctx)
		require.NoError(t, err)
		require.Greater(t, pub2.ID, pub1.ID)
		assert.Equal(t, domain.CallRevision(rev2, pub2.ID), got.Call.Revision)
		conn = mustDial(t, ts, lTok, callID, -1)
		readUntil(t, conn, "ring")
		send(t, conn, say("您好，清源供水公司，请问有什么可以帮您？"))
		readUntil(t, conn, "customer")

		audit, err := db.ListAudit(ctx, store.AuditFilter{Limit: 3})
		require.NoError(t, err)
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action+" "+e.Target+" "+e.Actor)
		}
		assert.Equal(t, []string{
			"scenario.publish scenario:" + id + " wang",
			"scenario.save scenario:" + id + " wang",
			"scenario.create scenario:" + id + " wang",
		}, actions)
	})
}

// TestLiveCallKeepsItsRevision checks that a call rebuilt by another
// server instance after a newer revision was published plays the revision
// it started on.
func TestLiveCallKeepsItsRevision(t *testing.T) {
	env := newEnv(t)
	tTok, tCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	lTok, _ := env.session(env.addUser("li", domain.RoleTrainee))
	ctx := context.Background()

	callID, _ := env.startCall(lTok, "wrong-number", "practice")
	head, err := env.db.Head(ctx, domain.ContentScenario, "wrong-number")
	require.NoError(t, err)
	// Every opening the caller may be drawn with names the restaurant.
	changed := strings.ReplaceAll(head.Body, "福满楼", "聚贤楼")
	require.NotEqual(t, head.Body, changed)
	code, res, raw := env.postJSON(tTok, "/api/author/save", saveJSON{draftJSON: draftJSON{Kind: "scenario", ID: "wrong-number", Body: changed, Golden: head.Golden}, Parent: head.N})
	require.Equal(t, http.StatusOK, code, raw)
	w := env.postForm(tTok, tCSRF, "/author/scenario/wrong-number/publish", url.Values{"rev": {strconv.FormatInt(res.Revision.ID, 10)}})
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())

	// A second instance, as after a restart, takes up the old call.
	env2 := newEnvOn(t, env.db, func(c *Config) { c.Now = env.clock.Now })
	ts := wsServer(t, env2)
	conn := mustDial(t, ts, lTok, callID, -1)
	readUntil(t, conn, "ring")
	send(t, conn, say("您好，清源供水公司，请问有什么可以帮您？"))
	msgs := readUntil(t, conn, "customer")
	assert.Contains(t, msgs[len(msgs)-1].Text, "福满楼", "the call plays the revision it started on")

	// A new call plays the new revision.
	callID, _ = env2.startCall(lTok, "wrong-number", "practice")
	conn = mustDial(t, ts, lTok, callID, -1)
	readUntil(t, conn, "ring")
	send(t, conn, say("您好，清源供水公司，请问有什么可以帮您？"))
	msgs = readUntil(t, conn, "customer")
	assert.Contains(t, msgs[len(msgs)-1].Text, "聚贤楼")
}

func TestAuthorPublishRefusesFailingGolden(t *testing.T) {
	env := newEnv(t)
	tTok, tCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	ctx := context.Background()
	env.loadContent()
	head, err := env.db.Head(ctx, domain.ContentScenario, "wrong-number")
	require.NoError(t, err)
	golden := map[string]string{"pass": head.Golden["pass"], "fail-rude": strings.Replace(head.Golden["fail-rude"], `"passed": false`, `"passed": true`, 1)}
	require.NotEqual(t, head.Golden["fail-rude"], golden["fail-rude"])
	code, res, raw := env.postJSON(tTok, "/api/author/save", saveJSON{draftJSON: draftJSON{Kind: "scenario", ID: "wrong-number", Body: head.Body, Golden: golden}, Parent: head.N})
	require.Equal(t, http.StatusOK, code, raw)

	w := env.postForm(tTok, tCSRF, "/author/scenario/wrong-number/publish", url.Values{"rev": {strconv.FormatInt(res.Revision.ID, 10)}})
	assert.Equal(t, http.StatusUnprocessableEntity, w.Code)
	assert.Contains(t, w.Body.String(), "fail-rude")
	info, err := env.db.Content(ctx, domain.ContentScenario, "wrong-number")
	require.NoError(t, err)
	assert.Equal(t, head.ID, info.PublishedID, "nothing was published")

	// A stale editor gets a conflict instead of overwriting.
	code, _, raw = env.postJSON(tTok, "/api/author/save", saveJSON{draftJSON: draftJSON{Kind: "scenario", ID: "wrong-number", Body: head.Body}, Parent: head.N})
	assert.Equal(t, http.StatusConflict, code, raw)
}

func TestAuthorPhraseChecks(t *testing.T) {
	env := newEnv(t)
	tTok, tCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	ctx := context.Background()

	// An id another file defines is reported at the entry's line.
	dup := "entries:\n  - id: extra-one\n    intent: greeting\n    kind: required\n    text: 早上好\n"
	entries, err := phrasebook.Builtin()
	require.NoError(t, err)
	taken := entries[0].ID
	dup += "  - id: " + taken + "\n    intent: greeting\n    kind: required\n    text: 晚上好\n"
	code, res, raw := env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "phrases", ID: "extra", Body: dup})
	require.Equal(t, http.StatusOK, code, raw)
	require.Len(t, res.Issues, 1, raw)
	assert.Equal(t, app.PhraseFile("extra"), res.Issues[0].File)
	assert.Equal(t, 6, res.Issues[0].Line)
	assert.Contains(t, res.Issues[0].Message, taken)

	// Emptying a file that scenarios refer to breaks them, and says where:
	// angry-caller listens for the shared ticket.number of handling.yaml.
	const file = "handling"
	head, err := env.db.Head(ctx, domain.ContentPhrases, file)
	require.NoError(t, err)
	require.Contains(t, head.Body, "id: ticket.number")
	stub := "entries:\n  - id: placeholder-only\n    intent: greeting\n    kind: required\n    text: 您好呀\n"
	code, res, raw = env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "phrases", ID: file, Body: stub})
	require.Equal(t, http.StatusOK, code, raw)
	require.NotEmpty(t, res.Issues)
	assert.Equal(t, app.ScenarioFile("angry-caller"), res.Issues[0].File, "%+v", res.Issues[0])
	assert.Equal(t, lineOf(t, builtinFile(t, "library/angry-caller/scenario.yaml"), "    any: [complaint-number, ticket.number]"), res.Issues[0].Line)

	// With the file as published, every published scenario's golden
	// transcripts still behave.
	code, res, raw = env.postJSON(tTok, "/api/author/golden", draftJSON{Kind: "phrases", ID: file, Body: head.Body})
	require.Equal(t, http.StatusOK, code, raw)
	scenariosRun := map[string]bool{}
	for _, g := range res.Results {
		scenariosRun[g.Scenario] = true
		assert.True(t, g.OK, "%s/%s: %s", g.Scenario, g.Name, g.Problem)
	}
	assert.Len(t, scenariosRun, 12, "every built-in scenario's transcripts ran")

	// Nor can the file be retired while scenarios use it.
	w := env.postForm(tTok, tCSRF, "/author/phrases/"+file+"/retire", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, w.Code, w.Body.String())
	info, err := env.db.Content(ctx, domain.ContentPhrases, file)
	require.NoError(t, err)
	assert.False(t, info.Retired)
	assert.Equal(t, head.ID, info.PublishedID)
}

func TestAuthorTester(t *testing.T) {
	env := newEnv(t)
	tTok, _ := env.session(env.addUser("wang", domain.RoleTrainer))
	w := env.do(withCookie(jsonReq(http.MethodPost, "/api/author/match", mustJSON(t, matchJSON{Text: "您好，请问有什么可以帮您？\n\n不归我管"})), tTok))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var body struct {
		Lines []struct {
			Text string
			Hits []hitJSON
		}
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Len(t, body.Lines, 2, "the empty line is skipped")
	intents := map[string]hitJSON{}
	for _, h := range body.Lines[0].Hits {
		intents[h.Intent] = h
	}
	require.Contains(t, intents, "greeting")
	assert.Equal(t, "您好", intents["greeting"].Said)
	assert.Equal(t, 0, intents["greeting"].Start)
	require.NotEmpty(t, body.Lines[1].Hits)
	assert.Equal(t, "deflect", body.Lines[1].Hits[0].Intent)
	assert.Equal(t, "forbidden", body.Lines[1].Hits[0].Kind)

	// Against a draft phrase file, its new wording hits.
	draft := &draftJSON{ID: "extra", Body: "entries:\n  - id: extra-greet\n    intent: greeting\n    kind: required\n    text: 早上好呀\n"}
	w = env.do(withCookie(jsonReq(http.MethodPost, "/api/author/match", mustJSON(t, matchJSON{Text: "早上好呀", Phrases: draft})), tTok))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"id":"extra-greet"`)
}

func TestAuthorCloneExportImportHistory(t *testing.T) {
	env := newEnv(t)
	tTok, tCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	ctx := context.Background()

	w := env.postForm(tTok, tCSRF, "/author/scenario/leak/clone", url.Values{"new_id": {"leak-copy"}})
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.Equal(t, "/author/scenario/leak-copy", w.Header().Get("Location"))
	clone, err := env.db.Head(ctx, domain.ContentScenario, "leak-copy")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(clone.Body, "id: leak-copy\n"))
	code, res, raw := env.postJSON(tTok, "/api/author/golden", draftJSON{Kind: "scenario", ID: "leak-copy", Body: clone.Body, Golden: clone.Golden})
	require.Equal(t, http.StatusOK, code, raw)
	assert.Empty(t, res.Issues)
	require.NotEmpty(t, res.Results)
	for _, g := range res.Results {
		assert.True(t, g.OK, "%s: %s", g.Name, g.Problem)
	}
	w = env.postForm(tTok, tCSRF, "/author/scenario/leak/clone", url.Values{"new_id": {"leak-copy"}})
	assert.Equal(t, http.StatusConflict, w.Code)

	// Export gives the layout coach check reads.
	w = env.do(withCookie(getReq("/author/scenario/leak-copy/export"), tTok))
	require.Equal(t, http.StatusOK, w.Code)
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	assert.Contains(t, names, "leak-copy/scenario.yaml")
	assert.Contains(t, names, "leak-copy/golden/pass.json")
	w = env.do(withCookie(getReq("/author/phrases/opening/export"), tTok))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, builtinPhraseFile(t, "opening"), w.Body.String())

	// Importing the YAML back with a change makes revision 2 and keeps
	// the golden transcripts; history shows the diff.
	changed := strings.Replace(clone.Body, "difficulty: ", "difficulty: 3 #", 1)
	imp := map[string]any{"files": []map[string]string{{"name": "scenario.yaml", "body": changed}}}
	code, res, raw = env.postJSON(tTok, "/api/author/import", imp)
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, 2, res.Revision.N)
	head, err := env.db.Head(ctx, domain.ContentScenario, "leak-copy")
	require.NoError(t, err)
	assert.Equal(t, clone.Golden, head.Golden)
	w = env.do(withCookie(getReq("/author/scenario/leak-copy/history"), tTok))
	require.Equal(t, http.StatusOK, w.Code)
	assert.True(t, strings.Contains(w.Body.String(), `<span class="add">&#43;difficulty: 3 #2</span>`), "the history shows the change")
	assert.True(t, strings.Contains(w.Body.String(), `<span class="file">--- /dev/null</span>`), "the first revision is all new")

	// A new phrase file imported is a draft.
	imp = map[string]any{"files": []map[string]string{{"name": "night.yaml", "body": "entries:\n  - id: night-greet\n    intent: greeting\n    kind: required\n    text: 晚上好\n"}}}
	code, res, raw = env.postJSON(tTok, "/api/author/import", imp)
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, "/author/phrases/night", res.URL)
	imp = map[string]any{"files": []map[string]string{{"name": "x.txt", "body": "hello"}}}
	code, _, _ = env.postJSON(tTok, "/api/author/import", imp)
	assert.Equal(t, http.StatusBadRequest, code)

	// The list shows every unit with its state.
	w = env.do(withCookie(getReq("/author"), tTok))
	require.Equal(t, http.StatusOK, w.Code)
	for _, want := range []string{"/author/scenario/leak-copy", "/author/phrases/night", "/author/scenario/slow-warmup"} {
		assert.Contains(t, w.Body.String(), want)
	}
	for _, page := range []string{"/author/scenario/leak", "/author/new", "/author/new?kind=phrases", "/author/tester"} {
		w = env.do(withCookie(getReq(page), tTok))
		assert.Equal(t, http.StatusOK, w.Code, page)
	}
}

func builtinPhraseFile(t *testing.T, id string) string {
	t.Helper()
	b, err := fs.ReadFile(phrasebook.BuiltinFS(), "builtin/"+id+".yaml")
	require.NoError(t, err)
	return string(b)
}

func TestAuthorRetire(t *testing.T) {
	env := newEnv(t)
	tTok, tCSRF := env.session(env.addUser("wang", domain.RoleTrainer))
	lTok, _ := env.session(env.addUser("li", domain.RoleTrainee))
	require.Contains(t, env.scenarioIDs(lTok), "arrears")
	w := env.postForm(tTok, tCSRF, "/author/scenario/arrears/retire", nil)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.NotContains(t, env.scenarioIDs(lTok), "arrears")
	w = env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":"arrears","mode":"practice"}`), lTok))
	assert.Equal(t, http.StatusNotFound, w.Code)
	w = env.postForm(tTok, tCSRF, "/author/scenario/arrears/retire", nil)
	assert.Equal(t, http.StatusConflict, w.Code)
}

func TestAdminAudit(t *testing.T) {
	env := newEnv(t)
	aTok, _ := env.session(env.addUser("root", domain.RoleAdmin))
	ctx := context.Background()
	for i := range app.AuditPage + 5 {
		require.NoError(t, env.db.AppendAudit(ctx, store.AuditEntry{Actor: "cli", Action: "user.create", Target: "user:u" + strconv.Itoa(i)}))
	}
	w := env.do(withCookie(getReq("/admin/audit"), aTok))
	require.Equal(t, http.StatusOK, w.Code)
	page := w.Body.String()
	assert.Contains(t, page, "账号 u"+strconv.Itoa(app.AuditPage+4)+"<", "newest first, in Chinese")
	assert.NotContains(t, page, "账号 u4<", "older entries are on the next page")
	i := strings.Index(page, `<a href="/admin/audit?before=`) + len(`<a href="`)
	require.Greater(t, i, len(`<a href="`))
	next := page[i : i+strings.IndexByte(page[i:], '"')]
	w = env.do(withCookie(getReq(next), aTok))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "账号 u4<")
	assert.NotContains(t, w.Body.String(), "更早的记录", "the last page links no further")
	for _, q := range []string{"before=x", "kind=nope", "from=2025-13-01", "to=soon"} {
		w = env.do(withCookie(getReq("/admin/audit?"+q), aTok))
		assert.Equal(t, http.StatusBadRequest, w.Code, q)
	}
}

// TestAuditInChinese checks that the audit page names actions, targets
// and details in Chinese and filters by actor, kind and day.
func TestAuditInChinese(t *testing.T) {
	env := newEnv(t)
	aTok, _ := env.session(env.addUser("root", domain.RoleAdmin))
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 11, d, 8, 0, 0, 0, time.UTC) }
	for _, e := range []store.AuditEntry{
		{At: day(1), Actor: "cli", Action: "user.create", Target: "user:li", Detail: `role trainee, team "东区"`},
		{At: day(2), Actor: "root", Action: "user.role", Target: "user:li", Detail: "trainee -> trainer"},
		{At: day(3), Actor: "root", Action: "scenario.publish", Target: "scenario:leak", Detail: "revision 3 published (publication 4)"},
		{At: day(4), Actor: "boss", Action: "track.assign", Target: "team:东区", Detail: "track heating-level-1"},
	} {
		require.NoError(t, env.db.AppendAudit(ctx, e))
	}
	rows := func(q string) []string {
		t.Helper()
		w := env.do(withCookie(getReq("/admin/audit"+q), aTok))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		body := w.Body.String()
		var out []string
		for _, tr := range strings.Split(body, "<tr data-kind=")[1:] {
			out = append(out, tr[:strings.Index(tr, "</tr>")])
		}
		return out
	}
	all := rows("")
	require.Len(t, all, 4)
	want := []string{
		"分配认证课程</td><td>班组 东区</td><td>认证课程 供热热线一级认证",
		"发布场景</td><td>场景 暖气片接口漏水（leak）</td><td>第 3 版已发布（发布批次 4）",
		"修改角色</td><td>账号 li</td><td>学员 → 培训师",
		"创建账号</td><td>账号 li</td><td>角色：学员，班组：“东区”",
	}
	for i, w := range want {
		assert.Contains(t, all[i], w)
	}
	assert.Len(t, rows("?actor=root"), 2)
	assert.Len(t, rows("?kind=user"), 2)
	assert.Len(t, rows("?from=2025-11-02&to=2025-11-03"), 2)
	assert.Len(t, rows("?actor=root&kind=scenario&from=2025-11-03&to=2025-11-03"), 1)
}

// TestContentFollowsOtherInstance checks that a publication made on
// another instance reaches this one: the request that notices it is served
// from the set already built while the new one builds in the background.
func TestContentFollowsOtherInstance(t *testing.T) {
	env := newEnv(t)
	lTok, _ := env.session(env.addUser("li", domain.RoleTrainee))
	require.Contains(t, env.scenarioIDs(lTok), "arrears")

	other := newEnvOn(t, env.db, func(c *Config) { c.Now = env.clock.Now })
	tTok, tCSRF := other.session(other.addUser("wang", domain.RoleTrainer))
	w := other.postForm(tTok, tCSRF, "/author/scenario/arrears/retire", nil)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	assert.NotContains(t, other.scenarioIDs(lTok), "arrears", "the publishing instance serves the new set at once")

	assert.Contains(t, env.scenarioIDs(lTok), "arrears", "the old set serves while the new one builds")
	require.Eventually(t, func() bool { return !slices.Contains(env.scenarioIDs(lTok), "arrears") }, 30*time.Second, 20*time.Millisecond,
		"the other instance's publication arrives")
}
