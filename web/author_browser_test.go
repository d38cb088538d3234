package web

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser starts headless Chromium (COACH_TEST_CHROMIUM) signed in with
// token on ts; without the variable the test is skipped.
func browser(t *testing.T, baseURL, token string) context.Context {
	t.Helper()
	bin := os.Getenv("COACH_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("browser tests skipped: set COACH_TEST_CHROMIUM to a Chromium binary")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelB()
		cancelA()
	})
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token, URL: baseURL})
	require.NoError(t, err)
	return ctx
}

// setField sets a form field's value and fires the input event a person's
// typing would.
func setField(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		js := `(() => { const el = document.querySelector(` + strconv.Quote(sel) + `); if (!el) return false;
			el.value = ` + strconv.Quote(value) + `; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no element %s", sel)
		}
		return nil
	})
}

// TestAuthorEditorInBrowser drives the editor page in Chromium under the
// site's CSP: the gutter marks the line of a problem as the trainer types,
// the mark goes when it is fixed, saving makes a revision and playing the
// draft opens its call page; the phrase tester highlights a hit.
func TestAuthorEditorInBrowser(t *testing.T) {
	env := newEnv(t)
	ts := wsServer(t, env)
	trainer := env.addUser("wang", domain.RoleTrainer)
	token, _ := env.session(trainer)
	ctx := browser(t, ts.URL, token)

	const id = "browser-made"
	good := strings.Replace(app.NewUnitBody(domain.ContentScenario), "id: new-scenario\n", "id: "+id+"\n", 1)
	bad := strings.Replace(good, "temper: calm\n", "temper: grumpy\n", 1)
	badLine := lineOf(t, bad, "  temper:")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/author/new?kind=scenario"),
		chromedp.WaitVisible(chromedp.CSS("#body")),
		setField("#unit-id", id),
		setField("#body", bad),
		chromedp.WaitVisible(chromedp.CSS("#gutter span.err")),
	))
	marked, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#gutter span.err")))
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(badLine), marked, "the problem is marked at its line")
	issues, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#issues")))
	require.NoError(t, err)
	assert.Contains(t, issues, "grumpy")

	playButton := chromedp.CSS(`form[action="/author/scenario/` + id + `/play"] button`)
	require.NoError(t, chromedp.Do(ctx,
		setField("#body", good),
		chromedp.WaitNotPresent(chromedp.CSS("#gutter span.err")),
		setField("#message", "made in the browser"),
		chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(playButton),
	))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, ts.URL+"/author/scenario/"+id, location)
	head, err := env.db.Head(context.Background(), domain.ContentScenario, id)
	require.NoError(t, err)
	assert.Equal(t, 1, head.N)
	assert.Equal(t, "made in the browser", head.Message)
	assert.Equal(t, good, head.Body)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(playButton),
		chromedp.WaitNotPresent(playButton),
	))
	location, err = chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(location, ts.URL+"/calls/"), location)
	rec, err := env.db.CallByID(context.Background(), strings.TrimPrefix(location, ts.URL+"/calls/"))
	require.NoError(t, err)
	assert.Equal(t, id, rec.ScenarioID)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/author/tester"),
		chromedp.WaitVisible(chromedp.CSS("#tester-text")),
		setField("#tester-text", "您好，请问有什么可以帮您？"),
		chromedp.Click(chromedp.CSS("#tester button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#tester-results mark")),
	))
	said, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#tester-results mark")))
	require.NoError(t, err)
	assert.Contains(t, said, "您好")
}
