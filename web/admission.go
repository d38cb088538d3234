package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// admission decides whether the server takes on new calls. It watches
// queueing delay, the way CoDel does, on two queues: the CPU's run queue
// (how late a ticker's goroutine gets to run) and the store's writer (how
// long live calls' appends take). Each is sampled many times a window;
// when the smallest delay of a whole window is over the target, work is
// queueing and not draining, and the server is saturated. Then new call
// starts and first socket opens are refused at once with 503 and
// Retry-After, so that the calls already live keep their latency. A queue
// counts as drained once a window's smallest delay is under half the
// target, or it had no samples for two windows.
type admission struct {
	target time.Duration
	window time.Duration
	// retry is the Retry-After given with a refusal.
	retry time.Duration

	overloaded atomic.Bool
	// onChange, when set, hears every change of state (for the metrics
	// and the log). Set it before sampling starts.
	onChange func(overloaded bool)

	mu     sync.Mutex
	queues [numQueues]delayWindow
}

// The queues admission watches.
const (
	queueCPU = iota
	queueStore
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

// newAdmission watches with the given target; a target of zero or less
// admits everything.
func newAdmission(target, window time.Duration) *admission {
	return &admission{target: target, window: window, retry: 5 * time.Second}
}

// admit reports whether a new call may start now.
func (a *admission) admit() bool { return a.target <= 0 || !a.overloaded.Load() }

// observe adds a sample of queue q's delay, taken at now.
func (a *admission) observe(q int, now time.Time, d time.Duration) {
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
func (a *admission) expire(now time.Time) {
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
func (a *admission) updateLocked() {
	over := false
	for _, w := range a.queues {
		over = over || w.over
	}
	if a.overloaded.Swap(over) != over && a.onChange != nil {
		a.onChange(over)
	}
}

// watchScheduler samples, until ctx ends, how late a ticker's goroutine
// gets to run: the time a runnable goroutine waits for a CPU.
func (a *admission) watchScheduler(ctx context.Context, every time.Duration) {
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
			a.observe(queueCPU, ran, max(ran.Sub(next), 0))
			a.expire(ran)
			next = next.Add(every)
			if ran.Sub(next) > every {
				next = ran.Add(every) // ticks were dropped; start over
			}
		}
	}
}
