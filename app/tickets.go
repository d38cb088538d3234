package app

import (
	"context"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// TicketsLimit caps how many work orders a tickets list holds.
const TicketsLimit = 200

// TicketsOf returns the work orders of whoever viewer u may list by the
// name asked for (the history's rule, HistoryOf), newest first.
func (a *App) TicketsOf(ctx context.Context, u domain.User, name string) (domain.User, []store.Ticket, error) {
	who, err := a.HistoryOf(ctx, u, name)
	if err != nil {
		return domain.User{}, nil, err
	}
	ts, err := a.db.Tickets(ctx, who.ID, TicketsLimit)
	if err != nil {
		return domain.User{}, nil, err
	}
	return who, ts, nil
}

// FieldScore is how often one work-order field was filled in as the caller
// said it.
type FieldScore struct {
	Field string
	OK    int
	Total int
}

// Wrong is how many times the field was wrong.
func (f FieldScore) Wrong() int { return f.Total - f.OK }

// Percent is the share right, 0-100, rounded down.
func (f FieldScore) Percent() int {
	if f.Total == 0 {
		return 0
	}
	return f.OK * 100 / f.Total
}

// TraineeTickets is one trainee's work-order accuracy, field by field.
type TraineeTickets struct {
	Username string
	Team     string
	Fields   map[string]FieldScore
}

// TicketAccuracy is the managers' view of work orders: per trainee and
// field how often it held what the caller said, and for the whole team the
// fields ordered by how often they are wrong, most first.
type TicketAccuracy struct {
	// Fields are the graded fields, the ones wrong most often first.
	Fields   []FieldScore
	Trainees []TraineeTickets
}

// TicketAccuracy reads the accuracy of the work orders submitted in the
// report filter's days, for trainees of its team (all teams when empty):
// the report workflow's work-order view. The counting is one SQL aggregate
// in the store.
func (a *App) TicketAccuracy(ctx context.Context, f ReportFilter) (TicketAccuracy, error) {
	team := f.Team
	rows, err := a.db.TicketAccuracy(ctx, f.from, f.to)
	if err != nil {
		return TicketAccuracy{}, err
	}
	var out TicketAccuracy
	totals := map[string]*FieldScore{}
	byUser := map[string]int{}
	for _, r := range rows {
		if team != "" && r.Team != team {
			continue
		}
		i, ok := byUser[r.Username]
		if !ok {
			i = len(out.Trainees)
			byUser[r.Username] = i
			out.Trainees = append(out.Trainees, TraineeTickets{Username: r.Username, Team: r.Team, Fields: map[string]FieldScore{}})
		}
		out.Trainees[i].Fields[r.Field] = FieldScore{Field: r.Field, OK: r.OK, Total: r.Total}
		t := totals[r.Field]
		if t == nil {
			t = &FieldScore{Field: r.Field}
			totals[r.Field] = t
		}
		t.OK += r.OK
		t.Total += r.Total
	}
	for _, t := range totals {
		out.Fields = append(out.Fields, *t)
	}
	slices.SortFunc(out.Fields, func(x, y FieldScore) int {
		// Most often wrong first: by the share wrong, then the count.
		if d := x.Percent() - y.Percent(); d != 0 {
			return d
		}
		if d := y.Wrong() - x.Wrong(); d != 0 {
			return d
		}
		return strings.Compare(x.Field, y.Field)
	})
	return out, nil
}
