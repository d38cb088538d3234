package app

import (
	"strings"
	"unicode"

	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// CleanTraineeText removes from text a trainee typed the characters that
// can disguise what a trainer later reads: control characters (NUL, escape,
// backspace and the like; a tab or line break becomes a space) and the
// bidirectional overrides, embeddings, isolates and marks that reorder
// what is shown (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C).
// Everything else is kept exactly as typed.
func CleanTraineeText(text string) string {
	if strings.IndexFunc(text, dropped) < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case dropped(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func dropped(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// TraineeEvent cleans and checks an event a trainee sends on a live call:
// a say whose text is not blank, a hang-up, a lookup by a known key of a
// value, or a work order (sim.EventSubmit) whose fields are valid, each
// with only its own fields. Text is kept as typed, less what could
// disguise it (CleanTraineeText). A refusal is a key: "empty_say",
// "bad_lookup", "bad_ticket", or "bad_message" for any other type.
func TraineeEvent(ev sim.TraineeEvent) (sim.TraineeEvent, string) {
	bad := false
	flag := func(string, string, ...any) { bad = true }
	switch ev.Type {
	case sim.EventSay:
		text := CleanTraineeText(ev.Text)
		if strings.TrimSpace(text) == "" {
			return sim.TraineeEvent{}, "empty_say"
		}
		return sim.TraineeEvent{Type: sim.EventSay, Text: text}, ""
	case sim.EventHangup:
		return sim.TraineeEvent{Type: sim.EventHangup}, ""
	case sim.EventLookup:
		l := scenarios.Lookup{By: ev.By, Value: CleanTraineeText(ev.Value)}
		if l.Validate(flag); bad {
			return sim.TraineeEvent{}, "bad_lookup"
		}
		return sim.TraineeEvent{Type: sim.EventLookup, By: l.By, Value: l.Value}, ""
	case sim.EventSubmit:
		if ev.Ticket == nil {
			return sim.TraineeEvent{}, "bad_ticket"
		}
		t := *ev.Ticket
		for _, f := range scenarios.TicketFields() {
			t.Set(f, CleanTraineeText(t.Get(f)))
		}
		if t.Validate(flag); bad {
			return sim.TraineeEvent{}, "bad_ticket"
		}
		return sim.TraineeEvent{Type: sim.EventSubmit, Ticket: &t}, ""
	}
	return sim.TraineeEvent{}, "bad_message"
}
