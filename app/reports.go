package app

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// What the reports count, decided once:
//
//   - Certification is about exams (more exactly, about each track's mode,
//     which is exam for every built-in track): the matrix's score per
//     scenario is the best exam score and its count the exam attempts.
//   - Practice shows as a count beside it: it is activity, not evidence.
//   - The most missed items and forbidden phrases count practice and exam
//     alike: they say what the team should train, wherever it showed.
//   - The xAPI export states every attempt: exams as passed or failed,
//     practice as completed.
//
// Only trainees are counted: trainers' and managers' own calls are not a
// team's record.

// ErrReportFilter is returned (wrapped) for a report filter that cannot be
// read; it is a domain.ErrInvalid.
var ErrReportFilter = fmt.Errorf("%w: report filter", domain.ErrInvalid)

// ReportTopItems bounds the lists of most missed items and forbidden
// phrases.
const ReportTopItems = 10

// ReportFilter is what a report is narrowed to: a team (empty: all) and a
// range of days, From and To inclusive, as YYYY-MM-DD in the site's time
// zone (empty: open).
type ReportFilter struct {
	Team     string
	From, To string
	from, to time.Time
}

// ParseReportFilter reads a team and a range of days in loc, the site's
// time zone: the range runs from loc's midnight starting From to the one
// ending To. The matrix and the CSV count attempts by the instant they
// ended, so they follow any zone exactly; the most missed items and
// phrases are counted per hour (store.ReportFindings), exact for zones with
// whole-hour offsets.
func ParseReportFilter(team, from, to string, loc *time.Location) (ReportFilter, error) {
	f := ReportFilter{Team: strings.TrimSpace(team), From: from, To: to}
	if len(f.Team) > 100 {
		return f, fmt.Errorf("%w: team longer than 100 bytes", ErrReportFilter)
	}
	var err error
	if f.From != "" {
		if f.from, err = time.ParseInLocation(time.DateOnly, f.From, loc); err != nil {
			return f, fmt.Errorf("%w: from: %w", ErrReportFilter, err)
		}
	}
	if f.To != "" {
		if f.to, err = time.ParseInLocation(time.DateOnly, f.To, loc); err != nil {
			return f, fmt.Errorf("%w: to: %w", ErrReportFilter, err)
		}
		// The next midnight in loc, which a day of daylight saving time
		// moves by an hour.
		f.to = f.to.AddDate(0, 0, 1)
	}
	return f, nil
}

// Range is the filter's days as instants: from <= t < to, zero where the
// filter leaves an end open.
func (f ReportFilter) Range() (from, to time.Time) { return f.from, f.to }

// Values is the filter as query parameters, for links that keep it.
func (f ReportFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"team": f.Team, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// InRange reports whether t falls within the filter's days.
func (f ReportFilter) InRange(t time.Time) bool {
	return (f.from.IsZero() || !t.Before(f.from)) && (f.to.IsZero() || t.Before(f.to))
}

func (f ReportFilter) store() store.ReportFilter {
	return store.ReportFilter{Team: f.Team, From: f.from, To: f.to}
}

// ReportColumn is one scenario of the matrix.
type ReportColumn struct {
	ID    string
	Title string
}

// ReportCell is one trainee's record on one scenario within the filter.
type ReportCell struct {
	// Exams counts exam attempts; Best is the best exam score (meaningful
	// when Exams > 0) and Passed the exams passed.
	Exams  int
	Best   float64
	Passed int
	// Practice counts practice attempts.
	Practice int
}

// ReportCert is a trainee's state on one track; Assigned is false when the
// track is not their team's.
type ReportCert struct {
	Assigned bool
	State    cert.State
	Done     int
	Of       int
}

// ReportRow is one trainee of the matrix.
type ReportRow struct {
	User  domain.User
	Cells []ReportCell
	Certs []ReportCert
}

// ReportCount is a checklist item or forbidden phrase and how often it came
// up in the filtered attempts.
type ReportCount struct {
	// ScenarioID and Scenario (its title) are empty for phrases, which are
	// counted across scenarios.
	ScenarioID string
	Scenario   string
	ID         string
	Title      string
	Extra      string
	Count      int
	Of         int
}

// Report is what the matrix page and its CSV are made from, so that they
// agree.
type Report struct {
	Filter ReportFilter
	// Rows are the trainees from Offset on, of Total.
	Offset, Total int
	Teams         []string
	Columns       []ReportColumn
	Tracks        []*scenarios.Track
	Rows          []ReportRow
	Missed        []ReportCount
	Forbidden     []ReportCount
	Now           time.Time
}

// ReportMatrix builds the team matrix: the trainees of the filtered team (limit
// of them from offset on, in username order; limit 0: all), their record
// per scenario within the days, their certification state on the tracks of
// their teams (from every attempt: a certificate does not depend on the
// days a manager looks at), and the most missed items and forbidden
// phrases within the days.
func (a *App) ReportMatrix(ctx context.Context, f ReportFilter, offset, limit int) (*Report, error) {
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	lib := a.Library(ctx)
	teamTracks, err := a.TeamTracks(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Filter: f, Now: a.now(), Offset: max(offset, 0)}
	titles := reportTitles(lib)

	teams := map[string]bool{}
	var trainees []domain.User
	for _, u := range users {
		if u.Team != "" {
			teams[u.Team] = true
		}
		if u.Role == domain.RoleTrainee && (f.Team == "" || u.Team == f.Team) {
			trainees = append(trainees, u)
		}
	}
	for t := range teamTracks {
		teams[t] = true
	}
	sf := f.store()
	rep.Total = len(trainees)
	if limit > 0 {
		trainees = trainees[min(rep.Offset, len(trainees)):min(rep.Offset+limit, len(trainees))]
		sf.UserIDs = make([]int64, len(trainees))
		for i, u := range trainees {
			sf.UserIDs[i] = u.ID
		}
	}
	rep.Tracks = trackList(teamTracks, trainees)
	// The queries run side by side: the read pools have the connections.
	var cells []store.ReportCell
	var rec *reportRecords
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cells, err = a.db.ReportCells(gctx, sf)
		return err
	})
	g.Go(func() (err error) {
		rec, err = a.reportRecords(gctx, sf, rep.Tracks, rep.Now)
		return err
	})
	g.Go(func() (err error) {
		rep.Missed, err = a.reportFindings(gctx, f, store.FindingItem, titles)
		return err
	})
	g.Go(func() (err error) {
		rep.Forbidden, err = a.reportFindings(gctx, f, store.FindingPhrase, titles)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for t := range teams {
		rep.Teams = append(rep.Teams, t)
	}
	slices.Sort(rep.Teams)

	// Columns: the scenarios of the tracks of the teams shown, then any
	// other scenario attempted, in library order.
	want := map[string]bool{}
	for _, t := range rep.Tracks {
		for _, e := range t.Scenarios {
			want[e.ID] = true
		}
	}
	for _, c := range cells {
		want[c.ScenarioID] = true
	}
	for _, sc := range lib.Scenarios {
		if want[sc.ID] {
			rep.Columns = append(rep.Columns, ReportColumn{ID: sc.ID, Title: sc.Title})
			delete(want, sc.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		rep.Columns = append(rep.Columns, ReportColumn{ID: id, Title: cmp.Or(titles[id], id)})
	}
	colIndex := map[string]int{}
	for i, col := range rep.Columns {
		colIndex[col.ID] = i
	}

	rowOf := map[int64]*ReportRow{}
	rep.Rows = make([]ReportRow, len(trainees))
	for i, u := range trainees {
		rep.Rows[i] = ReportRow{User: u, Cells: make([]ReportCell, len(rep.Columns))}
		rowOf[u.ID] = &rep.Rows[i]
	}
	for _, c := range cells {
		row := rowOf[c.UserID]
		if row == nil {
			continue
		}
		cl := &row.Cells[colIndex[c.ScenarioID]]
		switch c.Mode {
		case domain.Exam:
			cl.Exams, cl.Best, cl.Passed = c.Attempts, c.Best, c.Passed
		default:
			cl.Practice += c.Attempts
		}
	}
	reportCertify(rep, teamTracks, rec)
	return rep, nil
}

// reportRecords is as much of the shown trainees' records as the
// certification rules read (see store.ReportPassWindows), not every
// attempt: their decisions and, per trainee, the passed attempts that
// decide each track entry.
type reportRecords struct {
	decisions map[int64][]store.CertDecision
	attempts  map[int64][]cert.Attempt
}

// reportRecords reads the records the rules need to place the trainees f
// covers on tracks.
func (a *App) reportRecords(ctx context.Context, f store.ReportFilter, tracks []*scenarios.Track, now time.Time) (*reportRecords, error) {
	rec := &reportRecords{decisions: map[int64][]store.CertDecision{}, attempts: map[int64][]cert.Attempt{}}
	if len(tracks) == 0 {
		return rec, nil
	}
	decisions, err := a.db.ListCertDecisions(ctx, store.CertDecisionFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		rec.decisions[d.UserID] = append(rec.decisions[d.UserID], d)
	}
	// One query per mode the tracks use, for every scenario and minimum
	// score of those tracks.
	byMode := map[string][]*scenarios.Track{}
	for _, t := range tracks {
		byMode[t.Mode] = append(byMode[t.Mode], t)
	}
	for _, mode := range slices.Sorted(maps.Keys(byMode)) {
		ids, ths := map[string]bool{}, map[float64]bool{}
		for _, t := range byMode[mode] {
			for _, e := range t.Scenarios {
				ids[e.ID], ths[float64(e.MinScore)] = true, true
			}
		}
		thresholds := slices.Sorted(maps.Keys(ths))
		windows, err := a.db.ReportPassWindows(ctx, f, domain.Mode(mode), slices.Sorted(maps.Keys(ids)), thresholds, now)
		if err != nil {
			return nil, err
		}
		for _, w := range windows {
			for i, first := range w.First {
				if !first.IsZero() {
					rec.attempts[w.UserID] = append(rec.attempts[w.UserID], cert.Attempt{ScenarioID: w.ScenarioID, Mode: mode,
						Score: thresholds[i], Passed: true, Ended: first})
				}
			}
		}
	}
	return rec, nil
}

// reportCertify places every row on the report's tracks.
func reportCertify(rep *Report, teamTracks map[string][]*scenarios.Track, rec *reportRecords) {
	for i := range rep.Rows {
		row := &rep.Rows[i]
		for _, t := range rep.Tracks {
			cc := ReportCert{Of: len(t.Scenarios)}
			if slices.Contains(teamTracks[row.User.Team], t) {
				st := cert.Evaluate(t, rec.attempts[row.User.ID], certDecisions(t, rec.decisions[row.User.ID]), rep.Now)
				cc.Assigned, cc.State, cc.Done = true, st.State, st.Done()
			}
			row.Certs = append(row.Certs, cc)
		}
	}
}

// reportFindings returns the most frequent findings of kind within f.
func (a *App) reportFindings(ctx context.Context, f ReportFilter, kind string, titles map[string]string) ([]ReportCount, error) {
	fs, err := a.db.ReportFindings(ctx, f.store(), kind, ReportTopItems)
	if err != nil {
		return nil, err
	}
	return reportCounts(fs, kind, titles), nil
}

// ReportMissedBy is the n checklist items trainee u missed most often, in
// practice and exams, most missed first.
func (a *App) ReportMissedBy(ctx context.Context, u domain.User, n int) ([]ReportCount, error) {
	fs, err := a.db.UserMissedItems(ctx, u.ID, n)
	if err != nil {
		return nil, err
	}
	return reportCounts(fs, store.FindingItem, reportTitles(a.Library(ctx))), nil
}

// reportCounts names findings of kind for the pages, most frequent first.
func reportCounts(fs []store.ReportFinding, kind string, titles map[string]string) []ReportCount {
	out := make([]ReportCount, 0, len(fs))
	for _, x := range fs {
		c := ReportCount{Count: x.Count, Of: x.Graded}
		if kind == store.FindingItem {
			c.ScenarioID, c.Scenario, c.ID, c.Title = x.ScenarioID, cmp.Or(titles[x.ScenarioID], x.ScenarioID), x.Key, x.Label
		} else {
			c.ID, c.Title, c.Extra = x.Label, x.Key, x.Extra
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b ReportCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Scenario, b.Scenario), strings.Compare(a.Title, b.Title))
	})
	return out
}

// trackList is the tracks of the trainees' teams, by id.
func trackList(teamTracks map[string][]*scenarios.Track, trainees []domain.User) []*scenarios.Track {
	seen := map[string]*scenarios.Track{}
	for _, u := range trainees {
		for _, t := range teamTracks[u.Team] {
			seen[t.ID] = t
		}
	}
	out := slices.Collect(maps.Values(seen))
	slices.SortFunc(out, func(a, b *scenarios.Track) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// reportTitles maps every scenario id in lib to its title.
func reportTitles(lib *scenarios.Library) map[string]string {
	out := map[string]string{}
	for _, sc := range lib.Scenarios {
		out[sc.ID] = sc.Title
	}
	return out
}

// ReportTrack is a trainee's standing on a track with its history.
type ReportTrack struct {
	TrackStanding
	Decisions []store.CertDecision
}

// ReportTraineePage is one trainee's page: their attempts within the
// filter (and scenario, when one is chosen), and their certification.
type ReportTraineePage struct {
	Trainee  domain.User
	Filter   ReportFilter
	Scenario string
	// Columns are the scenarios the trainee attempted, by id.
	Columns []ReportColumn
	// Attempts are oldest first.
	Attempts []store.Attempt
	// PassMark is the chosen scenario's pass mark; -1 when no single
	// scenario is chosen.
	PassMark int
	Tracks   []ReportTrack
	Titles   map[string]string
}

// ReportTrainee builds the page of user id. One trainee's attempts are
// read whole: the page lists them.
func (a *App) ReportTrainee(ctx context.Context, id int64, f ReportFilter, scenario string) (*ReportTraineePage, error) {
	u, err := a.db.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := a.db.ListAttempts(ctx, store.AttemptFilter{UserID: id, WithoutScorecard: true})
	if err != nil {
		return nil, err
	}
	decisions, err := a.db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: id})
	if err != nil {
		return nil, err
	}
	lib := a.Library(ctx)
	titles := reportTitles(lib)
	v := &ReportTraineePage{Trainee: u, Filter: f, Scenario: scenario, Titles: titles, PassMark: -1}
	seen := map[string]bool{}
	for _, a := range all {
		if !seen[a.ScenarioID] {
			seen[a.ScenarioID] = true
			v.Columns = append(v.Columns, ReportColumn{ID: a.ScenarioID, Title: cmp.Or(titles[a.ScenarioID], a.ScenarioID)})
		}
		if f.InRange(a.Ended) && (scenario == "" || a.ScenarioID == scenario) {
			v.Attempts = append(v.Attempts, a)
		}
	}
	slices.SortFunc(v.Columns, func(a, b ReportColumn) int { return strings.Compare(a.ID, b.ID) })
	if scenario != "" {
		if sc, ok := lib.Scenario(scenario); ok {
			v.PassMark = sc.PassMark
		}
	}
	teamTracks, err := a.TeamTracks(ctx)
	if err != nil {
		return nil, err
	}
	now := a.now()
	for _, t := range teamTracks[u.Team] {
		td := ReportTrack{TrackStanding: TrackStanding{Track: t, Status: Evaluate(t, all, decisions, now), Titles: titles}}
		for _, d := range decisions {
			if d.TrackID == t.ID {
				td.Decisions = append(td.Decisions, d)
			}
		}
		v.Tracks = append(v.Tracks, td)
	}
	return v, nil
}

// ReportPageMax bounds the attempts of one page of the export.
const ReportPageMax = 1000

// ReportExportPage is one page of the export of a filter's record: attempts,
// oldest first, and, on the last page, the certificates signed off within
// the days.
type ReportExportPage struct {
	Attempts []store.Attempt
	SignOffs []ReportSignOff
	// Next is the cursor of the next page; empty on the last.
	Next string
	// Titles maps scenario ids to their titles.
	Titles map[string]string
}

// ReportSignOff is a certificate signed off, with whom it certifies.
type ReportSignOff struct {
	store.CertDecision
	Username   string
	TrackTitle string
}

// ReportExport returns the page of the filter's record that starts after
// cursor (empty: the first), at most limit attempts long (1 to
// ReportPageMax).
func (a *App) ReportExport(ctx context.Context, f ReportFilter, cursor string, limit int) (*ReportExportPage, error) {
	if limit <= 0 || limit > ReportPageMax {
		limit = ReportPageMax
	}
	af := store.AttemptFilter{Team: f.Team, From: f.from, To: f.to, Limit: limit + 1, WithoutScorecard: true, TraineesOnly: true}
	if cursor != "" {
		ms, id, ok := strings.Cut(cursor, "-")
		n, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil || id == "" {
			return nil, fmt.Errorf("%w: cursor %q", ErrReportFilter, cursor)
		}
		af.AfterEnded, af.AfterID = time.UnixMilli(n).UTC(), id
	}
	as, err := a.db.ListAttempts(ctx, af)
	if err != nil {
		return nil, err
	}
	lib := a.Library(ctx)
	out := &ReportExportPage{Attempts: as, Titles: reportTitles(lib)}
	if len(as) > limit {
		out.Attempts = as[:limit]
		last := as[limit-1]
		out.Next = strconv.FormatInt(last.Ended.UnixMilli(), 10) + "-" + last.ID
		return out, nil
	}
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, u := range users {
		if u.Role == domain.RoleTrainee && (f.Team == "" || u.Team == f.Team) {
			names[u.ID] = u.Username
		}
	}
	decisions, err := a.db.ListCertDecisions(ctx, store.CertDecisionFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		name, shown := names[d.UserID]
		if !shown || d.Action != domain.SignOff || !f.InRange(d.At) {
			continue
		}
		title := d.TrackID
		if t, ok := lib.Track(d.TrackID); ok {
			title = t.Title
		}
		out.SignOffs = append(out.SignOffs, ReportSignOff{CertDecision: d, Username: name, TrackTitle: title})
	}
	return out, nil
}
