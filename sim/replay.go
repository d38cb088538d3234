package sim

import (
	"fmt"
	"math"

	"github.com/hotlinecoach/coach/scenarios"
)

// TurnEvent is a transcript's turn as the trainee's event.
func TurnEvent(tu scenarios.Turn) TraineeEvent {
	switch {
	case tu.Hangup:
		return TraineeEvent{Type: EventHangup, At: tu.At}
	case tu.Lookup != nil:
		return TraineeEvent{Type: EventLookup, At: tu.At, By: tu.Lookup.By, Value: tu.Lookup.Value}
	case tu.Ticket != nil:
		t := *tu.Ticket
		return TraineeEvent{Type: EventSubmit, At: tu.At, Ticket: &t}
	}
	return TraineeEvent{Type: EventSay, At: tu.At, Text: tu.Say}
}

// Play lets the call hear one turn of a transcript.
func (c *Call) Play(tu scenarios.Turn) []Event {
	evs, _ := c.Apply(TurnEvent(tu)) // a turn is always a trainee event Apply knows
	return evs
}

// Replay plays a transcript against the scenario and returns the scorecard
// and every event the trainee would have seen. A transcript with a seed
// meets the caller that seed draws (and picks lines with it); one without
// meets the scenario's base persona, with opt's seed for the lines. A
// transcript that stops
// before the call ended is followed by silence until the call ends on its
// own (the caller gives up on the silent line, or the call times out).
func Replay(sc *scenarios.Scenario, book *Book, t *scenarios.Transcript, opt Options) (*Scorecard, []Event, error) {
	if t.Scenario != sc.ID {
		return nil, nil, fmt.Errorf("replay: transcript is for scenario %q, not %q", t.Scenario, sc.ID)
	}
	prev := 0.0
	for i, tu := range t.Turns {
		switch {
		case math.IsNaN(tu.At) || math.IsInf(tu.At, 0) || tu.At < prev:
			return nil, nil, fmt.Errorf("replay %s: turns[%d].at: %v is not a time at or after %v", sc.ID, i, tu.At, prev)
		}
		var bad error
		tu.Problems(func(field, format string, args ...any) {
			if bad == nil {
				bad = fmt.Errorf("replay %s: turns[%d] %s: %s", sc.ID, i, field, fmt.Sprintf(format, args...))
			}
		})
		if bad != nil {
			return nil, nil, bad
		}
		prev = tu.At
	}
	if t.Seed != nil {
		opt.Seed, opt.BasePersona = *t.Seed, false
	} else {
		opt.BasePersona = true
	}
	c := NewCall(sc, book, opt)
	evs := c.Advance(0)
	for _, tu := range t.Turns {
		if c.Ended() {
			break
		}
		more, err := c.Apply(TurnEvent(tu))
		if err != nil {
			return nil, nil, err
		}
		evs = append(evs, more...)
	}
	if !c.Ended() {
		// Silence until the call ends on its own, and the wrap-up after it.
		evs = append(evs, c.Advance(math.Inf(1))...)
	}
	return c.Scorecard(), evs, nil
}

// ModelCall plays the scenario's model call against its base persona: the
// whole call done well, caller's lines included, for the trainee to read
// after a call. It is nil when the scenario has none.
func ModelCall(sc *scenarios.Scenario, book *Book) (*Scorecard, error) {
	if len(sc.ModelCall) == 0 {
		return nil, nil
	}
	// The model call shows what to say: it is played without the desk,
	// whose work the golden transcripts show.
	opt := GoldenOptions()
	opt.Desk = false
	card, _, err := Replay(sc, book, &scenarios.Transcript{Scenario: sc.ID, Turns: sc.ModelCall}, opt)
	if err != nil {
		return nil, fmt.Errorf("model call: %w", err)
	}
	return card, nil
}
