package web

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/scenarios"
)

func TestDecodeClientMessage(t *testing.T) {
	tests := []struct {
		name  string
		frame int
		data  string
		want  clientMessage
		bad   string
	}{
		{"say", websocket.TextMessage, `{"type":"say","text":"您好"}`, clientMessage{Type: sim.EventSay, Text: "您好"}, ""},
		{"say with spaces around", websocket.TextMessage, " \n{\"text\":\"好的\", \"type\":\"say\"}\t", clientMessage{Type: sim.EventSay, Text: "好的"}, ""},
		{"hangup", websocket.TextMessage, `{"type":"hangup"}`, clientMessage{Type: sim.EventHangup}, ""},
		{"hangup drops its text", websocket.TextMessage, `{"type":"hangup","text":"再见"}`, clientMessage{Type: sim.EventHangup}, ""},
		{"binary frame", websocket.BinaryMessage, `{"type":"hangup"}`, clientMessage{}, "ws.bad_message"},
		{"empty frame", websocket.TextMessage, ``, clientMessage{}, "ws.bad_message"},
		{"garbage", websocket.TextMessage, `{not json`, clientMessage{}, "ws.bad_message"},
		{"two documents", websocket.TextMessage, `{"type":"hangup"}{"type":"hangup"}`, clientMessage{}, "ws.bad_message"},
		// A json.Decoder followed by More() let these through.
		{"trailing bracket", websocket.TextMessage, `{"type":"hangup"}]`, clientMessage{}, "ws.bad_message"},
		{"trailing brace", websocket.TextMessage, `{"type":"say","text":"x"}}`, clientMessage{}, "ws.bad_message"},
		{"null", websocket.TextMessage, `null`, clientMessage{}, "ws.bad_message"},
		{"array", websocket.TextMessage, `[{"type":"hangup"}]`, clientMessage{}, "ws.bad_message"},
		{"string", websocket.TextMessage, `"hangup"`, clientMessage{}, "ws.bad_message"},
		{"unknown type", websocket.TextMessage, `{"type":"transfer"}`, clientMessage{}, "ws.bad_message"},
		{"the log's name for a ticket", websocket.TextMessage, `{"type":"submit","ticket":{}}`, clientMessage{}, "ws.bad_message"},
		{"type in capitals", websocket.TextMessage, `{"type":"SAY","text":"x"}`, clientMessage{}, "ws.bad_message"},
		{"no type", websocket.TextMessage, `{"text":"x"}`, clientMessage{}, "ws.bad_message"},
		{"text not a string", websocket.TextMessage, `{"type":"say","text":5}`, clientMessage{}, "ws.bad_message"},
		{"invalid UTF-8", websocket.TextMessage, "{\"type\":\"say\",\"text\":\"\xff\xfe\"}", clientMessage{}, "ws.bad_message"},
		{"empty say", websocket.TextMessage, `{"type":"say","text":"  "}`, clientMessage{}, "ws.empty_say"},
		{"say without text", websocket.TextMessage, `{"type":"say"}`, clientMessage{}, "ws.empty_say"},
		{"say with null text", websocket.TextMessage, `{"type":"say","text":null}`, clientMessage{}, "ws.empty_say"},
		{"say drops desk fields", websocket.TextMessage, `{"type":"say","text":"好","by":"phone"}`, clientMessage{Type: sim.EventSay, Text: "好"}, ""},
		{"lookup", websocket.TextMessage, `{"type":"lookup","by":"phone","value":"186 2039 7415"}`, clientMessage{Type: sim.EventLookup, By: "phone", Value: "186 2039 7415"}, ""},
		{"lookup by what", websocket.TextMessage, `{"type":"lookup","by":"email","value":"x"}`, clientMessage{}, "ws.bad_lookup"},
		{"lookup of nothing", websocket.TextMessage, `{"type":"lookup","by":"name","value":" "}`, clientMessage{}, "ws.bad_lookup"},
		{"ticket", websocket.TextMessage, `{"type":"ticket","ticket":{"phone":"18620397415","type":"repair","urgency":"urgent"}}`,
			clientMessage{Type: clientTicket, Ticket: &scenarios.Ticket{Phone: "18620397415", Type: "repair", Urgency: "urgent"}}, ""},
		{"empty ticket", websocket.TextMessage, `{"type":"ticket","ticket":{}}`, clientMessage{Type: clientTicket, Ticket: &scenarios.Ticket{}}, ""},
		{"ticket without one", websocket.TextMessage, `{"type":"ticket"}`, clientMessage{}, "ws.bad_ticket"},
		{"ticket of an unknown type", websocket.TextMessage, `{"type":"ticket","ticket":{"type":"fix"}}`, clientMessage{}, "ws.bad_ticket"},
		{"ticket with an unknown field", websocket.TextMessage, `{"type":"ticket","ticket":{"colour":"red"}}`, clientMessage{Type: clientTicket, Ticket: &scenarios.Ticket{}}, ""},
		{"ticket field too long", websocket.TextMessage, `{"type":"ticket","ticket":{"note":"` + strings.Repeat("漏", 501) + `"}}`, clientMessage{}, "ws.bad_ticket"},
		{"NUL and bidi override stripped", websocket.TextMessage, `{"type":"say","text":"请\u0000您\u202e别着急\u202c"}`, clientMessage{Type: sim.EventSay, Text: "请您别着急"}, ""},
		{"only controls is empty", websocket.TextMessage, `{"type":"say","text":"\u0000\u2066\u0007"}`, clientMessage{}, "ws.empty_say"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := decodeClientMessage(tt.frame, []byte(tt.data))
			assert.Equal(t, tt.bad, bad)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzDecodeClientMessage: whatever a socket sends, the decoder does not
// panic; what it accepts is one well-formed JSON object of a known type;
// what it refuses names a message the catalogue has in both languages; and
// every reply a trainee can type goes through unchanged.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"say","text":"您好，暖心供热公司，请问有什么可以帮您？"}`,
		`{"type":"hangup"}`,
		`{"type":"hangup"}]`,
		`{"type":"say","text":"\u4f60\ud800"}`,
		`{"Type":"say","TEXT":"x","type":"hangup"}`,
		"{\"type\":\"say\",\"text\":\"\xff\"}",
		`[]`, `null`, ``,
		`{"type":"lookup","by":"address","value":"12栋1单元1103"}`,
		`{"type":"ticket","ticket":{"grade":"minor","note":"漏水"}}`,
	} {
		f.Add(s, false, "请您别着急，我马上帮您登记。")
	}
	f.Add(`{"type":"say"}`, true, " \t")
	texts := testTexts(f).messages
	f.Fuzz(func(t *testing.T, data string, binary bool, reply string) {
		frame := websocket.TextMessage
		if binary {
			frame = websocket.BinaryMessage
		}
		m, bad := decodeClientMessage(frame, []byte(data))
		if bad != "" {
			assert.Equal(t, clientMessage{}, m)
			for _, lang := range []string{langZH, langEN} {
				assert.NotEqual(t, bad, texts.get(lang, bad), "no %s text for %s", lang, bad)
			}
		} else {
			assert.Equal(t, websocket.TextMessage, frame)
			assert.True(t, json.Valid([]byte(data)), "accepted invalid JSON %q", data)
			assert.True(t, utf8.ValidString(data))
			assert.True(t, strings.HasPrefix(strings.TrimSpace(data), "{"), "accepted a non-object %q", data)
			switch m.Type {
			case sim.EventSay:
				assert.NotEmpty(t, strings.TrimSpace(m.Text))
			case sim.EventHangup:
				assert.Empty(t, m.Text)
			case sim.EventLookup:
				assert.NotEmpty(t, strings.TrimSpace(m.Value))
			case clientTicket:
				assert.NotNil(t, m.Ticket)
			default:
				t.Errorf("accepted type %q", m.Type)
			}
			// What it accepts, written back, reads the same.
			again, err := json.Marshal(m)
			require.NoError(t, err)
			m2, bad2 := decodeClientMessage(websocket.TextMessage, again)
			assert.Empty(t, bad2)
			assert.Equal(t, m, m2)
		}
		// Any reply a trainee can type goes through as typed, less the
		// control and bidi characters that could disguise it; one that is
		// nothing but those is refused as empty.
		if utf8.ValidString(reply) {
			frame, err := json.Marshal(clientMessage{Type: sim.EventSay, Text: reply})
			require.NoError(t, err)
			m, bad := decodeClientMessage(websocket.TextMessage, frame)
			if clean := app.CleanTraineeText(reply); strings.TrimSpace(clean) != "" {
				assert.Empty(t, bad, "reply %q refused", reply)
				assert.Equal(t, clean, m.Text)
			} else {
				assert.Equal(t, "ws.empty_say", bad, "reply %q", reply)
			}
		}
	})
}
