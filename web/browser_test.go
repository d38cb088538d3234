package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browserWait bounds the whole browser test; every step waits on a DOM
// condition within it, never on the clock.
const browserWait = 2 * time.Minute

// TestBrowserCall drives Chromium through a trainee's whole visit: the
// login form, the catalogue, a practice call played by typing a golden
// model answer into the reply box (with a server restart in the middle,
// which the page must ride out), the scorecard and the history. It runs the real
// server on a real listener, with the real clock, over a temporary SQLite
// store. COACH_SCREENSHOTS=DIR saves full-page screenshots there.
func TestBrowserCall(t *testing.T) {
	axe := axeSource(t)
	shots := os.Getenv("COACH_SCREENSHOTS")

	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	sc, tr := golden(t, lib, "wrong-number", "pass")

	db := storetest.SQLite(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// serve starts a server on ln and returns what stops it. The test
	// replaces the server halfway through the call, on the same address
	// and store, as a restart or a move to another instance would.
	serve := func(ln net.Listener) (*Server, func()) {
		t.Helper()
		srv, err := New(db, logger, Config{Library: lib, Book: book, PasswordParams: fastParams})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ctx, ln) }()
		var once sync.Once
		stop := func() {
			once.Do(func() {
				cancel()
				require.NoError(t, <-served)
			})
		}
		t.Cleanup(stop)
		return srv, stop
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	base := "http://" + addr
	srv, stopFirst := serve(ln)

	env := &testEnv{t: t, db: db, srv: srv}
	trainee := env.addUser("li.na", domain.RoleTrainee)

	ctx := newBrowser(t, browserWait)

	screenshot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(shots, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(shots, name), png, 0o644))
		t.Logf("screenshot %s", filepath.Join(shots, name))
	}
	// phone runs f with the page on a phone-sized screen.
	phone := func(f func()) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))))
		// On the call page, the practice panel sits beside the
		// conversation, not below the reply box.
		beside, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const side = document.querySelector(".call-side"), main = document.querySelector(".call-main");
			if (!side || !main) return "no call";
			const a = main.getBoundingClientRect(), b = side.getBoundingClientRect();
			return b.left >= a.right && b.top < a.bottom ? "beside" : "below"; })()`))
		require.NoError(t, err)
		assert.NotEqual(t, "below", beside, "the practice panel on a phone")
		f()
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	}
	// count is a JavaScript expression: how many elements match sel.
	count := func(sel string) string {
		return fmt.Sprintf("document.querySelectorAll(%q).length", sel)
	}

	// Sign in through the form and go from home to the catalogue.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), trainee.Username),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.start-card`)),
		chromedp.Click(chromedp.CSS(`.start-card a[href="/scenarios"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#`+sc.ID)),
	), "sign in and open the catalogue")
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#`+sc.ID+` .scenario-title`)))
	require.NoError(t, err)
	assert.Equal(t, sc.Title, strings.TrimSpace(title))
	screenshot("scenarios.png")

	// Start a practice call; it rings once the socket opens.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#`+sc.ID+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#call`)),
		chromedp.WaitVisible(chromedp.CSS(`#phase[data-phase=ringing]`)),
		chromedp.WaitEnabled(chromedp.CSS(`#say`)),
	), "start the call")
	rings, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rings`)))
	require.NoError(t, err)
	assert.Contains(t, rings, "第 1 声")
	// A phone shows who is calling; the caller's mood waits until they
	// have said something; the ring tone can be switched off.
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#caller-number`)))
	require.NoError(t, err)
	assert.Regexp(t, `^1\d{2} \d{4} \d{4}$`, number)
	moodHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#mood-box").hidden`))
	require.NoError(t, err)
	assert.True(t, moodHidden, "no mood before the caller has spoken")
	ringer, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("#ringer-wrap").hidden && document.querySelector("#ringer").checked`))
	require.NoError(t, err)
	assert.True(t, ringer, "the ring tone is offered, and on")
	screenshot("call-ringing.png")
	// both checks the page with axe-core at both widths, saving
	// screenshots named name.png and name-phone.png.
	both := func(name string) {
		t.Helper()
		checkAxe(t, ctx, axe, name+" (desktop)")
		phone(func() {
			checkAxe(t, ctx, axe, name+" (phone)")
			screenshot(name + "-phone.png")
		})
	}
	both("call-ringing")

	// Play the model answer by typing each reply and pressing Enter; after
	// each, wait for the caller's answer on the page.
	for i, turn := range tr.Turns {
		require.NotEmpty(t, turn.Say, "the model answer only speaks")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitEnabled(chromedp.CSS(`#say`)),
			chromedp.SendKeys(chromedp.CSS(`#say`), turn.Say),
			chromedp.SendKeys(chromedp.CSS(`#say`), kb.Enter),
		), "type reply %d", i)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](
			count(`#lines li.trainee`)+` >= `+strconv.Itoa(i+1)+` && `+count(`#lines li.customer`)+` >= `+strconv.Itoa(i+1),
			chromedp.WithPollingTimeout(0)))
		require.NoError(t, err, "caller answers reply %d", i)
		if i == 0 {
			// At the desk, during the call: a first work order, with
			// its type only; the number comes back to read to the caller.
			require.NoError(t, chromedp.Do(ctx,
				chromedp.WaitVisible(chromedp.CSS(`#desk`)),
				chromedp.SetValue(chromedp.CSS(`#tk-type`), "inquiry"),
				chromedp.Click(chromedp.CSS(`#ticket-submit`)),
				chromedp.WaitVisible(chromedp.CSS(`#ticket-number`)),
			), "submit a first work order during the call")
			number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#ticket-number`)))
			require.NoError(t, err)
			assert.Regexp(t, `工单号 GD\d{10} · 待派单`, number)
			// The desk's lookup: a wrong number has no record.
			require.NoError(t, chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(`#lookup-value`), "福满楼"),
				chromedp.SetValue(chromedp.CSS(`#lookup-by`), "name"),
				chromedp.Click(chromedp.CSS(`#desk-lookup button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#desk-record .desk-none`)),
			), "look the caller up")
		}
		if i == 1 {
			// The caller has spoken: the mood shows, in words that fit
			// a calm caller; the steps done so far are ticked, and no
			// hint is shown twice.
			mood, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#mood-box").hidden ? "" : document.querySelector("#mood-word").textContent`))
			require.NoError(t, err)
			assert.Equal(t, "平静", mood)
			done, err := chromedp.Run(ctx, chromedp.Evaluate[int](count(`#steps li.done`)))
			require.NoError(t, err)
			assert.GreaterOrEqual(t, done, 2, "greeting and naming the company are ticked")
			todo, err := chromedp.Run(ctx, chromedp.Evaluate[int](count(`#steps li.todo`)))
			require.NoError(t, err)
			assert.Positive(t, todo, "steps still to do are listed")
			dupes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const t = Array.from(document.querySelectorAll("#hints li")).map(li => li.textContent); return t.length - new Set(t).size; })()`))
			require.NoError(t, err)
			assert.Zero(t, dupes, "each hint once")
			screenshot("call-midway.png")
			both("call-midway")

			// The server goes away: the page says so and retries; a new
			// server on the same address takes the call up from the store
			// and the page resumes after the last message it saw.
			stopFirst()
			_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.querySelector("#conn").dataset.state === "retry"`, chromedp.WithPollingTimeout(0)))
			require.NoError(t, err, "the page notices the dropped socket")
			status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#conn`)))
			require.NoError(t, err)
			assert.Contains(t, status, "重连")
			screenshot("call-reconnecting.png")
			ln2, err := net.Listen("tcp", addr)
			require.NoError(t, err)
			serve(ln2)
			_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.querySelector("#conn").dataset.state === "ok"`, chromedp.WithPollingTimeout(0)))
			require.NoError(t, err, "the page reconnects")
		}
	}
	// The caller hung up: the wrap-up runs with its countdown, and the
	// work order is finished and submitted again before closing it.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#wrapup`)),
		chromedp.WaitNotVisible(chromedp.CSS(`#reply`)),
	), "the wrap-up begins")
	left, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#wrapup-left`)))
	require.NoError(t, err)
	secsLeft, err := strconv.Atoi(strings.TrimSpace(left))
	require.NoError(t, err, "countdown %q", left)
	assert.True(t, secsLeft > 0 && secsLeft <= 60, "countdown %d", secsLeft)
	screenshot("call-wrapup.png")
	phone(func() { screenshot("call-wrapup-phone.png") })
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#tk-urgency`), "normal"),
		chromedp.SetValue(chromedp.CSS(`#tk-team`), "hotline"),
		chromedp.SendKeys(chromedp.CSS(`#tk-note`), "来电人要订福满楼饭店包间，打错电话，已劝其挂机"),
		chromedp.Click(chromedp.CSS(`#ticket-submit`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#desk-status").textContent.includes("工单已提交")`, chromedp.WithPollingTimeout(0)),
		chromedp.Click(chromedp.CSS(`#wrapup-done`)),
	), "finish the work order in the wrap-up")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#end`)),
		chromedp.WaitVisible(chromedp.CSS(`#phase[data-phase=ended]`)),
	), "the call ends")
	endScore, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#end-score`)))
	require.NoError(t, err)
	endPassed, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#end-passed`)))
	require.NoError(t, err)
	assert.Contains(t, endPassed, "通过")
	assert.NotContains(t, endPassed, "未通过")

	calls, err := db.ListCalls(context.Background(), store.CallFilter{UserID: trainee.ID})
	require.NoError(t, err)
	require.Len(t, calls, 1)
	rec := calls[0]
	require.Equal(t, domain.CallEnded, rec.Status)
	require.True(t, rec.Passed, "the model answer passes when typed live")
	assert.Equal(t, tr.Expect.Outcome, rec.Outcome)
	score := strconv.Itoa(int(rec.Score))
	assert.Equal(t, score+" / 100", endScore)
	var card sim.Scorecard
	require.NoError(t, json.Unmarshal(rec.Scorecard, &card))
	callerLines := 0
	for _, tu := range card.Turns {
		if tu.Speaker == sim.Customer {
			callerLines++
		}
	}
	shownLines, err := chromedp.Run(ctx, chromedp.Evaluate[int](count(`#lines li.customer`)))
	require.NoError(t, err)
	assert.Equal(t, callerLines, shownLines, "every caller line once, across the reconnect")

	// The scorecard page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#see-card`)),
		chromedp.WaitVisible(chromedp.CSS(`#verdict`)),
	), "open the scorecard")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, base+"/calls/"+rec.ID+"/scorecard", loc)
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#score`)))
	require.NoError(t, err)
	assert.Equal(t, score, shown)
	verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#passed`)))
	require.NoError(t, err)
	assert.Equal(t, "✓ 通过", strings.TrimSpace(verdict))
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[int](count(`.review li.trainee mark.hit.required`)))
	require.NoError(t, err)
	assert.Positive(t, marks, "highlighted hits in the trainee's turns")
	greeting, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#turn-0 mark.hit.required`)))
	require.NoError(t, err)
	assert.Equal(t, "您好", greeting, "the first reply's greeting is highlighted")
	// The work order on the scorecard: field by field, all right.
	require.NotNil(t, card.Ticket)
	assert.True(t, card.Ticket.AfterHangup, "last submitted in the wrap-up")
	for _, f := range card.Ticket.Fields {
		assert.True(t, f.OK, "%s: %s", f.Field, f.Why)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](count(`#ticket-card tr.ok[data-field]`)))
	require.NoError(t, err)
	assert.Equal(t, len(card.Ticket.Fields), rows, "every field of the work order on the scorecard")
	screenshot("scorecard.png")
	both("scorecard")

	// The work order is on the trainee's tickets page, waiting for dispatch.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.topnav a[href="/tickets"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-number="`+card.Ticket.Number+`"]`)),
	), "the tickets page lists the work order")
	state, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-number="`+card.Ticket.Number+`"] .state`)))
	require.NoError(t, err)
	assert.Equal(t, "待派单", strings.TrimSpace(state))

	// The attempt is in the history, linked to its scorecard.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.topnav a[href="/history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-call="`+rec.ID+`"] a[href="/calls/`+rec.ID+`/scorecard"]`)),
	), "the history lists the call")
	screenshot("history.png")
	both("history")

	// A failed attempt's scorecard, for the screenshots: the engine's
	// scorecard of a rude golden transcript, recorded as a played call is.
	if shots != "" {
		fsc, ftr := golden(t, lib, sc.ID, "fail-rude")
		card, _, err := sim.Replay(fsc, book, ftr, sim.Options{Mode: domain.Practice, Seed: 1})
		require.NoError(t, err)
		raw, err := json.Marshal(card)
		require.NoError(t, err)
		failed := store.Call{UserID: trainee.ID, ScenarioID: fsc.ID, ScenarioRevision: domain.BuiltinRevision, Mode: domain.Practice, Started: time.Now()}
		require.NoError(t, db.CreateCall(context.Background(), &failed))
		require.NoError(t, db.EndCall(context.Background(), failed.ID, store.CallResult{
			Ended: time.Now(), Outcome: string(card.Outcome), Score: float64(card.Score), Passed: card.Passed, Scorecard: raw,
		}))
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/calls/"+failed.ID+"/scorecard"),
			chromedp.WaitVisible(chromedp.CSS(`.review del.hit.forbidden`)),
		), "the failed scorecard")
		screenshot("scorecard-failed.png")
	}

	// The English switch.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/calls/"+rec.ID+"/scorecard"),
		chromedp.WaitVisible(chromedp.CSS(`#verdict`)),
		chromedp.Click(chromedp.CSS(`.topnav a.lang`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #verdict`)),
	), "switch to English")
	verdict, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#passed`)))
	require.NoError(t, err)
	assert.Equal(t, "✓ Passed", strings.TrimSpace(verdict))
	screenshot("scorecard-en.png")
}
