package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/admission"
	"github.com/hotlinecoach/coach/live"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// The call websocket speaks the protocol of docs/contracts.md. Every message of the
// call's log (ring, customer, hint, mood, end; record, ticket, wrapup) carries its seq in the log;
// trainee events take seqs too, so the seqs a socket sees increase but may
// skip. An error message is about one socket, not the call: it is not
// logged and repeats the seq of the last message that socket was sent, so
// a client that resumes with ?after= the highest seq it saw loses nothing.

// Websocket limits, after gorilla's chat example: a frame larger than
// maxFrame closes the socket; a peer that answers no ping within pongWait
// is gone; a write that takes longer than writeWait fails.
const (
	maxFrame   = 8 << 10
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// sendQueue is how many messages a socket may fall behind before it
	// is closed; the client resumes with ?after= and loses nothing.
	sendQueue = 256
)

// Close codes the server ends a socket with.
const (
	closeNormal     = websocket.CloseNormalClosure
	closeGoingAway  = websocket.CloseGoingAway
	closeTryAgain   = websocket.CloseTryAgainLater
	closeBadMessage = websocket.CloseUnsupportedData
	closeTooBig     = websocket.CloseMessageTooBig
	closePolicy     = websocket.ClosePolicyViolation
)

// sameOrigin admits a websocket whose Origin is this host or a trusted
// origin. A request without Origin comes from no browser (the CLI, a load
// generator), which cannot be made to carry someone's cookie across sites.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return slices.ContainsFunc(s.cfg.TrustedOrigins, func(o string) bool { return strings.EqualFold(o, origin) })
}

// clientMessage is what a trainee sends: {"type":"say","text":…},
// {"type":"hangup"}, and at the desk {"type":"lookup","by":…,"value":…}
// and {"type":"ticket","ticket":{…}}.
type clientMessage struct {
	Type   sim.EventType     `json:"type"`
	Text   string            `json:"text,omitempty"`
	By     string            `json:"by,omitempty"`
	Value  string            `json:"value,omitempty"`
	Ticket *scenarios.Ticket `json:"ticket,omitempty"`
}

// clientTicket is the client's message submitting a work order; the log
// stores it as sim.EventSubmit.
const clientTicket sim.EventType = "ticket"

// decodeClientMessage reads one frame a trainee sent. It accepts a text
// frame of valid UTF-8 holding exactly one JSON object that is a say with
// a text that is not blank, or a hangup; for anything else it returns the
// catalogue key of the error to send back. It touches nothing, so anything
// at all can be thrown at it (FuzzDecodeClientMessage does).
func decodeClientMessage(frameType int, data []byte) (clientMessage, string) {
	var m clientMessage
	// json.Unmarshal, unlike a Decoder, refuses anything after the value;
	// and it would quietly turn invalid UTF-8 into U+FFFD.
	if frameType != websocket.TextMessage || !utf8.Valid(data) || json.Unmarshal(data, &m) != nil {
		return clientMessage{}, "ws.bad_message"
	}
	typ := m.Type
	switch typ {
	case clientTicket:
		typ = sim.EventSubmit // the log's name for it: "ticket" is the engine's answer
	case sim.EventSubmit:
		return clientMessage{}, "ws.bad_message" // the log's name, not the protocol's
	}
	ev, bad := app.TraineeEvent(sim.TraineeEvent{Type: typ, Text: m.Text, By: m.By, Value: m.Value, Ticket: m.Ticket})
	if bad != "" {
		return clientMessage{}, "ws." + bad
	}
	return clientMessage{Type: m.Type, Text: ev.Text, By: ev.By, Value: ev.Value, Ticket: ev.Ticket}, ""
}

// client is one socket. Only its write pump writes to the connection; the
// rest of the server hands it messages through send.
type client struct {
	conn *websocket.Conn
	send chan []byte
	// unavailable is the error message, in the socket's language, that
	// tells the client to reconnect.
	unavailable string

	mu sync.Mutex
	// last is the seq of the last message queued, which error messages
	// repeat: they are not part of the call's log and take no seq.
	last   int64
	closed bool
	code   int
	reason string
}

func newClient(conn *websocket.Conn, unavailable string) *client {
	return &client{conn: conn, send: make(chan []byte, sendQueue), unavailable: unavailable, code: closeNormal}
}

// End closes the socket when the live call lets it go (live.Subscriber):
// normally once the call is over, with a message to reconnect otherwise.
func (cl *client) End(reason live.EndReason) {
	switch reason {
	case live.Moved:
		cl.fail(closeTryAgain, cl.unavailable)
	case live.ShuttingDown:
		cl.fail(closeGoingAway, cl.unavailable)
	default:
		cl.finish(closeNormal, "")
	}
}

// Queue hands a message of the call's log to the write pump
// (live.Subscriber). A socket too far behind is closed, and Queue reports
// false.
func (cl *client) Queue(seq int64, msg []byte) bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		return false
	}
	select {
	case cl.send <- msg:
		cl.last = seq
		return true
	default:
		cl.closeLocked(closeTryAgain, "too far behind")
		return false
	}
}

// fail sends an error message and closes the socket with code.
func (cl *client) fail(code int, message string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		return
	}
	msg, err := json.Marshal(struct {
		Seq     int64  `json:"seq"`
		Type    string `json:"type"`
		Message string `json:"message"`
	}{cl.last, "error", message})
	if err == nil {
		select {
		case cl.send <- msg:
		default:
		}
	}
	cl.closeLocked(code, "")
}

// finish closes the socket with code once what is queued is sent.
func (cl *client) finish(code int, reason string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.closeLocked(code, reason)
}

func (cl *client) closeLocked(code int, reason string) {
	if cl.closed {
		return
	}
	cl.closed, cl.code, cl.reason = true, code, reason
	close(cl.send)
}

// writePump sends queued messages and pings until send is closed, then
// sends the close frame and closes the connection, which ends the read
// pump too.
func (cl *client) writePump() {
	ping := time.NewTicker(pingPeriod)
	defer func() {
		ping.Stop()
		// The socket is over either way; a failed close has no one to tell.
		_ = cl.conn.Close()
	}()
	for {
		select {
		case msg, ok := <-cl.send:
			_ = cl.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				cl.mu.Lock()
				code, reason := cl.code, cl.reason
				cl.mu.Unlock()
				_ = cl.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
				return
			}
			if err := cl.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			_ = cl.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := cl.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// callSocket is GET /api/calls/:id/ws: the call's websocket, for its owner
// only. The first socket to open starts the ringing; ?after=SEQ resends
// every message of the call's log after SEQ.
func (s *Server) callSocket(c *gin.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request.Context()
	rec, err := s.app.SocketCall(ctx, u, c.Param("id"))
	if err != nil {
		return err
	}
	if rec.Owner == "" && rec.Status == domain.CallLive && !s.admission.Admit() {
		// A call no socket has opened yet would start ringing: new work,
		// refused while saturated. Reconnects to ringing calls go on.
		return s.errOverloaded()
	}
	if !s.sameOrigin(c.Request) {
		return errCrossOrigin(fmt.Errorf("websocket origin %q is not host %q", c.GetHeader("Origin"), c.Request.Host))
	}
	var after int64
	if v := c.Query("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return errBadRequest(fmt.Errorf("after=%q is not a seq", v))
		}
	}
	if !websocket.IsWebSocketUpgrade(c.Request) {
		return errBadRequest(errors.New("not a websocket upgrade"))
	}
	// gin cannot see the 101 the upgrader writes on the hijacked
	// connection; recorded ahead, the request log shows it. A failed
	// upgrade writes its own status over it.
	c.Status(http.StatusSwitchingProtocols)
	conn, err := s.upgrader.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		// The upgrader has answered the request itself.
		s.log.Info("websocket upgrade failed", "call", rec.ID, "err", err)
		return nil
	}
	cl := newClient(conn, s.text.get(langOf(c), "ws.unavailable"))
	done := make(chan struct{})
	go func() {
		defer close(done)
		cl.writePump()
	}()
	// The socket lives as long as the session that opened it: registered
	// before anything is sent, and checked once more after, so a logout
	// racing the upgrade still closes it.
	sess, _ := currentSession(c)
	var lc *live.Call
	if err := s.sockets.add(ctx, u.ID, sess.TokenHash, s.text.get(langOf(c), "ws.signed_out"), cl); err != nil {
		s.log.Error("register call socket", "call", rec.ID, "err", err)
		cl.fail(closeTryAgain, s.text.get(langOf(c), "ws.unavailable"))
	} else if ended, err := s.sessionEnded(ctx, sess.TokenHash); err != nil || ended {
		cl.fail(closePolicy, s.text.get(langOf(c), "ws.signed_out"))
	} else if lc, err = s.calls.Attach(ctx, rec, cl, after); err != nil {
		s.log.Error("attach call socket", "call", rec.ID, "err", err)
		cl.fail(closeTryAgain, cl.unavailable)
	}
	defer s.sockets.remove(u.ID, cl)
	s.readPump(c, cl, lc)
	<-done
	return nil
}

// readPump reads the trainee's messages until the socket closes. A frame
// that is too big, not JSON or of an unknown type closes this socket with
// an error message and touches nothing else.
func (s *Server) readPump(c *gin.Context, cl *client, lc *live.Call) {
	lang := langOf(c)
	defer func() {
		if lc != nil {
			lc.Detach(cl)
		}
		cl.finish(closeNormal, "")
	}()
	conn := cl.conn
	conn.SetReadLimit(maxFrame)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		typ, data, err := conn.ReadMessage()
		// Times are the server's, taken on receipt.
		received := s.cfg.Now()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				cl.fail(closeTooBig, s.text.get(lang, "ws.too_large"))
			}
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(pongWait))
		m, bad := decodeClientMessage(typ, data)
		if bad != "" {
			cl.fail(closeBadMessage, s.text.get(lang, bad))
			return
		}
		if lc == nil {
			cl.fail(closePolicy, s.text.get(lang, "ws.call_over"))
			return
		}
		ev := sim.TraineeEvent{Type: m.Type, Text: m.Text, By: m.By, Value: m.Value, Ticket: m.Ticket}
		if ev.Type == clientTicket {
			ev.Type = sim.EventSubmit
		}
		if err := lc.Act(received, ev); err != nil {
			if errors.Is(err, live.ErrCallOver) {
				cl.fail(closePolicy, s.text.get(lang, "ws.call_over"))
			} else {
				cl.fail(closeTryAgain, s.text.get(lang, "ws.unavailable"))
			}
			return
		}
		if ev.Type == sim.EventSay {
			s.admission.Observe(admission.Turn, time.Now(), time.Since(received))
		}
	}
}
