// Package admission decides whether a server takes on new work, from how
// long work queues: a CoDel-style load shedder with no knowledge of HTTP.
package admission

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Controller decides whether the server takes on new calls. It watches
// queueing delay, the way CoDel does, on two queues: the CPU's run queue
// (how late a ticker's goroutine gets to run) and the store's writer (how
// long live calls' appends take). Each is sampled many times a window;
// when the smallest delay of a whole window is over the target, work is
// queueing and not draining, and the server is saturated. Then new call
// starts and first socket opens are refused at once with 503 and
// Retry-After, so that the calls already live keep their latency. A queue
// counts as drained once a window's smallest delay is under half the
// target, or it had no samples for two windows.
type Controller struct {
	target time.Duration
	window time.Duration
	// Retry is how long a refused client should wait before trying
	// again.
	Retry time.Duration
	// OnChange, when set, hears every change of state (for the metrics
	// and the log). Set it before sampling starts.
	OnChange func(overloaded bool)

	overloaded atomic.Bool

	mu     sync.Mutex
	queues [numQueues]delayWindow
}

// Queue names a queue the controller watches.
type Queue int

// The queues a controller watches: the CPU's run queue and the store's
// writer.
const (
	CPU Queue = iota
	Store
	numQueues
)

// delayWindow is one queue's samples in the current window.
type delayWindow struct {
	start   time.Time
	min     time.Duration
	samples int
	// over is the queue's verdict from its last whole window.
	over bool
}

// New watches with the given target, judging by windows of the given
// length; a target of zero or less admits everything.
func New(target, window time.Duration) *Controller {
	return &Controller{target: target, window: window, Retry: 5 * time.Second}
}

// Admit reports whether a new call may start now.
func (a *Controller) Admit() bool { return a.target <= 0 || !a.overloaded.Load() }

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
		w.min = d
	} else if d < w.min {
		w.min = d
	}
	w.samples++
	if now.Sub(w.start) >= a.window {
		// The window is over: judge it by its smallest delay.
		switch {
		case w.min > a.target:
			w.over = true
		case w.min < a.target/2:
			w.over = false
		}
		w.start, w.samples = now, 0
		a.updateLocked()
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
		if w.over && w.samples == 0 && now.Sub(w.start) >= 2*a.window {
			w.over, changed = false, true
		}
	}
	if changed {
		a.updateLocked()
	}
}

// updateLocked sets the state from the queues' verdicts.
func (a *Controller) updateLocked() {
	over := false
	for _, w := range a.queues {
		over = over || w.over
	}
	if a.overloaded.Swap(over) != over && a.OnChange != nil {
		a.OnChange(over)
	}
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
