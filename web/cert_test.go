package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// certEnv is a server with the built-in library, a manager, and trainees
// in two teams, with heating-level-1 assigned to team east.
type certEnv struct {
	*testEnv
	lib        *scenarios.Library
	manager    domain.User
	li, wu, qi domain.User
	mgrToken   string
	mgrCSRF    string
}

func newCertEnv(t *testing.T) *certEnv {
	t.Helper()
	return newCertEnvOn(t, storetest.SQLite(t))
}

// newCertEnvOn is newCertEnv on a given store, its configuration changed
// by mods.
func newCertEnvOn(t *testing.T, db *store.DB, mods ...func(*Config)) *certEnv {
	t.Helper()
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	env := newEnvOn(t, db, append([]func(*Config){func(c *Config) { c.Library, c.Book = lib, book }}, mods...)...)
	t.Cleanup(env.srv.Close)
	ce := &certEnv{testEnv: env, lib: lib}
	ce.manager = env.addUser("boss", domain.RoleManager)
	ce.li = ce.addTeamUser("li", "east")
	ce.qi = ce.addTeamUser("qi", "east")
	ce.wu = ce.addTeamUser("wu", "=west") // a team name a spreadsheet would run
	ce.mgrToken, ce.mgrCSRF = env.session(ce.manager)
	w := ce.post(ce.mgrToken, ce.mgrCSRF, "/manage/assignments", url.Values{"op": {"assign"}, "team": {"east"}, "track": {"heating-level-1"}})
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body)
	return ce
}

func (e *certEnv) addTeamUser(name, team string) domain.User {
	e.t.Helper()
	u := e.addUser(name, domain.RoleTrainee)
	tm := team
	u, err := e.db.UpdateUser(context.Background(), u.ID, store.UserChange{Team: &tm}, t0, store.CLI)
	require.NoError(e.t, err)
	return u
}

func (e *certEnv) get(token, path string) *httpResult {
	e.t.Helper()
	w := e.do(withCookie(getReq(path), token))
	return &httpResult{Code: w.Code, Body: w.Body.String(), Header: w.Header()}
}

type httpResult struct {
	Code   int
	Body   string
	Header http.Header
}

func (e *certEnv) post(token, csrf, path string, form url.Values) *httpResult {
	e.t.Helper()
	form.Set(csrfField, csrf)
	w := e.do(withCookie(formReq(http.MethodPost, path, form), token))
	return &httpResult{Code: w.Code, Body: w.Body.String(), Header: w.Header()}
}

// attempt stores an ended call with a scorecard whose checklist misses the
// items named in missed and whose forbidden list holds the phrases given.
func (e *certEnv) attempt(u domain.User, scenario string, mode domain.Mode, at time.Time, score float64, passed bool, missed []string, forbidden ...string) store.Call {
	e.t.Helper()
	ctx := context.Background()
	c := store.Call{UserID: u.ID, ScenarioID: scenario, ScenarioRevision: "r1", Mode: mode, Started: at.Add(-5 * time.Minute)}
	require.NoError(e.t, e.db.CreateCall(ctx, &c))
	card := sim.Scorecard{Scenario: scenario, Score: int(score), Passed: passed, Outcome: "completed"}
	for _, id := range []string{"greeting", "ask-address", "commit"} {
		done := true
		for _, m := range missed {
			if m == id {
				done = false
			}
		}
		card.Checklist = append(card.Checklist, sim.ItemResult{ID: id, Title: "title-" + id, Done: done})
	}
	for _, p := range forbidden {
		card.Forbidden = append(card.Forbidden, sim.ForbiddenEntry{Intent: "deflect", Phrase: p, Said: p, Suggestion: "我帮您查一下"})
	}
	raw, err := json.Marshal(card)
	require.NoError(e.t, err)
	require.NoError(e.t, e.db.EndCall(ctx, c.ID, store.CallResult{Ended: at, Outcome: "completed", Score: score, Passed: passed, Scorecard: raw}))
	c.Ended, c.Score, c.Passed = at, score, passed
	return c
}

// passTrack stores a passing exam for every scenario of heating-level-1.
func (e *certEnv) passTrack(u domain.User, at time.Time) {
	e.t.Helper()
	tr, ok := e.lib.Track("heating-level-1")
	require.True(e.t, ok)
	for i, en := range tr.Scenarios {
		e.attempt(u, en.ID, domain.Exam, at.Add(time.Duration(i)*time.Minute), float64(en.MinScore), true, nil)
	}
}

var (
	cellRe  = regexp.MustCompile(`data-scenario="([^"]+)" data-best="([^"]*)" data-attempts="(\d+)"`)
	rowRe   = regexp.MustCompile(`(?s)<tr data-user="([^"]+)">(.*?)</tr>`)
	stateRe = regexp.MustCompile(`<td data-state="([^"]*)">`)
)

type cellKey struct{ user, scenario string }

type cellVal struct {
	best     string
	attempts int
}

// matrixCells reads the matrix page's cells that have attempts.
func matrixCells(t *testing.T, body string) (map[cellKey]cellVal, map[string][]string) {
	t.Helper()
	cells := map[cellKey]cellVal{}
	states := map[string][]string{}
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		user := html.UnescapeString(m[1])
		for _, c := range cellRe.FindAllStringSubmatch(m[2], -1) {
			n, err := strconv.Atoi(c[3])
			require.NoError(t, err)
			if n > 0 {
				cells[cellKey{user, c[1]}] = cellVal{c[2], n}
			}
		}
		for _, s := range stateRe.FindAllStringSubmatch(m[2], -1) {
			states[user] = append(states[user], s[1])
		}
		if states[user] == nil {
			states[user] = []string{}
		}
	}
	return cells, states
}

// expectedCells computes the matrix's exam cells from the stored
// attempts, apart from the code under test.
func expectedCells(t *testing.T, db *store.DB, f store.AttemptFilter) map[cellKey]cellVal {
	t.Helper()
	as, err := db.ListAttempts(context.Background(), f)
	require.NoError(t, err)
	best := map[cellKey]float64{}
	n := map[cellKey]int{}
	for _, a := range as {
		if a.Mode != domain.Exam {
			continue
		}
		k := cellKey{a.Username, a.ScenarioID}
		if n[k] == 0 || a.Score > best[k] {
			best[k] = a.Score
		}
		n[k]++
	}
	out := map[cellKey]cellVal{}
	for k := range n {
		out[k] = cellVal{strconv.FormatFloat(best[k], 'f', -1, 64), n[k]}
	}
	return out
}

func TestMatrixAndCSVAgreeWithStoredAttempts(t *testing.T) {
	storetest.Each(t, testMatrixAndCSV)
}

func testMatrixAndCSV(t *testing.T, db *store.DB) {
	e := newCertEnvOn(t, db)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	e.attempt(e.li, "leak", domain.Practice, day(1), 60, false, []string{"ask-address", "commit"}, "不归我管")
	e.attempt(e.li, "leak", domain.Exam, day(2), 85.5, true, []string{"commit"})
	e.attempt(e.li, "arrears", domain.Exam, day(3), 70, false, []string{"commit"}, "不归我管", "没办法")
	e.attempt(e.qi, "leak", domain.Exam, day(5), 90, true, nil)
	e.attempt(e.wu, "slow-warmup", domain.Practice, day(2), 40, false, []string{"greeting"})
	e.clock.Advance(10 * 24 * time.Hour)
	e.mgrToken, e.mgrCSRF = e.session(e.manager)

	t.Run("all teams", func(t *testing.T) {
		r := e.get(e.mgrToken, "/manage")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		cells, states := matrixCells(t, r.Body)
		assert.Equal(t, expectedCells(t, e.db, store.AttemptFilter{}), cells)
		assert.Equal(t, []string{"enrolled"}, states["li"])
		assert.Equal(t, []string{""}, states["wu"], "the track is not wu's team's")
	})
	t.Run("team and dates", func(t *testing.T) {
		r := e.get(e.mgrToken, "/manage?team=east&from="+day(2).Format(time.DateOnly)+"&to="+day(3).Format(time.DateOnly))
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		cells, states := matrixCells(t, r.Body)
		want := expectedCells(t, e.db, store.AttemptFilter{Team: "east", From: day(2), To: day(4)})
		assert.Equal(t, want, cells)
		assert.Len(t, want, 2, "the practice call on day 1 and qi's on day 5 are outside")
		assert.NotContains(t, states, "wu")
		assert.Contains(t, states, "qi", "a trainee without attempts in range still has a row")

		// Most missed, per scenario: commit in leak and in arrears once
		// each; ask-address was missed only outside the range. Forbidden:
		// 不归我管 and 没办法 once each.
		assert.Regexp(t, `data-item="leak/commit" data-count="1"`, r.Body)
		assert.Regexp(t, `data-item="arrears/commit" data-count="1"`, r.Body)
		assert.NotContains(t, r.Body, `/ask-address"`)
		assert.Regexp(t, `data-phrase="不归我管" data-count="1"`, r.Body)
		assert.Regexp(t, `data-phrase="没办法" data-count="1"`, r.Body)
	})
	t.Run("most missed over all dates", func(t *testing.T) {
		r := e.get(e.mgrToken, "/manage?team=east")
		assert.Regexp(t, `data-item="leak/commit" data-count="2"`, r.Body)
		assert.Regexp(t, `data-item="leak/ask-address" data-count="1"`, r.Body)
		assert.Regexp(t, `data-phrase="不归我管" data-count="2"`, r.Body)
		assert.NotContains(t, r.Body, `/greeting"`, "wu is in another team")
		i, j := strings.Index(r.Body, `data-item="leak/commit"`), strings.Index(r.Body, `data-item="leak/ask-address"`)
		assert.True(t, i > 0 && j > i, "ordered by count")
	})
	t.Run("csv", func(t *testing.T) {
		r := e.get(e.mgrToken, "/manage/export.csv")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		assert.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("Content-Disposition"), "attachment")
		require.True(t, strings.HasPrefix(r.Body, "\ufeff"), "UTF-8 with a byte-order mark")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
		require.NoError(t, err)
		head := recs[0]
		assert.Equal(t, []string{"学员", "班组"}, head[:2])
		// Map the header's scenario titles back to ids.
		byTitle := map[string]string{}
		for _, sc := range e.lib.Scenarios {
			byTitle[sc.Title+" 最高分"] = sc.ID
		}
		got := map[cellKey]cellVal{}
		teams := map[string]string{}
		states := map[string]string{}
		for _, rec := range recs[1:] {
			require.Len(t, rec, len(head))
			teams[rec[0]] = rec[1]
			for i := 2; i+1 < len(head); i += 2 {
				id, ok := byTitle[head[i]]
				if !ok {
					break
				}
				n, err := strconv.Atoi(rec[i+1])
				require.NoError(t, err)
				if n > 0 {
					got[cellKey{rec[0], id}] = cellVal{rec[i], n}
				}
			}
			states[rec[0]] = rec[len(rec)-3]
		}
		assert.Equal(t, expectedCells(t, e.db, store.AttemptFilter{}), got)
		assert.Equal(t, "'=west", teams["wu"], "a cell that starts like a formula is quoted")
		assert.Equal(t, "east", teams["li"])
		assert.Equal(t, "供热热线一级认证", head[len(head)-3])
		assert.Equal(t, []string{"真实姓名", "工号"}, head[len(head)-2:], "name and employee number come last")
		assert.Equal(t, "学习中", states["li"])
		assert.Equal(t, "", states["wu"])

		en := e.get(e.mgrToken, "/manage/export.csv?team=east&lang=en")
		assert.Contains(t, en.Body, "\ufeffTrainee,Team,")
		assert.NotContains(t, en.Body, "wu")
	})
	t.Run("bad filters", func(t *testing.T) {
		for _, q := range []string{"from=2025-13-01", "to=yesterday", "team=" + strings.Repeat("x", 101)} {
			assert.Equal(t, http.StatusBadRequest, e.get(e.mgrToken, "/manage?"+q).Code, q)
			assert.Equal(t, http.StatusBadRequest, e.get(e.mgrToken, "/manage/export.csv?"+q).Code, q)
		}
	})
}

var pointRe = regexp.MustCompile(`<circle class="point" cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" data-score="([\d.]+)" data-mode="(\w+)"`)

func TestTrendChartPointsAreTheStoredAttempts(t *testing.T) {
	e := newCertEnv(t)
	scores := []struct {
		scenario string
		mode     domain.Mode
		score    float64
	}{
		{"leak", domain.Practice, 40}, {"leak", domain.Exam, 72.5}, {"arrears", domain.Exam, 100},
		{"leak", domain.Exam, 0}, {"leak", domain.Exam, 88},
	}
	for i, s := range scores {
		e.attempt(e.li, s.scenario, s.mode, t0.Add(time.Duration(i+1)*time.Hour), s.score, s.score >= 80, nil)
	}
	e.attempt(e.qi, "leak", domain.Exam, t0.Add(time.Hour), 99, true, nil) // someone else's

	r := e.get(e.mgrToken, fmt.Sprintf("/manage/trainees/%d", e.li.ID))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	pts := pointRe.FindAllStringSubmatch(r.Body, -1)
	require.Len(t, pts, len(scores))
	stored, err := e.db.ListAttempts(context.Background(), store.AttemptFilter{UserID: e.li.ID})
	require.NoError(t, err)
	prevX := 0.0
	for i, p := range pts {
		x, _ := strconv.ParseFloat(p[1], 64)
		y, _ := strconv.ParseFloat(p[2], 64)
		assert.Equal(t, strconv.FormatFloat(stored[i].Score, 'f', -1, 64), p[3], "point %d", i)
		assert.Equal(t, string(stored[i].Mode), p[4])
		// The plot spans y 12 (100) to 228 (0).
		assert.InDelta(t, 12+(100-stored[i].Score)*216/100, y, 0.06, "point %d height", i)
		assert.Greater(t, x, prevX, "oldest first, left to right")
		prevX = x
	}
	assert.NotContains(t, r.Body, `id="pass-line"`, "several scenarios, several pass marks")
	assert.Equal(t, 2, strings.Count(r.Body, `<polyline class="series"`), "one line per scenario")
	assert.Contains(t, r.Body, `href="/calls/`, "attempts link to their scorecards")
	svg := r.Body[strings.Index(r.Body, "<svg"):strings.Index(r.Body, "</svg>")]
	assert.NotContains(t, svg, "<script", "drawn on the server, no script")

	leak, _ := e.lib.Scenario("leak")
	r = e.get(e.mgrToken, fmt.Sprintf("/manage/trainees/%d?scenario=leak&from=%s", e.li.ID, t0.Format(time.DateOnly)))
	require.Equal(t, http.StatusOK, r.Code)
	assert.Len(t, pointRe.FindAllStringSubmatch(r.Body, -1), 4)
	assert.Contains(t, r.Body, fmt.Sprintf(`id="pass-line" data-pass="%d"`, leak.PassMark))

	assert.Equal(t, http.StatusNotFound, e.get(e.mgrToken, "/manage/trainees/99999").Code)
	assert.Equal(t, http.StatusNotFound, e.get(e.mgrToken, "/manage/trainees/abc").Code)
}

func TestCertificationNeedsExamsAndAManager(t *testing.T) {
	e := newCertEnv(t)
	liToken, liCSRF := e.session(e.li)
	qiToken, _ := e.session(e.qi)
	decide := func(action, comment string) *httpResult {
		return e.post(e.mgrToken, e.mgrCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
			url.Values{"track": {"heating-level-1"}, "action": {action}, "comment": {comment}})
	}
	certPath := fmt.Sprintf("/certificates/%d/heating-level-1", e.li.ID)
	state := func() string {
		r := e.get(liToken, "/progress")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		m := regexp.MustCompile(`data-track="heating-level-1" data-state="(\w+)"`).FindStringSubmatch(r.Body)
		require.NotNil(t, m, r.Body)
		return m[1]
	}

	assert.Equal(t, "enrolled", state())
	assert.Equal(t, http.StatusConflict, decide("signoff", "早签").Code, "no sign-off before the exams")

	// Practice at full marks and an exam below the minimum do not count.
	tr, _ := e.lib.Track("heating-level-1")
	for _, en := range tr.Scenarios {
		e.attempt(e.li, en.ID, domain.Practice, e.clock.Now().Add(-time.Hour), 100, true, nil)
		e.attempt(e.li, en.ID, domain.Exam, e.clock.Now().Add(-time.Hour), float64(en.MinScore)-1, true, nil)
	}
	assert.Equal(t, "enrolled", state())
	e.passTrack(e.li, e.clock.Now().Add(-30*time.Minute))
	assert.Equal(t, "exams_passed", state())
	assert.Equal(t, http.StatusNotFound, e.get(liToken, certPath).Code, "no certificate before sign-off")

	// A trainee cannot sign themselves off: the route is the manager's.
	r := e.post(liToken, liCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
		url.Values{"track": {"heating-level-1"}, "action": {"signoff"}, "comment": {"我自己签"}})
	assert.Equal(t, http.StatusForbidden, r.Code)
	assert.Equal(t, http.StatusBadRequest, decide("signoff", "  ").Code, "a comment is required")
	assert.Equal(t, http.StatusBadRequest, decide("revoke", "x").Code)
	r = e.post(e.mgrToken, e.mgrCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
		url.Values{"track": {"nope"}, "action": {"signoff"}, "comment": {"x"}})
	assert.Equal(t, http.StatusBadRequest, r.Code)
	// Without the CSRF token the form is refused.
	w := e.do(withCookie(formReq(http.MethodPost, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
		url.Values{"track": {"heating-level-1"}, "action": {"signoff"}, "comment": {"x"}}), e.mgrToken))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "exams_passed", state())

	require.Equal(t, http.StatusSeeOther, decide("signoff", "六个场景全部达标，同意上岗").Code)
	assert.Equal(t, "certified", state())
	assert.Equal(t, http.StatusConflict, decide("signoff", "again").Code)
	for _, tok := range []string{liToken, e.mgrToken} {
		r := e.get(tok, certPath)
		require.Equal(t, http.StatusOK, r.Code)
		assert.Contains(t, r.Body, "六个场景全部达标，同意上岗")
		assert.Contains(t, r.Body, e.clock.Now().AddDate(0, 0, tr.ValidDays).Format(time.DateOnly))
	}
	assert.Equal(t, http.StatusNotFound, e.get(qiToken, certPath).Code, "another trainee cannot see it")
	m, _ := matrixCells(t, e.get(e.mgrToken, "/manage?team=east").Body)
	assert.NotEmpty(t, m)
	_, states := matrixCells(t, e.get(e.mgrToken, "/manage?team=east").Body)
	assert.Equal(t, []string{"certified"}, states["li"])
	assert.Equal(t, []string{"enrolled"}, states["qi"])

	assert.Equal(t, http.StatusConflict, decide("reinstate", "x").Code)
	require.Equal(t, http.StatusSeeOther, decide("suspend", "客户投诉核查中").Code)
	assert.Equal(t, "suspended", state())
	assert.Equal(t, http.StatusNotFound, e.get(liToken, certPath).Code, "a suspended certificate is not shown")
	require.Equal(t, http.StatusSeeOther, decide("reinstate", "核查无误").Code)
	assert.Equal(t, "certified", state())

	statuses, err := e.srv.app.TrackStatus(context.Background(), e.li)
	require.NoError(t, err)
	require.Len(t, statuses, 1)
	assert.True(t, statuses[0].Certified())

	e.clock.Advance(time.Duration(tr.ValidDays) * 24 * time.Hour)
	liToken, _ = e.session(e.li)
	e.mgrToken, e.mgrCSRF = e.session(e.manager)
	assert.Equal(t, "expired", state(), "expired at exactly the validity")
	assert.Equal(t, http.StatusConflict, decide("suspend", "x").Code)

	audit, err := e.db.ListAudit(context.Background(), store.AuditFilter{Limit: 10})
	require.NoError(t, err)
	var actions []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "cert.") {
			actions = append(actions, a.Action)
			assert.Equal(t, "boss", a.Actor)
		}
	}
	assert.Equal(t, []string{"cert.reinstate", "cert.suspend", "cert.signoff"}, actions)
}

// The statement shape of xAPI 1.0.3, as strictly as a learning record
// store reads it.
type xStatement struct {
	ID    string `json:"id"`
	Actor struct {
		ObjectType string `json:"objectType"`
		Name       string `json:"name"`
		Account    struct {
			HomePage string `json:"homePage"`
			Name     string `json:"name"`
		} `json:"account"`
	} `json:"actor"`
	Verb struct {
		ID      string            `json:"id"`
		Display map[string]string `json:"display"`
	} `json:"verb"`
	Object struct {
		ObjectType string `json:"objectType"`
		ID         string `json:"id"`
		Definition struct {
			Name map[string]string `json:"name"`
			Type string            `json:"type"`
		} `json:"definition"`
	} `json:"object"`
	Result *struct {
		Score *struct {
			Scaled float64 `json:"scaled"`
			Raw    float64 `json:"raw"`
			Min    float64 `json:"min"`
			Max    float64 `json:"max"`
		} `json:"score"`
		Success    *bool  `json:"success"`
		Completion bool   `json:"completion"`
		Response   string `json:"response"`
	} `json:"result"`
	Context *struct {
		Platform   string         `json:"platform"`
		Language   string         `json:"language"`
		Extensions map[string]any `json:"extensions"`
	} `json:"context"`
	Timestamp string `json:"timestamp"`
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func absoluteIRI(t *testing.T, s string) {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err, s)
	assert.True(t, u.IsAbs() && u.Host != "", "%q is an absolute IRI", s)
}

func TestXAPIStatements(t *testing.T) {
	e := newCertEnv(t)
	e.srv.cfg.XAPIBase = "https://lms.example.com/coach/"
	e.attempt(e.wu, "leak", domain.Practice, t0.Add(-26*time.Hour), 50, false, nil)
	e.passTrack(e.li, t0.Add(-24*time.Hour))
	failed := e.attempt(e.li, "leak", domain.Exam, t0.Add(-27*time.Hour), 61, false, nil)
	r := e.post(e.mgrToken, e.mgrCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
		url.Values{"track": {"heating-level-1"}, "action": {"signoff"}, "comment": {"同意"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)

	get := func(q string) []xStatement {
		t.Helper()
		r := e.get(e.mgrToken, "/api/xapi/statements"+q)
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		var body struct {
			Statements []xStatement `json:"statements"`
			More       string       `json:"more"`
		}
		dec := json.NewDecoder(strings.NewReader(r.Body))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&body))
		return body.Statements
	}
	all := get("")
	require.Len(t, all, 6+1+1+1, "six passed exams, a failed one, a practice call and the sign-off")
	verbs := map[string]int{}
	ids := map[string]bool{}
	for _, s := range all {
		assert.Regexp(t, uuidRe, s.ID)
		assert.False(t, ids[s.ID], "ids are unique")
		ids[s.ID] = true
		assert.Equal(t, "Agent", s.Actor.ObjectType)
		assert.Equal(t, "https://lms.example.com/coach", s.Actor.Account.HomePage)
		assert.NotEmpty(t, s.Actor.Account.Name)
		absoluteIRI(t, s.Verb.ID)
		assert.NotEmpty(t, s.Verb.Display["en-US"])
		assert.Equal(t, "Activity", s.Object.ObjectType)
		absoluteIRI(t, s.Object.ID)
		assert.True(t, strings.HasPrefix(s.Object.ID, "https://lms.example.com/coach/"), s.Object.ID)
		absoluteIRI(t, s.Object.Definition.Type)
		ts, err := time.Parse(time.RFC3339Nano, s.Timestamp)
		require.NoError(t, err)
		assert.Equal(t, time.UTC, ts.Location())
		require.NotNil(t, s.Result)
		if s.Result.Score != nil {
			assert.GreaterOrEqual(t, s.Result.Score.Scaled, 0.0)
			assert.LessOrEqual(t, s.Result.Score.Scaled, 1.0)
			assert.InDelta(t, s.Result.Score.Raw/100, s.Result.Score.Scaled, 1e-9)
		}
		for k := range s.Context.Extensions {
			absoluteIRI(t, k)
		}
		verbs[s.Verb.Display["en-US"]]++
	}
	assert.Equal(t, map[string]int{"passed": 6, "failed": 1, "completed": 1, "certified": 1}, verbs)

	var fail xStatement
	for _, s := range all {
		if s.Verb.ID == app.VerbFailed {
			fail = s
		}
	}
	assert.Equal(t, "li", fail.Actor.Account.Name)
	assert.Equal(t, "https://lms.example.com/coach/scenarios/leak", fail.Object.ID)
	assert.InDelta(t, 0.61, fail.Result.Score.Scaled, 1e-9)
	assert.False(t, *fail.Result.Success)
	assert.Equal(t, failed.Ended.UTC().Format("2006-01-02T15:04:05.000Z"), fail.Timestamp)
	assert.Equal(t, app.StatementID("call:"+failed.ID), fail.ID, "stable across exports")

	east := get("?team=east")
	assert.Len(t, east, 8)
	assert.Empty(t, get("?from=2020-01-01&to=2020-01-02"))
	onDay := get("?team=east&from=" + t0.Format(time.DateOnly) + "&to=" + t0.Format(time.DateOnly))
	require.Len(t, onDay, 1, "only the sign-off, made at t0")
	assert.Equal(t, "https://lms.example.com/coach/tracks/heating-level-1", onDay[0].Object.ID)
	assert.Equal(t, "同意", onDay[0].Result.Response)
}

func TestXAPIStatementsComeInPages(t *testing.T) {
	e := newCertEnv(t)
	for i := range 5 {
		e.attempt(e.li, "leak", domain.Exam, t0.Add(-time.Duration(i+2)*time.Hour), 90, true, nil)
	}
	e.passTrack(e.qi, t0.Add(-30*time.Hour))
	r := e.post(e.mgrToken, e.mgrCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.qi.ID),
		url.Values{"track": {"heating-level-1"}, "action": {"signoff"}, "comment": {"同意"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)

	type page struct {
		Statements []xStatement `json:"statements"`
		More       string       `json:"more"`
	}
	get := func(path string) page {
		t.Helper()
		r := e.get(e.mgrToken, path)
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		var p page
		require.NoError(t, json.Unmarshal([]byte(r.Body), &p))
		return p
	}
	all := get("/api/xapi/statements?team=east")
	require.Len(t, all.Statements, 5+6+1)
	assert.Empty(t, all.More)
	var paged []xStatement
	next, pages := "/api/xapi/statements?team=east&limit=4", 0
	for next != "" {
		p := get(next)
		assert.LessOrEqual(t, len(p.Statements), 4+1, "a page holds limit attempts, the last one the sign-offs too")
		paged = append(paged, p.Statements...)
		if p.More != "" {
			assert.Contains(t, p.More, "team=east", "the next page keeps the filter")
		}
		next = p.More
		pages++
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, all.Statements, paged)
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "after=nonsense"} {
		assert.Equal(t, http.StatusBadRequest, e.get(e.mgrToken, "/api/xapi/statements?"+q).Code, q)
	}
}

func TestMatrixPages(t *testing.T) {
	e := newCertEnv(t)
	var us []*domain.User
	for i := range app.MatrixPageSize {
		us = append(us, &domain.User{Username: fmt.Sprintf("zz%03d", i), PasswordHash: "h", Role: domain.RoleTrainee, Team: "east", Created: t0})
	}
	require.NoError(t, e.db.CreateUsersBy(context.Background(), us, store.CLI))
	e.attempt(*us[len(us)-1], "leak", domain.Exam, t0.Add(-time.Hour), 77, false, nil)
	first := e.get(e.mgrToken, "/manage?team=east")
	rows, _ := matrixCells(t, first.Body)
	_, states := matrixCells(t, first.Body)
	assert.Len(t, states, app.MatrixPageSize)
	assert.Empty(t, rows, "the trainee with an attempt sorts last, on page 2")
	assert.Contains(t, first.Body, `data-page="1" data-pages="2"`)
	assert.Contains(t, first.Body, `href="/manage?page=2&amp;team=east" rel="next"`)
	second := e.get(e.mgrToken, "/manage?team=east&page=2")
	rows, states = matrixCells(t, second.Body)
	assert.Equal(t, map[cellKey]cellVal{{"zz099", "leak"}: {"77", 1}}, rows)
	assert.Equal(t, map[string][]string{"zz098": {"enrolled"}, "zz099": {"enrolled"}}, states, "li, qi and zz000… fill page 1")
	assert.Contains(t, second.Body, `rel="prev"`)
	assert.NotContains(t, second.Body, `rel="next"`)
	csv := e.get(e.mgrToken, "/manage/export.csv?team=east")
	assert.Equal(t, 1+2+app.MatrixPageSize, strings.Count(csv.Body, "\r\n"), "the CSV has every trainee")
	for _, q := range []string{"page=0", "page=-1", "page=x"} {
		assert.Equal(t, http.StatusBadRequest, e.get(e.mgrToken, "/manage?"+q).Code, q)
	}
}

func TestAssignments(t *testing.T) {
	e := newCertEnv(t)
	r := e.post(e.mgrToken, e.mgrCSRF, "/manage/assignments", url.Values{"op": {"assign"}, "team": {"east"}, "track": {"heating-level-1"}})
	assert.Equal(t, http.StatusConflict, r.Code, "already assigned")
	r = e.post(e.mgrToken, e.mgrCSRF, "/manage/assignments", url.Values{"op": {"assign"}, "team": {"east"}, "track": {"nope"}})
	assert.Equal(t, http.StatusBadRequest, r.Code)
	r = e.post(e.mgrToken, e.mgrCSRF, "/manage/assignments", url.Values{"op": {"assign"}, "team": {""}, "track": {"heating-level-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Code)
	r = e.post(e.mgrToken, e.mgrCSRF, "/manage/assignments", url.Values{"op": {"unassign"}, "team": {"east"}, "track": {"heating-level-1"}})
	assert.Equal(t, http.StatusSeeOther, r.Code)
	liToken, _ := e.session(e.li)
	assert.NotContains(t, e.get(liToken, "/progress").Body, `data-track="heating-level-1"`)
	st, err := e.srv.app.TrackStatus(context.Background(), e.li)
	require.NoError(t, err)
	assert.Empty(t, st)
}

func TestPagesRenderInBothLanguages(t *testing.T) {
	e := newCertEnv(t)
	e.attempt(e.li, "leak", domain.Exam, t0.Add(-time.Hour), 90, true, []string{"commit"}, "不归我管")
	e.passTrack(e.li, t0.Add(-time.Hour))
	require.Equal(t, http.StatusSeeOther, e.post(e.mgrToken, e.mgrCSRF, fmt.Sprintf("/manage/trainees/%d/decisions", e.li.ID),
		url.Values{"track": {"heating-level-1"}, "action": {"signoff"}, "comment": {"ok"}}).Code)
	admin := e.addUser("root", domain.RoleAdmin)
	adminToken, _ := e.session(admin)
	liToken, _ := e.session(e.li)
	catalogue := e.get(liToken, "/scenarios")
	require.Equal(t, http.StatusOK, catalogue.Code)
	assert.Contains(t, catalogue.Body, `class="badge certified"`, "the catalogue shows the certificate")
	pages := []struct{ token, path, en string }{
		{e.mgrToken, "/manage", "Team dashboard"},
		{e.mgrToken, fmt.Sprintf("/manage/trainees/%d", e.li.ID), "Score trend"},
		{liToken, "/progress", "My certification"},
		{liToken, fmt.Sprintf("/certificates/%d/heating-level-1", e.li.ID), "Hotline Service Certificate"},
		{adminToken, "/admin/accounts", "Accounts"},
	}
	for _, p := range pages {
		for _, lang := range []string{"zh", "en"} {
			r := e.get(p.token, p.path+"?lang="+lang)
			require.Equal(t, http.StatusOK, r.Code, r.Body)
			if lang == "en" {
				assert.Contains(t, r.Body, p.en, p.path)
			}
			for _, prefix := range []string{"dash.", "cert.", "admin.", "err."} {
				assert.NotContains(t, r.Body, ">"+prefix, "%s in %s: every key has a text", p.path, lang)
				assert.NotRegexp(t, `[ >]`+regexp.QuoteMeta(prefix)+`[a-z_]+\.?[a-z_]*<`, r.Body, p.path)
			}
		}
	}
}

func TestXAPIBaseMustBeAnAddress(t *testing.T) {
	for _, base := range []string{"lms", "ftp://x/y", "https://", "::"} {
		_, err := New(storetest.SQLite(t), slog.New(slog.DiscardHandler), Config{XAPIBase: base, PasswordParams: fastParams})
		assert.ErrorContains(t, err, "xAPI base", base)
	}
}
