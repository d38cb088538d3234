package sim

import (
	"encoding/json"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// Outcome is how a call ended.
type Outcome string

// The outcomes.
const (
	// Completed: the caller said goodbye and hung up, satisfied.
	Completed Outcome = "completed"
	// CustomerHungUp: the caller hung up in anger, on a silent line, or
	// after ringing unanswered.
	CustomerHungUp Outcome = "customer_hung_up"
	// TraineeHungUp: the trainee hung up first.
	TraineeHungUp Outcome = "trainee_hung_up"
	// TimedOut: the call reached the scenario's max_duration.
	TimedOut Outcome = "timed_out"
)

// Speaker says who said a turn.
type Speaker string

// The speakers.
const (
	Trainee  Speaker = "trainee"
	Customer Speaker = "customer"
)

// Scorecard is the graded call (docs/contracts.md plus explanations).
type Scorecard struct {
	Scenario string      `json:"scenario"`
	Title    string      `json:"title"`
	Mode     domain.Mode `json:"mode"`
	Seed     uint64      `json:"seed"`
	// Score is 0-100: points done over all points, less penalties.
	Score    int     `json:"score"`
	PassMark int     `json:"pass_mark"`
	Passed   bool    `json:"passed"`
	Outcome  Outcome `json:"outcome"`
	// OutcomeNote says in a sentence how the call ended.
	OutcomeNote string `json:"outcome_note"`
	// Reasons says why the call failed; empty when it passed.
	Reasons []string `json:"reasons"`
	// Duration is the seconds from the first ring to the end.
	Duration float64 `json:"duration"`
	// AnsweredRing is the ring the call was answered on; 0 if never.
	AnsweredRing int         `json:"answered_ring"`
	Mood         MoodSummary `json:"mood"`
	Points       int         `json:"points"`
	MaxPoints    int         `json:"max_points"`
	// Penalty is the points taken off for forbidden phrases.
	Penalty   int              `json:"penalty"`
	Checklist []ItemResult     `json:"checklist"`
	Forbidden []ForbiddenEntry `json:"forbidden"`
	Turns     []Turn           `json:"turns"`
	// Facts are the caller's details in this call (key → value): the
	// base persona's, or the ones the call's seed drew.
	Facts map[string]string `json:"facts"`
	// Caller is the caller's name in this call.
	Caller string `json:"caller,omitempty"`
	// Ticket is the work order as graded; nil when none was submitted.
	Ticket *TicketResult `json:"ticket"`
	// Lookups are the searches of the service system, in order.
	Lookups []LookupResult `json:"lookups"`
}

// Answered says the trainee answered the ringing call.
func (c *Scorecard) Answered() bool { return c.AnsweredRing > 0 }

// AngryHangup says the caller hung up in anger, which fails the call: the
// caller hung up with their anger at or past the persona's hang-up mark
// (the engine ends the call the moment anger reaches it).
func (c *Scorecard) AngryHangup() bool {
	return c.Outcome == CustomerHungUp && c.Mood.End >= c.Mood.Hangup
}

// MoodSummary is the caller's anger over the call, 0 (calm) to 100.
type MoodSummary struct {
	Start  int `json:"start"`
	End    int `json:"end"`
	Max    int `json:"max"`
	Hangup int `json:"hangup"`
}

// ItemResult is one checklist item as graded.
type ItemResult struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	// Turn is the index in Turns where it was done, or null.
	Turn     *int   `json:"turn"`
	Points   int    `json:"points"`
	Earned   int    `json:"earned"`
	Critical bool   `json:"critical"`
	Norm     string `json:"norm"`
	// Explain is why the item matters (from the scenario).
	Explain string `json:"explain"`
	// Note is what happened in this call, in a sentence.
	Note string `json:"note"`
	// Desk says the item is graded at the desk (a ticket field, a
	// lookup, a quoted value, the ticket's timing), not from a turn.
	Desk bool `json:"desk,omitempty"`
	// Model is a whole sentence that does the item, with this call's
	// facts: what to say instead when it was missed.
	Model string `json:"model,omitempty"`
	// Understood, for an item graded on a promised time, says what time
	// was understood: "4 小时内上门".
	Understood string `json:"understood,omitempty"`
	// Upheld, when set, says a trainer upheld the trainee's dispute of this
	// item after the call: it counts as done, whatever the engine found.
	Upheld *Upheld `json:"upheld,omitempty"`
}

// Upheld is a trainer's decision that a checklist item was done after all.
type Upheld struct {
	// Dispute is the store's id of the dispute.
	Dispute int64 `json:"dispute"`
	// By is the trainer's name.
	By string `json:"by"`
	// Turn is the index in Turns where the trainee did it.
	Turn int `json:"turn"`
	// WasDone and WasEarned are the engine's verdict before the override.
	WasDone   bool `json:"was_done"`
	WasEarned int  `json:"was_earned"`
	// ScoreBefore is the call's score before the override.
	ScoreBefore int `json:"score_before"`
}

// ForbiddenEntry is one forbidden phrase the trainee said.
type ForbiddenEntry struct {
	// Turn is the index in Turns.
	Turn   int           `json:"turn"`
	At     float64       `json:"at"`
	ID     string        `json:"id"`
	Intent phrase.Intent `json:"intent"`
	// Phrase is the entry's canonical wording.
	Phrase string `json:"phrase"`
	// Said is the part of the reply that matched.
	Said       string `json:"said"`
	Suggestion string `json:"suggestion"`
	// Rewrite is a whole sentence to say instead of the forbidden reply,
	// not a replacement spliced into the trainee's words.
	Rewrite string `json:"rewrite,omitempty"`
	Penalty int    `json:"penalty"`
	Norm    string `json:"norm"`
	Explain string `json:"explain"`
}

// Turn is one line of the call.
type Turn struct {
	Speaker Speaker      `json:"speaker"`
	At      float64      `json:"at"`
	Text    string       `json:"text"`
	Hits    []phrase.Hit `json:"hits"`
	// Misheard marks a trainee turn a hard-of-hearing caller did not follow.
	Misheard bool `json:"misheard,omitempty"`
}

// EventType is the kind of an engine event; the names are the websocket
// message types of docs/contracts.md.
type EventType string

// The event types.
const (
	EventRing     EventType = "ring"
	EventCustomer EventType = "customer"
	EventHint     EventType = "hint"
	EventMood     EventType = "mood"
	// EventChecklist (practice only) lists the checklist items done so
	// far, by id, each time one more is done.
	EventChecklist EventType = "checklist"
	EventEnd       EventType = "end"
	// EventRecord answers a lookup: found, and the record.
	EventRecord EventType = "record"
	// EventTicket answers a submitted work order: its number and state.
	EventTicket EventType = "ticket"
	// EventWrapUp says the conversation is over (outcome) and the wrap-up
	// runs until Until; the end follows it.
	EventWrapUp EventType = "wrapup"
)

// The trainee's events, which drive a call: the socket opening (ringing
// begins), a reply and the hang-up. They share one vocabulary with the
// engine's events in a call's log.
const (
	EventOpen   EventType = "open"
	EventSay    EventType = "say"
	EventHangup EventType = "hangup"
)

// FromTrainee reports whether t is one of the trainee's events rather than
// something the engine said.
func (t EventType) FromTrainee() bool {
	return t == EventOpen || t == EventSay || t == EventHangup || t == EventLookup || t == EventSubmit
}

// TraineeEvent is something the trainee did, at its time since ringing
// began (open is always at 0); Text is a reply's, By and Value a lookup's,
// Ticket a work order's.
type TraineeEvent struct {
	Type   EventType         `json:"-"`
	At     float64           `json:"at"`
	Text   string            `json:"text,omitempty"`
	By     string            `json:"by,omitempty"`
	Value  string            `json:"value,omitempty"`
	Ticket *scenarios.Ticket `json:"ticket,omitempty"`
}

// Event is something the trainee sees or hears.
type Event struct {
	Type EventType `json:"type"`
	At   float64   `json:"at"`
	// N is the ring number (ring).
	N int `json:"n,omitempty"`
	// Text is the caller's line (customer) or the hint (hint).
	Text string `json:"text,omitempty"`
	// Intent is what a hint is about.
	Intent string `json:"intent,omitempty"`
	// Value is the mood (mood).
	Value int `json:"value"`
	// Done lists the checklist items done so far (checklist).
	Done []string `json:"done,omitempty"`
	// Outcome and Scorecard come with end.
	Outcome   Outcome    `json:"outcome,omitempty"`
	Scorecard *Scorecard `json:"scorecard,omitempty"`
	// Found and Record come with record.
	Found  *bool       `json:"found,omitempty"`
	Record *RecordView `json:"record,omitempty"`
	// Number and State come with ticket.
	Number string `json:"number,omitempty"`
	State  string `json:"state,omitempty"`
	// Until comes with wrapup: when the wrap-up ends.
	Until float64 `json:"until,omitempty"`
}

// MarshalJSON writes only the fields of the event's type, as the
// websocket protocol has them.
func (e Event) MarshalJSON() ([]byte, error) {
	type wire struct {
		Type      EventType       `json:"type"`
		At        float64         `json:"at"`
		N         int             `json:"n,omitempty"`
		Text      string          `json:"text,omitempty"`
		Intent    string          `json:"intent,omitempty"`
		Value     *int            `json:"value,omitempty"`
		Done      []string        `json:"done,omitempty"`
		Outcome   Outcome         `json:"outcome,omitempty"`
		Scorecard *Scorecard      `json:"scorecard,omitempty"`
		Found     *bool           `json:"found,omitempty"`
		Record    json.RawMessage `json:"record,omitempty"`
		Number    string          `json:"number,omitempty"`
		State     string          `json:"state,omitempty"`
		Until     float64         `json:"until,omitempty"`
	}
	w := wire{Type: e.Type, At: e.At, N: e.N, Text: e.Text, Intent: e.Intent, Done: e.Done, Outcome: e.Outcome, Scorecard: e.Scorecard,
		Found: e.Found, Number: e.Number, State: e.State, Until: e.Until}
	if e.Type == EventMood {
		v := e.Value
		w.Value = &v
	}
	if e.Type == EventRecord {
		// record is null when the lookup found nothing.
		rec, err := json.Marshal(e.Record)
		if err != nil {
			return nil, err
		}
		w.Record = rec
	}
	return json.Marshal(w)
}
