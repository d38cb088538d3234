package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
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

// restore takes in a stored desk message of the call's log.
func (d *deskView) restore(typ string, payload []byte) {
	if d == nil {
		return
	}
	var p struct {
		Number string  `json:"number"`
		State  string  `json:"state"`
		Until  float64 `json:"until"`
	}
	switch sim.EventType(typ) {
	case sim.EventRecord:
		d.Record = string(payload)
	case sim.EventTicket:
		if json.Unmarshal(payload, &p) == nil {
			d.Number, d.State = p.Number, p.State
		}
	case sim.EventWrapUp:
		if json.Unmarshal(payload, &p) == nil {
			d.WrapUntil = strconv.FormatFloat(p.Until, 'f', 1, 64)
		}
	}
}

// newDeskView returns the desk of a scenario, or nil when it has none.
func newDeskView(sc *scenarios.Scenario) *deskView {
	if sc == nil || sc.Desk == nil {
		return nil
	}
	teams := make([]scenarios.Label, len(sc.Desk.Teams))
	for i, t := range sc.Desk.Teams {
		teams[i] = scenarios.Label{ID: t.ID, Name: t.Name}
	}
	return &deskView{
		LookupKeys: scenarios.LookupKeys(), Types: scenarios.TicketTypes(), Urgencies: scenarios.Urgencies(),
		Grades: scenarios.Grades(), Teams: teams, States: sim.TicketStates(), MaxField: scenarios.MaxTicketField,
	}
}

// ticketRecord is the work order of an ended call as the store keeps it
// with the call, or nil when none was submitted; start is when ringing
// began.
func ticketRecord(card *sim.Scorecard, start time.Time) *store.TicketRecord {
	if card == nil || card.Ticket == nil {
		return nil
	}
	t := card.Ticket
	form, err := json.Marshal(t.Form)
	if err != nil {
		form = []byte("{}") // a struct of strings always encodes
	}
	rec := &store.TicketRecord{
		Number: t.Number, State: t.State, Entered: form,
		Submitted: start.Add(time.Duration(t.SubmittedAt * float64(time.Second))),
	}
	for _, f := range t.Fields {
		rec.Fields = append(rec.Fields, store.TicketField{Field: f.Field, OK: f.OK})
	}
	return rec
}

// deskRoutes are the pages of the desk's work orders.
func (s *Server) deskRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/tickets", access: signedIn(), maxBody: smallBody, h: s.ticketsPage},
	}
}

// ticketsLimit caps how many work orders the tickets page lists.
const ticketsLimit = 200

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
	who := u
	if name := c.Query("user"); name != "" && name != u.Username {
		if u.Role == store.RoleTrainee {
			e := errNotFound()
			e.Err = fmt.Errorf("trainee %d asked for the tickets of %q", u.ID, name)
			return e
		}
		var err error
		if who, err = s.store.UserByUsername(ctx, name); err != nil {
			return err
		}
	}
	tickets, err := s.store.Tickets(ctx, who.ID, ticketsLimit)
	if err != nil {
		return err
	}
	view := ticketsView{Username: who.Username, Own: who.ID == u.ID, Rows: []ticketRow{}}
	lib := s.library(ctx)
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
