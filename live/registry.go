package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Registry holds the engines of the live calls this instance drives, keyed
// by call id. Instances sharing a database drive each call from one place
// at a time: the one holding the call's lease (store.Lease). A trainee's
// socket claims the call for the instance it reaches; the instance that
// held it before finds out on its next write (the store refuses it) or at
// its next lease check, whichever comes first, and drops its copy without
// writing. Only the holder runs the call's clock, so rings, silence checks
// and timeouts are made once.
type Registry struct {
	cfg     Config
	db      *store.DB
	content Content
	log     *slog.Logger
	// owner is this instance's name in the calls' leases.
	owner string
	// ctx bounds the store writes the calls make; it ends with close.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	calls map[string]*Call
	// claiming holds the calls being claimed and rebuilt, so that two
	// sockets of one call arriving at once claim it once.
	claiming map[string]chan struct{}
	closed   bool
	watching bool
}

// New makes the registry of this instance's live calls; Close it when done.
func New(db *store.DB, content Content, log *slog.Logger, cfg Config) (*Registry, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Registry{cfg: cfg, db: db, content: content, log: log, owner: cfg.Instance, ctx: ctx, cancel: cancel,
		calls: map[string]*Call{}, claiming: map[string]chan struct{}{}}, nil
}

// instanceName is the default Config.Instance: the host name, for people
// reading the calls table, and a random part, so that a restarted process
// never mistakes its predecessor's leases for its own.
func instanceName() (string, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "coach"
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("instance name: %w", err)
	}
	return host + "-" + hex.EncodeToString(b[:]), nil
}

// leaseUntil is when a lease taken or renewed now runs out. Leases go by
// the real clock, not Config.Now: they are about processes being alive,
// not about the calls' time.
func (r *Registry) leaseUntil() time.Time { return time.Now().Add(r.cfg.LeaseTTL) }

// Call is one live call's engine and the sockets watching it. Every
// change to it, and every store write it makes, happens under mu, so its
// events reach the store and the sockets in one order.
type Call struct {
	reg    *Registry
	id     string
	userID int64
	// lease is this instance's claim on the call; every write is made
	// under it.
	lease store.Lease

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
	subs map[Subscriber]struct{}
	// gone says the call ended or this instance let it go; a gone call
	// takes no more events and has left the registry.
	gone bool
	stop chan struct{}
}

// get returns the live call's engine. When this instance does not hold the
// call it claims it, taking it from any other instance when take is set (a
// trainee's socket arrived here) and only if nobody holds it otherwise,
// and rebuilds it from the store. An ended call gives nil; a call another
// instance holds, when take is not set, gives store.ErrNotOwner.
func (r *Registry) get(ctx context.Context, rec store.Call, take bool) (*Call, error) {
	r.mu.Lock()
	for {
		if r.closed {
			r.mu.Unlock()
			return nil, fmt.Errorf("%w: server is shutting down", domain.ErrUnavailable)
		}
		if lc, ok := r.calls[rec.ID]; ok {
			r.mu.Unlock()
			if take && rec.Epoch > lc.lease.Epoch {
				// Claimed elsewhere since this copy was built, and the
				// lease check has not noticed yet: drop it and claim
				// the call back, rather than attach a socket to a copy
				// whose writes the store will refuse.
				r.lose(rec.ID, lc.lease.Epoch)
				r.mu.Lock()
				continue
			}
			return lc, nil
		}
		wait, busy := r.claiming[rec.ID]
		if !busy {
			break
		}
		r.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		r.mu.Lock()
	}
	if rec.Status != domain.CallLive {
		r.mu.Unlock()
		return nil, nil
	}
	done := make(chan struct{})
	r.claiming[rec.ID] = done
	r.startWatchLocked()
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.claiming, rec.ID)
		close(done)
		r.mu.Unlock()
	}()

	// The claim comes before the events are read: from here on the old
	// holder cannot add any, so the rebuilt engine misses none.
	var lease store.Lease
	var err error
	if take {
		lease, err = r.db.ClaimCall(ctx, rec.ID, r.owner, r.leaseUntil())
	} else {
		lease, err = r.db.ClaimIdleCall(ctx, rec.ID, r.owner, time.Now(), r.leaseUntil())
	}
	if errors.Is(err, store.ErrEnded) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Rebuilt outside the registry's lock, so one slow call does not hold
	// up the others. A failed rebuild leaves a lease nobody drives; the
	// lease check releases it.
	lc, err := r.rebuild(ctx, rec, lease)
	if err != nil || lc.gone {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("%w: server is shutting down", domain.ErrUnavailable)
	}
	r.calls[rec.ID] = lc
	r.cfg.Metrics.LiveCalls(1)
	if !lc.start.IsZero() {
		r.startClockLocked(lc)
	}
	return lc, nil
}

// rebuild makes a fresh engine for the call and replays its stored trainee
// events at their stored times. Engine messages the store lacks (the
// instance stopped between storing a trainee event and its answers) are
// stored now; a call whose end was stored but not recorded is ended.
func (r *Registry) rebuild(ctx context.Context, rec store.Call, lease store.Lease) (*Call, error) {
	sc, book, err := r.content.ForCall(ctx, rec)
	if err != nil {
		return nil, err
	}
	events, err := r.db.Events(ctx, rec.ID, 0)
	if err != nil {
		return nil, err
	}
	lc := &Call{
		reg:    r,
		id:     rec.ID,
		userID: rec.UserID,
		lease:  lease,
		engine: sim.NewCall(sc, book, sim.Options{Mode: rec.Mode, Seed: uint64(rec.Seed), Desk: rec.Desk}), // #nosec G115 -- the seed is PRNG bits; reinterpreting the sign loses nothing and is the same every replay
		subs:   map[Subscriber]struct{}{},
		stop:   make(chan struct{}),
	}
	if n := len(events); n > 0 {
		lc.seq = events[n-1].Seq
	}
	made, stored, opened, err := Rebuild(lc.engine, events)
	if err != nil {
		return nil, err
	}
	if opened.Seq != 0 {
		lc.start = opened.At
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
func (r *Registry) startClockLocked(lc *Call) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.cfg.CallTick)
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
// and a score, and starts the lease check. On PostgreSQL it takes the calls
// no other instance holds; a SQLite database serves one instance, which
// takes them all at once rather than wait for its predecessor's leases to
// run out.
func (r *Registry) resumeAll(ctx context.Context) {
	r.mu.Lock()
	r.startWatchLocked()
	r.mu.Unlock()
	if r.db.Dialect() != store.SQLite {
		r.takeIdle(ctx)
		return
	}
	calls, err := r.db.ListCalls(ctx, store.CallFilter{Status: domain.CallLive})
	if err != nil {
		r.log.Error("resume live calls", "err", err)
		return
	}
	for _, rec := range calls {
		if _, err := r.get(ctx, rec, true); err != nil {
			r.log.Error("resume live call", "call", rec.ID, "err", err)
		}
	}
}

// idleBatch caps how many idle calls one lease check takes up.
const idleBatch = 100

// takeIdle takes up live calls whose lease ran out: their instance stopped
// or died.
func (r *Registry) takeIdle(ctx context.Context) {
	calls, err := r.db.IdleCalls(ctx, time.Now(), idleBatch)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("find idle calls", "err", err)
		}
		return
	}
	for _, rec := range calls {
		_, err := r.get(ctx, rec, false)
		if err != nil && !errors.Is(err, store.ErrNotOwner) && ctx.Err() == nil {
			r.log.Error("take up idle call", "call", rec.ID, "err", err)
		}
	}
}

// startWatchLocked starts the lease check once; the caller holds r.mu.
func (r *Registry) startWatchLocked() {
	if r.watching || r.closed {
		return
	}
	r.watching = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-t.C:
				r.checkLeases(r.ctx)
			}
		}
	}()
}

// checkLeases renews this instance's leases, lets go of the calls another
// instance took over, releases leases it holds on calls it no longer
// drives, and takes up calls whose instance died.
func (r *Registry) checkLeases(ctx context.Context) {
	held := r.heldEpochs()
	if err := r.db.RenewLeases(ctx, r.owner, r.leaseUntil()); err != nil {
		if ctx.Err() == nil {
			r.log.Error("renew call leases", "err", err)
		}
		return
	}
	owned, err := r.db.OwnedCalls(ctx, r.owner)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("check call leases", "err", err)
		}
		return
	}
	for id, epoch := range held {
		if owned[id] != epoch {
			r.lose(id, epoch)
		}
	}
	// Taken after the owned list, so that a call claimed meanwhile is seen
	// as being claimed or held, not as abandoned.
	r.mu.Lock()
	var stray []store.Lease
	for id, epoch := range owned {
		_, busy := r.claiming[id]
		if lc, ok := r.calls[id]; !busy && (!ok || lc.lease.Epoch != epoch) {
			stray = append(stray, store.Lease{CallID: id, Owner: r.owner, Epoch: epoch})
		}
	}
	r.mu.Unlock()
	for _, l := range stray {
		if err := r.db.ReleaseLease(ctx, l); err != nil && ctx.Err() == nil {
			r.log.Error("release call lease", "call", l.CallID, "err", err)
		}
	}
	r.takeIdle(ctx)
}

// heldEpochs lists the calls this instance drives with their claims.
func (r *Registry) heldEpochs() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.calls))
	for id, lc := range r.calls {
		out[id] = lc.lease.Epoch
	}
	return out
}

// lose lets go of the call held under claim epoch, which another instance
// has taken over, without writing anything.
func (r *Registry) lose(id string, epoch int64) {
	r.mu.Lock()
	lc, ok := r.calls[id]
	r.mu.Unlock()
	if !ok || lc.lease.Epoch != epoch {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.loseLocked()
}

// loseLocked lets the call go because another instance drives it now; its
// sockets are told to reconnect, which brings them to the new holder's log.
func (lc *Call) loseLocked() {
	if lc.gone {
		return
	}
	lc.reg.log.Info("call taken over by another instance", "call", lc.id, "epoch", lc.lease.Epoch)
	lc.letGoLocked(Moved)
	if lc.reg.cfg.OnLost != nil {
		lc.reg.cfg.OnLost(lc.id)
	}
}

// drop removes lc from the registry; the caller holds lc.mu.
func (r *Registry) drop(lc *Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls[lc.id] == lc {
		delete(r.calls, lc.id)
		r.cfg.Metrics.LiveCalls(-1)
	}
}

// close stops every call's clock and closes every socket.
func (r *Registry) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	calls := make([]*Call, 0, len(r.calls))
	for _, lc := range r.calls {
		calls = append(calls, lc)
	}
	r.calls = map[string]*Call{}
	r.cfg.Metrics.LiveCalls(-len(calls))
	r.mu.Unlock()
	r.cancel()
	for _, lc := range calls {
		lc.mu.Lock()
		lc.letGoLocked(ShuttingDown)
		lc.mu.Unlock()
	}
	r.wg.Wait()
	// Released, the calls are taken up at once by another instance, or by
	// this one's successor, instead of when the leases run out.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.db.ReleaseLeases(ctx, r.owner); err != nil {
		r.log.Error("release call leases", "err", err)
	}
}

// clock is the time of an event received at now, in seconds since ringing
// began, to the millisecond the store keeps, and never before the engine's
// last event so that a replay sees the times the engine saw.
func (lc *Call) clock(now time.Time) float64 {
	at := float64(now.Sub(lc.start).Milliseconds()) / 1000
	return math.Max(at, lc.engine.Now())
}

// openLocked starts the ringing when the first socket opens.
func (lc *Call) openLocked() error {
	if lc.gone {
		return ErrCallGone
	}
	if !lc.start.IsZero() {
		return nil
	}
	now := lc.reg.cfg.Now()
	// The store keeps milliseconds; keep the same here, so this engine and
	// a rebuilt one count from the same instant.
	now = time.UnixMilli(now.UnixMilli())
	opened, err := lc.traineeEvent(sim.TraineeEvent{Type: sim.EventOpen}, now)
	if err != nil {
		return err
	}
	// As in act: the open and the first ring go in one write.
	if err := lc.publishAfter(&opened, lc.engine.Advance(0)); err != nil {
		return err
	}
	lc.start = now
	lc.reg.mu.Lock()
	if !lc.reg.closed {
		lc.reg.startClockLocked(lc)
	}
	lc.reg.mu.Unlock()
	return nil
}

// act lets the engine act on a trainee event (say, hangup, lookup or a
// work order) received at received, and stores the event with the
// engine's answer.
func (lc *Call) act(received time.Time, ev sim.TraineeEvent) error {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	switch {
	case lc.engine.Ended():
		return ErrCallOver
	case lc.gone:
		return ErrCallGone
	}
	ev.At = lc.clock(received)
	// The engine hears the event before it is stored, and the event and
	// the engine's answer are stored in one write: an event the engine
	// refuses never reaches the log (where it would stop every rebuild),
	// and a reply costs one write, not two. Nothing is sent before the
	// write, so the log still holds everything a socket was sent; a failed
	// write lets the call, and the engine that heard the event, go.
	said, err := lc.traineeEvent(ev, received)
	if err != nil {
		return err
	}
	evs, err := lc.engine.Apply(ev)
	if err != nil {
		return err
	}
	return lc.publishAfter(&said, evs)
}

// tick lets the engine's time pass to now.
func (lc *Call) tick() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.gone || lc.start.IsZero() {
		return
	}
	if err := lc.publish(lc.engine.Advance(lc.clock(lc.reg.cfg.Now()))); err != nil {
		lc.reg.log.Error("advance call", "call", lc.id, "err", err)
	}
}

// traineeEvent is ev, received at at, as the log stores it; its seq is
// given when it is written.
func (lc *Call) traineeEvent(ev sim.TraineeEvent, at time.Time) (store.Event, error) {
	payload, err := EncodeTrainee(ev)
	if err != nil {
		return store.Event{}, fmt.Errorf("call %s: %w", lc.id, err)
	}
	return store.Event{CallID: lc.id, Type: string(ev.Type), Payload: payload, At: at}, nil
}

// publish stores the engine's messages, sends them to every socket, and
// records the result when the call has ended.
func (lc *Call) publish(evs []sim.Event) error { return lc.publishAfter(nil, evs) }

// publishAfter is publish with the trainee's event that the messages
// answer, when there is one, stored first in the same write.
func (lc *Call) publishAfter(trainee *store.Event, evs []sim.Event) error {
	if n := min(lc.skip, len(evs)); n > 0 {
		evs, lc.skip = evs[n:], lc.skip-n
	}
	var batch []store.Event
	if trainee != nil {
		t := *trainee
		t.Seq = lc.seq + 1
		batch = append(batch, t)
	}
	if len(batch)+len(evs) > 0 {
		now := lc.reg.cfg.Now()
		msgs := make([][]byte, len(evs))
		for i, ev := range evs {
			payload, err := encodeStored(ev)
			if err != nil {
				return fmt.Errorf("call %s: encode %s: %w", lc.id, ev.Type, err)
			}
			seq := lc.seq + int64(len(batch)) + 1
			batch = append(batch, store.Event{CallID: lc.id, Seq: seq, Type: string(ev.Type), Payload: payload, At: now})
			if payload, err = json.Marshal(ev); err != nil {
				return fmt.Errorf("call %s: encode %s: %w", lc.id, ev.Type, err)
			}
			msgs[i] = WireMessage(seq, payload)
		}
		if err := lc.reg.db.AppendOwnedEvents(lc.reg.ctx, lc.lease, batch...); err != nil {
			lc.failLocked(err)
			return err
		}
		lc.seq += int64(len(batch))
		if trainee != nil && trainee.Type == string(sim.EventSay) {
			lc.reg.cfg.Metrics.Turn()
		}
		sent := batch[len(batch)-len(evs):]
		for cl := range lc.subs {
			for i, m := range msgs {
				if !cl.Queue(sent[i].Seq, m) {
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
func (lc *Call) finishLocked() error {
	if lc.gone {
		return nil
	}
	card := lc.engine.Scorecard()
	raw, err := json.Marshal(card)
	if err != nil {
		return fmt.Errorf("call %s: encode scorecard: %w", lc.id, err)
	}
	err = lc.reg.db.EndOwnedCall(lc.reg.ctx, lc.lease, store.CallResult{
		Ended: lc.reg.cfg.Now(), Outcome: string(card.Outcome),
		Score: float64(card.Score), Passed: card.Passed, Scorecard: raw,
		Ticket: TicketRecord(card, lc.start),
	})
	if err != nil {
		// Ended by another instance is no fault; taken over is.
		if !errors.Is(err, store.ErrEnded) {
			lc.failLocked(err)
			return err
		}
	}
	lc.reg.log.Info("call ended", "call", lc.id, "user", lc.userID, "outcome", card.Outcome, "score", card.Score, "passed", card.Passed)
	lc.letGoLocked(Ended)
	if lc.reg.cfg.OnEnd != nil {
		lc.reg.cfg.OnEnd(lc.id)
	}
	return nil
}

// failLocked lets the call go after a store write failed, so the next
// socket rebuilds it from what the store holds. ErrNotOwner means another
// instance took the call over: this one lets go quietly, having written
// nothing. Any other failure leaves a lease this instance no longer uses;
// its next lease check releases it for whoever comes next.
func (lc *Call) failLocked(err error) {
	if errors.Is(err, store.ErrNotOwner) {
		lc.loseLocked()
		return
	}
	lc.reg.log.Error("call store write failed; letting the call go", "call", lc.id, "err", err)
	lc.letGoLocked(Moved)
}

// letGoLocked stops the call's clock, ends its subscribers for reason,
// and removes the call from the registry.
func (lc *Call) letGoLocked(reason EndReason) {
	if lc.gone {
		return
	}
	lc.gone = true
	close(lc.stop)
	for sub := range lc.subs {
		sub.End(reason)
	}
	lc.subs = nil
	lc.reg.drop(lc)
}
