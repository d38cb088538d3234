package web

import (
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
