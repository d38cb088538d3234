package live

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWireMessage(t *testing.T) {
	assert.Equal(t, `{"seq":7,"type":"ring","at":0,"n":1}`, string(WireMessage(7, []byte(`{"type":"ring","at":0,"n":1}`))))
	assert.Equal(t, `{"seq":3}`, string(WireMessage(3, []byte(`{}`))))
}

// TestLogRoundTrip stores a played call's events as the registry does and
// rebuilds it: the same engine messages, the end stored without its
// scorecard and replayed with the call's current one.
func TestLogRoundTrip(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	sc := lib.Scenarios[0]
	var tr = lib.Golden[sc.ID][0].Transcript
	for _, g := range lib.Golden[sc.ID] {
		if g.Transcript.Expect.Passed {
			tr = g.Transcript
		}
	}
	opt := sim.Options{Mode: domain.Exam, Seed: 9}
	played := sim.NewCall(sc, book, opt)
	var events []store.Event
	var engine []sim.Event
	log := func(typ sim.EventType, payload []byte) {
		events = append(events, store.Event{CallID: "c", Seq: int64(len(events) + 1), Type: string(typ), Payload: payload, At: time.Unix(0, 0)})
	}
	trainee := []sim.TraineeEvent{{Type: sim.EventOpen}}
	for _, tu := range tr.Turns {
		e := sim.TraineeEvent{Type: sim.EventSay, At: tu.At, Text: tu.Say}
		if tu.Hangup {
			e = sim.TraineeEvent{Type: sim.EventHangup, At: tu.At}
		}
		trainee = append(trainee, e)
	}
	for _, e := range trainee {
		if played.Ended() {
			break
		}
		p, err := EncodeTrainee(e)
		require.NoError(t, err)
		log(e.Type, p)
		evs, err := played.Apply(e)
		require.NoError(t, err)
		for _, ev := range evs {
			p, err := encodeStored(ev)
			require.NoError(t, err)
			log(ev.Type, p)
		}
		engine = append(engine, evs...)
	}
	require.True(t, played.Ended())

	made, stored, opened, err := Rebuild(sim.NewCall(sc, book, opt), events)
	require.NoError(t, err)
	assert.Equal(t, len(engine), stored)
	assert.Equal(t, int64(1), opened.Seq)
	require.Equal(t, len(engine), len(made))
	for i := range made {
		want, err := json.Marshal(engine[i])
		require.NoError(t, err)
		got, err := json.Marshal(made[i])
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got), "message %d", i)
	}

	// The page's reading of the log: every line said, in order.
	st, err := StateOf(events)
	require.NoError(t, err)
	assert.Equal(t, int64(len(events)), st.Last)
	assert.False(t, st.Opened.IsZero())
	assert.True(t, st.Answered)
	assert.True(t, st.CallerSpoke)
	var said []string
	for _, e := range events {
		if e.Type == string(sim.EventSay) || e.Type == string(sim.EventCustomer) {
			var p struct{ Text string }
			require.NoError(t, json.Unmarshal(e.Payload, &p))
			said = append(said, p.Text)
		}
	}
	var lines []string
	for _, l := range st.Lines {
		lines = append(lines, l.Text)
	}
	assert.Equal(t, said, lines)

	end := events[len(events)-1]
	require.Equal(t, string(sim.EventEnd), end.Type)
	assert.NotContains(t, string(end.Payload), "scorecard", "the log keeps no copy of the scorecard")
	card := *played.Scorecard()
	card.Score = 42 // as a dispute's outcome might leave it
	raw, err := json.Marshal(card)
	require.NoError(t, err)
	msg, err := endMessage(end.Payload, raw)
	require.NoError(t, err)
	var got sim.Event
	require.NoError(t, json.Unmarshal(msg, &got))
	require.NotNil(t, got.Scorecard)
	assert.Equal(t, 42, got.Scorecard.Score)
	_, err = endMessage(end.Payload, nil)
	assert.Error(t, err, "an end without a recorded scorecard")
}
