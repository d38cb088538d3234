package web

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readWait bounds every wait for a websocket message; tests wait on
// messages, never on the clock. What it bounds should come at once, but a
// loaded machine running the race detector can take seconds: generous.
const readWait = 30 * time.Second

// wsMsg is a server message as the protocol gives it.
type wsMsg struct {
	Seq       int64           `json:"seq"`
	Type      string          `json:"type"`
	At        float64         `json:"at"`
	N         int             `json:"n"`
	Text      string          `json:"text"`
	Intent    string          `json:"intent"`
	Value     *int            `json:"value"`
	Message   string          `json:"message"`
	Outcome   string          `json:"outcome"`
	Scorecard json.RawMessage `json:"scorecard"`
	raw       []byte
}

// withoutSeq is the message as the engine made it, for comparing with
// sim's events.
func (m wsMsg) withoutSeq(t *testing.T) string {
	t.Helper()
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(m.raw, &fields))
	delete(fields, "seq")
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

// wsServer serves env's handler on a real listener.
func wsServer(t *testing.T, env *testEnv) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(env.srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// dial opens a call's websocket as the holder of token (none if empty),
// with the given Origin (none if empty) and ?after= (none if negative).
func dial(t *testing.T, ts *httptest.Server, token, id string, after int64, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + callSocketPath(id)
	if after >= 0 {
		u += "?after=" + strconv.FormatInt(after, 10)
	}
	h := http.Header{}
	if token != "" {
		h.Set("Cookie", sessionCookie+"="+token)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: readWait}
	conn, resp, err := d.Dial(u, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

func mustDial(t *testing.T, ts *httptest.Server, token, id string, after int64) *websocket.Conn {
	t.Helper()
	conn, resp, err := dial(t, ts, token, id, after, "")
	require.NoError(t, err, "dial: %v", resp)
	return conn
}

func read(t *testing.T, conn *websocket.Conn) wsMsg {
	t.Helper()
	m, err := tryRead(conn)
	require.NoError(t, err)
	return m
}

func tryRead(conn *websocket.Conn) (wsMsg, error) {
	if err := conn.SetReadDeadline(time.Now().Add(readWait)); err != nil {
		return wsMsg{}, err
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		return wsMsg{}, err
	}
	var m wsMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return wsMsg{}, err
	}
	m.raw = data
	return m, nil
}

func send(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	require.NoError(t, conn.SetWriteDeadline(time.Now().Add(readWait)))
	require.NoError(t, conn.WriteJSON(v))
}

func say(text string) map[string]string { return map[string]string{"type": "say", "text": text} }

// readUntil reads messages up to and including the first of type typ.
func readUntil(t *testing.T, conn *websocket.Conn, typ string) []wsMsg {
	t.Helper()
	var out []wsMsg
	for {
		m := read(t, conn)
		out = append(out, m)
		if m.Type == typ {
			return out
		}
		require.NotEqual(t, "end", m.Type, "call ended while waiting for %s", typ)
	}
}

// closedWith reads until the socket closes and returns the messages before
// the close and the close error.
func closedWith(t *testing.T, conn *websocket.Conn) ([]wsMsg, error) {
	t.Helper()
	var out []wsMsg
	for {
		m, err := tryRead(conn)
		if err != nil {
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "socket stayed open: %v", err)
			return out, err
		}
		out = append(out, m)
	}
}

// passGolden is a library scenario and its passing model answer.
func passGolden(t *testing.T, lib *scenarios.Library) (*scenarios.Scenario, *scenarios.Transcript) {
	t.Helper()
	for _, sc := range lib.Scenarios {
		for _, g := range lib.Golden[sc.ID] {
			if g.Name == "pass" && g.Transcript.Expect != nil && g.Transcript.Expect.Passed {
				return sc, g.Transcript.Spoken() // the call page has no desk yet
			}
		}
	}
	t.Fatal("no passing golden transcript in the library")
	return nil, nil
}

// Set moves the fake clock to now.
func (f *fakeClock) Set(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// secs turns seconds since ringing into the fake clock's time.
func secs(at float64) time.Time {
	return t0.Add(time.Duration(math.Round(at*1000)) * time.Millisecond)
}

// TestSocketPlaysGolden plays a model answer live: the fake clock is set to
// each turn's time before it is sent, so the server stamps the transcript's
// times, and every message must be what the engine makes with the call's
// seed, in order, numbered upwards. Halfway, the server is replaced by a
// fresh one on the same store, which must take up the call from its events.
func TestSocketPlaysGolden(t *testing.T) {
	for _, mode := range []string{"exam", "practice"} {
		t.Run(mode, func(t *testing.T) {
			env, lib := newCallEnv(t)
			sc, tr := passGolden(t, lib)
			u := env.addUser("li", domain.RoleTrainee)
			token, _ := env.session(u)
			id, _ := env.startCall(token, sc.ID, mode)
			rec, err := env.db.CallByID(context.Background(), id)
			require.NoError(t, err)
			ts := wsServer(t, env)

			want := sim.NewCall(sc, env.srv.cfg.Book, sim.Options{Mode: domain.Mode(mode), Seed: uint64(rec.Seed)})
			var got []wsMsg
			expect := func(conn *websocket.Conn, evs []sim.Event) {
				t.Helper()
				for _, ev := range evs {
					m := read(t, conn)
					b, err := json.Marshal(ev)
					require.NoError(t, err)
					require.JSONEq(t, string(b), m.withoutSeq(t), "message %d", len(got))
					got = append(got, m)
				}
			}
			conn := mustDial(t, ts, token, id, -1)
			expect(conn, want.Advance(0))

			half := len(tr.Turns) / 2
			for i, tu := range tr.Turns {
				if i == half {
					// A restart: the old server's sockets close, and a new
					// server on the same store takes up the call.
					env.srv.Close()
					_, err := closedWith(t, conn)
					require.Error(t, err)
					env2 := newEnvOn(t, env.db, func(c *Config) {
						c.Library, c.Book, c.Now = lib, env.srv.cfg.Book, env.clock.Now
					})
					t.Cleanup(env2.srv.Close)
					ts = wsServer(t, env2)
					conn = mustDial(t, ts, token, id, got[len(got)-1].Seq)
				}
				env.clock.Set(secs(tu.At)) // no turn is in flight: all its answers were read
				if tu.Hangup {
					send(t, conn, map[string]string{"type": "hangup"})
					expect(conn, want.Hangup(tu.At))
				} else {
					send(t, conn, say(tu.Say))
					evs := want.Say(tu.At, tu.Say)
					require.NotEmpty(t, evs)
					expect(conn, evs)
				}
				if want.Ended() {
					break
				}
			}
			require.True(t, want.Ended(), "the model answer ends the call")
			end := got[len(got)-1]
			require.Equal(t, "end", end.Type)
			for i := 1; i < len(got); i++ {
				assert.Greater(t, got[i].Seq, got[i-1].Seq, "seq increases")
			}
			var card sim.Scorecard
			require.NoError(t, json.Unmarshal(end.Scorecard, &card))
			assert.True(t, card.Passed, "the model answer passes live")
			assert.Equal(t, tr.Expect.Outcome, string(card.Outcome))
			assert.Equal(t, tr.Expect.Outcome, end.Outcome)
			hints := 0
			for _, m := range got {
				if m.Type == "hint" {
					hints++
				}
			}
			if mode == "exam" {
				assert.Zero(t, hints, "no hints in an exam")
			}

			_, err = closedWith(t, conn)
			assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "closed normally after the end: %v", err)
			rec, err = env.db.CallByID(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, domain.CallEnded, rec.Status)
			assert.True(t, rec.Passed)
			assert.InDelta(t, float64(card.Score), rec.Score, 0)
			assert.JSONEq(t, string(end.Scorecard), string(rec.Scorecard))

			// The whole call replays from the store, the same messages.
			again := mustDial(t, ts, token, id, 0)
			replayed, err := closedWith(t, again)
			assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)
			require.Len(t, replayed, len(got))
			for i := range got {
				assert.JSONEq(t, string(got[i].raw), string(replayed[i].raw))
			}
		})
	}
}

// TestSocketResume drops a socket right after a reply is sent and resumes
// with ?after=: every message after the last one read comes once, in order.
func TestSocketResume(t *testing.T) {
	env, lib := newCallEnv(t)
	sc, tr := passGolden(t, lib)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, sc.ID, "practice")
	ts := wsServer(t, env)

	conn := mustDial(t, ts, token, id, -1)
	first := readUntil(t, conn, "mood")
	send(t, conn, say(tr.Turns[0].Say))
	seen := append(first, readUntil(t, conn, "customer")...)
	last := seen[len(seen)-1].Seq

	// The next reply goes out and the connection drops before anything
	// comes back.
	env.clock.Advance(3 * time.Second)
	send(t, conn, say(tr.Turns[1].Say))
	require.NoError(t, conn.Close())

	resumed := mustDial(t, ts, token, id, last)
	got := readUntil(t, resumed, "customer")
	stored, err := env.db.Events(context.Background(), id, last)
	require.NoError(t, err)
	var want []int64
	for _, e := range stored {
		if !sim.EventType(e.Type).FromTrainee() && e.Seq <= got[len(got)-1].Seq {
			want = append(want, e.Seq)
		}
	}
	var gotSeqs []int64
	for _, m := range got {
		gotSeqs = append(gotSeqs, m.Seq)
	}
	assert.Equal(t, want, gotSeqs, "nothing lost, nothing repeated")
	assert.Greater(t, gotSeqs[0], last)

	// The resumed socket goes on with the call.
	send(t, resumed, say(tr.Turns[2].Say))
	more := readUntil(t, resumed, "customer")
	assert.Greater(t, more[0].Seq, gotSeqs[len(gotSeqs)-1])
}

// TestSocketRefused: only the call's owner, signed in, from this site.
func TestSocketRefused(t *testing.T) {
	env, lib := newCallEnv(t)
	ownerToken, _ := env.session(env.addUser("owner", domain.RoleTrainee))
	id, _ := env.startCall(ownerToken, lib.Scenarios[0].ID, "exam")
	otherToken, _ := env.session(env.addUser("other", domain.RoleTrainee))
	managerToken, _ := env.session(env.addUser("boss", domain.RoleManager))
	ts := wsServer(t, env)

	tests := []struct {
		name, token, origin string
		status              int
	}{
		{"another trainee", otherToken, "", http.StatusNotFound},
		{"a manager", managerToken, "", http.StatusNotFound},
		{"anonymous", "", "", http.StatusUnauthorized},
		{"foreign origin", ownerToken, "https://evil.example", http.StatusForbidden},
		{"unparsable origin", ownerToken, "::", http.StatusForbidden},
		{"no such call", ownerToken, "", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			callID := id
			if tc.name == "no such call" {
				callID = "nosuchcall"
			}
			_, resp, err := dial(t, ts, tc.token, callID, -1, tc.origin)
			require.ErrorIs(t, err, websocket.ErrBadHandshake)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}
	evs, err := env.db.Events(context.Background(), id, 0)
	require.NoError(t, err)
	assert.Empty(t, evs, "a refused socket does not start the call")

	// The owner from this site's own pages is let in.
	conn, _, err := dial(t, ts, ownerToken, id, -1, ts.URL)
	require.NoError(t, err)
	assert.Equal(t, "ring", read(t, conn).Type)
}

// TestSocketBadFrames: garbage, an unknown type, an empty reply and a 2 MB
// frame each close their own socket with an error; another socket on the
// same call and the server go on.
func TestSocketBadFrames(t *testing.T) {
	env, lib := newCallEnv(t)
	sc, tr := passGolden(t, lib)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, sc.ID, "exam")
	ts := wsServer(t, env)

	healthy := mustDial(t, ts, token, id, -1)
	readUntil(t, healthy, "mood")

	tests := []struct {
		name  string
		frame []byte
		code  int
	}{
		{"garbage", []byte("{not json"), websocket.CloseUnsupportedData},
		{"two documents", []byte(`{"type":"hangup"}{"type":"hangup"}`), websocket.CloseUnsupportedData},
		{"unknown type", []byte(`{"type":"transfer"}`), websocket.CloseUnsupportedData},
		{"empty reply", []byte(`{"type":"say","text":"  "}`), websocket.CloseUnsupportedData},
		{"2 MB", []byte(`{"type":"say","text":"` + strings.Repeat("喂", 700_000) + `"}`), websocket.CloseMessageTooBig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := mustDial(t, ts, token, id, math.MaxInt32)
			require.NoError(t, conn.SetWriteDeadline(time.Now().Add(readWait)))
			// The server may close before a large frame is all written.
			werr := conn.WriteMessage(websocket.TextMessage, tc.frame)
			msgs, err := closedWith(t, conn)
			if werr == nil && len(tc.frame) <= maxFrame {
				require.Len(t, msgs, 1, "one error message, then the close")
				assert.Equal(t, "error", msgs[0].Type)
				assert.NotEmpty(t, msgs[0].Message)
				assert.True(t, websocket.IsCloseError(err, tc.code), "close: %v", err)
			}
			for _, m := range msgs {
				assert.Equal(t, "error", m.Type)
			}
			if len(tc.frame) > maxFrame {
				// The close frame says why; the reset comes when the
				// server drops the rest of the frame unread.
				assert.True(t, websocket.IsCloseError(err, tc.code) || errors.Is(err, syscall.ECONNRESET), "close: %v", err)
			}
		})
	}

	// Nothing the bad frames said reached the call.
	evs, err := env.db.Events(context.Background(), id, 0)
	require.NoError(t, err)
	for _, e := range evs {
		assert.False(t, sim.EventType(e.Type).FromTrainee() && e.Type != string(sim.EventOpen), "stored %s", e.Type)
	}
	send(t, healthy, say(tr.Turns[0].Say))
	readUntil(t, healthy, "customer")

	resp, err := http.Get(ts.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestVanishedTraineeTimesOut: the trainee opens the call and vanishes, and
// the server restarts; the new server takes up the live call from the store,
// lets its time run out and records the score with nobody watching.
func TestVanishedTraineeTimesOut(t *testing.T) {
	env, lib := newCallEnv(t)
	sc := lib.Scenarios[0]
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, sc.ID, "exam")
	rec, err := env.db.CallByID(context.Background(), id)
	require.NoError(t, err)
	ts := wsServer(t, env)
	conn := mustDial(t, ts, token, id, -1)
	readUntil(t, conn, "mood")
	require.NoError(t, conn.Close())
	env.srv.Close()

	ended := make(chan string, 1)
	env2 := newEnvOn(t, env.db, func(c *Config) {
		c.Library, c.Book, c.Now, c.OnCallEnd = lib, env.srv.cfg.Book, env.clock.Now, func(id string) { ended <- id }
	})
	t.Cleanup(env2.srv.Close)
	env2.srv.calls.Start(context.Background())
	env.clock.Set(secs(sc.MaxDuration + 1))
	select {
	case got := <-ended:
		require.Equal(t, id, got)
	case <-time.After(readWait):
		t.Fatal("the abandoned call did not end")
	}

	want := sim.NewCall(sc, env.srv.cfg.Book, sim.Options{Mode: domain.Exam, Seed: uint64(rec.Seed)})
	want.Advance(sc.MaxDuration + 1)
	require.True(t, want.Ended())
	rec, err = env.db.CallByID(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, domain.CallEnded, rec.Status)
	assert.Equal(t, string(want.Scorecard().Outcome), rec.Outcome)
	assert.False(t, rec.Passed)
	var card sim.Scorecard
	require.NoError(t, json.Unmarshal(rec.Scorecard, &card))
	assert.Equal(t, want.Scorecard().Outcome, card.Outcome)
}

// TestSocketOtherInstance: two servers share the store. A second instance
// takes up the call from its events; the first, whose engine is now behind,
// refuses to write over it, closes its socket with "try again", and on
// reconnecting catches up from the store.
func TestSocketOtherInstance(t *testing.T) {
	env, lib := newCallEnv(t)
	sc, tr := passGolden(t, lib)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, sc.ID, "exam")
	tsA := wsServer(t, env)
	envB := newEnvOn(t, env.db, func(c *Config) { c.Library, c.Book, c.Now = lib, env.srv.cfg.Book, env.clock.Now })
	t.Cleanup(envB.srv.Close)
	tsB := wsServer(t, envB)

	onA := mustDial(t, tsA, token, id, -1)
	seenA := readUntil(t, onA, "mood")
	lastA := seenA[len(seenA)-1].Seq

	onB := mustDial(t, tsB, token, id, lastA)
	env.clock.Advance(4 * time.Second)
	send(t, onB, say(tr.Turns[0].Say))
	replyB := readUntil(t, onB, "customer")

	send(t, onA, say(tr.Turns[1].Say))
	msgs, err := closedWith(t, onA)
	require.NotEmpty(t, msgs)
	assert.Equal(t, "error", msgs[len(msgs)-1].Type)
	assert.True(t, websocket.IsCloseError(err, websocket.CloseTryAgainLater), "%v", err)

	evs, err := env.db.Events(context.Background(), id, 0)
	require.NoError(t, err)
	var says []string
	for _, e := range evs {
		if e.Type == string(sim.EventSay) {
			var p sim.TraineeEvent
			require.NoError(t, json.Unmarshal(e.Payload, &p))
			says = append(says, p.Text)
		}
	}
	assert.Equal(t, []string{tr.Turns[0].Say}, says, "the stale instance stored nothing")

	again := mustDial(t, tsA, token, id, lastA)
	caught := readUntil(t, again, "customer")
	require.Len(t, caught, len(replyB))
	for i := range caught {
		assert.JSONEq(t, string(replyB[i].raw), string(caught[i].raw))
	}
}
