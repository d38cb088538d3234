package web

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/live"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// The trainee's pages: the scenario catalogue with its start form, the live
// call page (driven by static/call.js over the call websocket), the
// scorecard of an ended call, and the history of attempts. Who may see which
// call is decided by visibleCall, as for the JSON API.

// practiceRoutes are the trainee's pages.
func (s *Server) practiceRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/scenarios", access: signedIn(), maxBody: smallBody, h: s.scenariosPage},
		{method: http.MethodPost, path: "/calls", access: signedIn(), maxBody: smallBody, h: s.startCallForm},
		{method: http.MethodGet, path: "/calls/:id", access: signedIn(), maxBody: smallBody, h: s.callPage},
		{method: http.MethodGet, path: "/calls/:id/scorecard", access: signedIn(), maxBody: smallBody, h: s.scorecardPage},
		{method: http.MethodGet, path: "/history", access: signedIn(), maxBody: smallBody, h: s.historyPage},
	}
}

// historyLimit caps how many attempts the history page lists.
const historyLimit = 200

// callPagePath, scorecardPath: where a call's pages live.
func callPagePath(id string) string  { return "/calls/" + id }
func scorecardPath(id string) string { return "/calls/" + id + "/scorecard" }

// catalogueView is the scenario catalogue (App.ScenarioCatalogue) with its
// filter and the filter's choices.
type catalogueView struct {
	*app.ScenarioCatalogue
	Filter  catalogueFilter
	Domains []string
	Levels  []int
}

// catalogueFilter is the catalogue's filter with its links.
type catalogueFilter struct{ app.CatalogueFilter }

// Link is the catalogue's address with the filter changed by kv (domain,
// level or q; an empty value drops it).
func (f catalogueFilter) Link(kv ...string) string {
	v := f.Values()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return "/scenarios"
	}
	return "/scenarios?" + v.Encode()
}

// scenariosPage is GET /scenarios?domain=&level=&q=: the scenarios the
// filter keeps with the user's best score, and a form to start a practice
// call or an exam.
func (s *Server) scenariosPage(c *gin.Context) error {
	u, _ := currentUser(c)
	f := app.ParseCatalogueFilter(c.Query("domain"), c.Query("level"), c.Query("q"))
	cat, err := s.app.ScenarioCatalogue(c.Request.Context(), u, f)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "scenarios", catalogueView{ScenarioCatalogue: cat, Filter: catalogueFilter{f}, Domains: scenarios.Domains(), Levels: []int{1, 2, 3}})
	return nil
}

// startCallForm is POST /calls, the start form of the catalogue: it starts
// the call as the API does and opens its page.
func (s *Server) startCallForm(c *gin.Context) error {
	// checkCSRF has parsed the form.
	call, err := s.startCall(c, c.Request.PostForm.Get("scenario"), c.Request.PostForm.Get("mode"), true)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, callPagePath(call.ID))
	return nil
}

// callView is the live call page.
type callView struct {
	ID      string
	Title   string
	Summary string
	Company string
	Mode    string
	// Owner says the viewer is the trainee taking the call; anyone else
	// watching (a trainer) gets the page without the socket.
	Owner     bool
	OwnerName string
	// WS is the socket's path, After the seq of the last message already
	// on the page, which the socket resumes after.
	WS    string
	After int64
	// Started says ringing has begun; Elapsed is the seconds since.
	Started bool
	Elapsed string
	Rings   int
	// Answered says the trainee has spoken, which answers the call.
	Answered bool
	// CallerSpoke says the caller has said something: the mood shows
	// from then on. Temper (calm, anxious, angry) picks its words.
	CallerSpoke bool
	Temper      string
	Mood        int
	Lines       []live.Line
	// Hints are the practice hints, each once, the latest last.
	Hints []live.Line
	// Steps are the checklist items graded on what is said, each marked
	// done once the trainee has done it; StepsDone counts those.
	Steps     []stepView
	StepsDone int
	// CallerNumber is the number the call comes from.
	CallerNumber string
	// Draft says the call plays a scenario revision that is not
	// published: a trainer trying a draft.
	Draft bool
	// Scorecard is the scorecard page's path, linked at the end.
	Scorecard string
	// MaxReply caps a reply in characters, well inside the socket's
	// frame limit.
	MaxReply int
	// Outcomes are the ways a call can end, each with its words on the
	// page for the script to show.
	Outcomes []sim.Outcome
	// Desk is the agent's desk beside the call; nil without one.
	Desk *deskView
}

// stepView is one checklist item on the call page.
type stepView struct {
	ID, Title string
	Done      bool
}

// callerNumber is the caller's phone number as the display shows it: the
// persona's phone when the scenario gives one, else a mobile number made
// from the call's id, the same on every reload.
func callerNumber(sc *scenarios.Scenario, callID string) string {
	digits := ""
	if sc != nil {
		if f, ok := sc.FactByKey("phone"); ok {
			for _, r := range f.Value {
				if r >= '0' && r <= '9' {
					digits += string(r)
				}
			}
		}
	}
	if len(digits) != 11 {
		h := fnv.New64a()
		_, _ = h.Write([]byte(callID)) // a hash.Hash does not fail
		digits = fmt.Sprintf("13%09d", h.Sum64()%1_000_000_000)
	}
	return digits[:3] + " " + digits[3:7] + " " + digits[7:]
}

// maxReply caps a typed reply: 4 UTF-8 bytes a character, plus the
// message's envelope, stays under maxFrame.
const maxReply = 1000

// callPage is GET /calls/:id: the live call. An ended call opens its
// scorecard instead. What the call has said so far is on the page, so a
// reload loses nothing; the script picks up from the last message.
func (s *Server) callPage(c *gin.Context) error {
	ctx := c.Request.Context()
	call, err := s.visibleCall(c, c.Param("id"))
	if err != nil {
		return err
	}
	if call.Status == domain.CallEnded {
		c.Redirect(http.StatusSeeOther, scorecardPath(call.ID))
		return nil
	}
	u, _ := currentUser(c)
	view := callView{
		ID: call.ID, Title: call.ScenarioID, Mode: string(call.Mode),
		Owner: call.UserID == u.ID, Scorecard: scorecardPath(call.ID), MaxReply: maxReply,
		Outcomes: []sim.Outcome{sim.Completed, sim.CustomerHungUp, sim.TraineeHungUp, sim.TimedOut},
	}
	// The scenario as the call plays it (a trainer's draft included); one
	// that cannot be loaded any more leaves the page showing its id.
	sc, _, err := s.content.ForCall(ctx, call)
	if err != nil {
		s.log.Info("call page: no scenario for the call", "call", call.ID, "err", err)
		sc = nil
	}
	view.Temper = "calm"
	if sc != nil {
		view.Title, view.Summary, view.Company, view.Mood = sc.Title, sc.Summary, sc.Company, sc.Persona.Mood
		if sc.Persona.Temper != "" {
			view.Temper = sc.Persona.Temper
		}
		for _, it := range sc.Checklist {
			if it.Rule == "" {
				view.Steps = append(view.Steps, stepView{ID: it.ID, Title: it.Title})
			}
		}
		if call.Desk {
			view.Desk = newDeskView(sc)
		}
	}
	view.CallerNumber = callerNumber(sc, call.ID)
	if view.Draft, err = s.content.Unpublished(ctx, call); err != nil {
		s.log.Info("call page: cannot tell whether the call plays a draft", "call", call.ID, "err", err)
	}
	if view.OwnerName, err = s.username(ctx, call.UserID); err != nil {
		return err
	}
	events, err := s.store.Events(ctx, call.ID, 0)
	if err != nil {
		return err
	}
	st, err := live.StateOf(events)
	if err != nil {
		return err
	}
	view.After, view.Rings, view.Answered, view.Lines, view.Hints = st.Last, st.Rings, st.Answered, st.Lines, st.Hints
	if st.Mood >= 0 {
		view.Mood = st.Mood
	}
	if view.Started = !st.Opened.IsZero(); view.Started {
		view.Elapsed = strconv.FormatFloat(max(s.cfg.Now().Sub(st.Opened).Seconds(), 0), 'f', 1, 64)
	}
	view.CallerSpoke = st.CallerSpoke
	for i := range view.Steps {
		view.Steps[i].Done = slices.Contains(st.Done, view.Steps[i].ID)
		if view.Steps[i].Done {
			view.StepsDone++
		}
	}
	view.Desk.restore(st)
	if view.Owner {
		view.WS = callSocketPath(call.ID)
	}
	s.render(c, http.StatusOK, "call", view)
	return nil
}

// scorecardView is the scorecard page.
type scorecardView struct {
	ID        string
	Mode      string
	OwnerName string
	Started   string
	Card      sim.Scorecard
	// Own says the viewer took the call, and so may dispute its items:
	// those in Disputable, graded on what was said.
	Own        bool
	Disputable map[string]bool
	Turns      []turnView
	Forbidden  []forbiddenView
	// Best is the owner's best score on the scenario, this call included.
	Best       int
	BestPassed bool
	Attempts   int
	// Facts are the caller's details in this call, in the scenario's order.
	Facts []factView
	// ModelCall is the scenario's whole call done well, played against
	// its base caller, for reading after the call; nil when it has none.
	ModelCall []turnView
	// TrainerNote is the scenario's teaching points, for the staff who
	// review the call; empty for a trainee.
	TrainerNote string
}

// factView is one of the caller's details; Known says the page has a
// label for its key.
type factView struct {
	Key, Value string
	Known      bool
}

// turnView is one turn of the scorecard with its text cut into segments
// at its hits.
type turnView struct {
	Index    int
	Speaker  string
	At       string
	Segments []sim.Segment
	Misheard bool
}

// forbiddenView is a forbidden phrase the trainee said, with where.
type forbiddenView struct {
	sim.ForbiddenEntry
	TurnNo int
	At     string
}

// clockTime writes seconds since ringing as m:ss.
func clockTime(sec float64) string {
	t := int(math.Max(sec, 0))
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// turnViews cuts each turn of a call at its hits for the page.
func turnViews(turns []sim.Turn) []turnView {
	out := make([]turnView, 0, len(turns))
	for i, t := range turns {
		out = append(out, turnView{
			Index: i, Speaker: string(t.Speaker), At: clockTime(t.At),
			Segments: sim.Segments(t.Text, t.Hits), Misheard: t.Misheard,
		})
	}
	return out
}

// addModelCall adds what the scenario the call was played against says
// after the call: the caller's details, the model call and, for staff, the
// teaching points.
func (s *Server) addModelCall(ctx context.Context, call store.Call, viewer domain.User, view *scorecardView) error {
	sc, book, err := s.content.ForCall(ctx, call)
	if err != nil {
		return err
	}
	for _, f := range sc.Facts {
		if v, ok := view.Card.Facts[f.Key]; ok {
			known := slices.Contains([]string{"name", "phone", "address", "account"}, f.Key)
			view.Facts = append(view.Facts, factView{Key: f.Key, Value: v, Known: known})
		}
	}
	if viewer.Role != domain.RoleTrainee {
		view.TrainerNote = sc.TrainerNote
	}
	model, err := sim.ModelCall(sc, book)
	if err != nil {
		return fmt.Errorf("scorecard of call %s: %w", call.ID, err)
	}
	if model != nil {
		view.ModelCall = turnViews(model.Turns)
	}
	return nil
}

// scorecardPage is GET /calls/:id/scorecard: the graded call. A call still
// going opens its call page instead.
func (s *Server) scorecardPage(c *gin.Context) error {
	ctx := c.Request.Context()
	call, err := s.visibleCall(c, c.Param("id"))
	if err != nil {
		return err
	}
	if call.Status != domain.CallEnded {
		c.Redirect(http.StatusSeeOther, callPagePath(call.ID))
		return nil
	}
	me, _ := currentUser(c)
	view := scorecardView{ID: call.ID, Mode: string(call.Mode), Started: s.dateTime(call.Started), Own: call.UserID == me.ID, Disputable: map[string]bool{}}
	if view.Own {
		view.Disputable = s.app.SaidItems(ctx, call)
	}
	if err := json.Unmarshal(call.Scorecard, &view.Card); err != nil {
		return fmt.Errorf("scorecard of call %s: %w", call.ID, err)
	}
	if view.Card.Title == "" {
		view.Card.Title = call.ScenarioID
	}
	view.Turns = turnViews(view.Card.Turns)
	if err := s.addModelCall(ctx, call, me, &view); err != nil {
		return err
	}
	for _, f := range view.Card.Forbidden {
		view.Forbidden = append(view.Forbidden, forbiddenView{ForbiddenEntry: f, TurnNo: f.Turn + 1, At: clockTime(f.At)})
	}
	if view.OwnerName, err = s.username(ctx, call.UserID); err != nil {
		return err
	}
	records, err := s.app.Records(ctx, call.UserID, call.ScenarioID)
	if err != nil {
		return err
	}
	r := records[call.ScenarioID]
	view.Best, view.BestPassed, view.Attempts = r.Best, r.Passed, r.Attempts
	s.render(c, http.StatusOK, "scorecard", view)
	return nil
}

// historyView is the list of a user's attempts.
type historyView struct {
	// Username is whose attempts these are, Name how people know them;
	// Own says they are the viewer's.
	Username string
	Name     string
	Own      bool
	Rows     []historyRow
	// Truncated says older attempts were left off.
	Truncated bool
}

// historyRow is one attempt.
type historyRow struct {
	ID, Title, Mode, Started, Outcome string
	Live                              bool
	Score                             int
	Passed                            bool
	Href                              string
}

// historyPage is GET /history: the user's attempts, newest first. Trainers,
// managers and admins may ask for anyone's with ?user=NAME; a trainee asking
// for someone else's is told there is no such page, as for a call.
func (s *Server) historyPage(c *gin.Context) error {
	ctx := c.Request.Context()
	u, _ := currentUser(c)
	who, err := s.app.HistoryOf(ctx, u, c.Query("user"))
	if err != nil {
		return err
	}
	calls, err := s.store.ListCalls(ctx, store.CallFilter{UserID: who.ID, Limit: historyLimit + 1})
	if err != nil {
		return err
	}
	view := historyView{Username: who.Username, Name: who.DisplayName(), Own: who.ID == u.ID, Rows: []historyRow{}}
	if len(calls) > historyLimit {
		calls, view.Truncated = calls[:historyLimit], true
	}
	lib := s.app.Library(ctx)
	for _, call := range calls {
		row := historyRow{
			ID: call.ID, Title: call.ScenarioID, Mode: string(call.Mode), Started: s.dateTime(call.Started),
			Live: call.Status == domain.CallLive, Href: callPagePath(call.ID),
		}
		if sc, ok := lib.Scenario(call.ScenarioID); ok {
			row.Title = sc.Title
		}
		if !row.Live {
			row.Score, row.Passed, row.Outcome = int(math.Round(call.Score)), call.Passed, call.Outcome
			row.Href = scorecardPath(call.ID)
		}
		view.Rows = append(view.Rows, row)
	}
	s.render(c, http.StatusOK, "history", view)
	return nil
}

// username is how the account id is named to people (real name and
// username), for pages that show whose call it is.
func (s *Server) username(ctx context.Context, id int64) (string, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("owner of a call: %w", err)
	}
	return u.DisplayName(), nil
}

// dateTime writes when a call started, in the server's time zone, which is
// the training centre's.
func (s *Server) dateTime(t time.Time) string { return t.In(s.cfg.Location).Format("2006-01-02 15:04") }
