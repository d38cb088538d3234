// Package admission decides whether a server takes on new calls, from how
// long work queues and how many calls are live: a CoDel-style load shedder
// that knows nothing of HTTP.
package admission

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Controller decides whether the server takes on new calls. It watches
// queueing delay, the way CoDel does, on three queues: the CPU's run queue
// (how late a ticker's goroutine gets to run), the store's writer (how
// long live calls' appends wait for it) and the replies themselves (from a
// reply read off its socket to the caller's answer sent: the latency live
// calls are to keep). Each is sampled many times a window;
// when the smallest delay of a whole window is over the target, work is
// queueing and not draining, and the server is saturated. Then new call
// starts and first socket opens are refused at once with 503 and
// Retry-After, so that the calls already live keep their latency. A queue
// counts as drained once a window's smallest delay is under half the
// target, or it had no samples for two windows.
//
// Refusing only while saturated comes too late: a call adds its load when
// its trainee starts replying, seconds after it was admitted, so a burst
// of starts is all let in before the first of them is felt. So admission
// also keeps a ceiling on live calls, learnt from saturation: when the
// server saturates with n calls live, the ceiling becomes 9/10 of n. It
// rises again by 1/100 a window (about 4% a second) while the ceiling is
// what holds calls back and every queue is calm: a whole window whose
// longest delay is under the target, not just its shortest, since replies
// already wait a tenth of a second now and then well before every one of
// them does. So it creeps back towards the capacity rather than
// overshooting it, and a brief stall (a start-up, a neighbour's burst)
// does not hold the server down for long. An operator's
// fixed ceiling caps both.
//
// Waves of calls starting and ending together (a shift coming in) make
// replies late in bursts: a window's smallest delay stays low, so the
// server never counts as saturated, while one reply in fifty waits a
// tenth of a second. So the ceiling also drops to 9/10 of the calls live
// after a window in which more than one reply in a hundred was later than
// the latency replies are to keep (lateAfter), without refusing every
// start: the server takes new calls again as its live ones end.
type Controller struct {
	target time.Duration
	window time.Duration
	// retryMin and retryMax bound the Retry-After of a refusal. It is
	// drawn between them so that the clients refused together do not all
	// come back in the same second.
	retryMin, retryMax time.Duration

	// live counts the calls live now; fixed, when positive, is the
	// operator's ceiling on them.
	live  func() int
	fixed int

	overloaded atomic.Bool
	// ceiling is the learnt limit on live calls; 0 until the first
	// saturation.
	ceiling atomic.Int64
	// OnChange, when set, hears every change of state (for the metrics
	// and the log). Set it before sampling starts.
	OnChange func(overloaded bool)

	mu     sync.Mutex
	queues [numQueues]delayWindow
}

// Queue names a queue the controller watches.
type Queue int

// The queues a controller watches: the CPU's run queue, the store's writer
// and the replies.
const (
	CPU Queue = iota
	Store
	Turn
	numQueues
)

// delayWindow is one queue's samples in the current window.
type delayWindow struct {
	start   time.Time
	min     time.Duration
	max     time.Duration
	samples int
	// late counts the samples later than lateAfter (replies only).
	late int
	// over is the queue's verdict from its last whole window; calm says
	// that window's longest delay was under the target.
	over, calm bool
}

// lateAfter is, in targets, how long a reply may wait before it counts as
// late: the share of the latency a reply is to keep (50 ms at its 99th
// percentile, seen by the trainee) that is spent in the server.
const lateAfter = 3

// lateShare is the share of a window's replies, at least lateWindow of
// them, that may be late before the ceiling drops: above it, the window's
// 99th percentile is late.
const (
	lateShare  = 100 // one in a hundred
	lateWindow = 20
)

// New watches with the given target, judging windows of the given length;
// a target of zero or less learns nothing and refuses only over the fixed
// ceiling. live counts the calls live now; fixed, when positive, caps them.
func New(target, window time.Duration, live func() int, fixed int) *Controller {
	return &Controller{target: target, window: window, retryMin: 2 * time.Second, retryMax: 8 * time.Second, live: live, fixed: fixed}
}

// Admit reports whether a new call may start now.
func (a *Controller) Admit() bool {
	n := a.live()
	if a.fixed > 0 && n >= a.fixed {
		return false
	}
	if a.target <= 0 {
		return true
	}
	if c := a.ceiling.Load(); c > 0 && int64(n) >= c {
		return false
	}
	return !a.overloaded.Load()
}

// Retry is the Retry-After of a refusal, drawn anew each time.
func (a *Controller) Retry() time.Duration {
	return a.retryMin + rand.N(a.retryMax-a.retryMin+1) // #nosec G404 -- spreading retries needs no secret
}

// Ceiling is the learnt limit on live calls; 0 until the first saturation.
func (a *Controller) Ceiling() int64 { return a.ceiling.Load() }

// Observe adds a sample of queue q's delay, taken at now.
func (a *Controller) Observe(q Queue, now time.Time, d time.Duration) {
	if a.target <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	w := &a.queues[q]
	if w.samples == 0 {
		if w.start.IsZero() {
			w.start = now
		}
		w.min, w.max = d, d
	} else {
		w.min, w.max = min(w.min, d), max(w.max, d)
	}
	w.samples++
	if d > lateAfter*a.target {
		w.late++
	}
	if now.Sub(w.start) >= a.window {
		// The window is over: judge it by its smallest delay.
		switch {
		case w.min > a.target:
			w.over = true
		case w.min < a.target/2:
			w.over = false
		}
		w.calm = w.max < a.target
		late := q == Turn && w.samples >= lateWindow && w.late*lateShare > w.samples
		w.start, w.samples, w.late = now, 0, 0
		a.updateLocked()
		if late {
			a.lowerLocked()
		}
		a.learnLocked(q)
	}
}

// expire clears the verdict of a queue that had no samples for two
// windows: nothing waits in it (no live calls write, say).
func (a *Controller) expire(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := false
	for i := range a.queues {
		w := &a.queues[i]
		if w.samples == 0 && now.Sub(w.start) >= 2*a.window {
			w.calm = true
			if w.over {
				w.over, changed = false, true
			}
		}
	}
	if changed {
		a.updateLocked()
	}
}

// updateLocked sets the state from the queues' verdicts. On saturating,
// the ceiling drops to 9/10 of the calls live.
func (a *Controller) updateLocked() {
	over := false
	for _, w := range a.queues {
		over = over || w.over
	}
	if a.overloaded.Swap(over) == over {
		return
	}
	if over {
		a.ceiling.Store(max(int64(a.live())*9/10, minCeiling))
	}
	if a.OnChange != nil {
		a.OnChange(over)
	}
}

// lowerLocked drops the ceiling to 9/10 of the calls live, if that is
// lower, after a window of late replies.
func (a *Controller) lowerLocked() {
	c, n := a.ceiling.Load(), max(int64(a.live())*9/10, minCeiling)
	if c == 0 || n < c {
		a.ceiling.Store(n)
	}
}

// minCeiling is the least the learnt ceiling falls to: a server saturated
// by something else than its calls still takes a few.
const minCeiling = 8

// learnLocked raises the ceiling a step after queue q's window, when the
// ceiling is what holds calls back and every queue was calm.
func (a *Controller) learnLocked(q Queue) {
	c := a.ceiling.Load()
	if c == 0 || q != CPU || int64(a.live()) < c*19/20 {
		return
	}
	for _, w := range a.queues {
		// A queue never sampled (nothing written yet) is empty.
		if w.over || !w.calm && !w.start.IsZero() {
			return
		}
	}
	a.ceiling.Store(c + max(c/100, 1))
}

// WatchScheduler samples, until ctx ends, how late a ticker's goroutine
// gets to run: the time a runnable goroutine waits for a CPU.
func (a *Controller) WatchScheduler(ctx context.Context, every time.Duration) {
	if a.target <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	next := time.Now().Add(every)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// next is when the tick was due; ran is when this goroutine
			// got a CPU to look at it.
			ran := time.Now()
			a.Observe(CPU, ran, max(ran.Sub(next), 0))
			a.expire(ran)
			next = next.Add(every)
			if ran.Sub(next) > every {
				next = ran.Add(every) // ticks were dropped; start over
			}
		}
	}
}
