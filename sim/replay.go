package sim

import (
	"fmt"
	"math"

	"github.com/hotlinecoach/coach/scenarios"
)

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
		case (tu.Say == "") == !tu.Hangup:
			return nil, nil, fmt.Errorf("replay %s: turns[%d]: needs either say or hangup", sc.ID, i)
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
		e := TraineeEvent{Type: EventSay, At: tu.At, Text: tu.Say}
		if tu.Hangup {
			e = TraineeEvent{Type: EventHangup, At: tu.At}
		}
		more, err := c.Apply(e)
		if err != nil {
			return nil, nil, err
		}
		evs = append(evs, more...)
	}
	if !c.Ended() {
		evs = append(evs, c.Advance(sc.MaxDuration)...)
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
	card, _, err := Replay(sc, book, &scenarios.Transcript{Scenario: sc.ID, Turns: sc.ModelCall}, GoldenOptions())
	if err != nil {
		return nil, fmt.Errorf("model call: %w", err)
	}
	return card, nil
}
