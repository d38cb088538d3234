package live

import (
	"encoding/json"
	"time"

	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// TicketRecord is the work order of an ended call as the store keeps it
// with the call, or nil when none was submitted; start is when ringing
// began.
func TicketRecord(card *sim.Scorecard, start time.Time) *store.TicketRecord {
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
