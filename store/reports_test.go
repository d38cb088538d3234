package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportCard is a scorecard with the fields the reports count: three
// checklist items, of which missed are not done, and the forbidden phrases.
func reportCard(missed []string, forbidden ...string) json.RawMessage {
	return scorecard([]string{"greeting", "ask-address", "commit"}, missed, forbidden...)
}

// scorecard is a scorecard with the checklist items ids, of which missed
// are not done, and the forbidden phrases.
func scorecard(ids, missed []string, forbidden ...string) json.RawMessage {
	type item struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Done  bool   `json:"done"`
	}
	type phrase struct {
		Intent     string `json:"intent"`
		Phrase     string `json:"phrase"`
		Suggestion string `json:"suggestion"`
	}
	var card struct {
		Checklist []item   `json:"checklist"`
		Forbidden []phrase `json:"forbidden"`
	}
	for _, id := range ids {
		card.Checklist = append(card.Checklist, item{ID: id, Title: "title of " + id, Done: !slices.Contains(missed, id)})
	}
	for _, p := range forbidden {
		card.Forbidden = append(card.Forbidden, phrase{Intent: "deflect", Phrase: p, Suggestion: "我帮您查一下"})
	}
	raw, err := json.Marshal(card)
	if err != nil {
		panic(err)
	}
	return raw
}

type cellKey struct {
	user     int64
	scenario string
	mode     domain.Mode
}

type cellVal struct {
	attempts, passed int
	best             float64
}

type findingKey struct{ kind, scenario, key string }

type findingVal struct{ count, graded int }

// expectedReports counts the stored attempts f covers the slow way.
func expectedReports(t *testing.T, db *store.DB, f store.ReportFilter) (map[cellKey]cellVal, map[findingKey]findingVal) {
	t.Helper()
	as, err := db.ListAttempts(context.Background(), store.AttemptFilter{Team: f.Team, From: f.From, To: f.To, TraineesOnly: true})
	require.NoError(t, err)
	cells := map[cellKey]cellVal{}
	findings := map[findingKey]findingVal{}
	for _, a := range as {
		k := cellKey{a.UserID, a.ScenarioID, a.Mode}
		v, seen := cells[k]
		if !seen || a.Score > v.best {
			v.best = a.Score
		}
		v.attempts++
		if a.Passed {
			v.passed++
		}
		cells[k] = v
		var card struct {
			Checklist []struct {
				ID   string `json:"id"`
				Done bool   `json:"done"`
			} `json:"checklist"`
			Forbidden []struct {
				Phrase string `json:"phrase"`
			} `json:"forbidden"`
		}
		if json.Unmarshal(a.Scorecard, &card) != nil {
			continue // counted in the cells, not in the findings
		}
		for _, it := range card.Checklist {
			fk := findingKey{store.FindingItem, a.ScenarioID, it.ID}
			fv := findings[fk]
			fv.graded++
			if !it.Done {
				fv.count++
			}
			findings[fk] = fv
		}
		for _, p := range card.Forbidden {
			fk := findingKey{store.FindingPhrase, "", p.Phrase}
			fv := findings[fk]
			fv.count++
			findings[fk] = fv
		}
	}
	for k, v := range findings {
		if v.count == 0 {
			delete(findings, k)
		}
	}
	return cells, findings
}

// gotReports reads what the report queries answer for f.
func gotReports(t *testing.T, db *store.DB, f store.ReportFilter) (map[cellKey]cellVal, map[findingKey]findingVal) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.ReportCells(ctx, f)
	require.NoError(t, err)
	users, err := db.ListUsers(ctx)
	require.NoError(t, err)
	trainee := map[int64]bool{}
	for _, u := range users {
		trainee[u.ID] = u.Role == domain.RoleTrainee
	}
	cells := map[cellKey]cellVal{}
	for _, c := range rows {
		if !trainee[c.UserID] {
			continue
		}
		cells[cellKey{c.UserID, c.ScenarioID, c.Mode}] = cellVal{c.Attempts, c.Passed, c.Best}
	}
	findings := map[findingKey]findingVal{}
	for _, kind := range []string{store.FindingItem, store.FindingPhrase} {
		fs, err := db.ReportFindings(ctx, f, kind, 1000)
		require.NoError(t, err)
		for i, x := range fs {
			findings[findingKey{kind, x.ScenarioID, x.Key}] = findingVal{x.Count, x.Graded}
			if i > 0 {
				assert.GreaterOrEqual(t, fs[i-1].Count, x.Count, "most frequent first")
			}
		}
	}
	return cells, findings
}

func TestReportsFollowTheCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee)
		qi := domain.User{Username: "qi", PasswordHash: "h", Role: domain.RoleTrainee, Team: "west", Created: t0}
		require.NoError(t, db.CreateUser(ctx, &qi))
		wang := addUser(t, db, "wang", domain.RoleTrainer)
		day := func(d int, h int) time.Time { return t0.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }

		end := func(u domain.User, scenario string, mode domain.Mode, at time.Time, score float64, passed bool, card json.RawMessage) store.Call {
			t.Helper()
			c := store.Call{UserID: u.ID, ScenarioID: scenario, ScenarioRevision: "r1", Mode: mode, Started: at.Add(-time.Minute)}
			require.NoError(t, db.CreateCall(ctx, &c))
			require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: at, Outcome: "completed", Score: score, Passed: passed, Scorecard: card}))
			return c
		}
		end(li, "leak", domain.Practice, day(0, 1), 60, false, reportCard([]string{"ask-address", "commit"}, "不归我管"))
		disputed := end(li, "leak", domain.Exam, day(1, 14), 70, false, reportCard([]string{"commit"}))
		end(li, "leak", domain.Exam, day(2, 23), 85.5, true, reportCard(nil))
		end(li, "arrears", domain.Exam, day(3, 0), 40, false, reportCard([]string{"greeting", "commit"}, "没办法", "不归我管"))
		end(qi, "leak", domain.Exam, day(1, 2), 90, true, reportCard(nil, "没办法"))
		end(wang, "leak", domain.Exam, day(1, 3), 10, false, reportCard([]string{"greeting"}, "你找别人"))
		live := store.Call{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: day(3, 1)}
		require.NoError(t, db.CreateCall(ctx, &live))
		// A scorecard the reports cannot read still counts in the totals.
		end(qi, "arrears", domain.Practice, day(2, 5), 50, false, json.RawMessage(`{"checklist":"?"}`))

		// Reports count whole days of the site's time zone: in UTC, and in
		// Shanghai (UTC+8), whose days start at 16:00 UTC, between the
		// calls of day(1, 2) and day(1, 14) and before the imported ones of
		// 18:00 UTC. Findings over whole UTC days come from day rows, over
		// the hours at a range's ends from hour rows.
		midnight := func(d int) time.Time { return t0.Truncate(24*time.Hour).AddDate(0, 0, d) }
		local := func(d int) time.Time { return midnight(d).Add(-8 * time.Hour) }
		filters := []store.ReportFilter{
			{},
			{Team: "east"},
			{Team: "west"},
			{From: midnight(1)},
			{To: midnight(2)},
			{Team: "east", From: midnight(1), To: midnight(3)},
			{From: midnight(9)},
			{From: local(2)},
			{To: local(2)},
			{Team: "east", From: local(1), To: local(2)},
			{From: local(2), To: local(4)},
			{From: midnight(1).Add(12 * time.Hour), To: midnight(1).Add(20 * time.Hour)},
			{Team: "west", To: local(3)},
		}
		check := func(stage string) {
			t.Helper()
			for _, f := range filters {
				wantCells, wantFindings := expectedReports(t, db, f)
				gotCells, gotFindings := gotReports(t, db, f)
				assert.Equal(t, wantCells, gotCells, "%s: cells of %+v", stage, f)
				assert.Equal(t, wantFindings, gotFindings, "%s: findings of %+v", stage, f)
			}
		}
		check("ended calls")

		// An upheld dispute moves the call's findings and its total.
		trainee := store.Actor{ID: li.ID, Name: li.Username}
		d := store.Dispute{CallID: disputed.ID, ItemID: "commit", Turn: 3, Text: "我承诺了上门时间", TraineeID: li.ID, Created: day(4, 0)}
		require.NoError(t, db.OpenDispute(ctx, trainee, &d))
		call, err := db.CallByID(ctx, disputed.ID)
		require.NoError(t, err)
		_, err = db.UpholdDispute(ctx, store.Actor{ID: wang.ID, Name: wang.Username}, d.ID,
			store.Uphold{From: call.Scorecard, Score: 95, Passed: true, Scorecard: reportCard(nil)})
		require.NoError(t, err)
		check("after an uphold")

		// Imported attempts count like ended calls.
		var imported []store.Call
		for i := range 30 {
			imported = append(imported, store.Call{UserID: []int64{li.ID, qi.ID, wang.ID}[i%3], ScenarioID: []string{"leak", "arrears"}[i%2],
				ScenarioRevision: "demo", Mode: []domain.Mode{domain.Exam, domain.Practice}[i%2], Started: day(i%5, 8), Ended: day(i%5, 9),
				Outcome: "completed", Score: float64(30 + 2*i), Passed: i%4 == 0, Scorecard: reportCard([]string{"greeting", "ask-address"}[:i%3], "不行")})
		}
		require.NoError(t, db.ImportAttempts(ctx, imported))
		check("after an import")
		got, err := db.CallByID(ctx, imported[7].ID)
		require.NoError(t, err)
		assert.Equal(t, domain.CallEnded, got.Status)
		assert.JSONEq(t, string(imported[7].Scorecard), string(got.Scorecard))

		// Migrations 0007 and 0010 fill the tables from stored calls the
		// same way.
		before := map[string]any{}
		for i, f := range filters {
			c, fs := gotReports(t, db, f)
			before[fmt.Sprint(i)] = []any{c, fs}
		}
		require.NoError(t, db.RebuildReports(ctx))
		for i, f := range filters {
			c, fs := gotReports(t, db, f)
			assert.Equal(t, before[fmt.Sprint(i)], []any{c, fs}, "rebuilt, filter %+v", f)
		}
		// And migration 0010 turns a store's findings per UTC day into
		// findings per hour the same way.
		require.NoError(t, db.UpgradeFindingsToHours(ctx))
		for i, f := range filters {
			c, fs := gotReports(t, db, f)
			assert.Equal(t, before[fmt.Sprint(i)], []any{c, fs}, "upgraded, filter %+v", f)
		}
	})
}

func TestImportAttemptsRefusesBadCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee)
		good := store.Call{UserID: li.ID, ScenarioID: "leak", Mode: domain.Exam, Started: t0, Ended: t0.Add(time.Minute),
			Outcome: "completed", Score: 80, Passed: true, Scorecard: json.RawMessage(`{}`)}
		tests := []struct {
			name   string
			change func(c *store.Call)
			want   error
		}{
			{"bad mode", func(c *store.Call) { c.Mode = "drill" }, store.ErrInvalid},
			{"no scenario", func(c *store.Call) { c.ScenarioID = "" }, store.ErrInvalid},
			{"not ended", func(c *store.Call) { c.Ended = time.Time{} }, store.ErrInvalid},
			{"bad scorecard", func(c *store.Call) { c.Scorecard = json.RawMessage(`{`) }, store.ErrInvalid},
			{"unknown user", func(c *store.Call) { c.UserID = 99999 }, store.ErrNotFound},
		}
		for _, tc := range tests {
			c := good
			tc.change(&c)
			err := db.ImportAttempts(ctx, []store.Call{good, c})
			assert.ErrorIs(t, err, tc.want, tc.name)
		}
		n, err := db.ListAttempts(ctx, store.AttemptFilter{})
		require.NoError(t, err)
		assert.Empty(t, n, "a refused import stores nothing")
	})
}

func TestUserMissedItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee)
		qi := addUser(t, db, "qi", domain.RoleTrainee)
		at := t0
		end := func(u domain.User, scenario string, mode domain.Mode, card json.RawMessage) {
			t.Helper()
			at = at.Add(time.Hour)
			c := store.Call{UserID: u.ID, ScenarioID: scenario, ScenarioRevision: "r1", Mode: mode, Started: at.Add(-time.Minute)}
			require.NoError(t, db.CreateCall(ctx, &c))
			require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: at, Outcome: "completed", Score: 50, Scorecard: card}))
		}
		end(li, "leak", domain.Practice, reportCard([]string{"commit", "ask-address"}))
		end(li, "leak", domain.Exam, reportCard([]string{"commit"}))
		end(li, "arrears", domain.Exam, reportCard([]string{"commit", "greeting"}))
		end(li, "arrears", domain.Practice, json.RawMessage(`{"checklist":"?"}`))
		end(qi, "leak", domain.Exam, reportCard([]string{"greeting"}))

		got, err := db.UserMissedItems(ctx, li.ID, 3)
		require.NoError(t, err)
		want := []store.ReportFinding{
			{ScenarioID: "leak", Key: "commit", Label: "title of commit", Count: 2, Graded: 2},
			{ScenarioID: "arrears", Key: "commit", Label: "title of commit", Count: 1, Graded: 1},
			{ScenarioID: "arrears", Key: "greeting", Label: "title of greeting", Count: 1, Graded: 1},
		}
		assert.Equal(t, want, got, "most missed first, then by scenario and item; only li's calls")

		none, err := db.UserMissedItems(ctx, li.ID+qi.ID+100, 3)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}
