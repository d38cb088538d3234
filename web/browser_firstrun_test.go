package web

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserFirstRun drives Chromium through a fresh install's first
// day: the setup link on an empty store makes the admin (real name,
// username, password) and signs them in; the admin creates a trainee on
// the accounts page and signs out; the trainee signs in and their first
// call rings. Real server, real listener, real clock.
func TestBrowserFirstRun(t *testing.T) {
	bin := os.Getenv("COACH_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("browser test skipped: set COACH_TEST_CHROMIUM to a Chromium binary to run it")
	}
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	db := storetest.SQLite(t)
	logs := &syncBuffer{}
	srv, err := New(db, slog.New(slog.NewTextHandler(logs, nil)), Config{Library: lib, Book: book, PasswordParams: fastParams})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		stop()
		require.NoError(t, <-served)
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	base := "http://" + ln.Addr().String()
	token, err := srv.SetupToken(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, token, "an empty store gets a setup link")

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browserCtx))
	ctx, cancel := context.WithTimeout(browserCtx, browserWait)
	t.Cleanup(cancel)

	const traineePassword = "今天是我第一天上岗练习"
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/setup?token="+url.QueryEscape(token)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/setup"] input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "王建国"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/setup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.start-card`)),
	), "the setup page makes the admin and signs them in")
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.who`)))
	require.NoError(t, err)
	assert.Contains(t, who, "王建国")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/accounts"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/accounts"] input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/accounts"] input[name=name]`), "李娜"),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/accounts"] input[name=username]`), "li.na"),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/accounts"] input[name=employee_no]`), "HX-0001"),
		chromedp.SendKeys(chromedp.CSS(`form[action="/admin/accounts"] input[name=password]`), traineePassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/accounts"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-user="li.na"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"] input[name=username]`)),
	), "the admin creates a trainee and signs out")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/setup?token="+url.QueryEscape(token)),
		chromedp.WaitVisible(chromedp.CSS(`[data-code=not_found]`)),
	), "the setup page is gone")

	sc := lib.Scenarios[0]
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"] input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "li.na"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), traineePassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.start-card`)),
		chromedp.Click(chromedp.CSS(`.start-card a[href="/scenarios"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#`+sc.ID)),
		chromedp.Click(chromedp.CSS(`#`+sc.ID+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#call`)),
		chromedp.WaitVisible(chromedp.CSS(`#phase[data-phase=ringing]`)),
	), "the trainee signs in and the first call rings")
}
