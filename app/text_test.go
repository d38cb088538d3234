package app

import (
	"testing"

	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/stretchr/testify/assert"
)

func TestCleanTraineeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain Chinese kept", "您好，暖心供热公司，请问有什么可以帮您？", "您好，暖心供热公司，请问有什么可以帮您？"},
		{"full-width and emoji kept", "ＡＢＣ　１２３ 🙂", "ＡＢＣ　１２３ 🙂"},
		{"NUL dropped", "您好\x00再见", "您好再见"},
		{"escape and backspace dropped", "a\x1b[31mred\x08", "a[31mred"},
		{"C1 control dropped", "x\u0085y", "xy"},
		{"line breaks become spaces", "第一行\r\n第二行\t完", "第一行  第二行 完"},
		{"right-to-left override dropped", "请\u202e不要\u202c挂断", "请不要挂断"},
		{"isolates and marks dropped", "\u2066a\u2069\u200eb\u200f\u061c", "ab"},
		{"zero-width joiner kept", "👩\u200d💻", "👩\u200d💻"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CleanTraineeText(tt.in))
		})
	}
}

func TestTraineeEvent(t *testing.T) {
	ticket := &scenarios.Ticket{Phone: "186\u202e2039 7415", Type: "repair", Urgency: "urgent"}
	tests := []struct {
		name string
		in   sim.TraineeEvent
		want sim.TraineeEvent
		bad  string
	}{
		{"say, cleaned", sim.TraineeEvent{Type: sim.EventSay, Text: "请\x00您别着急", By: "phone"}, sim.TraineeEvent{Type: sim.EventSay, Text: "请您别着急"}, ""},
		{"blank say", sim.TraineeEvent{Type: sim.EventSay, Text: " \u2066\t"}, sim.TraineeEvent{}, "empty_say"},
		{"hang-up drops its text", sim.TraineeEvent{Type: sim.EventHangup, Text: "再见"}, sim.TraineeEvent{Type: sim.EventHangup}, ""},
		{"lookup", sim.TraineeEvent{Type: sim.EventLookup, By: "phone", Value: "186 2039 7415", Text: "x"},
			sim.TraineeEvent{Type: sim.EventLookup, By: "phone", Value: "186 2039 7415"}, ""},
		{"lookup by an unknown key", sim.TraineeEvent{Type: sim.EventLookup, By: "email", Value: "x"}, sim.TraineeEvent{}, "bad_lookup"},
		{"lookup of nothing", sim.TraineeEvent{Type: sim.EventLookup, By: "name", Value: "\u200e"}, sim.TraineeEvent{}, "bad_lookup"},
		{"work order, cleaned", sim.TraineeEvent{Type: sim.EventSubmit, Ticket: ticket},
			sim.TraineeEvent{Type: sim.EventSubmit, Ticket: &scenarios.Ticket{Phone: "1862039 7415", Type: "repair", Urgency: "urgent"}}, ""},
		{"work order without one", sim.TraineeEvent{Type: sim.EventSubmit}, sim.TraineeEvent{}, "bad_ticket"},
		{"work order of an unknown type", sim.TraineeEvent{Type: sim.EventSubmit, Ticket: &scenarios.Ticket{Type: "fix"}}, sim.TraineeEvent{}, "bad_ticket"},
		{"an event trainees do not send", sim.TraineeEvent{Type: sim.EventRing}, sim.TraineeEvent{}, "bad_message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := TraineeEvent(tt.in)
			assert.Equal(t, tt.bad, bad)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Equal(t, "186\u202e2039 7415", ticket.Phone, "the event given is left as it was")
}
