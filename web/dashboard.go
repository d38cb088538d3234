package web

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// reportFilter is what the dashboards are narrowed to: a team (empty: all)
// and a range of days, From and To inclusive, in UTC.
type reportFilter struct {
	Team     string
	From, To string
	from, to time.Time
}

// requestedReport builds the report the request's ?team=&from=&to= asks
// for.
func (s *Server) requestedReport(c *gin.Context) (*report, error) {
	f, err := parseReportFilter(c)
	if err != nil {
		return nil, err
	}
	return s.buildReport(c.Request.Context(), f)
}

// parseReportFilter reads ?team=&from=&to= (dates as YYYY-MM-DD).
func parseReportFilter(c *gin.Context) (reportFilter, error) {
	f := reportFilter{Team: strings.TrimSpace(c.Query("team")), From: c.Query("from"), To: c.Query("to")}
	if len(f.Team) > 100 {
		return f, errBadRequest(errors.New("team too long"))
	}
	var err error
	if f.From != "" {
		if f.from, err = time.Parse(time.DateOnly, f.From); err != nil {
			return f, errBadRequest(fmt.Errorf("from: %w", err))
		}
	}
	if f.To != "" {
		if f.to, err = time.Parse(time.DateOnly, f.To); err != nil {
			return f, errBadRequest(fmt.Errorf("to: %w", err))
		}
		f.to = f.to.AddDate(0, 0, 1)
	}
	return f, nil
}

// inRange reports whether t falls within the filter's days.
func (f reportFilter) inRange(t time.Time) bool {
	return (f.from.IsZero() || !t.Before(f.from)) && (f.to.IsZero() || t.Before(f.to))
}

// Query is the filter as a query string, for links that keep it. It is
// built by url.Values, so it is safe to place after a '?' as it is.
func (f reportFilter) Query() template.URL {
	v := url.Values{}
	for k, s := range map[string]string{"team": f.Team, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return template.URL(v.Encode()) // #nosec G203 -- url.Values.Encode percent-encodes every key and value
}

// column is one scenario of the matrix.
type column struct {
	ID    string
	Title string
}

// cell is one trainee's record on one scenario within the filter.
type cell struct {
	Attempts int
	// Best is the best score; meaningful only when Attempts > 0.
	Best   float64
	Passed int
}

// certCell is a trainee's state on one track; Assigned is false when the
// track is not their team's.
type certCell struct {
	Assigned bool
	State    cert.State
	Done     int
	Of       int
}

// matrixRow is one trainee.
type matrixRow struct {
	User  domain.User
	Cells []cell
	Certs []certCell
}

// itemCount is a checklist item or forbidden phrase and how often it came
// up in the filtered attempts.
type itemCount struct {
	// ScenarioID and Scenario (its title) are empty for phrases, which
	// are counted across scenarios.
	ScenarioID string
	Scenario   string
	ID         string
	Title      string
	Extra      string
	Count      int
	Of         int
}

// report is what the matrix page, the CSV and the xAPI export are made
// from, so that the three agree.
type report struct {
	Filter  reportFilter
	Teams   []string
	Columns []column
	Tracks  []*scenarios.Track
	Rows    []matrixRow
	// Attempts are the filtered attempts, oldest first.
	Attempts []store.Attempt
	// Decisions are every decision about the trainees shown.
	Decisions []store.CertDecision
	Missed    []itemCount
	Forbidden []itemCount
	Now       time.Time
}

// maxReportAttempts bounds the attempts one report reads.
const maxReportAttempts = 200_000

// buildReport gathers the trainees of the filtered team, their attempts,
// and their certification state on the tracks assigned to their teams.
// Cells and statistics use the attempts within the date range; the
// certification state uses all attempts, since a certificate does not
// depend on the range a manager happens to be looking at.
func (s *Server) buildReport(ctx context.Context, f reportFilter) (*report, error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	teamTracks, err := s.app.TeamTracks(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListAttempts(ctx, store.AttemptFilter{Team: f.Team, Limit: maxReportAttempts, WithoutScorecard: true})
	if err != nil {
		return nil, err
	}
	decisions, err := s.store.ListCertDecisions(ctx, store.CertDecisionFilter{})
	if err != nil {
		return nil, err
	}
	r := &report{Filter: f, Now: s.cfg.Now()}

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
	for t := range teams {
		r.Teams = append(r.Teams, t)
	}
	slices.Sort(r.Teams)

	shown := map[int64]bool{}
	for _, u := range trainees {
		shown[u.ID] = true
	}
	byUser := map[int64][]store.Attempt{}
	for _, a := range all {
		if !shown[a.UserID] {
			continue
		}
		byUser[a.UserID] = append(byUser[a.UserID], a)
		if f.inRange(a.Ended) {
			r.Attempts = append(r.Attempts, a)
		}
	}
	decByUser := map[int64][]store.CertDecision{}
	for _, d := range decisions {
		if shown[d.UserID] {
			decByUser[d.UserID] = append(decByUser[d.UserID], d)
			r.Decisions = append(r.Decisions, d)
		}
	}

	// Columns: the scenarios of the tracks of the teams shown, then any
	// other scenario attempted, in library order.
	want := map[string]bool{}
	trackSeen := map[string]bool{}
	for _, u := range trainees {
		for _, t := range teamTracks[u.Team] {
			if !trackSeen[t.ID] {
				trackSeen[t.ID] = true
				r.Tracks = append(r.Tracks, t)
			}
			for _, e := range t.Scenarios {
				want[e.ID] = true
			}
		}
	}
	slices.SortFunc(r.Tracks, func(a, b *scenarios.Track) int { return strings.Compare(a.ID, b.ID) })
	for _, a := range r.Attempts {
		want[a.ScenarioID] = true
	}
	titles := s.app.ScenarioTitles(ctx)
	{
		for _, sc := range s.app.Library(ctx).Scenarios {
			if want[sc.ID] {
				r.Columns = append(r.Columns, column{ID: sc.ID, Title: sc.Title})
				delete(want, sc.ID)
			}
		}
	}
	var rest []string
	for id := range want {
		rest = append(rest, id)
	}
	slices.Sort(rest)
	for _, id := range rest {
		r.Columns = append(r.Columns, column{ID: id, Title: cmp.Or(titles[id], id)})
	}
	colIndex := map[string]int{}
	for i, col := range r.Columns {
		colIndex[col.ID] = i
	}

	for _, u := range trainees {
		row := matrixRow{User: u, Cells: make([]cell, len(r.Columns))}
		for _, a := range byUser[u.ID] {
			if !f.inRange(a.Ended) {
				continue
			}
			c := &row.Cells[colIndex[a.ScenarioID]]
			if c.Attempts == 0 || a.Score > c.Best {
				c.Best = a.Score
			}
			c.Attempts++
			if a.Passed {
				c.Passed++
			}
		}
		for _, t := range r.Tracks {
			cc := certCell{Of: len(t.Scenarios)}
			if slices.Contains(teamTracks[u.Team], t) {
				st := app.Evaluate(t, byUser[u.ID], decByUser[u.ID], r.Now)
				cc.Assigned, cc.State, cc.Done = true, st.State, st.Done()
			}
			row.Certs = append(row.Certs, cc)
		}
		r.Rows = append(r.Rows, row)
	}
	t := newTally(titles)
	err = s.store.EachAttempt(ctx, store.AttemptFilter{Team: f.Team, From: f.from, To: f.to, Limit: maxReportAttempts}, func(a store.Attempt) error {
		if shown[a.UserID] {
			t.add(a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.Missed, r.Forbidden = t.top(topItems)
	return r, nil
}

// topItems bounds the lists of most missed items and forbidden phrases.
const topItems = 10

// cardCounts is the part of a stored scorecard the tallies read: the
// checklist and forbidden fields of the scorecard contract.
type cardCounts struct {
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

// tally counts, over attempts' stored scorecards, how often each checklist
// item was missed (out of the times it was graded, per scenario, since
// item ids belong to their scenario) and how often each forbidden phrase
// was said (across scenarios). A scorecard that cannot be read is skipped:
// the attempt still counts in the matrix, from its stored score.
type tally struct {
	titles    map[string]string
	missed    map[[2]string]*itemCount
	forbidden map[string]*itemCount
}

func newTally(titles map[string]string) *tally {
	return &tally{titles: titles, missed: map[[2]string]*itemCount{}, forbidden: map[string]*itemCount{}}
}

func (t *tally) add(a store.Attempt) {
	var sc cardCounts
	if len(a.Scorecard) == 0 || json.Unmarshal(a.Scorecard, &sc) != nil {
		return
	}
	for _, it := range sc.Checklist {
		k := [2]string{a.ScenarioID, it.ID}
		ic := t.missed[k]
		if ic == nil {
			ic = &itemCount{ScenarioID: a.ScenarioID, Scenario: cmp.Or(t.titles[a.ScenarioID], a.ScenarioID), ID: it.ID, Title: it.Title}
			t.missed[k] = ic
		}
		ic.Of++
		if !it.Done {
			ic.Count++
		}
	}
	for _, fb := range sc.Forbidden {
		ic := t.forbidden[fb.Phrase]
		if ic == nil {
			ic = &itemCount{ID: fb.Intent, Title: fb.Phrase, Extra: fb.Suggestion}
			t.forbidden[fb.Phrase] = ic
		}
		ic.Count++
	}
}

// top returns the n most frequent missed items and forbidden phrases.
func (t *tally) top(n int) (missed, forbidden []itemCount) {
	order := func(all []*itemCount) []itemCount {
		var out []itemCount
		for _, ic := range all {
			if ic.Count > 0 {
				out = append(out, *ic)
			}
		}
		slices.SortFunc(out, func(a, b itemCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Scenario, b.Scenario), strings.Compare(a.Title, b.Title))
		})
		if len(out) > n {
			out = out[:n]
		}
		return out
	}
	return order(slices.Collect(maps.Values(t.missed))), order(slices.Collect(maps.Values(t.forbidden)))
}

// matrixPage is GET /manage: the team matrix, the most missed checklist
// items and forbidden phrases, and the track assignments.
func (s *Server) matrixPage(c *gin.Context) error {
	r, err := s.requestedReport(c)
	if err != nil {
		return err
	}
	as, err := s.store.ListTrackAssignments(c.Request.Context())
	if err != nil {
		return err
	}
	tickets, err := s.app.TicketAccuracy(c.Request.Context(), r.Filter.Team, r.Filter.from, r.Filter.to)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "manage", manageView{Report: r, Assignments: as, AllTracks: s.app.Tracks(c.Request.Context()), Tickets: tickets})
	return nil
}

// manageView is the matrix page's view.
type manageView struct {
	Report      *report
	Assignments []store.TrackAssignment
	AllTracks   []*scenarios.Track
	// Tickets is the work-order accuracy per trainee and field.
	Tickets app.TicketAccuracy
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// starting with =, +, -, @, tab or carriage return gets a leading quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// formatScore writes a score without a needless fraction.
func formatScore(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// matrixCSV is GET /manage/export.csv: the matrix as CSV, one row per
// trainee, in UTF-8 with a byte-order mark so that Excel reads Chinese.
func (s *Server) matrixCSV(c *gin.Context) error {
	r, err := s.requestedReport(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	t := func(k string) string { return s.text.get(lang, k) }
	header := []string{t("dash.username"), t("dash.team")}
	for _, col := range r.Columns {
		header = append(header, col.Title+" "+t("dash.best"), col.Title+" "+t("dash.attempts"))
	}
	for _, tr := range r.Tracks {
		header = append(header, tr.Title)
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	write := func(rec []string) {
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		_ = w.Write(rec) // a strings.Builder does not fail
	}
	write(header)
	for _, row := range r.Rows {
		rec := []string{row.User.Username, row.User.Team}
		for _, cl := range row.Cells {
			best := ""
			if cl.Attempts > 0 {
				best = formatScore(cl.Best)
			}
			rec = append(rec, best, strconv.Itoa(cl.Attempts))
		}
		for _, cc := range row.Certs {
			state := ""
			if cc.Assigned {
				state = t("cert.state." + string(cc.State))
			}
			rec = append(rec, state)
		}
		write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := "coach-matrix-" + r.Now.UTC().Format("20060102") + ".csv"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
	return nil
}

// traineeView is the trainee page's view.
type traineeView struct {
	Trainee  domain.User
	Filter   reportFilter
	Scenario string
	Columns  []column
	Chart    chart
	Attempts []store.Attempt
	Tracks   []trackDecisions
	Titles   map[string]string
}

// trackDecisions is a trainee's standing on a track with its history.
type trackDecisions struct {
	trackProgress
	Decisions []store.CertDecision
}

// traineePage is GET /manage/trainees/:id: one trainee's score trend,
// attempts, and certification with the forms to decide on it.
func (s *Server) traineePage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := parseReportFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.store.ListAttempts(ctx, store.AttemptFilter{UserID: id, Limit: maxReportAttempts, WithoutScorecard: true})
	if err != nil {
		return err
	}
	decisions, err := s.store.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: id})
	if err != nil {
		return err
	}
	titles := s.app.ScenarioTitles(ctx)
	v := traineeView{Trainee: u, Filter: f, Scenario: c.Query("scenario"), Titles: titles}
	seen := map[string]bool{}
	for _, a := range all {
		if !seen[a.ScenarioID] {
			seen[a.ScenarioID] = true
			v.Columns = append(v.Columns, column{ID: a.ScenarioID, Title: cmp.Or(titles[a.ScenarioID], a.ScenarioID)})
		}
		if f.inRange(a.Ended) && (v.Scenario == "" || a.ScenarioID == v.Scenario) {
			v.Attempts = append(v.Attempts, a)
		}
	}
	slices.SortFunc(v.Columns, func(a, b column) int { return strings.Compare(a.ID, b.ID) })
	passMark := -1
	if v.Scenario != "" {
		if sc, ok := s.app.Library(ctx).Scenario(v.Scenario); ok {
			passMark = sc.PassMark
		}
	}
	v.Chart = trendChart(v.Attempts, passMark, titles)
	teamTracks, err := s.app.TeamTracks(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, t := range teamTracks[u.Team] {
		td := trackDecisions{trackProgress: trackProgress{Track: t, Status: app.Evaluate(t, all, decisions, now), Titles: titles}}
		for _, d := range decisions {
			if d.TrackID == t.ID {
				td.Decisions = append(td.Decisions, d)
			}
		}
		v.Tracks = append(v.Tracks, td)
	}
	s.render(c, http.StatusOK, "trainee", v)
	return nil
}
