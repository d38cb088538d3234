package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// The dashboards read aggregates, never every attempt: report_totals holds
// each user's all-time record per scenario and mode, report_findings the
// missed checklist items and forbidden phrases per team, in rows of three
// widths: every hour, every UTC day and all time. The store keeps both in
// step with calls: an ended call is counted by the reporter soon after its
// end, and before any report is read (reports_pending.go); the
// transactions that change a call's score (UpholdDispute) and import
// attempts (ImportAttempts) count theirs themselves. Migration 0007 fills
// report_totals from the calls stored before it, and 0010 report_findings.
//
// Findings are kept per hour because a report's days are the site's
// (--timezone), not UTC's: hours add up to the days of any zone whose
// offset is whole hours. Zones with half-hour offsets (India, parts of
// Australia) are counted to the hour: a filter's ends are rounded down to
// whole hours, so their days count from half an hour before their
// midnights. The day rows are there for speed: a range reads the UTC days
// it holds whole from them and only the hours at its ends from hour rows,
// some fifty groups of rows for a month rather than seven hundred.

// The widths of report_findings rows, in hours.
const (
	findingAllTime = 0
	findingHour    = 1
	findingDay     = 24
)

// reportAllTime is the hour of the report_findings rows that count all
// time.
const reportAllTime = -1

const msPerHour = 3_600_000

// reportHour is the hour, counted from the Unix epoch, that t falls in;
// hour 0 for anything before, so that no hour is reportAllTime.
func reportHour(t time.Time) int64 { return max(millis(t), 0) / msPerHour }

// findingStart is the first hour of the row of width w that hour h counts
// in.
func findingStart(h, w int64) int64 {
	if w == findingAllTime {
		return reportAllTime
	}
	return h / w * w
}

// findingSpan is the report_findings rows of one width whose first hours
// are in [from, to); to < 0 leaves the span open.
type findingSpan struct{ width, from, to int64 }

// findingSpans are the rows that count f's range exactly (to whole hours):
// the UTC days it holds whole and the hours at either end; the all-time
// rows when f has no range.
func (f ReportFilter) findingSpans() []findingSpan {
	if !f.ranged() {
		return []findingSpan{{findingAllTime, reportAllTime, reportAllTime + 1}}
	}
	h0 := reportHour(f.From)
	d0 := findingStart(h0+findingDay-1, findingDay)
	if f.To.IsZero() {
		return []findingSpan{{findingHour, h0, d0}, {findingDay, d0, -1}}
	}
	h1 := max(reportHour(f.To), h0)
	d1 := findingStart(h1, findingDay)
	if d0 >= d1 {
		return []findingSpan{{findingHour, h0, h1}}
	}
	return []findingSpan{{findingHour, h0, d0}, {findingDay, d0, d1}, {findingHour, d1, h1}}
}

// ReportFilter narrows a report. Zero fields do not filter.
type ReportFilter struct {
	// Team matches the trainee's current team exactly.
	Team string
	// From and To bound when attempts ended: From <= ended < To.
	// ReportFindings counts whole hours, so both should be whole hours
	// (midnights in the site's time zone are, in whole-hour zones).
	From, To time.Time
	// UserIDs, when not nil, narrows the trainees to these (a page of
	// them). ReportFindings, which counts by team, does not read it.
	UserIDs []int64
}

func (f ReportFilter) ranged() bool { return !f.From.IsZero() || !f.To.IsZero() }

// trainees is a condition on a column of user ids, to be placed after it,
// that keeps the trainees f covers, with its arguments; empty when every
// trainee is covered, since a scan is cheaper than a lookup per attempt and
// callers drop the rows of other users.
func (f ReportFilter) trainees() (string, []any) {
	if f.Team == "" && f.UserIDs == nil {
		return "", nil
	}
	q := ` IN (SELECT id FROM users WHERE role = ?`
	args := []any{string(domain.RoleTrainee)}
	if f.Team != "" {
		q += ` AND team = ?`
		args = append(args, f.Team)
	}
	if f.UserIDs != nil {
		q += ` AND id IN (-1`
		for _, id := range f.UserIDs {
			q += `, ?`
			args = append(args, id)
		}
		q += `)`
	}
	return q + `)`, args
}

// ReportCell is one user's attempts at one scenario in one mode.
type ReportCell struct {
	UserID     int64
	ScenarioID string
	Mode       domain.Mode
	Attempts   int
	Passed     int
	// Best is the best score.
	Best float64
}

// ReportCells returns, for every trainee f covers, their attempts per
// scenario and mode within f's days, in no particular order. When f names
// no team and no users, other accounts' rows come too, for the caller to
// leave out. Without days
// it reads the all-time totals; with them, the index of attempts by end
// time.
func (db *DB) ReportCells(ctx context.Context, f ReportFilter) ([]ReportCell, error) {
	in, inArgs := f.trainees()
	var q string
	var args []any
	if !f.ranged() {
		if err := db.flushReports(ctx); err != nil {
			return nil, fmt.Errorf("report cells: %w", err)
		}
		q = `SELECT user_id, scenario_id, mode, attempts, passed, best FROM report_totals WHERE 1 = 1`
	} else {
		q = `SELECT user_id, scenario_id, mode, COUNT(*), SUM(CASE WHEN passed THEN 1 ELSE 0 END), MAX(COALESCE(score, 0))
			FROM calls WHERE ended_at IS NOT NULL`
		if !f.From.IsZero() {
			q += ` AND ended_at >= ?`
			args = append(args, millis(f.From))
		}
		if !f.To.IsZero() {
			q += ` AND ended_at < ?`
			args = append(args, millis(f.To))
		}
	}
	if in != "" {
		q += ` AND user_id` + in
		args = append(args, inArgs...)
	}
	if f.ranged() {
		q += ` GROUP BY user_id, scenario_id, mode`
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report cells: %w", err)
	}
	defer rows.Close()
	var out []ReportCell
	for rows.Next() {
		var c ReportCell
		var mode string
		if err := rows.Scan(&c.UserID, &c.ScenarioID, &mode, &c.Attempts, &c.Passed, &c.Best); err != nil {
			return nil, fmt.Errorf("report cells: %w", err)
		}
		c.Mode = domain.Mode(mode)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report cells: %w", err)
	}
	return out, nil
}

// The kinds of report findings.
const (
	// FindingItem is a checklist item left undone.
	FindingItem = "item"
	// FindingPhrase is a forbidden phrase said.
	FindingPhrase = "phrase"
)

// ReportFinding is how often a checklist item was missed or a forbidden
// phrase said in the trainees' attempts a filter covers.
type ReportFinding struct {
	// ScenarioID is the item's scenario; empty for phrases, which are
	// counted across scenarios.
	ScenarioID string
	// Key is the item's id or the phrase.
	Key string
	// Label is the item's title or the phrase's intent.
	Label string
	// Extra is the phrase's suggested replacement.
	Extra string
	// Count is how often it was missed or said; Graded how often an
	// item was graded (zero for phrases).
	Count, Graded int
}

// ReportFindings returns the limit most frequent findings of kind
// (FindingItem or FindingPhrase) in the attempts f covers, most frequent
// first. Attempts count for the team their trainee was in when the call
// ended.
func (db *DB) ReportFindings(ctx context.Context, f ReportFilter, kind string, limit int) ([]ReportFinding, error) {
	if err := db.flushReports(ctx); err != nil {
		return nil, fmt.Errorf("report findings: %w", err)
	}
	// One indexed range per span, added up.
	var spans []string
	var args []any
	for _, sp := range f.findingSpans() {
		if sp.to >= 0 && sp.to <= sp.from {
			continue
		}
		q := `SELECT scenario_id, key, label, extra, count, graded FROM report_findings
			WHERE kind = ? AND hours = ? AND hour >= ?`
		args = append(args, kind, sp.width, sp.from)
		if sp.to >= 0 {
			q += ` AND hour < ?`
			args = append(args, sp.to)
		}
		if f.Team != "" {
			q += ` AND team = ?`
			args = append(args, f.Team)
		}
		spans = append(spans, q)
	}
	if len(spans) == 0 {
		return nil, nil
	}
	q := `SELECT scenario_id, key, MAX(label), MAX(extra), SUM(count), SUM(graded) FROM (` +
		strings.Join(spans, ` UNION ALL `) + `) f
		GROUP BY scenario_id, key HAVING SUM(count) > 0 ORDER BY SUM(count) DESC, scenario_id, key LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report findings: %w", err)
	}
	defer rows.Close()
	var out []ReportFinding
	for rows.Next() {
		var r ReportFinding
		if err := rows.Scan(&r.ScenarioID, &r.Key, &r.Label, &r.Extra, &r.Count, &r.Graded); err != nil {
			return nil, fmt.Errorf("report findings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report findings: %w", err)
	}
	return out, nil
}

// UserMissedItems returns the limit checklist items userID missed most
// often in their ended attempts (practice and exam), most missed first,
// each with how often it was graded. report_findings count by team and
// time, so one trainee's items are counted here from their scorecards, read
// by the same rules as the team's findings.
func (db *DB) UserMissedItems(ctx context.Context, userID int64, limit int) ([]ReportFinding, error) {
	type key struct{ scenario, item string }
	counts := map[key]*ReportFinding{}
	cards := reportCards{}
	err := db.EachAttempt(ctx, AttemptFilter{UserID: userID, Limit: maxUserAttempts}, func(a Attempt) error {
		for _, it := range cards.get(string(a.Scorecard)).Checklist {
			k := key{a.ScenarioID, it.ID}
			f := counts[k]
			if f == nil {
				f = &ReportFinding{ScenarioID: a.ScenarioID, Key: it.ID}
				counts[k] = f
			}
			f.Label = it.Title
			f.Graded++
			if !it.Done {
				f.Count++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("missed items of user %d: %w", userID, err)
	}
	out := make([]ReportFinding, 0, len(counts))
	for _, f := range counts {
		if f.Count > 0 {
			out = append(out, *f)
		}
	}
	slices.SortFunc(out, func(a, b ReportFinding) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.ScenarioID, b.ScenarioID), strings.Compare(a.Key, b.Key))
	})
	return out[:min(len(out), max(limit, 0))], nil
}

// maxUserAttempts bounds the attempts UserMissedItems reads.
const maxUserAttempts = 10_000

// ReportPassWindow is one trainee's passed attempts at one scenario after
// a moment: the start of their record or one of their sign-offs.
type ReportPassWindow struct {
	UserID int64
	// Since is the sign-off the window starts after; zero for all time.
	Since      time.Time
	ScenarioID string
	// First holds, for each threshold asked for, when the first passed
	// attempt after Since with at least that score ended; zero if none.
	First []time.Time
}

// ReportPassWindows answers, for every trainee f covers (its days do not
// matter; as with ReportCells, other accounts may come too), for the start of their record and after each of their
// sign-offs, when they first passed each of scenarioIDs in mode with at
// least each of thresholds, counting attempts ended by now. Certification
// needs no more of the attempts than that (see package cert: an entry is
// done by its first counting attempt since a sign-off).
func (db *DB) ReportPassWindows(ctx context.Context, f ReportFilter, mode domain.Mode, scenarioIDs []string, thresholds []float64, now time.Time) ([]ReportPassWindow, error) {
	if len(scenarioIDs) == 0 || len(thresholds) == 0 {
		return nil, nil
	}
	var args []any
	cols := make([]string, len(thresholds))
	for i, th := range thresholds {
		cols[i] = `MIN(CASE WHEN c.score >= ? THEN c.ended_at END)`
		args = append(args, th)
	}
	// The start of every record, then the time after each sign-off.
	in, inArgs := ReportFilter{Team: f.Team, UserIDs: f.UserIDs}.trainees()
	ids := strings.Repeat("?, ", len(scenarioIDs)-1) + "?"
	mins := strings.Join(cols, ", ")
	q := `SELECT user_id, 0, scenario_id, ` + mins + ` FROM calls c
		WHERE c.passed AND c.mode = ? AND c.ended_at <= ? AND c.scenario_id IN (` + ids + `)`
	args = append(args, string(mode), millis(now))
	for _, id := range scenarioIDs {
		args = append(args, id)
	}
	if in != "" {
		q += ` AND c.user_id` + in
		args = append(args, inArgs...)
	}
	q += ` GROUP BY c.user_id, c.scenario_id
		UNION ALL
		SELECT d.user_id, d.at, c.scenario_id, ` + mins + ` FROM cert_decisions d
		JOIN calls c ON c.user_id = d.user_id AND c.passed AND c.mode = ? AND c.ended_at > d.at AND c.ended_at <= ?
		WHERE d.action = ? AND c.scenario_id IN (` + ids + `)`
	for _, th := range thresholds {
		args = append(args, th)
	}
	args = append(args, string(mode), millis(now), string(domain.SignOff))
	for _, id := range scenarioIDs {
		args = append(args, id)
	}
	if in != "" {
		q += ` AND d.user_id` + in
		args = append(args, inArgs...)
	}
	q += ` GROUP BY d.user_id, d.at, c.scenario_id`
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report pass windows: %w", err)
	}
	defer rows.Close()
	var out []ReportPassWindow
	firsts := make([]sql.NullInt64, len(thresholds))
	dest := make([]any, 3+len(thresholds))
	for i := range firsts {
		dest[3+i] = &firsts[i]
	}
	for rows.Next() {
		var w ReportPassWindow
		var since int64
		dest[0], dest[1], dest[2] = &w.UserID, &since, &w.ScenarioID
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("report pass windows: %w", err)
		}
		if since != 0 {
			w.Since = fromMillis(since)
		}
		w.First = make([]time.Time, len(thresholds))
		for i, f := range firsts {
			if f.Valid {
				w.First[i] = fromMillis(f.Int64)
			}
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report pass windows: %w", err)
	}
	return out, nil
}

// reportCard is the part of a stored scorecard the reports count: the
// checklist and forbidden fields of the scorecard contract.
type reportCard struct {
	Checklist []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Done  bool   `json:"done"`
	} `json:"checklist"`
	Forbidden []struct {
		Intent     string `json:"intent"`
		Phrase     string `json:"phrase"`
		Suggestion string `json:"suggestion"`
	} `json:"forbidden"`
}

// reportCards reads scorecards for the reports, each distinct one once. A
// scorecard that cannot be read counts no findings: the attempt still
// counts in the totals, from its stored score.
type reportCards map[string]*reportCard

func (rc reportCards) get(raw string) *reportCard {
	if c, ok := rc[raw]; ok {
		return c
	}
	var c reportCard
	if json.Unmarshal([]byte(raw), &c) != nil {
		c = reportCard{}
	}
	rc[raw] = &c
	return &c
}

// reportAttempt is an ended attempt as the reports count it; sign is +1
// to count it and -1 to take it back.
type reportAttempt struct {
	userID     int64
	scenarioID string
	mode       domain.Mode
	ended      time.Time
	score      float64
	passed     bool
	card       string
	sign       int
}

type totalKey struct {
	user     int64
	scenario string
	mode     domain.Mode
}

type totalVal struct {
	attempts, passed int
	best             float64
}

type findingKey struct {
	team     string
	width    int64
	hour     int64
	kind     string
	scenario string
	key      string
}

type findingVal struct {
	label, extra  string
	count, graded int
}

// addReports counts attempts in the report tables. Totals are added to,
// which holds only for attempts counted (sign +1); retallyTotals redoes a
// total whose best may have fallen. Rows are written in key order, so two
// transactions on PostgreSQL take their row locks in the same order.
func (t *sqlTx) addReports(ctx context.Context, as []reportAttempt, cards reportCards) error {
	if len(as) == 0 {
		return nil
	}
	users := map[int64]domain.User{}
	for _, a := range as {
		users[a.userID] = domain.User{}
	}
	if err := t.usersByID(ctx, users); err != nil {
		return err
	}
	totals := map[totalKey]*totalVal{}
	findings := map[findingKey]*findingVal{}
	add := func(k findingKey, label, extra string, count, graded int) {
		hour := k.hour
		for _, w := range []int64{findingHour, findingDay, findingAllTime} {
			k.width, k.hour = w, findingStart(hour, w)
			v := findings[k]
			if v == nil {
				v = &findingVal{}
				findings[k] = v
			}
			v.label, v.extra = label, extra
			v.count += count
			v.graded += graded
		}
	}
	for _, a := range as {
		if a.sign > 0 {
			k := totalKey{a.userID, a.scenarioID, a.mode}
			v := totals[k]
			if v == nil {
				v = &totalVal{best: a.score}
				totals[k] = v
			}
			v.attempts++
			if a.passed {
				v.passed++
			}
			v.best = max(v.best, a.score)
		}
		u := users[a.userID]
		if u.Role != domain.RoleTrainee {
			continue
		}
		card := cards.get(a.card)
		hour := reportHour(a.ended)
		for _, it := range card.Checklist {
			missed := 0
			if !it.Done {
				missed = a.sign
			}
			add(findingKey{team: u.Team, hour: hour, kind: FindingItem, scenario: a.scenarioID, key: it.ID}, it.Title, "", missed, a.sign)
		}
		for _, f := range card.Forbidden {
			add(findingKey{team: u.Team, hour: hour, kind: FindingPhrase, key: f.Phrase}, f.Intent, f.Suggestion, a.sign, 0)
		}
	}
	greatest := "GREATEST"
	if t.db.dialect == SQLite {
		greatest = "MAX"
	}
	err := each(ctx, t, `INSERT INTO report_totals (user_id, scenario_id, mode, attempts, passed, best) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, scenario_id, mode) DO UPDATE SET attempts = report_totals.attempts + excluded.attempts,
		passed = report_totals.passed + excluded.passed, best = `+greatest+`(report_totals.best, excluded.best)`,
		sortedKeys(totals, func(a, b totalKey) int {
			return cmp.Or(cmp.Compare(a.user, b.user), strings.Compare(a.scenario, b.scenario), strings.Compare(string(a.mode), string(b.mode)))
		}), func(k totalKey) []any {
			v := totals[k]
			return []any{k.user, k.scenario, string(k.mode), v.attempts, v.passed, v.best}
		})
	if err != nil {
		return fmt.Errorf("count attempts in report totals: %w", err)
	}
	err = each(ctx, t, `INSERT INTO report_findings (team, hours, hour, kind, scenario_id, key, label, extra, count, graded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (team, hours, hour, kind, scenario_id, key) DO UPDATE SET count = report_findings.count + excluded.count,
		graded = report_findings.graded + excluded.graded, label = excluded.label, extra = excluded.extra`,
		sortedKeys(findings, func(a, b findingKey) int {
			return cmp.Or(strings.Compare(a.team, b.team), cmp.Compare(a.width, b.width), cmp.Compare(a.hour, b.hour), strings.Compare(a.kind, b.kind),
				strings.Compare(a.scenario, b.scenario), strings.Compare(a.key, b.key))
		}), func(k findingKey) []any {
			v := findings[k]
			return []any{k.team, k.width, k.hour, k.kind, k.scenario, k.key, v.label, v.extra, v.count, v.graded}
		})
	if err != nil {
		return fmt.Errorf("count attempts in report findings: %w", err)
	}
	return nil
}

// closeAfter closes c after err, keeping both errors.
func closeAfter(err error, c interface{ Close() error }) error { return errors.Join(err, c.Close()) }

func sortedKeys[K comparable, V any](m map[K]V, order func(a, b K) int) []K {
	return slices.SortedFunc(maps.Keys(m), order)
}

// each runs one prepared statement with the arguments of every key.
func each[K any](ctx context.Context, t *sqlTx, query string, keys []K, args func(K) []any) error {
	if len(keys) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, t.db.rebind(query))
	if err != nil {
		return classify(err)
	}
	for _, k := range keys {
		if _, err := st.ExecContext(ctx, args(k)...); err != nil {
			return closeAfter(classify(err), st)
		}
	}
	return classify(st.Close())
}

// usersByID fills the users whose ids are the keys of users.
func (t *sqlTx) usersByID(ctx context.Context, users map[int64]domain.User) error {
	return inChunks(slices.Sorted(maps.Keys(users)), func(marks string, args []any) error {
		rows, err := t.tx.QueryContext(ctx, t.db.rebind(`SELECT `+userColumns+` FROM users WHERE id IN (`+marks+`)`), args...)
		if err != nil {
			return classify(err)
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return closeAfter(err, rows)
			}
			users[u.ID] = u
		}
		return errors.Join(rows.Err(), rows.Close())
	})
}

// reportRescored moves call id's findings from its scorecard before (as
// stored until now) to the one now stored, and redoes its total, after its
// score changed in this transaction. A call still pending was never
// counted with before: it is counted now, as it is, and taken off the
// pending calls.
func (t *sqlTx) reportRescored(ctx context.Context, id, before string) error {
	// Taking the call off the pending calls first waits, on PostgreSQL,
	// for a batch counting it: that batch read the call before this
	// transaction changed it, so it counted before.
	pending, err := t.takePendingCall(ctx, id)
	if err != nil {
		return err
	}
	now, err := t.reportAttemptOf(ctx, id)
	if err != nil {
		return err
	}
	if pending {
		return t.addReports(ctx, []reportAttempt{now}, reportCards{})
	}
	old := now
	old.card, old.sign = before, -1
	if err := t.addReports(ctx, []reportAttempt{old, now}, reportCards{}); err != nil {
		return err
	}
	return t.retallyTotal(ctx, totalKey{now.userID, now.scenarioID, now.mode})
}

func (t *sqlTx) reportAttemptOf(ctx context.Context, id string) (reportAttempt, error) {
	as, err := t.reportAttempts(ctx, []string{id})
	if err != nil {
		return reportAttempt{}, err
	}
	if len(as) == 0 {
		return reportAttempt{}, fmt.Errorf("read call %s for the reports: %w", id, ErrNotFound)
	}
	return as[0], nil
}

// reportAttempts reads the ended calls among ids as the reports count
// them; ids of other calls are left out.
func (t *sqlTx) reportAttempts(ctx context.Context, ids []string) ([]reportAttempt, error) {
	var out []reportAttempt
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := t.tx.QueryContext(ctx, t.db.rebind(`SELECT user_id, scenario_id, mode, ended_at, score, passed, scorecard
			FROM calls WHERE ended_at IS NOT NULL AND id IN (`+marks+`)`), args...)
		if err != nil {
			return classify(err)
		}
		for rows.Next() {
			a := reportAttempt{sign: 1}
			var mode string
			var ended int64
			var score sql.NullFloat64
			var passed sql.NullBool
			var card sql.NullString
			if err := rows.Scan(&a.userID, &a.scenarioID, &mode, &ended, &score, &passed, &card); err != nil {
				return closeAfter(err, rows)
			}
			a.mode, a.ended, a.score, a.passed, a.card = domain.Mode(mode), fromMillis(ended), score.Float64, passed.Bool, card.String
			out = append(out, a)
		}
		return errors.Join(rows.Err(), rows.Close())
	})
	if err != nil {
		return nil, fmt.Errorf("read calls for the reports: %w", err)
	}
	return out, nil
}

// inChunks calls fn with the placeholders and arguments of ids, a few
// hundred at a time: few enough for either database's limit on a
// statement's parameters.
func inChunks[T any](ids []T, fn func(marks string, args []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := fn(strings.Repeat("?, ", n-1)+"?", args); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// retallyTotal recounts one total from the calls counted in the reports:
// those ended and not pending. The caller has written the total's row in
// this transaction, so on PostgreSQL a batch counting a pending call of
// the same total has committed before this reads the calls, or commits
// after this (and adds its call to what this writes).
func (t *sqlTx) retallyTotal(ctx context.Context, k totalKey) error {
	var v totalVal
	err := t.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN passed THEN 1 ELSE 0 END), 0), COALESCE(MAX(score), 0)
		FROM calls WHERE user_id = ? AND scenario_id = ? AND mode = ? AND ended_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM report_pending p WHERE p.call_id = calls.id)`, k.user, k.scenario, string(k.mode)).
		Scan(&v.attempts, &v.passed, &v.best)
	if err != nil {
		return fmt.Errorf("recount report total: %w", classify(err))
	}
	if _, err := t.exec(ctx, `UPDATE report_totals SET attempts = ?, passed = ?, best = ? WHERE user_id = ? AND scenario_id = ? AND mode = ?`,
		v.attempts, v.passed, v.best, k.user, k.scenario, string(k.mode)); err != nil {
		return fmt.Errorf("recount report total: %w", err)
	}
	return nil
}

// importRows is how many calls one INSERT statement of ImportAttempts
// carries.
const importRows = 250

// ImportAttempts stores ended calls whole, with their scorecards, in one
// transaction, and counts them in the reports: coach demo fills a store
// with history this way. Calls with an empty ID get a random one. They have
// no event log: their scorecard is the record of what happened.
func (db *DB) ImportAttempts(ctx context.Context, calls []Call) error {
	valid := map[string]bool{}
	for i := range calls {
		c := &calls[i]
		if _, err := domain.ParseMode(string(c.Mode)); err != nil {
			return fmt.Errorf("import attempts: call %d: %w", i, err)
		}
		if c.ScenarioID == "" || c.Outcome == "" || c.Ended.IsZero() || c.UserID == 0 {
			return fmt.Errorf("import attempts: call %d: %w: user, scenario, outcome and end are required", i, ErrInvalid)
		}
		card := string(c.Scorecard)
		ok, seen := valid[card]
		if !seen {
			ok = json.Valid(c.Scorecard)
			valid[card] = ok
		}
		if !ok {
			return fmt.Errorf("import attempts: call %d: %w: scorecard is not valid JSON", i, ErrInvalid)
		}
		if c.ID == "" {
			id, err := newCallID()
			if err != nil {
				return err
			}
			c.ID = id
		}
		c.Status = domain.CallEnded
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		const cols = 13
		row := "(" + strings.Repeat("?, ", cols-1) + "?)"
		for rest := calls; len(rest) > 0; {
			n := min(len(rest), importRows)
			args := make([]any, 0, n*cols)
			for _, c := range rest[:n] {
				args = append(args, c.ID, c.UserID, c.ScenarioID, c.ScenarioRevision, string(c.Mode), c.Seed, string(domain.CallEnded),
					millis(c.Started), millis(c.Ended), c.Outcome, c.Score, c.Passed, string(c.Scorecard))
			}
			if _, err := tx.exec(ctx, `INSERT INTO calls (id, user_id, scenario_id, scenario_revision, mode, seed, status,
				started_at, ended_at, outcome, score, passed, scorecard) VALUES `+strings.Repeat(row+", ", n-1)+row, args...); err != nil {
				return err
			}
			rest = rest[n:]
		}
		if err := tx.importTickets(ctx, calls); err != nil {
			return err
		}
		as := make([]reportAttempt, len(calls))
		for i, c := range calls {
			as[i] = reportAttempt{userID: c.UserID, scenarioID: c.ScenarioID, mode: c.Mode, ended: c.Ended,
				score: c.Score, passed: c.Passed, card: string(c.Scorecard), sign: 1}
		}
		return tx.addReports(ctx, as, reportCards{})
	})
	if err != nil {
		return fmt.Errorf("import %d attempts: %w", len(calls), err)
	}
	return nil
}

// Analyze refreshes the query planner's statistics, after a bulk import.
func (db *DB) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if db.dialect == Postgres {
		q = `VACUUM ANALYZE`
	}
	if _, err := db.w.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
