package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The widths every page is checked at: a desktop window and a phone.
var pageWidths = []struct {
	name          string
	width, height int64
}{{"desktop", 1280, 900}, {"phone", 390, 844}}

// axeSource reads axe-core's script from COACH_TEST_AXE (the path of
// axe.min.js, which .ci/run installs with npm outside the repository).
// Without it the browser tests skip, as without Chromium.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("COACH_TEST_AXE")
	if path == "" {
		t.Skip("browser tests skipped: set COACH_TEST_AXE to axe-core's axe.min.js " +
			"(npm install axe-core in a folder outside the repository; .ci/run does)")
	}
	src, err := os.ReadFile(path) // #nosec G304 -- a test reads the file its environment names
	require.NoError(t, err, "COACH_TEST_AXE")
	return string(src)
}

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeTags are the rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `["wcag2a","wcag2aa","wcag21a","wcag21aa"]`

// checkAxe runs axe-core on the page in ctx and fails the test on any
// serious or critical violation, naming the rule and the elements.
func checkAxe(t *testing.T, ctx context.Context, src, page string) {
	t.Helper()
	// DevTools evaluation is not bound by the page's CSP, so the script
	// needs no exception there.
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" || (function(){`+src+`
		return true; })()`))
	require.NoError(t, err, "load axe-core on %s", page)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: `+axeTags+`}, resultTypes: ["violations"]})
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "run axe-core on %s", page)
	var all []axeViolation
	require.NoError(t, json.Unmarshal([]byte(raw), &all))
	var bad []string
	for _, v := range all {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		for _, n := range v.Nodes {
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %v: %s", v.ID, v.Impact, v.Help, n.Target, n.Summary))
		}
	}
	assert.Empty(t, bad, "axe-core on %s", page)
	axeChecked.add(page)
}

// axeChecked counts the pages checked, for the test's log.
var axeChecked = &pageLog{}

type pageLog struct{ pages []string }

func (l *pageLog) add(p string) { l.pages = append(l.pages, p) }

// shooter saves full-page screenshots to COACH_SCREENSHOTS, when set.
type shooter struct {
	t   *testing.T
	dir string
}

func (s shooter) shot(ctx context.Context, name string) {
	s.t.Helper()
	if s.dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(s.t, err)
	require.NoError(s.t, os.MkdirAll(s.dir, 0o750))
	require.NoError(s.t, os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o600))
}

// newBrowser starts headless Chromium (COACH_TEST_CHROMIUM) for a test and
// returns its context, bounded by wait; every step waits on a DOM
// condition within it, never on the clock. Without the variable the test
// is skipped.
func newBrowser(t *testing.T, wait time.Duration) context.Context {
	t.Helper()
	bin := os.Getenv("COACH_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("browser tests skipped: set COACH_TEST_CHROMIUM to a Chromium binary to run them, " +
			"e.g. COACH_TEST_CHROMIUM=/usr/bin/chromium go test -run TestBrowser ./web " +
			"(add COACH_SCREENSHOTS=DIR to save screenshots)")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Audio as after a click on the site: the call page's ring tone
		// plays without one.
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	// The first run starts the browser and must have no deadline.
	require.NoError(t, chromedp.Do(browserCtx))
	ctx, cancel := context.WithTimeout(browserCtx, wait)
	t.Cleanup(cancel)
	return ctx
}

// uniq returns the distinct strings of s, in order.
func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// pageCheck is one page a role opens: its path and an element that shows
// it has rendered.
type pageCheck struct {
	name, path, ready string
}

// TestBrowserPages opens every page as each role would, at a desktop and
// a phone width, runs axe-core on each, and follows the journeys the
// walkthrough of issue 14 found broken: a manager signing off, a trainer
// fixing a broken draft and testing a scenario's phrase, a trainee
// disputing an item and learning it was decided, the catalogue's filters.
// COACH_SCREENSHOTS=DIR saves what a person sees on each.
func TestBrowserPages(t *testing.T) {
	src := axeSource(t)
	// A bound, not a pace: each step waits on a condition. Under the race
	// detector on a busy machine the walk has taken four minutes.
	ctx := newBrowser(t, 12*time.Minute)
	shots := shooter{t: t, dir: os.Getenv("COACH_SCREENSHOTS")}

	env := newEnv(t)
	ts := wsServer(t, env)
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	bg := context.Background()

	teamMember := func(name string) domain.User {
		h, err := auth.HashPassword(testPassword, fastParams)
		require.NoError(t, err)
		u := domain.User{Username: name, PasswordHash: h, Role: domain.RoleTrainee, Team: "东区一班", Created: t0}
		require.NoError(t, env.db.CreateUser(bg, &u))
		return u
	}
	trainee := teamMember("li.na")
	peer := teamMember("zhao.lei")
	trainer := env.addUser("wang.fang", domain.RoleTrainer)
	manager := env.addUser("chen.jie", domain.RoleManager)
	admin := env.addUser("root", domain.RoleAdmin)
	require.NoError(t, env.db.AssignTrack(bg, store.TrackAssignment{Team: trainee.Team, TrackID: "heating-level-1", AssignedAt: env.clock.Now()},
		store.Actor{ID: manager.ID, Name: manager.Username}))

	// ended records a golden transcript's scorecard as a call of u, a
	// day after the previous one.
	ended := func(u domain.User, scenario, name, mode string) (string, *sim.Scorecard) {
		t.Helper()
		env.clock.Advance(26 * time.Hour)
		token, _ := env.session(u)
		sc, tr := golden(t, lib, scenario, name)
		id, _ := env.startCall(token, scenario, mode)
		card, _, err := sim.Replay(sc, book, tr, sim.Options{Mode: domain.Mode(mode), Seed: 1})
		require.NoError(t, err)
		raw, err := json.Marshal(card)
		require.NoError(t, err)
		require.NoError(t, env.db.EndCall(bg, id, store.CallResult{
			Ended: env.clock.Now(), Outcome: string(card.Outcome), Score: float64(card.Score), Passed: card.Passed, Scorecard: raw,
		}))
		return id, card
	}
	// The trainee practises, fails some, then passes every exam of the
	// track: the manager has a sign-off to make.
	failedID, failedCard := ended(trainee, "leak", "fail-deflect", "practice")
	ended(trainee, "slow-warmup", "late-no-apology", "practice")
	ended(trainee, "water-outage", "fail-blame", "practice")
	ended(trainee, "leak", "pass", "practice")
	track, ok := lib.Track("heating-level-1")
	require.True(t, ok)
	for _, e := range track.Scenarios {
		ended(trainee, e.ID, "pass", "exam")
	}
	ended(peer, "leak", "fail-deflect", "exam")
	ended(peer, "arrears", "pass", "practice")

	// The failed call's missed items: those graded on what was said may be
	// disputed, the measured ones (answering in time) not. One dispute is
	// open already, for the trainer's queue.
	leak, ok := lib.Scenario("leak")
	require.True(t, ok)
	var disputable, measured []string
	for _, it := range failedCard.Checklist {
		if it.Done {
			continue
		}
		if said(leak, it.ID) {
			disputable = append(disputable, it.ID)
		} else {
			measured = append(measured, it.ID)
		}
	}
	require.GreaterOrEqual(t, len(disputable), 2, "the failed call misses items that depend on what was said")
	firstTurn := -1
	for i, tu := range failedCard.Turns {
		if tu.Speaker == sim.Trainee && firstTurn < 0 {
			firstTurn = i
		}
	}
	require.NoError(t, env.db.OpenDispute(bg, store.Actor{ID: trainee.ID, Name: trainee.Username},
		&store.Dispute{CallID: failedID, ItemID: disputable[0], Turn: firstTurn, Text: "我第一句就说了", TraineeID: trainee.ID}))

	sessions := map[string]string{}
	for _, u := range []domain.User{trainee, trainer, manager, admin} {
		tok, _ := env.session(u)
		sessions[string(u.Role)] = tok
	}
	signIn := func(role string) {
		t.Helper()
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: sessions[role], URL: ts.URL})
		require.NoError(t, err)
	}
	// visit opens each page at both widths, checks it with axe-core and
	// saves its screenshots.
	visit := func(role string, pages ...pageCheck) {
		t.Helper()
		for _, p := range pages {
			for _, w := range pageWidths {
				require.NoError(t, chromedp.Do(ctx,
					chromedp.EmulateViewport(w.width, w.height),
					chromedp.Navigate(ts.URL+p.path),
					chromedp.WaitVisible(chromedp.CSS(p.ready)),
				), "%s opens %s at %s", role, p.path, w.name)
				checkAxe(t, ctx, src, fmt.Sprintf("%s %s (%s)", role, p.path, w.name))
				shots.shot(ctx, fmt.Sprintf("%s-%s-%s", role, p.name, w.name))
			}
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	}

	visit("anonymous", pageCheck{"login", "/login", `form[action="/login"]`})

	signIn("trainee")
	// The scorecard offers a dispute only on items that depend on what
	// was said; sending one is confirmed; once a trainer decides it, the
	// top bar says so.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/calls/"+failedID+"/scorecard"),
		chromedp.WaitVisible(chromedp.CSS("#verdict")),
	), "the failed scorecard")
	offered, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".checklist a[href*='/dispute?item=']")).map(a => new URL(a.href).searchParams.get("item"))`))
	require.NoError(t, err)
	assert.ElementsMatch(t, disputable, offered, "disputes offered on the items that depend on what was said")
	for _, m := range measured {
		assert.NotContains(t, offered, m)
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/calls/"+failedID+"/dispute?item="+disputable[1]),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/dispute"]`)),
		chromedp.Click(chromedp.CSS(`input[name=turn]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=text]`), "我在这一句里说了"),
		chromedp.Click(chromedp.CSS(`form[action$="/dispute"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#dispute-sent`)),
	), "send a dispute")
	shots.shot(ctx, "trainee-dispute-sent-desktop")
	sent, err := env.db.ListDisputes(bg, store.DisputeFilter{TraineeID: trainee.ID})
	require.NoError(t, err)
	require.Len(t, sent, 2)
	_, err = env.db.RejectDispute(bg, store.Actor{ID: trainer.ID, Name: trainer.Username}, sent[1].ID, "这一句没有提到该项内容")
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#disputes-badge`)),
	), "the top bar tells of the decision")
	badge, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#disputes-badge`)))
	require.NoError(t, err)
	assert.Contains(t, badge, "1")
	shots.shot(ctx, "trainee-home-badge-desktop")
	// Home gives the next step, the track's progress and the three steps
	// missed most, each with a way to practise it.
	next, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const n = document.querySelector("#next-step");
		return n ? [n.dataset.scenario, n.dataset.mode, n.querySelector("form button").textContent] : []; })()`))
	require.NoError(t, err)
	require.Len(t, next, 3, "a next step")
	passed := map[string]bool{"leak": true}
	for _, e := range track.Scenarios {
		passed[e.ID] = true
	}
	easiest := ""
	for _, sc := range app.ByDifficulty(lib.Scenarios) {
		if !passed[sc.ID] && easiest == "" {
			easiest = sc.ID
		}
	}
	assert.Equal(t, []string{easiest, "practice", "开始练习"}, next, "every exam passed: the easiest scenario not passed yet")
	progress, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#home-track progress").value + "/" + document.querySelector("#home-track progress").max`))
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d/%d", len(track.Scenarios), len(track.Scenarios)), progress)
	missed, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#home-missed li form[action='/calls'] input[name=mode][value=practice]").length`))
	require.NoError(t, err)
	assert.Equal(t, 3, missed, "three most missed steps, each with a practice call")

	// The catalogue runs from easy to hard and narrows by service,
	// difficulty and words.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/scenarios"),
		chromedp.WaitVisible(chromedp.CSS(".catalogue")),
	))
	levels, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll(".catalogue li[data-level]")).map(li => Number(li.dataset.level))`))
	require.NoError(t, err)
	assert.Len(t, levels, len(lib.Scenarios))
	assert.True(t, slices.IsSorted(levels), "easy to hard: %v", levels)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#domain-filter a[data-domain=water]`)),
		chromedp.WaitVisible(chromedp.CSS(`#domain-filter a[data-domain=water][aria-current]`)),
	), "filter by 供水")
	domains, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".catalogue li[data-domain]")).map(li => li.dataset.domain)`))
	require.NoError(t, err)
	assert.NotEmpty(t, domains)
	assert.Equal(t, []string{"water"}, uniq(domains))
	shots.shot(ctx, "trainee-scenarios-water-desktop")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/scenarios"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "漏水"),
		chromedp.Submit(chromedp.CSS("#q")),
		// The input carries the words as its attribute only on the
		// answer's page.
		chromedp.WaitVisible(chromedp.CSS(`#q[value="漏水"]`)),
	), "search")
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".catalogue li[data-scenario]")).map(li => li.dataset.scenario)`))
	require.NoError(t, err)
	assert.Contains(t, found, "leak")
	assert.Less(t, len(found), len(lib.Scenarios))
	// The progress page starts each of the track's exams.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/progress"),
		chromedp.WaitVisible(chromedp.CSS(".track")),
	))
	exams, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".entries form[action='/calls'] input[name=mode][value=exam]").length`))
	require.NoError(t, err)
	assert.Equal(t, len(track.Scenarios), exams)
	visit("trainee",
		pageCheck{"home", "/", ".start-card"},
		pageCheck{"scenarios", "/scenarios", ".catalogue"},
		pageCheck{"history", "/history", "main"},
		pageCheck{"progress", "/progress", ".track"},
		pageCheck{"scorecard-failed", "/calls/" + failedID + "/scorecard", "#verdict"},
		pageCheck{"dispute-form", "/calls/" + failedID + "/dispute?item=" + disputable[len(disputable)-1], "main h1"},
		pageCheck{"disputes", "/disputes/mine", "main h1"},
	)

	signIn("trainer")
	visit("trainer",
		pageCheck{"home", "/", "main"},
		pageCheck{"author", "/author", "main h1"},
		pageCheck{"editor", "/author/scenario/leak", "#body"},
		pageCheck{"new-scenario", "/author/new?kind=scenario", "#body"},
		pageCheck{"tester", "/author/tester", "#tester"},
		pageCheck{"disputes", "/disputes", "main h1"},
		pageCheck{"revisions", "/author/scenario/leak/history", "main h1"},
		pageCheck{"progress", "/progress", "main h1"},
	)

	// The trainer breaks the leak scenario in three places, one near the
	// end of the file: every problem is listed above the editor, in
	// Chinese, and following the last scrolls the editor to its line.
	// Replaying the sample calls says why it cannot.
	leakFile, err := os.ReadFile("../scenarios/library/leak/scenario.yaml")
	require.NoError(t, err)
	broken := strings.NewReplacer("domain: heating", "domain: gas", "temper: anxious", "temper: grumpy", "intent: thanks", "intent: thank-you").Replace(string(leakFile))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/author/scenario/leak"),
		chromedp.WaitVisible(chromedp.CSS("#body")),
		setField("#body", broken),
		chromedp.WaitVisible(chromedp.CSS("#problems li:nth-child(4)")),
	), "the editor lists the problems of a broken draft")
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#issues li")).map(li => li.textContent)`))
	require.NoError(t, err)
	// domain, temper, intent, and the desk's heating data, which a gas
	// scenario may not have.
	require.Len(t, problems, 4)
	for _, p := range problems {
		assert.Regexp(t, `^第 \d+ 行`, p)
		assert.NotRegexp(t, `must|unknown|required|only for`, p, "the problem is told in Chinese")
	}
	editorTop, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("#problems").getBoundingClientRect().top + window.scrollY`))
	require.NoError(t, err)
	assert.Less(t, editorTop, 700.0, "the problems sit at the top, not below the file")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#issues li:last-child a")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#body").scrollTop > 1000`, chromedp.WithPollingTimeout(0)),
	), "a problem's link scrolls the editor to its line")
	shots.shot(ctx, "trainer-editor-problems-desktop")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#golden-run")),
		chromedp.WaitVisible(chromedp.CSS("#golden-blocked")),
	), "replaying a broken draft says why it cannot")
	blockedText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#golden-blocked")))
	require.NoError(t, err)
	assert.Contains(t, blockedText, "4 个问题")
	checkAxe(t, ctx, src, "trainer editor with problems")
	shots.shot(ctx, "trainer-editor-golden-blocked-desktop")
	// The unbroken file replays its sample calls, each told in words.
	require.NoError(t, chromedp.Do(ctx,
		setField("#body", string(leakFile)),
		chromedp.WaitNotVisible(chromedp.CSS("#problems")),
		chromedp.Click(chromedp.CSS("#golden-run")),
		chromedp.WaitVisible(chromedp.CSS("#golden-results tr.ok")),
	), "the sample calls replay")
	results, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#golden-results")))
	require.NoError(t, err)
	assert.NotContains(t, results, "customer_hung_up")
	assert.NotContains(t, results, "passed=")
	assert.Contains(t, results, "与预期相符")
	shots.shot(ctx, "trainer-editor-golden-results-desktop")

	// The phrase tester speaks Chinese and tests a scenario's own phrases.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/author/tester?scenario=leak"),
		chromedp.WaitVisible(chromedp.CSS("#tester")),
		setField("#tester-text", "您好，暖心供热公司\n请您把暖气阀门关上"),
		chromedp.Click(chromedp.CSS(`#tester button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tester-results .tested:nth-child(2) table`)),
	), "test two sentences in the leak scenario")
	tested, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#tester-results")))
	require.NoError(t, err)
	assert.Contains(t, tested, "请先关闭室内供热阀门", "the scenario's own phrase is hit, by its wording")
	assert.Contains(t, tested, "一分钟内指导关闭室内供热阀门", "and the checklist item it counts for")
	assert.Contains(t, tested, "规范用语")
	for _, code := range []string{"greeting", "required", "[0,", "leak/close-valve"} {
		assert.NotContains(t, tested, code, "no internals")
	}
	checkAxe(t, ctx, src, "trainer tester with results")
	shots.shot(ctx, "trainer-tester-leak-desktop")

	// A trainer saves a draft and plays it: the call says it is a draft,
	// shows a caller number, and, where the browser has a Chinese voice
	// (one is put in place here), reads the caller's lines aloud unasked.
	drafted := strings.Replace(string(leakFile), "title: 暖气片接口漏水", "title: 暖气片接口漏水（改稿）", 1)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/author/scenario/leak"),
		chromedp.WaitVisible(chromedp.CSS("#body")),
		setField("#body", drafted),
		setField("#message", "改标题试打"),
		chromedp.Click(chromedp.CSS("#save")),
		// The editor opens again on the saved revision, r2.
		chromedp.WaitVisible(chromedp.CSS(`#editor[data-parent="2"]`)),
	), "save a draft")
	_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		if (window.speechSynthesis) {
			const voices = [{lang: "zh-CN", name: "普通话", voiceURI: "zh-CN", default: true, localService: true}];
			window.speechSynthesis.getVoices = () => voices;
		}
		// Count the tones the page starts, to hear the ring in a test.
		window.coachTones = [];
		if (window.AudioContext) {
			const Real = window.AudioContext;
			window.AudioContext = class extends Real {
				createOscillator() {
					const o = super.createOscillator();
					const start = o.start.bind(o);
					o.start = (...a) => { window.coachTones.push(o.frequency.value); start(...a); };
					return o;
				}
			};
		}`})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/play"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#draft-tag")),
		chromedp.WaitVisible(chromedp.CSS(`#phase[data-phase=ringing]`)),
	), "play the draft")
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".call-head h1")))
	require.NoError(t, err)
	assert.Equal(t, "暖气片接口漏水（改稿）", title, "the call plays the draft")
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#caller-number")))
	require.NoError(t, err)
	phone, ok := leak.FactByKey("phone")
	require.True(t, ok)
	assert.Equal(t, phone.Value, strings.ReplaceAll(number, " ", ""), "the persona's own number")
	voice, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("#speak-wrap").hidden && document.querySelector("#speak").checked`))
	require.NoError(t, err)
	assert.True(t, voice, "the caller's voice is on by default where a Chinese voice exists")
	_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`window.coachTones.length >= 2`, chromedp.WithPollingTimeout(0)))
	require.NoError(t, err, "the phone rings aloud")
	tones, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`window.coachTones`))
	require.NoError(t, err)
	assert.Subset(t, tones, []float64{440, 480}, "a ring of two mixed tones")
	checkAxe(t, ctx, src, "trainer draft call")
	shots.shot(ctx, "trainer-call-draft-desktop")

	signIn("manager")
	// The matrix keeps its first column in place when scrolled sideways,
	// with the certification column next to it; assignments name their
	// track; the trend has a line per scenario, dates that differ, and
	// attempts that open their scorecards.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(ts.URL+"/manage"),
		chromedp.WaitVisible(chromedp.CSS("#matrix")),
	), "the matrix on a phone")
	sticky, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const box = document.querySelector("#matrix").parentElement, th = document.querySelector("#matrix tbody th");
		const before = th.getBoundingClientRect().left;
		box.scrollLeft = box.scrollWidth;
		return [box.scrollLeft, before, th.getBoundingClientRect().left]; })()`))
	require.NoError(t, err)
	require.Positive(t, sticky[0], "the matrix is wider than a phone")
	assert.InDelta(t, sticky[1], sticky[2], 1, "the trainee column stays put")
	shots.shot(ctx, "manager-matrix-scrolled-phone")
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	headers, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#matrix thead th")).slice(0, 3).map(th => th.textContent)`))
	require.NoError(t, err)
	assert.Equal(t, track.Title, headers[2], "the certification column comes right after the team")
	assigned, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`td[data-track="heating-level-1"]`)))
	require.NoError(t, err)
	assert.Equal(t, track.Title, assigned)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/manage/trainees/%d", ts.URL, trainee.ID)),
		chromedp.WaitVisible(chromedp.CSS("#trend")),
	), "the trainee page")
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#trend polyline.series").length`))
	require.NoError(t, err)
	assert.Equal(t, len(track.Scenarios)+1, lines, "a line per scenario tried (the track's and water-outage)")
	ticks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#trend text[text-anchor=middle]")).map(t => t.textContent)`))
	require.NoError(t, err)
	assert.Greater(t, len(ticks), 2)
	assert.Len(t, ticks, len(uniq(ticks)), "no date twice on the axis")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#attempts a[href$="/scorecard"]`)),
		chromedp.WaitVisible(chromedp.CSS("#verdict")),
	), "an attempt opens its scorecard")
	// Signing off works from the button that was invisible.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/manage/trainees/%d", ts.URL, trainee.ID)),
		chromedp.WaitVisible(chromedp.CSS(`button[value=signoff]`)),
	), "the sign-off button")
	checkAxe(t, ctx, src, "manager sign-off")
	shots.shot(ctx, "manager-signoff-desktop")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`form.decision textarea[name=comment]`), "六个场景考试全部达标，同意认证。"),
		chromedp.Click(chromedp.CSS(`button[value=signoff]`)),
		chromedp.WaitVisible(chromedp.CSS(`.track[data-state=certified]`)),
	), "sign off")
	visit("manager",
		pageCheck{"home", "/", "main"},
		pageCheck{"manage", "/manage", "#matrix"},
		pageCheck{"trainee", fmt.Sprintf("/manage/trainees/%d", trainee.ID), "#trend"},
		pageCheck{"certificate", fmt.Sprintf("/certificates/%d/%s", trainee.ID, track.ID), ".certificate"},
		pageCheck{"scorecard", "/calls/" + failedID + "/scorecard", "#verdict"},
		pageCheck{"history", "/history?user=" + trainee.Username, "main h1"},
		pageCheck{"scenarios", "/scenarios", ".catalogue"},
	)

	signIn("admin")
	// The audit log speaks Chinese and filters by actor, kind and day.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS("#audit-filter")),
		chromedp.SetValue(chromedp.CSS(`select[name=actor]`), manager.Username),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "track"),
		chromedp.Click(chromedp.CSS(`#audit-filter button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-filter a[href="/admin/audit"]`)),
	), "filter the audit log")
	kinds, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#audit tbody tr")).map(tr => tr.dataset.kind + " " + tr.textContent)`))
	require.NoError(t, err)
	require.Len(t, kinds, 1)
	assert.Contains(t, kinds[0], "分配认证课程")
	assert.Contains(t, kinds[0], track.Title)
	shots.shot(ctx, "admin-audit-filtered-desktop")
	visit("admin",
		pageCheck{"home", "/", "main"},
		pageCheck{"accounts", "/admin/accounts", "main h1"},
		pageCheck{"audit", "/admin/audit", "main h1"},
	)
	// The English switch, on a page of each kind.
	visit("admin",
		pageCheck{"audit-en", "/admin/audit?lang=en", "html[lang=en] main h1"},
		pageCheck{"scenarios-en", "/scenarios?lang=en", "html[lang=en] .catalogue"},
	)
	if !t.Failed() {
		t.Logf("axe-core checked %d page views with no serious or critical WCAG 2 A/AA violation", len(axeChecked.pages))
	}
	_ = scenarios.Domains
}
