package web

import (
	"fmt"
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

// callView is the live call page: the call's screen (App.CallScreen) and
// what its log says so far.
type callView struct {
	*app.CallScreen
	ID   string
	Mode string
	// Owner says the viewer is the trainee taking the call; anyone else
	// watching (a trainer) gets the page without the socket.
	Owner bool
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
	// from then on.
	CallerSpoke bool
	Lines       []live.Line
	// Hints are the practice hints, each once, the latest last.
	Hints []live.Line
	// StepsDone counts the steps done.
	StepsDone int
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
	screen, err := s.app.CallScreen(ctx, call)
	if err != nil {
		return err
	}
	st, err := s.calls.State(ctx, call.ID)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	view := callView{CallScreen: screen, ID: call.ID, Mode: string(call.Mode), Owner: call.UserID == u.ID,
		After: st.Last, Rings: st.Rings, Answered: st.Answered, CallerSpoke: st.CallerSpoke, Lines: st.Lines, Hints: st.Hints,
		StepsDone: screen.MarkDone(st.Done), Scorecard: scorecardPath(call.ID), MaxReply: maxReply,
		Outcomes: []sim.Outcome{sim.Completed, sim.CustomerHungUp, sim.TraineeHungUp, sim.TimedOut}, Desk: newDeskView(screen.Desk)}
	if st.Mood >= 0 {
		view.Mood = st.Mood
	}
	if view.Started = !st.Opened.IsZero(); view.Started {
		view.Elapsed = strconv.FormatFloat(max(s.cfg.Now().Sub(st.Opened).Seconds(), 0), 'f', 1, 64)
	}
	view.Desk.restore(st)
	if view.Owner {
		view.WS = callSocketPath(call.ID)
	}
	s.render(c, http.StatusOK, "call", view)
	return nil
}

// scorecardView is the scorecard page (App.CallScorecard), its times and
// turns laid out for reading.
type scorecardView struct {
	*app.CallScorecard
	ID      string
	Mode    string
	Started string
	Turns   []turnView
	// Forbidden are the forbidden phrases the trainee said, with where.
	Forbidden []forbiddenView
	// Facts are the caller's details; ModelCall the scenario's model
	// call, nil when it has none.
	Facts     []factView
	ModelCall []turnView
}

// factView is one of the caller's details; Known says the page has a
// label for its key.
type factView struct {
	app.Fact
	Known bool
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

// scorecardPage is GET /calls/:id/scorecard: the graded call. A call still
// going opens its call page instead.
func (s *Server) scorecardPage(c *gin.Context) error {
	call, err := s.visibleCall(c, c.Param("id"))
	if err != nil {
		return err
	}
	if call.Status != domain.CallEnded {
		c.Redirect(http.StatusSeeOther, callPagePath(call.ID))
		return nil
	}
	me, _ := currentUser(c)
	card, err := s.app.CallScorecard(c.Request.Context(), me, call)
	if err != nil {
		return err
	}
	view := scorecardView{CallScorecard: card, ID: call.ID, Mode: string(call.Mode), Started: s.dateTime(call.Started), Turns: turnViews(card.Card.Turns)}
	if card.ModelCall != nil {
		view.ModelCall = turnViews(card.ModelCall)
	}
	for _, f := range card.Facts {
		view.Facts = append(view.Facts, factView{Fact: f, Known: slices.Contains([]string{"name", "phone", "address", "account"}, f.Key)})
	}
	for _, f := range card.Card.Forbidden {
		view.Forbidden = append(view.Forbidden, forbiddenView{ForbiddenEntry: f, TurnNo: f.Turn + 1, At: clockTime(f.At)})
	}
	s.render(c, http.StatusOK, "scorecard", view)
	return nil
}

// historyView is the list of a user's attempts (App.History).
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
	u, _ := currentUser(c)
	h, err := s.app.History(c.Request.Context(), u, c.Query("user"))
	if err != nil {
		return err
	}
	view := historyView{Username: h.Who.Username, Name: h.Who.DisplayName(), Own: h.Who.ID == u.ID, Rows: []historyRow{}, Truncated: h.Truncated}
	for _, call := range h.Calls {
		row := historyRow{
			ID: call.ID, Title: call.Title, Mode: string(call.Mode), Started: s.dateTime(call.Started),
			Live: call.Status == domain.CallLive, Href: callPagePath(call.ID),
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

// dateTime writes when a call started, in the server's time zone, which is
// the training centre's.
func (s *Server) dateTime(t time.Time) string { return t.In(s.cfg.Location).Format("2006-01-02 15:04") }
