package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/loadtest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashWait bounds every wait in the crash test: a message, a process
// starting or exiting. Nothing waits on the clock alone.
const crashWait = 20 * time.Second

// buildCoach builds this command into a temporary folder, with -race when
// the tests run with it.
func buildCoach(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "coach")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// coachServer is `coach serve` running as a child process.
type coachServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
	done chan error
}

// syncBuffer collects a child's log while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe starts bin serve on a free port over data and waits until
// /healthz answers 200.
func startServe(t *testing.T, bin, data string) *coachServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &coachServer{t: t, cmd: cmd, logs: logs, done: make(chan error, 1)}
	t.Cleanup(func() {
		// A test that failed midway leaves no server behind.
		_ = cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	// The first line names the address; the rest is drained.
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
		s.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "coach: serving on ")
		require.True(t, ok, "first line %q; log:\n%s", line, logs.String())
		s.base = base
	case <-time.After(crashWait):
		t.Fatalf("coach serve did not start; log:\n%s", logs.String())
	}

	deadline := time.Now().Add(crashWait)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		require.True(t, time.Now().Before(deadline), "/healthz not ready: %v", err)
		<-poll.C
	}
}

// kill ends the server at once, as a crash or the OOM killer would.
func (s *coachServer) kill() {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGKILL))
	s.wait()
}

// stop ends the server as SIGTERM does, letting it close its calls.
func (s *coachServer) stop() {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGTERM))
	s.wait()
}

func (s *coachServer) wait() {
	s.t.Helper()
	select {
	case <-s.done:
		s.done <- nil // for the cleanup
	case <-time.After(crashWait):
		s.t.Fatal("coach serve did not exit")
	}
}

func (s *coachServer) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(s.base, "http") + path
}

// crashMsg is one server message as a client received it.
type crashMsg struct {
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
	raw  []byte
}

// crashCall is one trainee's side of a call through the crash.
type crashCall struct {
	id   string
	path string
	tr   *scenarios.Transcript
	// cookie signs in the trainee whose call it is.
	cookie string
	// next is the turn to play next.
	next int
	// seen is every message received, over every socket.
	seen []crashMsg
	// acked are the replies the caller answered; pending is a reply sent
	// with no answer yet.
	acked   []string
	pending string
	ended   bool
}

func (c *crashCall) last() int64 {
	if len(c.seen) == 0 {
		return 0
	}
	return c.seen[len(c.seen)-1].Seq
}

// read takes one message; an error ends the socket.
func (c *crashCall) read(conn *websocket.Conn) (crashMsg, error) {
	if err := conn.SetReadDeadline(time.Now().Add(crashWait)); err != nil {
		return crashMsg{}, err
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		return crashMsg{}, err
	}
	var m crashMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return crashMsg{}, fmt.Errorf("call %s: frame %q: %w", c.id, data, err)
	}
	if m.Type == "error" {
		return crashMsg{}, fmt.Errorf("call %s: server error: %s", c.id, data)
	}
	m.raw = data
	c.seen = append(c.seen, m)
	if m.Type == "end" {
		c.ended = true
	}
	return m, nil
}

// awaitAnswer reads until the caller answers the pending reply (or the
// call ends without one).
func (c *crashCall) awaitAnswer(conn *websocket.Conn) error {
	for {
		m, err := c.read(conn)
		if err != nil {
			return err
		}
		if m.Type == "customer" {
			c.acked = append(c.acked, c.pending)
			c.pending = ""
			return nil
		}
		if m.Type == "end" {
			return fmt.Errorf("call %s ended without answering %q", c.id, c.pending)
		}
	}
}

// say sends the next turn's reply.
func (c *crashCall) say(conn *websocket.Conn) error {
	c.pending = c.tr.Turns[c.next].Say
	c.next++
	_ = conn.SetWriteDeadline(time.Now().Add(crashWait))
	return conn.WriteJSON(map[string]string{"type": "say", "text": c.pending})
}

// finish plays the rest of the call on conn and reads to the end, which
// the caller brings after the model answer's last reply, and the normal
// close.
func (c *crashCall) finish(conn *websocket.Conn) error {
	for !c.ended && c.next < len(c.tr.Turns) {
		if err := c.say(conn); err != nil {
			return err
		}
		if err := c.awaitAnswer(conn); err != nil {
			return err
		}
	}
	for !c.ended {
		if _, err := c.read(conn); err != nil {
			return fmt.Errorf("call %s: waiting for the caller to end the call: %w", c.id, err)
		}
	}
	_, err := c.read(conn)
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		return fmt.Errorf("call %s: after the end want a normal close, got %v", c.id, err)
	}
	return nil
}

// TestCrashSafety runs coach serve as a process, plays several calls on
// it at full speed, kills it with SIGKILL the moment a reply has been sent,
// and restarts it on the same SQLite store. Every reply the caller had
// answered, and every message a client had seen, must be in the store;
// every call must resume from the last seq its client saw with nothing
// lost or repeated, and end with a scorecard.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the coach binary")
	}
	built := time.Now()
	bin := buildCoach(t)
	t.Logf("built the coach binary in %s", time.Since(built).Round(time.Millisecond))
	data := t.TempDir()
	ctx := context.Background()

	db, err := store.Open(ctx, filepath.Join(data, "coach.db"))
	require.NoError(t, err)
	const password = "暖气片漏水了请您别着急"
	hash, err := auth.HashPassword(password, auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	require.NoError(t, err)
	// Two trainees: a trainee may have at most 3 calls that no socket has
	// opened, and the test starts all its calls before opening any.
	for _, name := range []string{"crash", "crash2"} {
		require.NoError(t, db.CreateUser(ctx, &domain.User{Username: name, PasswordHash: hash, Role: domain.RoleTrainee, Created: time.Now()}))
	}
	require.NoError(t, db.Close())

	var transcripts []*scenarios.Transcript
	all, err := loadtest.Golden(nil)
	require.NoError(t, err)
	for _, tr := range all {
		// Model answers the caller ends: no hang-up of the trainee's.
		if len(tr.Turns) >= 6 && tr.Expect.Outcome == "completed" && !slices.ContainsFunc(tr.Turns, func(tu scenarios.Turn) bool { return tu.Hangup }) {
			transcripts = append(transcripts, tr)
		}
	}
	const ncalls = 6
	require.GreaterOrEqual(t, len(transcripts), ncalls)

	srv := startServe(t, bin, data)
	cookies := []string{crashLogin(t, srv.base, "crash", password), crashLogin(t, srv.base, "crash2", password)}
	calls := make([]*crashCall, ncalls)
	for i := range calls {
		calls[i] = &crashCall{tr: transcripts[i], cookie: cookies[i%2]}
		calls[i].id, calls[i].path = crashStartCall(t, srv.base, calls[i].cookie, transcripts[i].Scenario)
	}

	// Every call answers and gets one reply through; then all play at full
	// speed, and call 0 triggers the kill right after sending its fourth
	// reply, while the others are mid-turn.
	var started, stopped sync.WaitGroup
	started.Add(ncalls)
	release := make(chan struct{})
	killNow := make(chan struct{})
	failures := make(chan error, ncalls)
	for i, c := range calls {
		stopped.Go(func() {
			conn, _, err := websocket.DefaultDialer.Dial(srv.wsURL(c.path), http.Header{"Cookie": {c.cookie}})
			if err != nil {
				started.Done()
				failures <- err
				return
			}
			defer conn.Close()
			first := true
			for c.next < len(c.tr.Turns)-1 {
				if err := c.say(conn); err != nil {
					// The crash cut the socket.
					return
				}
				if i == 0 && len(c.acked) == 3 {
					close(killNow)
				}
				err := c.awaitAnswer(conn)
				if first {
					first = false
					started.Done()
					<-release
				}
				if err != nil {
					// The crash cut the socket.
					return
				}
			}
			failures <- fmt.Errorf("call %s played to its last turn before the crash", c.id)
		})
	}
	started.Wait()
	close(release)
	select {
	case <-killNow:
	case err := <-failures:
		t.Fatal(err)
	case <-time.After(crashWait):
		t.Fatal("call 0 never reached its fourth reply")
	}
	srv.kill()
	stopped.Wait()
	close(failures)
	for err := range failures {
		require.NoError(t, err)
	}
	inFlight := 0
	for _, c := range calls {
		if c.pending != "" {
			inFlight++
		}
	}
	t.Logf("killed with %d of %d calls waiting for an answer", inFlight, ncalls)
	require.Positive(t, inFlight, "the kill came while replies were in flight")

	// What the clients were told is stored: every answered reply, and
	// every message as it was sent.
	db, err = store.Open(ctx, filepath.Join(data, "coach.db"))
	require.NoError(t, err)
	pendingStored := make([]bool, ncalls)
	for i, c := range calls {
		events, err := db.Events(ctx, c.id, 0)
		require.NoError(t, err)
		says, bySeq := storedSays(t, events)
		require.GreaterOrEqual(t, len(says), len(c.acked), "call %s: answered replies stored", c.id)
		assert.Equal(t, c.acked, says[:len(c.acked)], "call %s: answered replies stored in order", c.id)
		if c.pending != "" && len(says) > len(c.acked) {
			require.Len(t, says, len(c.acked)+1)
			assert.Equal(t, c.pending, says[len(c.acked)])
			pendingStored[i] = true
		} else {
			require.Len(t, says, len(c.acked), "call %s: nothing the client did not send", c.id)
		}
		for _, m := range c.seen {
			e, ok := bySeq[m.Seq]
			if assert.True(t, ok, "call %s: message %d the client saw is stored", c.id, m.Seq) {
				assert.JSONEq(t, string(e.Payload), withoutSeq(t, m.raw), "call %s seq %d", c.id, m.Seq)
			}
		}
	}
	require.NoError(t, db.Close())
	stored := 0
	for _, ok := range pendingStored {
		if ok {
			stored++
		}
	}
	t.Logf("%d of the replies in flight were stored before the kill, %d were not", stored, inFlight-stored)

	// The restarted server takes up every call. A client resumes after the
	// last seq it saw; a reply that was stored is answered from the log,
	// one that was not is sent again.
	srv = startServe(t, bin, data)
	for i, c := range calls {
		conn, _, err := websocket.DefaultDialer.Dial(srv.wsURL(c.path)+"?after="+strconv.FormatInt(c.last(), 10), http.Header{"Cookie": {c.cookie}})
		require.NoError(t, err, "call %s: resume", c.id)
		if c.pending != "" {
			if pendingStored[i] {
				require.NoError(t, c.awaitAnswer(conn), "call %s: the stored reply is answered on resume", c.id)
			} else {
				c.next--
			}
		}
		require.NoError(t, c.finish(conn))
		conn.Close()
	}
	for _, c := range calls {
		var got struct {
			Call struct {
				Status  string
				Outcome string
			}
			Scorecard *struct {
				Scenario string
				Score    *float64
			}
		}
		crashGet(t, srv.base+"/api/calls/"+c.id, c.cookie, &got)
		assert.Equal(t, "ended", got.Call.Status, "call %s", c.id)
		assert.Equal(t, "completed", got.Call.Outcome, "call %s: the model answer played out", c.id)
		if assert.NotNil(t, got.Scorecard, "call %s has a scorecard", c.id) {
			assert.Equal(t, c.tr.Scenario, got.Scorecard.Scenario)
			assert.NotNil(t, got.Scorecard.Score)
		}
	}
	srv.stop()

	// The log and what the clients received agree exactly: every message
	// once, in order, none missing, and every reply stored once.
	db, err = store.Open(ctx, filepath.Join(data, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	for _, c := range calls {
		events, err := db.Events(ctx, c.id, 0)
		require.NoError(t, err)
		says, _ := storedSays(t, events)
		assert.Equal(t, c.acked, says, "call %s: every reply stored once", c.id)
		var want []string
		for _, e := range events {
			if e.Type != "open" && e.Type != "say" && e.Type != "hangup" {
				want = append(want, fmt.Sprintf("%d %s", e.Seq, e.Type))
			}
		}
		var got []string
		for _, m := range c.seen {
			got = append(got, fmt.Sprintf("%d %s", m.Seq, m.Type))
		}
		assert.Equal(t, want, got, "call %s: received exactly the log", c.id)
	}
}

// storedSays lists a call's stored replies in order and indexes its
// server messages by seq.
func storedSays(t *testing.T, events []store.Event) ([]string, map[int64]store.Event) {
	t.Helper()
	var says []string
	bySeq := map[int64]store.Event{}
	for _, e := range events {
		switch e.Type {
		case "say":
			var p struct{ Text string }
			require.NoError(t, json.Unmarshal(e.Payload, &p))
			says = append(says, p.Text)
		case "open", "hangup":
		default:
			bySeq[e.Seq] = e
		}
	}
	return says, bySeq
}

func withoutSeq(t *testing.T, raw []byte) string {
	t.Helper()
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &fields))
	delete(fields, "seq")
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

func crashLogin(t *testing.T, base, user, password string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"username": user, "password": password})
	require.NoError(t, err)
	resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	require.NotEmpty(t, parts)
	return strings.Join(parts, "; ")
}

func crashStartCall(t *testing.T, base, cookie, scenario string) (id, path string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/calls", strings.NewReader(fmt.Sprintf(`{"scenario":%q,"mode":"practice"}`, scenario)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var out struct{ ID, WS string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.ID, out.WS
}

func crashGet(t *testing.T, url, cookie string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
