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

// serverMessage is what the call websocket sends (DESIGN.md, "Contracts").
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
	conn, resp, err := d.DialContext(ctx, url, http.Header{"Cookie": {cookie}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
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
		conn.Close()
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
	c.seq.ended()
	r.lost.Add(c.seq.lost)
	r.dup.Add(c.seq.dup)
	r.ended.Add(1)
	r.mu.Lock()
	r.outcomes[c.outcome]++
	r.mu.Unlock()
	return nil
}

// play runs the call to its end message and the socket's normal close.
func (c *callConn) play(ctx context.Context, tr *scenarios.Transcript) error {
	r := c.r
	for i := 0; ; i++ {
		// The pause also takes in the end the caller's goodbye brings,
		// which comes with the goodbye.
		think := r.cfg.Think/2 + rand.N(r.cfg.Think+1)
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
		if err := c.send(map[string]string{"type": "say", "text": tu.Say}); err != nil {
			return err
		}
		sent := time.Now()
		c.seq.trainee()
		m, err := c.await(ctx, func() bool { return c.customers > before || c.ended })
		if err != nil {
			return fmt.Errorf("waiting for the answer to %q: %w", tu.Say, err)
		}
		if c.customers == before {
			return fmt.Errorf("the call ended without an answer to %q", tu.Say)
		}
		r.lat.Add(m.received.Sub(sent))
		r.turns.Add(1)
	}
	if !c.ended {
		if err := c.send(map[string]string{"type": "hangup"}); err != nil {
			return err
		}
		c.seq.trainee()
		if _, err := c.await(ctx, func() bool { return c.ended }); err != nil {
			return fmt.Errorf("waiting for the end after hanging up: %w", err)
		}
	}
	// After the end the server closes the socket normally, sending
	// nothing more.
	if _, err := c.await(ctx, func() bool { return false }); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
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

func (c *callConn) send(v any) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.r.cfg.Wait))
	if err := c.conn.WriteJSON(v); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
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
		return fmt.Errorf("server error message at seq %d: %s", m.Seq, m.Message)
	case "customer":
		c.customers++
	case "end":
		c.ended, c.outcome = true, m.Outcome
	case "ring", "hint", "mood":
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
	body, err := json.Marshal(map[string]string{"scenario": scenario, "mode": r.cfg.Mode})
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
	if resp.StatusCode != http.StatusCreated {
		return "", "", fmt.Errorf("start call: %s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	var out struct{ ID, WS string }
	if err := json.Unmarshal(data, &out); err != nil || out.ID == "" || !strings.HasPrefix(out.WS, "/") {
		return "", "", fmt.Errorf("start call: unexpected answer %s", data)
	}
	return out.ID, out.WS, nil
}
