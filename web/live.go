package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// A live call's log holds two kinds of event under one gap-free seq: what
// the trainee did (open, say, hangup), stored before the engine hears of
// it, and what the engine answered (ring, customer, hint, mood, end), which
// are the websocket messages. Replaying the trainee's events through a fresh
// engine with the call's seed gives back the engine's answers, which is how
// another instance, or this one after a restart, takes over a live call.
const (
	evOpen   = "open"
	evSay    = "say"
	evHangup = "hangup"
)

// isTraineeEvent tells the trainee's events from the engine's messages.
func isTraineeEvent(typ string) bool { return typ == evOpen || typ == evSay || typ == evHangup }

// traineePayload is a trainee event as stored: the seconds since ringing
// began when the server received it, and for say the text.
type traineePayload struct {
	At   float64 `json:"at"`
	Text string  `json:"text,omitempty"`
}

// errCallOver is the answer to a trainee who speaks after the call ended.
var errCallOver = errors.New("the call is over")

// errCallGone is the answer to a trainee whose call this instance let go
// (it is shutting down, or another instance took the call over); the
// client reconnects and the call goes on.
var errCallGone = errors.New("the call moved; reconnect")

// registry holds the engines of the live calls this instance serves, keyed
// by call id.
type registry struct {
	s *Server
	// ctx bounds the store writes the calls make; it ends with close.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	calls  map[string]*liveCall
	closed bool

	// onEnd, when set, hears of every call this instance ends, for tests
	// that wait for a call nobody is watching. Set it before calls start.
	onEnd func(id string)
}

func newRegistry(s *Server) *registry {
	ctx, cancel := context.WithCancel(context.Background())
	return &registry{s: s, ctx: ctx, cancel: cancel, calls: map[string]*liveCall{}}
}

// liveCall is one live call's engine and the sockets watching it. Every
// change to it, and every store write it makes, happens under mu, so its
// events reach the store and the sockets in one order.
type liveCall struct {
	reg    *registry
	id     string
	userID int64

	mu     sync.Mutex
	engine *sim.Call
	// start is when ringing began; zero until the first socket opens.
	start time.Time
	// seq is the last seq stored.
	seq int64
	// skip counts engine messages already in the store, made by a ticker
	// ahead of the last trainee event before this engine was rebuilt; the
	// rebuilt engine makes them again and they must not be stored twice.
	skip int
	subs map[*client]struct{}
	// gone says the call ended or this instance let it go; a gone call
	// takes no more events and has left the registry.
	gone bool
	stop chan struct{}
}

// get returns the live call's engine, rebuilding it from the store when
// this instance does not hold it. An ended call gives nil.
func (r *registry) get(ctx context.Context, rec store.Call) (*liveCall, error) {
	r.mu.Lock()
	lc, ok := r.calls[rec.ID]
	closed := r.closed
	r.mu.Unlock()
	switch {
	case closed:
		return nil, errUnavailable(errors.New("server is shutting down"))
	case ok:
		return lc, nil
	case rec.Status != store.CallLive:
		return nil, nil
	}
	// Rebuilt outside the registry's lock, so one slow call does not hold
	// up the others; if two sockets race, the first engine stored wins.
	lc, err := r.rebuild(ctx, rec)
	if err != nil || lc.gone {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errUnavailable(errors.New("server is shutting down"))
	}
	if other, ok := r.calls[rec.ID]; ok {
		return other, nil
	}
	r.calls[rec.ID] = lc
	r.s.metrics.liveCalls.Inc()
	if !lc.start.IsZero() {
		r.startClockLocked(lc)
	}
	return lc, nil
}

// rebuild makes a fresh engine for the call and replays its stored trainee
// events at their stored times. Engine messages the store lacks (the
// instance stopped between storing a trainee event and its answers) are
// stored now; a call whose end was stored but not recorded is ended.
func (r *registry) rebuild(ctx context.Context, rec store.Call) (*liveCall, error) {
	s := r.s
	if s.cfg.Library == nil || s.cfg.Book == nil {
		return nil, errUnavailable(fmt.Errorf("call %s: no scenario library loaded", rec.ID))
	}
	sc, ok := s.cfg.Library.Scenario(rec.ScenarioID)
	if !ok {
		return nil, fmt.Errorf("call %s: scenario %q is not in the library", rec.ID, rec.ScenarioID)
	}
	events, err := s.store.Events(ctx, rec.ID, 0)
	if err != nil {
		return nil, err
	}
	lc := &liveCall{
		reg:    r,
		id:     rec.ID,
		userID: rec.UserID,
		engine: sim.NewCall(sc, s.cfg.Book, sim.Options{Mode: sim.Mode(rec.Mode), Seed: uint64(rec.Seed)}), // #nosec G115 -- the seed is PRNG bits; reinterpreting the sign loses nothing and is the same every replay
		subs:   map[*client]struct{}{},
		stop:   make(chan struct{}),
	}
	var made []sim.Event
	stored := 0
	for _, e := range events {
		lc.seq = e.Seq
		if !isTraineeEvent(e.Type) {
			stored++
			continue
		}
		var p traineePayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("call %s event %d: %w", rec.ID, e.Seq, err)
		}
		switch e.Type {
		case evOpen:
			lc.start = e.At
			made = append(made, lc.engine.Advance(0)...)
		case evSay:
			made = append(made, lc.engine.Say(p.At, p.Text)...)
		case evHangup:
			made = append(made, lc.engine.Hangup(p.At)...)
		}
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if len(made) < stored {
		lc.skip = stored - len(made)
		return lc, nil
	}
	// publish also records the end of a call whose end was stored but not
	// yet recorded.
	if err := lc.publish(made[stored:]); err != nil {
		return nil, err
	}
	return lc, nil
}

// startClockLocked runs the call's ticker, which lets the engine's time
// pass. The caller holds r.mu, so close cannot be waiting already.
func (r *registry) startClockLocked(lc *liveCall) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.s.cfg.CallTick)
		defer t.Stop()
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-lc.stop:
				return
			case <-t.C:
				lc.tick()
			}
		}
	}()
}

// resumeAll takes up the live calls whose phone was ringing when the last
// instance stopped, so that a trainee who vanished still gets a timeout
// and a score.
func (r *registry) resumeAll(ctx context.Context) {
	calls, err := r.s.store.ListCalls(ctx, store.CallFilter{Status: store.CallLive})
	if err != nil {
		r.s.log.Error("resume live calls", "err", err)
		return
	}
	for _, rec := range calls {
		if _, err := r.get(ctx, rec); err != nil {
			r.s.log.Error("resume live call", "call", rec.ID, "err", err)
		}
	}
}

// drop removes lc from the registry; the caller holds lc.mu.
func (r *registry) drop(lc *liveCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls[lc.id] == lc {
		delete(r.calls, lc.id)
		r.s.metrics.liveCalls.Dec()
	}
}

// close stops every call's clock and closes every socket.
func (r *registry) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	calls := make([]*liveCall, 0, len(r.calls))
	for _, lc := range r.calls {
		calls = append(calls, lc)
	}
	r.calls = map[string]*liveCall{}
	r.s.metrics.liveCalls.Sub(float64(len(calls)))
	r.mu.Unlock()
	r.cancel()
	for _, lc := range calls {
		lc.mu.Lock()
		lc.letGoLocked(closeGoingAway, "ws.unavailable")
		lc.mu.Unlock()
	}
	r.wg.Wait()
}

// clock is the time of an event received at now, in seconds since ringing
// began, to the millisecond the store keeps, and never before the engine's
// last event so that a replay sees the times the engine saw.
func (lc *liveCall) clock(now time.Time) float64 {
	at := float64(now.Sub(lc.start).Milliseconds()) / 1000
	return math.Max(at, lc.engine.Now())
}

// openLocked starts the ringing when the first socket opens.
func (lc *liveCall) openLocked() error {
	if lc.gone {
		return errCallGone
	}
	if !lc.start.IsZero() {
		return nil
	}
	now := lc.reg.s.cfg.Now()
	// The store keeps milliseconds; keep the same here, so this engine and
	// a rebuilt one count from the same instant.
	now = time.UnixMilli(now.UnixMilli())
	if err := lc.appendTrainee(evOpen, traineePayload{}, now); err != nil {
		return err
	}
	lc.start = now
	lc.reg.mu.Lock()
	if !lc.reg.closed {
		lc.reg.startClockLocked(lc)
	}
	lc.reg.mu.Unlock()
	return lc.publish(lc.engine.Advance(0))
}

// act stores a trainee event received at received and then lets the
// engine act on it.
func (lc *liveCall) act(received time.Time, typ, text string) error {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	switch {
	case lc.engine.Ended():
		return errCallOver
	case lc.gone:
		return errCallGone
	}
	at := lc.clock(received)
	if err := lc.appendTrainee(typ, traineePayload{At: at, Text: text}, received); err != nil {
		return err
	}
	var evs []sim.Event
	if typ == evSay {
		evs = lc.engine.Say(at, text)
	} else {
		evs = lc.engine.Hangup(at)
	}
	return lc.publish(evs)
}

// tick lets the engine's time pass to now.
func (lc *liveCall) tick() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.gone || lc.start.IsZero() {
		return
	}
	if err := lc.publish(lc.engine.Advance(lc.clock(lc.reg.s.cfg.Now()))); err != nil {
		lc.reg.s.log.Error("advance call", "call", lc.id, "err", err)
	}
}

func (lc *liveCall) appendTrainee(typ string, p traineePayload, at time.Time) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("call %s: %w", lc.id, err)
	}
	err = lc.reg.s.store.AppendEvents(lc.reg.ctx, store.Event{CallID: lc.id, Seq: lc.seq + 1, Type: typ, Payload: payload, At: at})
	if err != nil {
		lc.failLocked(err)
		return err
	}
	lc.seq++
	if typ == evSay {
		lc.reg.s.metrics.turns.Inc()
	}
	return nil
}

// publish stores the engine's messages, sends them to every socket, and
// records the result when the call has ended.
func (lc *liveCall) publish(evs []sim.Event) error {
	if n := min(lc.skip, len(evs)); n > 0 {
		evs, lc.skip = evs[n:], lc.skip-n
	}
	if len(evs) > 0 {
		now := lc.reg.s.cfg.Now()
		batch := make([]store.Event, len(evs))
		msgs := make([][]byte, len(evs))
		for i, ev := range evs {
			payload, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("call %s: encode %s: %w", lc.id, ev.Type, err)
			}
			seq := lc.seq + int64(i) + 1
			batch[i] = store.Event{CallID: lc.id, Seq: seq, Type: string(ev.Type), Payload: payload, At: now}
			msgs[i] = wireMessage(seq, payload)
		}
		if err := lc.reg.s.store.AppendEvents(lc.reg.ctx, batch...); err != nil {
			lc.failLocked(err)
			return err
		}
		lc.seq += int64(len(evs))
		for cl := range lc.subs {
			for i, m := range msgs {
				if !cl.queue(batch[i].Seq, m) {
					delete(lc.subs, cl)
					break
				}
			}
		}
	}
	if lc.engine.Ended() && lc.skip == 0 {
		return lc.finishLocked()
	}
	return nil
}

// finishLocked records how the call ended and lets it go. Another instance
// that recorded it first is no fault.
func (lc *liveCall) finishLocked() error {
	if lc.gone {
		return nil
	}
	card := lc.engine.Scorecard()
	raw, err := json.Marshal(card)
	if err != nil {
		return fmt.Errorf("call %s: encode scorecard: %w", lc.id, err)
	}
	err = lc.reg.s.store.EndCall(lc.reg.ctx, lc.id, store.CallResult{
		Ended: lc.reg.s.cfg.Now(), Outcome: string(card.Outcome),
		Score: float64(card.Score), Passed: card.Passed, Scorecard: raw,
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		lc.failLocked(err)
		return err
	}
	lc.reg.s.log.Info("call ended", "call", lc.id, "user", lc.userID, "outcome", card.Outcome, "score", card.Score, "passed", card.Passed)
	lc.letGoLocked(closeNormal, "")
	if lc.reg.onEnd != nil {
		lc.reg.onEnd(lc.id)
	}
	return nil
}

// failLocked lets the call go after a store write failed, so the next
// socket rebuilds it from what the store holds. A conflict means another
// instance is writing the same call.
func (lc *liveCall) failLocked(err error) {
	lc.reg.s.log.Error("call store write failed; letting the call go", "call", lc.id, "err", err)
	lc.letGoLocked(closeTryAgain, "ws.unavailable")
}

// letGoLocked stops the call's clock, closes its sockets with code, after
// an error message when message (a catalogue key) is set, and removes the
// call from the registry.
func (lc *liveCall) letGoLocked(code int, message string) {
	if lc.gone {
		return
	}
	lc.gone = true
	close(lc.stop)
	for cl := range lc.subs {
		if message != "" {
			cl.fail(code, lc.reg.s.text.get(cl.lang, message))
		} else {
			cl.finish(code, "")
		}
	}
	lc.subs = nil
	lc.reg.drop(lc)
}

// wireMessage is a stored engine message as the socket sends it: the
// payload object with the seq put first.
func wireMessage(seq int64, payload []byte) []byte {
	out := fmt.Appendf(nil, `{"seq":%d`, seq)
	if len(payload) > 2 {
		out = append(out, ',')
	}
	return append(out, payload[1:]...)
}
