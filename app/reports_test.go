package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// reportLibrary is the built-in library with its tracks replaced: two
// exam tracks sharing a scenario at different minimum scores, and a
// practice track.
func reportLibrary(t *testing.T) (*scenarios.Library, *sim.Book) {
	t.Helper()
	builtin, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	lib := *builtin
	lib.Tracks = []*scenarios.Track{
		{ID: "a-exam", Title: "一级", ValidDays: 30, Mode: "exam", Scenarios: []scenarios.TrackEntry{{ID: "leak", MinScore: 80}, {ID: "arrears", MinScore: 70}}},
		{ID: "b-exam", Title: "二级", ValidDays: 20, Mode: "exam", Scenarios: []scenarios.TrackEntry{{ID: "leak", MinScore: 90}}},
		{ID: "c-practice", Title: "练习", ValidDays: 10, Mode: "practice", Scenarios: []scenarios.TrackEntry{{ID: "slow-warmup", MinScore: 60}}},
	}
	return &lib, book
}

// randomHistory stores trainees of two teams (and a trainer) with random
// attempts and decisions over 90 days before now.
func randomHistory(t *testing.T, db *store.DB, lib *scenarios.Library, seed uint64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, seed))
	boss := domain.User{Username: "boss", PasswordHash: "h", Role: domain.RoleManager, Created: now.AddDate(-1, 0, 0)}
	require.NoError(t, db.CreateUser(ctx, &boss))
	by := store.Actor{ID: boss.ID, Name: boss.Username}
	for _, a := range []store.TrackAssignment{{Team: "east", TrackID: "a-exam"}, {Team: "east", TrackID: "b-exam"}, {Team: "west", TrackID: "c-practice"}, {Team: "west", TrackID: "a-exam"}} {
		require.NoError(t, db.AssignTrack(ctx, a, by))
	}
	var calls []store.Call
	for i := range 10 {
		u := domain.User{Username: fmt.Sprintf("t%02d", i), PasswordHash: "h", Role: domain.RoleTrainee, Team: []string{"east", "west", ""}[i%3], Created: now.AddDate(-1, 0, 0)}
		if i == 9 {
			u.Role = domain.RoleTrainer
		}
		require.NoError(t, db.CreateUser(ctx, &u))
		for range 40 {
			sc := []string{"leak", "arrears", "slow-warmup", "water-bill"}[rng.IntN(4)]
			ended := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Millisecond)
			score := float64(50 + rng.IntN(51))
			calls = append(calls, store.Call{UserID: u.ID, ScenarioID: sc, ScenarioRevision: "r", Mode: []domain.Mode{domain.Exam, domain.Practice}[rng.IntN(2)],
				Started: ended.Add(-time.Minute), Ended: ended, Outcome: "completed", Score: score, Passed: score >= 70 && rng.IntN(5) > 0,
				Scorecard: json.RawMessage(`{"checklist":[{"id":"greeting","title":"问候","done":false}]}`)})
		}
		for range 2 + rng.IntN(8) {
			d := store.CertDecision{UserID: u.ID, TrackID: lib.Tracks[rng.IntN(len(lib.Tracks))].ID,
				Action: []domain.CertAction{domain.SignOff, domain.SignOff, domain.Suspend, domain.Reinstate}[rng.IntN(4)],
				At:     now.Add(-time.Duration(rng.Int64N(int64(80 * 24 * time.Hour)))).Truncate(time.Millisecond), ActorID: boss.ID, Actor: boss.Username, Comment: "ok"}
			if d.Action == domain.SignOff {
				tr, _ := lib.Track(d.TrackID)
				d.Expires = cert.ExpiryOf(tr, d.At)
			}
			require.NoError(t, db.AddCertDecision(ctx, &d))
		}
	}
	require.NoError(t, db.ImportAttempts(ctx, calls))
}

func newReportApp(t *testing.T, db *store.DB, lib *scenarios.Library, book *sim.Book) *app.App {
	t.Helper()
	a := app.New(db, nil, app.Config{Now: func() time.Time { return now }, Library: lib, Book: book})
	t.Cleanup(a.Close)
	return a
}

// TestMatrixAgreesWithEveryAttempt checks the matrix, built from
// aggregates, against the rules and counts applied to every stored attempt.
func TestMatrixAgreesWithEveryAttempt(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				lib, book := reportLibrary(t)
				randomHistory(t, db, lib, seed)
				reports := newReportApp(t, db, lib, book)
				states := map[cert.State]int{}
				for _, q := range [][3]string{{"", "", ""}, {"east", "", ""}, {"west", "2026-01-15", "2026-02-10"}, {"", "2026-02-01", ""}} {
					f, err := app.ParseReportFilter(q[0], q[1], q[2], shanghai(t))
					require.NoError(t, err)
					r, err := reports.ReportMatrix(ctx, f, 0, 0)
					require.NoError(t, err)
					assert.Equal(t, len(r.Rows), r.Total)
					checkPages(t, reports, f, r)
					require.NotEmpty(t, r.Rows, "%v", q)
					for _, row := range r.Rows {
						assert.Equal(t, domain.RoleTrainee, row.User.Role)
						all, err := db.ListAttempts(ctx, store.AttemptFilter{UserID: row.User.ID})
						require.NoError(t, err)
						decisions, err := db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: row.User.ID})
						require.NoError(t, err)
						want := make([]app.ReportCell, len(r.Columns))
						for _, a := range all {
							if !f.InRange(a.Ended) {
								continue
							}
							for i, col := range r.Columns {
								if col.ID != a.ScenarioID {
									continue
								}
								c := &want[i]
								if a.Mode == domain.Practice {
									c.Practice++
									continue
								}
								if c.Exams == 0 || a.Score > c.Best {
									c.Best = a.Score
								}
								c.Exams++
								if a.Passed {
									c.Passed++
								}
							}
						}
						assert.Equal(t, want, row.Cells, "%v: cells of %s", q, row.User.Username)
						require.Len(t, row.Certs, len(r.Tracks))
						for i, tr := range r.Tracks {
							st := app.Evaluate(tr, all, decisions, now)
							if row.Certs[i].Assigned {
								states[st.State]++
								assert.Equal(t, st.State, row.Certs[i].State, "%v: %s on %s", q, row.User.Username, tr.ID)
								assert.Equal(t, st.Done(), row.Certs[i].Done, "%v: %s on %s", q, row.User.Username, tr.ID)
							}
						}
					}
				}
				t.Logf("states compared: %v", states)
				assert.GreaterOrEqual(t, len(states), 3, "the history reaches several states: %v", states)
			})
		})
	}
}

// checkPages checks that pages of the matrix hold the same rows as the
// whole.
func checkPages(t *testing.T, reports *app.App, f app.ReportFilter, whole *app.Report) {
	t.Helper()
	type key struct{ user, scenario string }
	cellsOf := func(r *app.Report) (map[key]app.ReportCell, map[string][]app.ReportCert) {
		cells, certs := map[key]app.ReportCell{}, map[string][]app.ReportCert{}
		for _, row := range r.Rows {
			for i, c := range row.Cells {
				if c != (app.ReportCell{}) {
					cells[key{row.User.Username, r.Columns[i].ID}] = c
				}
			}
			certs[row.User.Username] = row.Certs
		}
		return cells, certs
	}
	wantCells, wantCerts := cellsOf(whole)
	gotCells, gotCerts := map[key]app.ReportCell{}, map[string][]app.ReportCert{}
	var names []string
	for offset := 0; offset < whole.Total+3; offset += 3 {
		page, err := reports.ReportMatrix(context.Background(), f, offset, 3)
		require.NoError(t, err)
		assert.Equal(t, whole.Total, page.Total)
		assert.LessOrEqual(t, len(page.Rows), 3)
		c, s := cellsOf(page)
		for k, v := range c {
			gotCells[k] = v
		}
		for k, v := range s {
			gotCerts[k] = v
		}
		for _, row := range page.Rows {
			names = append(names, row.User.Username)
		}
	}
	assert.Equal(t, wantCells, gotCells)
	assert.Equal(t, wantCerts, gotCerts)
	var wantNames []string
	for _, row := range whole.Rows {
		wantNames = append(wantNames, row.User.Username)
	}
	assert.Equal(t, wantNames, names, "pages follow the whole's order")
}

func TestExportPagesThroughEveryAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		lib, book := reportLibrary(t)
		randomHistory(t, db, lib, 4)
		reports := newReportApp(t, db, lib, book)
		f, err := app.ParseReportFilter("east", "", "", time.UTC)
		require.NoError(t, err)
		want, err := db.ListAttempts(ctx, store.AttemptFilter{Team: "east", TraineesOnly: true, WithoutScorecard: true})
		require.NoError(t, err)
		var got []store.Attempt
		var signOffs []app.ReportSignOff
		cursor, pages := "", 0
		for {
			page, err := reports.ReportExport(ctx, f, cursor, 7)
			require.NoError(t, err)
			pages++
			got = append(got, page.Attempts...)
			if page.Next == "" {
				signOffs = page.SignOffs
				break
			}
			assert.Empty(t, page.SignOffs, "sign-offs come on the last page")
			cursor = page.Next
		}
		assert.Equal(t, want, got)
		assert.Equal(t, (len(want)+6)/7+boolInt(len(want)%7 == 0), pages)
		for _, s := range signOffs {
			assert.Equal(t, domain.SignOff, s.Action)
			assert.NotEmpty(t, s.Username)
		}
		_, err = reports.ReportExport(ctx, f, "garbage", 7)
		assert.ErrorIs(t, err, app.ErrReportFilter)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseReportFilter(t *testing.T) {
	tests := []struct {
		team, from, to string
		zone           string
		ok             bool
	}{
		{"east", "2026-01-01", "2026-01-31", "Asia/Shanghai", true},
		{"east", "2026-01-01", "2026-01-31", "UTC", true},
		// A day of 23 hours: daylight saving time begins.
		{"", "2026-03-29", "2026-03-29", "Europe/Berlin", true},
		{"", "", "", "Asia/Shanghai", true},
		{"", "2026-13-01", "", "Asia/Shanghai", false},
		{"", "", "yesterday", "Asia/Shanghai", false},
		{string(make([]byte, 101)), "", "", "Asia/Shanghai", false},
	}
	for _, tc := range tests {
		loc, err := time.LoadLocation(tc.zone)
		require.NoError(t, err)
		f, err := app.ParseReportFilter(tc.team, tc.from, tc.to, loc)
		if !tc.ok {
			assert.ErrorIs(t, err, app.ErrReportFilter, "%+v", tc)
			assert.ErrorIs(t, err, domain.ErrInvalid, "a bad request wherever it comes from")
			continue
		}
		require.NoError(t, err)
		from, to := f.Range()
		if tc.from != "" {
			assert.Equal(t, tc.from+" 00:00", from.In(loc).Format("2006-01-02 15:04"), "%+v: the first day counts from its midnight in the zone", tc)
			assert.False(t, f.InRange(from.Add(-time.Millisecond)))
			assert.True(t, f.InRange(from))
		}
		if tc.to != "" {
			end, err := time.ParseInLocation(time.DateOnly, tc.to, loc)
			require.NoError(t, err)
			assert.Equal(t, "00:00", to.In(loc).Format("15:04"), "%+v: up to the next midnight in the zone", tc)
			assert.Equal(t, end.AddDate(0, 0, 1).Format(time.DateOnly), to.In(loc).Format(time.DateOnly), "%+v", tc)
			assert.True(t, f.InRange(to.Add(-time.Millisecond)), "the last day counts whole")
			assert.False(t, f.InRange(to))
		}
	}
}

func TestDashboard(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	lib, book := reportLibrary(t)
	randomHistory(t, db, lib, 4)
	reports := newReportApp(t, db, lib, book)
	f, err := app.ParseReportFilter("", "", "", time.UTC)
	require.NoError(t, err)
	for _, page := range []int{0, -1, 1_000_001} {
		_, err := reports.Dashboard(ctx, f, page)
		assert.ErrorIs(t, err, domain.ErrInvalid, page)
	}
	d, err := reports.Dashboard(ctx, f, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, d.Pages, "nine trainees fit one page")
	assert.Len(t, d.Report.Rows, 9)
	assert.Len(t, d.Assignments, 4)
	assert.Len(t, d.Tracks, len(lib.Tracks))
	assert.Equal(t, "一级", d.TrackTitles["a-exam"])
	past, err := reports.Dashboard(ctx, f, 2)
	require.NoError(t, err)
	assert.Empty(t, past.Report.Rows, "a page past the last is empty")
	assert.Equal(t, 1, past.Pages)
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return loc
}

// TestReportsCountDaysInTheSiteZone: an attempt at 23:30 on 1 December in
// Shanghai (15:30 UTC) and one at 00:30 on the 2nd (16:30 UTC, still the
// 1st in UTC) fall each in its own Shanghai day, in the matrix page, the
// whole matrix (the CSV), the export and the most missed items and
// phrases.
func TestReportsCountDaysInTheSiteZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		lib, book := reportLibrary(t)
		li := domain.User{Username: "li", PasswordHash: "h", Role: domain.RoleTrainee, Team: "east", Created: now.AddDate(-1, 0, 0)}
		require.NoError(t, db.CreateUser(ctx, &li))
		card := func(item, phrase string) json.RawMessage {
			return json.RawMessage(fmt.Sprintf(`{"checklist":[{"id":%q,"title":"t","done":false}],"forbidden":[{"intent":"i","phrase":%q,"suggestion":"s"}]}`, item, phrase))
		}
		late := time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC)
		early := time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)
		require.NoError(t, db.ImportAttempts(ctx, []store.Call{
			{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r", Mode: domain.Exam, Started: late.Add(-time.Minute), Ended: late,
				Outcome: "completed", Score: 81, Passed: true, Scorecard: card("greeting", "没办法")},
			{UserID: li.ID, ScenarioID: "arrears", ScenarioRevision: "r", Mode: domain.Exam, Started: early.Add(-time.Minute), Ended: early,
				Outcome: "completed", Score: 72, Passed: true, Scorecard: card("commit", "不归我管")},
		}))
		reports := newReportApp(t, db, lib, book)

		// seen is what each view of the reports holds for a filter: the
		// scenarios with exams in the matrix, its page and the export, the
		// items and the phrases.
		seen := func(f app.ReportFilter) map[string][]string {
			t.Helper()
			out := map[string][]string{}
			for view, limit := range map[string]int{"matrix": 0, "page": 1} {
				r, err := reports.ReportMatrix(ctx, f, 0, limit)
				require.NoError(t, err)
				require.Len(t, r.Rows, 1)
				for i, c := range r.Rows[0].Cells {
					if c.Exams > 0 {
						out[view] = append(out[view], r.Columns[i].ID)
					}
				}
				if view == "matrix" {
					for _, m := range r.Missed {
						out["missed"] = append(out["missed"], m.ScenarioID+"/"+m.ID)
					}
					for _, p := range r.Forbidden {
						out["phrases"] = append(out["phrases"], p.Title)
					}
				}
			}
			page, err := reports.ReportExport(ctx, f, "", app.ReportPageMax)
			require.NoError(t, err)
			for _, a := range page.Attempts {
				out["export"] = append(out["export"], a.ScenarioID)
			}
			return out
		}
		only := func(scenario, item, phrase string) map[string][]string {
			return map[string][]string{"matrix": {scenario}, "page": {scenario}, "export": {scenario},
				"missed": {scenario + "/" + item}, "phrases": {phrase}}
		}
		day := func(from, to string, loc *time.Location) app.ReportFilter {
			t.Helper()
			f, err := app.ParseReportFilter("east", from, to, loc)
			require.NoError(t, err)
			return f
		}
		assert.Equal(t, only("leak", "greeting", "没办法"), seen(day("2026-12-01", "2026-12-01", shanghai(t))), "23:30 on the 1st")
		assert.Equal(t, only("arrears", "commit", "不归我管"), seen(day("2026-12-02", "2026-12-02", shanghai(t))), "00:30 on the 2nd")
		assert.Equal(t, only("arrears", "commit", "不归我管"), seen(day("2026-12-02", "", shanghai(t))), "open end")
		assert.Equal(t, only("leak", "greeting", "没办法"), seen(day("", "2026-12-01", shanghai(t))), "open start")
		both := seen(day("2026-12-01", "2026-12-01", time.UTC))
		assert.Len(t, both["export"], 2, "both ended on 1 December UTC")
		assert.Len(t, both["phrases"], 2)
	})
}
