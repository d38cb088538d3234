package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hotlinecoach/coach/live"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// deskView is what the call page's desk shows before any lookup: the
// choices of the work-order form. Nil for a call without desk work.
type deskView struct {
	LookupKeys []scenarios.Label
	Types      []scenarios.Label
	Urgencies  []scenarios.Label
	Grades     []scenarios.Label
	Teams      []scenarios.Label
	States     []scenarios.Label
	MaxField   int
	// What the desk showed when the page was drawn, for desk.js to show
	// again: the last lookup's record message, the work order's number
	// and state, and the end of the wrap-up (seconds since ringing).
	Record    string
	Number    string
	State     string
	WrapUntil string
}

// restore takes in what the call's log says the desk showed.
func (d *deskView) restore(st live.State) {
	if d == nil {
		return
	}
	d.Record, d.Number, d.State = string(st.Record), st.Ticket, st.TicketState
	if st.WrapUntil > 0 {
		d.WrapUntil = strconv.FormatFloat(st.WrapUntil, 'f', 1, 64)
	}
}

// newDeskView returns the view of a scenario's desk, or nil without one.
func newDeskView(desk *scenarios.Desk) *deskView {
	if desk == nil {
		return nil
	}
	teams := make([]scenarios.Label, len(desk.Teams))
	for i, t := range desk.Teams {
		teams[i] = scenarios.Label(t)
	}
	return &deskView{
		LookupKeys: scenarios.LookupKeys(), Types: scenarios.TicketTypes(), Urgencies: scenarios.Urgencies(),
		Grades: scenarios.Grades(), Teams: teams, States: sim.TicketStates(), MaxField: scenarios.MaxTicketField,
	}
}

// deskRoutes are the pages of the desk's work orders.
func (s *Server) deskRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/tickets", access: signedIn(), maxBody: smallBody, h: s.ticketsPage},
	}
}

// ticketsView is the tickets page: a trainee's work orders with their state.
type ticketsView struct {
	Username string
	Own      bool
	Rows     []ticketRow
}

// ticketRow is one work order on the tickets page.
type ticketRow struct {
	Number    string
	Title     string
	Mode      string
	Submitted string
	State     string
	OK, Total int
	Href      string
}

// ticketsPage is GET /tickets: the signed-in user's work orders, newest
// first, with their state (待派单 once submitted). Trainers, managers and
// admins may open anyone's with ?user=NAME, as with the history.
func (s *Server) ticketsPage(c *gin.Context) error {
	ctx := c.Request.Context()
	u, _ := currentUser(c)
	who, tickets, err := s.app.TicketsOf(ctx, u, c.Query("user"))
	if err != nil {
		return err
	}
	view := ticketsView{Username: who.Username, Own: who.ID == u.ID, Rows: []ticketRow{}}
	lib := s.app.Library(ctx)
	states := sim.TicketStates()
	for _, t := range tickets {
		row := ticketRow{
			Number: t.Number, Title: t.ScenarioID, Mode: string(t.Mode), Submitted: s.dateTime(t.Submitted),
			State: scenarios.LabelOf(states, t.State), OK: t.FieldsOK, Total: t.FieldsTotal, Href: scorecardPath(t.CallID),
		}
		if sc, ok := lib.Scenario(t.ScenarioID); ok {
			row.Title = sc.Title
		}
		view.Rows = append(view.Rows, row)
	}
	s.render(c, http.StatusOK, "tickets", view)
	return nil
}
