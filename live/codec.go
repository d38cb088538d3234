// Package live runs the calls in progress: a registry of the calls this
// instance drives, the leases that keep one instance driving each call when
// several share a database, rebuilding a call from its event log, and the
// codec of that log. It renders nothing: the transport hands it sockets as
// Subscribers and gets back the messages of the websocket protocol.
//
// A live call's log holds two kinds of event under one gap-free seq: what
// the trainee did (open, say, hangup, and at the desk lookup and submit),
// stored before the engine hears of it, and what the engine answered (ring,
// customer, hint, mood, end, and at the desk record, ticket and wrapup),
// which are the websocket messages. Replaying the trainee's events through a fresh
// engine with the call's seed gives back the engine's answers, which is how
// another instance, or this one after a restart, takes over a live call.
package live

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// EncodeTrainee is the stored payload of a trainee event.
func EncodeTrainee(e sim.TraineeEvent) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", e.Type, err)
	}
	return b, nil
}

// DecodeTrainee reads a stored trainee event; ok is false for the engine's
// messages.
func DecodeTrainee(e store.Event) (ev sim.TraineeEvent, ok bool, err error) {
	typ := sim.EventType(e.Type)
	if !typ.FromTrainee() {
		return sim.TraineeEvent{}, false, nil
	}
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return sim.TraineeEvent{}, true, fmt.Errorf("call %s event %d: %w", e.CallID, e.Seq, err)
	}
	ev.Type = typ
	return ev, true, nil
}

// Rebuild replays a call's stored trainee events through engine and
// returns what the engine said, how many of the events were the engine's
// own stored messages, and when the call's socket first opened (the open
// event's time; zero if it never did). It is the one replay loop of a
// stored call.
func Rebuild(engine *sim.Call, events []store.Event) (made []sim.Event, stored int, opened store.Event, err error) {
	for _, e := range events {
		ev, trainee, err := DecodeTrainee(e)
		if err != nil {
			return nil, 0, store.Event{}, err
		}
		if !trainee {
			stored++
			continue
		}
		if ev.Type == sim.EventOpen {
			opened = e
		}
		more, err := engine.Apply(ev)
		if err != nil {
			return nil, 0, store.Event{}, fmt.Errorf("call %s event %d: %w", e.CallID, e.Seq, err)
		}
		made = append(made, more...)
	}
	return made, stored, opened, nil
}

// WireMessage is a stored engine message as the socket sends it: the
// payload object with the seq put first.
func WireMessage(seq int64, payload []byte) []byte {
	out := fmt.Appendf(nil, `{"seq":%d`, seq)
	if len(payload) > 2 {
		out = append(out, ',')
	}
	return append(out, payload[1:]...)
}

// encodeStored is an engine message as the log stores it. The end message
// is stored without its scorecard: the call's one scorecard is the one the
// call record holds (a dispute's outcome updates it), and a replay sends
// that one.
func encodeStored(ev sim.Event) ([]byte, error) {
	if ev.Type == sim.EventEnd {
		ev.Scorecard = nil
	}
	return json.Marshal(ev)
}

// endMessage is a stored end message with the call's current scorecard.
func endMessage(payload []byte, card json.RawMessage) ([]byte, error) {
	if len(card) == 0 {
		return nil, fmt.Errorf("the call's end is stored but its scorecard is not")
	}
	var ev sim.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode end message: %w", err)
	}
	var sc sim.Scorecard
	if err := json.Unmarshal(card, &sc); err != nil {
		return nil, fmt.Errorf("decode scorecard: %w", err)
	}
	ev.Scorecard = &sc
	return json.Marshal(ev)
}

// Line is one line of a call's log as a page shows it: said by the
// trainee or the caller, or a hint (Speaker empty).
type Line struct {
	Seq     int64
	Speaker string
	Text    string
	Intent  string
}

// State is where a call stands by its stored log, for showing a live call
// on a page.
type State struct {
	// Last is the seq of the last event, which a socket resumes after.
	Last int64
	// Opened is when ringing began; zero if it has not.
	Opened time.Time
	Rings  int
	// Answered says the trainee has spoken, which answers the call.
	Answered bool
	// Mood is the caller's last mood, or -1 if none was logged.
	Mood  int
	Lines []Line
	// Hints are the practice hints, each once: a hint the engine gave
	// again moves to the end.
	Hints []Line
	// CallerSpoke says the caller has said something.
	CallerSpoke bool
	// Done lists the checklist items done so far, by the last checklist
	// event (practice only).
	Done []string
	// The desk: the last lookup's record message (raw, for the page's
	// script to show again), the work order's number and state, and when
	// the wrap-up ends (seconds since ringing; 0 before it).
	Record      []byte
	Ticket      string
	TicketState string
	WrapUntil   float64
}

// StateOf reads a call's stored log.
func StateOf(events []store.Event) (State, error) {
	st := State{Mood: -1, Lines: []Line{}, Hints: []Line{}}
	for _, e := range events {
		st.Last = e.Seq
		// value is a mood's number, and a lookup's text.
		var p struct {
			N      int             `json:"n"`
			Text   string          `json:"text"`
			Intent string          `json:"intent"`
			Value  json.RawMessage `json:"value"`
			Done   []string        `json:"done"`
			Number string          `json:"number"`
			State  string          `json:"state"`
			Until  float64         `json:"until"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return State{}, fmt.Errorf("call %s event %d: %w", e.CallID, e.Seq, err)
		}
		switch sim.EventType(e.Type) {
		case sim.EventOpen:
			st.Opened = e.At
		case sim.EventSay:
			st.Answered = true
			st.Lines = append(st.Lines, Line{Seq: e.Seq, Speaker: string(sim.Trainee), Text: p.Text})
		case sim.EventRing:
			st.Rings = p.N
		case sim.EventCustomer:
			st.CallerSpoke = true
			st.Lines = append(st.Lines, Line{Seq: e.Seq, Speaker: string(sim.Customer), Text: p.Text})
		case sim.EventHint:
			st.Hints = slices.DeleteFunc(st.Hints, func(h Line) bool { return h.Text == p.Text })
			st.Hints = append(st.Hints, Line{Seq: e.Seq, Text: p.Text, Intent: p.Intent})
		case sim.EventChecklist:
			st.Done = p.Done
		case sim.EventMood:
			var mood int
			if string(p.Value) != "null" && json.Unmarshal(p.Value, &mood) == nil {
				st.Mood = mood
			}
		case sim.EventRecord:
			st.Record = e.Payload
		case sim.EventTicket:
			st.Ticket, st.TicketState = p.Number, p.State
		case sim.EventWrapUp:
			st.WrapUntil = p.Until
		}
	}
	return st, nil
}
