package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoStoreOpensEveryPage fills a store with coach demo's history and
// opens the dashboards and the scorecards of demo attempts on it.
func TestDemoStoreOpensEveryPage(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	e := newEnv(t, func(c *Config) { c.Library, c.Book = lib, book })
	ctx := context.Background()
	_, err = app.Demo(ctx, e.db, app.DemoOptions{Trainees: 8, Attempts: 400, PasswordHash: "h", Library: lib, Book: book, Now: e.clock.Now(), Seed: 3})
	require.NoError(t, err)
	manager, err := e.db.UserByUsername(ctx, app.DemoManager)
	require.NoError(t, err)
	trainee, err := e.db.UserByUsername(ctx, app.DemoTraineePrefix+"0002")
	require.NoError(t, err)
	mgr, _ := e.session(manager)
	own, _ := e.session(trainee)
	get := func(token, path string) *pageResult {
		t.Helper()
		w := e.do(withCookie(getReq(path), token))
		return &pageResult{w.Code, w.Body.String()}
	}

	for _, path := range []string{"/manage", "/manage/export.csv", fmt.Sprintf("/manage/trainees/%d", trainee.ID), "/api/xapi/statements?limit=50"} {
		r := get(mgr, path)
		assert.Equal(t, http.StatusOK, r.code, "%s: %s", path, r.body)
	}
	m := get(mgr, "/manage")
	assert.Contains(t, m.body, app.DemoTraineePrefix+"0008")
	assert.True(t, regexp.MustCompile(`data-state="(certified|expired|suspended|exams_passed)"`).MatchString(m.body),
		"some demo trainees are past enrolled")

	attempts, err := e.db.ListAttempts(ctx, store.AttemptFilter{UserID: trainee.ID})
	require.NoError(t, err)
	require.NotEmpty(t, attempts)
	seen := map[domain.Mode]bool{}
	for _, a := range attempts {
		if seen[a.Mode] {
			continue
		}
		seen[a.Mode] = true
		for _, token := range []string{mgr, own} {
			r := get(token, "/calls/"+a.ID+"/scorecard")
			require.Equal(t, http.StatusOK, r.code, "scorecard of demo attempt %s (%s): %s", a.ID, a.Mode, r.body)
			assert.Contains(t, r.body, app.DemoTraineePrefix+"0002")
		}
		r := get(own, "/api/calls/"+a.ID)
		assert.Equal(t, http.StatusOK, r.code)
		assert.Contains(t, r.body, `"checklist"`)
	}
	assert.Len(t, seen, 2, "practice and exam attempts")
}

type pageResult struct {
	code int
	body string
}
