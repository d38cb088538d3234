package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// ErrCallOver is the answer to a trainee who speaks after the call ended.
var ErrCallOver = errors.New("the call is over")

// ErrCallGone is the answer to a trainee whose call this instance let go
// (it is shutting down, or another instance took the call over); the
// client reconnects and the call goes on.
var ErrCallGone = errors.New("the call moved; reconnect")

// Content finds the scenario and Book a stored call ran against.
type Content interface {
	ForCall(ctx context.Context, rec store.Call) (*scenarios.Scenario, *sim.Book, error)
}

// Metrics hears of live calls coming and going and of trainee replies.
type Metrics interface {
	LiveCalls(delta int)
	Turn()
}

type noMetrics struct{}

func (noMetrics) LiveCalls(int) {}
func (noMetrics) Turn()         {}

// EndReason says why a subscriber is let go.
type EndReason int

// The reasons a subscriber is let go.
const (
	// Ended: the call is over; everything was sent.
	Ended EndReason = iota
	// Moved: the call is driven elsewhere now (taken over, or a store
	// write failed); the client should reconnect.
	Moved
	// ShuttingDown: this instance is stopping; the client should
	// reconnect, to another instance or this one's successor.
	ShuttingDown
)

// Subscriber is one socket watching a call. Queue hands it a message of
// the call's log (false: it fell too far behind and is gone); End lets it
// go once what is queued is sent.
type Subscriber interface {
	Queue(seq int64, msg []byte) bool
	End(reason EndReason)
}

// Config holds the registry's settings.
type Config struct {
	// Instance names this server among those sharing one database, as the
	// owner of the live calls it drives. Default: the host name and a
	// random suffix.
	Instance string
	// LeaseTTL is how long a claim on a live call holds without renewal;
	// it is renewed every third of it. Default 30s.
	LeaseTTL time.Duration
	// CallTick is how often live calls' clocks advance. Default 250ms.
	CallTick time.Duration
	// Now is the clock of the calls' events. Default time.Now.
	Now func() time.Time
	// Metrics, when set, counts live calls and replies.
	Metrics Metrics
	// OnEnd, when set, hears of every call this instance ends, for tests
	// that wait for a call nobody is watching.
	OnEnd func(id string)
	// OnLost, when set, hears of every call this instance lets go because
	// another took it over.
	OnLost func(id string)
}

func (c *Config) setDefaults() error {
	if c.Instance == "" {
		name, err := instanceName()
		if err != nil {
			return err
		}
		c.Instance = name
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.CallTick == 0 {
		c.CallTick = 250 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
	return nil
}

// Instance is this registry's name in the calls' leases.
func (r *Registry) Instance() string { return r.owner }

// Start takes up the live calls left by a stopped instance and starts the
// lease check.
func (r *Registry) Start(ctx context.Context) { r.resumeAll(ctx) }

// Close stops every call's clock, lets every subscriber go and releases
// this instance's leases; the calls stay live in the store.
func (r *Registry) Close() { r.close() }

// State reads what call id's log says so far, for a page that shows it.
func (r *Registry) State(ctx context.Context, id string) (State, error) {
	events, err := r.db.Events(ctx, id, 0)
	if err != nil {
		return State{}, err
	}
	return StateOf(events)
}

// Attach starts the call if it is not ringing yet, queues to sub the
// stored messages after after, and subscribes it to what follows. For a
// call that has ended it queues the stored messages and ends sub; the
// returned Call is then nil.
func (r *Registry) Attach(ctx context.Context, rec store.Call, sub Subscriber, after int64) (*Call, error) {
	for range 3 {
		lc, err := r.get(ctx, rec, true)
		if err != nil {
			return nil, err
		}
		if lc == nil {
			return nil, r.replayStored(ctx, rec.ID, sub, after, true)
		}
		lc.mu.Lock()
		if lc.gone {
			// Ended or let go between get and now: look again.
			lc.mu.Unlock()
			if rec, err = r.db.CallByID(ctx, rec.ID); err != nil {
				return nil, err
			}
			continue
		}
		err = lc.openLocked()
		if err == nil && !lc.gone {
			// Under lc.mu nothing new reaches the store, so what is read
			// now and what is sent later join without a gap or a repeat.
			err = r.replayStored(ctx, rec.ID, sub, after, false)
			if err == nil {
				lc.subs[sub] = struct{}{}
			}
		} else if err == nil {
			// Opening ended the call (it can, in a scenario that rings
			// out at once); the stored log has everything.
			err = r.replayStored(ctx, rec.ID, sub, after, true)
		}
		lc.mu.Unlock()
		return lc, err
	}
	return nil, fmt.Errorf("%w: call %s kept changing hands", domain.ErrUnavailable, rec.ID)
}

// replayStored queues the call's stored messages after after; last ends
// the subscriber after them. The end message carries the call's current
// scorecard, the one a dispute's outcome updates.
func (r *Registry) replayStored(ctx context.Context, id string, sub Subscriber, after int64, last bool) error {
	events, err := r.db.Events(ctx, id, after)
	if err != nil {
		return err
	}
	for _, e := range events {
		if sim.EventType(e.Type).FromTrainee() {
			continue
		}
		payload := []byte(e.Payload)
		if e.Type == string(sim.EventEnd) {
			rec, err := r.db.CallByID(ctx, id)
			if err != nil {
				return err
			}
			if payload, err = endMessage(e.Payload, rec.Scorecard); err != nil {
				return fmt.Errorf("call %s: %w", id, err)
			}
		}
		if !sub.Queue(e.Seq, WireMessage(e.Seq, payload)) {
			return nil
		}
	}
	if last {
		sub.End(Ended)
	}
	return nil
}

// Act stores a trainee's reply (say), hang-up, lookup or work order
// (submit) received at received, and lets the engine act on it; the
// event's time is the receipt's. ErrCallOver: the call has ended;
// ErrCallGone: this instance let it go.
func (lc *Call) Act(received time.Time, ev sim.TraineeEvent) error {
	switch ev.Type {
	case sim.EventSay, sim.EventHangup, sim.EventLookup:
	case sim.EventSubmit:
		if ev.Ticket == nil {
			return fmt.Errorf("%w: a work order without its fields", domain.ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: %q is not something a trainee sends", domain.ErrInvalid, ev.Type)
	}
	return lc.act(received, ev)
}

// Detach stops sending the call's messages to sub.
func (lc *Call) Detach(sub Subscriber) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	delete(lc.subs, sub)
}

// Len is how many calls this instance drives now.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}
