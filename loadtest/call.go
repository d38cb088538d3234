package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/scenarios"
)

// serverMessage is what the call websocket sends (docs/contracts.md).
type serverMessage struct {
	Seq     int64  `json:"seq"`
	Type    string `json:"type"`
	Message string `json:"message"`
	Outcome string `json:"outcome"`
	// received is when the frame was read, before any queueing here.
	received time.Time
}

// inbound is one read from the socket: a message or the error that ended
// the reading.
type inbound struct {
	msg serverMessage
	err error
}

// callConn is one call's socket as the trainee's side sees it.
type callConn struct {
	r    *runner
	id   string
	conn *websocket.Conn
	in   chan inbound
	// quit tells the reader nobody takes its messages any more.
	quit chan struct{}
	seq  seqCheck
	// customers counts the caller's lines so far; ended says the end
	// message came, with outcome.
	customers int
	ended     bool
	outcome   string
	// sent counts the trainee's replies and hang-up sent; refused says one
	// crossed the caller's own end and the server answered that the call
	// was over.
	sent    int
	refused bool
	// unanswered says the last word sent got no answer before the end:
	// no caller's line after a reply, no trainee_hung_up end after the
	// hang-up. Whether it was stored the client cannot tell.
	unanswered bool
	// readErr is the error that ended reading (a close frame after the
	// end, normally).
	readErr error
}

// call plays one transcript as one call: start it over HTTP, open its
// socket, send each reply after a think pause and time the caller's
// answer, hang up at the deadline if the caller has not ended the call,
// and check the seqs of everything received.
func (r *runner) call(ctx context.Context, cookie string, tr *scenarios.Transcript) error {
	id, path, err := r.startCall(ctx, cookie, tr.Scenario)
	if err != nil {
		return err
	}
	url := "ws" + strings.TrimPrefix(r.cfg.Base, "http") + path
	d := websocket.Dialer{HandshakeTimeout: r.cfg.Wait}
	var conn *websocket.Conn
	var resp *http.Response
	for {
		conn, resp, err = d.DialContext(ctx, url, http.Header{"Cookie": {cookie}})
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close() // only the status is read
		}
		ref := asRefusal(resp, "open socket")
		if err == nil || ref == nil {
			break
		}
		// The call exists; its socket is tried again when the server
		// says, rather than a new call started (which would only add to
		// the trainee's calls waiting for a socket).
		r.countRefusal(ref)
		if time.Now().Add(ref.retry).After(r.deadline) {
			ref.counted = true
			return ref
		}
		if !pause(ctx, ref.retry) {
			return ctx.Err()
		}
	}
	if err != nil {
		if resp != nil {
			return fmt.Errorf("call %s: open socket: %s: %w", id, resp.Status, err)
		}
		return fmt.Errorf("call %s: open socket: %w", id, err)
	}
	r.started.Add(1)
	live := r.live.Add(1)
	for p := r.peak.Load(); live > p && !r.peak.CompareAndSwap(p, live); p = r.peak.Load() {
	}
	c := &callConn{r: r, id: id, conn: conn, in: make(chan inbound, 64), quit: make(chan struct{})}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		c.read()
	}()
	defer func() {
		close(c.quit)
		_ = conn.Close() // the call is over either way; the reader sees the close
		<-readDone
		r.live.Add(-1)
	}()
	// Opening the socket is the call's first trainee event.
	c.seq.trainee()
	if err := c.play(ctx, tr); err != nil {
		r.lost.Add(c.seq.lost)
		r.dup.Add(c.seq.dup)
		return fmt.Errorf("call %s (%s): %w", id, tr.Scenario, err)
	}
	unsure := int64(0)
	if c.unanswered {
		unsure = 1
	}
	c.seq.ended(unsure)
	r.lost.Add(c.seq.lost)
	r.dup.Add(c.seq.dup)
	r.ended.Add(1)
	r.mu.Lock()
	r.outcomes[c.outcome]++
	r.mu.Unlock()
	return nil
}

// play runs the call to its end message and the socket's close.
//
// A reply or hang-up can cross the caller's own end of the call on the
// wire. Then either the socket is already closing and the send fails with
// ErrCloseSent (nothing was sent), or the server refuses it with an error
// message after the end and closes as for any word after the end; either
// way it took no seq, and the call counts as ended normally.
func (c *callConn) play(ctx context.Context, tr *scenarios.Transcript) error {
	r := c.r
	for i := 0; ; i++ {
		// The pause also takes in the end the caller's goodbye brings,
		// which comes with the goodbye.
		think := r.cfg.Think/2 + rand.N(r.cfg.Think+1) // #nosec G404 -- jitter in a load generator's pacing
		if err := c.pause(ctx, think); err != nil {
			return err
		}
		if i == len(tr.Turns) || c.ended || !time.Now().Before(r.deadline) {
			break
		}
		tu := tr.Turns[i]
		if tu.Hangup {
			break
		}
		before := c.customers
		if ok, err := c.act(map[string]string{"type": "say", "text": tu.Say}); err != nil || !ok {
			return c.closing(ctx, err)
		}
		sent := time.Now()
		m, err := c.await(ctx, func() bool { return c.customers > before || c.ended })
		if err != nil {
			return fmt.Errorf("waiting for the answer to %q: %w", tu.Say, err)
		}
		if c.customers == before {
			// The call ended first (the reply crossed the end, or the
			// caller gave up as it came in): no answer to time.
			break
		}
		r.lat.Add(m.received.Sub(sent))
		r.turns.Add(1)
	}
	if !c.ended {
		if ok, err := c.act(map[string]string{"type": "hangup"}); err != nil || !ok {
			return c.closing(ctx, err)
		}
	}
	return c.closing(ctx, nil)
}

// act sends a trainee event, which will take a seq. ok is false when the
// socket was already closing, so nothing was sent.
func (c *callConn) act(v any) (ok bool, err error) {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.r.cfg.Wait))
	if err := c.conn.WriteJSON(v); err != nil {
		if errors.Is(err, websocket.ErrCloseSent) {
			return false, nil
		}
		return false, fmt.Errorf("send: %w", err)
	}
	c.sent++
	c.unanswered = true
	c.seq.trainee()
	return true, nil
}

// closing reads to the end and the close after the trainee's last word,
// or returns sendErr if that word could not be sent.
func (c *callConn) closing(ctx context.Context, sendErr error) error {
	if sendErr != nil {
		return sendErr
	}
	if !c.ended {
		if _, err := c.await(ctx, func() bool { return c.ended }); err != nil {
			return fmt.Errorf("waiting for the end: %w", err)
		}
	}
	// After the end the server closes the socket normally and sends
	// nothing more, unless it refused a word that crossed the end.
	_, err := c.await(ctx, func() bool { return false })
	if c.refused {
		// The refused word is known not to be stored.
		c.seq.owed--
		c.unanswered = false
		if websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
			return nil
		}
	}
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		return fmt.Errorf("after the end: want a normal close, got %w", err)
	}
	return nil
}

// read reads frames until the socket fails, stamping each on arrival.
func (c *callConn) read() {
	put := func(in inbound) bool {
		select {
		case c.in <- in:
			return true
		case <-c.quit:
			return false
		}
	}
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			put(inbound{err: err})
			return
		}
		m := serverMessage{received: time.Now()}
		if err := json.Unmarshal(data, &m); err != nil {
			put(inbound{err: fmt.Errorf("server sent a frame that is not JSON: %w", err)})
			return
		}
		if !put(inbound{msg: m}) {
			return
		}
	}
}

// errClosed marks reading past the end of the socket.
var errClosed = errors.New("socket already closed")

// handle takes in one message: seqs, the caller's lines, the end. An error
// message from the server fails the call.
func (c *callConn) handle(in inbound) error {
	if in.err != nil {
		c.readErr = in.err
		return in.err
	}
	m := in.msg
	switch m.Type {
	case "error":
		if c.ended && c.sent > 0 && !c.refused {
			c.refused = true
			return nil
		}
		return fmt.Errorf("server error message at seq %d: %s", m.Seq, m.Message)
	case "customer":
		c.customers++
		c.unanswered = false
	case "end":
		c.ended, c.outcome = true, m.Outcome
		if m.Outcome == "trainee_hung_up" {
			c.unanswered = false
		}
	case "ring", "hint", "mood", "checklist":
	default:
		return fmt.Errorf("unknown message type %q at seq %d", m.Type, m.Seq)
	}
	if c.ended && m.Type != "end" {
		return fmt.Errorf("a %s message at seq %d after the end", m.Type, m.Seq)
	}
	c.seq.message(m.Seq)
	return nil
}

// next takes the next message within the run's wait.
func (c *callConn) next(ctx context.Context) (serverMessage, error) {
	if c.readErr != nil {
		return serverMessage{}, fmt.Errorf("%w: %w", errClosed, c.readErr)
	}
	t := time.NewTimer(c.r.cfg.Wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return serverMessage{}, ctx.Err()
	case <-t.C:
		return serverMessage{}, fmt.Errorf("nothing from the server for %s", c.r.cfg.Wait)
	case in := <-c.in:
		return in.msg, c.handle(in)
	}
}

// await reads messages until done holds and returns the last one read.
func (c *callConn) await(ctx context.Context, done func() bool) (serverMessage, error) {
	for {
		m, err := c.next(ctx)
		if err != nil {
			return m, err
		}
		if done() {
			return m, nil
		}
	}
}

// pause thinks for d while taking in whatever arrives meanwhile (hints,
// the end after the caller's goodbye), so the next reply is sent knowing
// everything the server said before it.
func (c *callConn) pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		case in := <-c.in:
			if err := c.handle(in); err != nil {
				return err
			}
			if c.ended {
				return nil
			}
		}
	}
}

// startCall is POST /api/calls.
func (r *runner) startCall(ctx context.Context, cookie, scenario string) (id, path string, err error) {
	// The load generator only talks: its calls are taken without the desk.
	body, err := json.Marshal(map[string]any{"scenario": scenario, "mode": r.cfg.Mode, "desk": false})
	if err != nil {
		return "", "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.Base+"/api/calls", bytes.NewReader(body))
	if err != nil {
		return "", "", fmt.Errorf("start call: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", cookie)
	resp, err := r.client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("start call: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", "", fmt.Errorf("start call: %w", err)
	}
	if ref := asRefusal(resp, "start call"); ref != nil {
		return "", "", ref
	}
	if resp.StatusCode != http.StatusCreated {
		return "", "", fmt.Errorf("start call: %s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	var out struct{ ID, WS string }
	if err := json.Unmarshal(data, &out); err != nil || out.ID == "" || !strings.HasPrefix(out.WS, "/") {
		return "", "", fmt.Errorf("start call: unexpected answer %s", data)
	}
	return out.ID, out.WS, nil
}
