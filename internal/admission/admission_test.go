package admission

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAdmissionWindows: a queue is saturated when a whole window's smallest
// delay is over the target, drained when it is under half, and forgotten
// when it has no samples for two windows; either queue saturates the
// server.
func TestAdmissionWindows(t *testing.T) {
	const target, window = 10 * time.Millisecond, 100 * time.Millisecond
	base := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	a := New(target, window, func() int { return 0 }, 0)
	var changes []bool
	a.OnChange = func(over bool) { changes = append(changes, over) }

	// One long delay among short ones is a burst, not a queue.
	for i, d := range []time.Duration{2, 50, 3, 1, 2} {
		a.Observe(CPU, at(i*25), d*time.Millisecond)
	}
	assert.True(t, a.Admit())
	// A whole window above the target.
	for i := range 5 {
		a.Observe(CPU, at(200+i*25), 15*time.Millisecond)
	}
	assert.False(t, a.Admit(), "every delay of a window over the target")
	// Between half the target and the target: no change either way.
	for i := range 5 {
		a.Observe(CPU, at(400+i*25), 7*time.Millisecond)
	}
	assert.False(t, a.Admit(), "hysteresis")
	for i := range 5 {
		a.Observe(CPU, at(600+i*25), 2*time.Millisecond)
	}
	assert.True(t, a.Admit(), "drained")

	// The store queue saturates on its own, and is forgotten once nothing
	// writes for two windows.
	for i := range 5 {
		a.Observe(Store, at(800+i*25), 30*time.Millisecond)
	}
	assert.False(t, a.Admit())
	a.expire(at(950))
	assert.False(t, a.Admit(), "one window without samples is not enough")
	a.expire(at(1100))
	assert.True(t, a.Admit())

	// So do the replies, when every one of a window is slow.
	for i := range 5 {
		a.Observe(Turn, at(1200+i*25), 40*time.Millisecond)
	}
	assert.False(t, a.Admit(), "every reply of a window over the target")
	a.expire(at(1600))
	assert.True(t, a.Admit())
	assert.Equal(t, []bool{true, false, true, false, true, false}, changes)

	off := New(-1, window, func() int { return 0 }, 0)
	off.Observe(CPU, at(0), time.Hour)
	off.Observe(CPU, at(500), time.Hour)
	assert.True(t, off.Admit(), "a negative target admits everything")
}

// TestAdmissionCeiling: saturating with n calls live sets the ceiling to
// 9/10 of n; below it calls are admitted again once drained, at it they are
// not; it rises a step (1/100) per window only while it binds and the
// queues are calm (every delay of a window under the target); a fixed
// ceiling holds whatever the queues say.
func TestAdmissionCeiling(t *testing.T) {
	const target, window = 10 * time.Millisecond, 100 * time.Millisecond
	base := time.Unix(1_700_000_000, 0)
	live := 0
	a := New(target, window, func() int { return live }, 0)
	// windowOf feeds the CPU queue a whole window of delay d, its last
	// sample closing it.
	ms := 0
	a.Observe(CPU, base, 0)
	windowOf := func(d time.Duration) {
		for range 4 {
			ms += 25
			a.Observe(CPU, base.Add(time.Duration(ms)*time.Millisecond), d)
		}
	}
	live = 1000
	windowOf(0)
	assert.True(t, a.Admit(), "no ceiling before the first saturation")
	assert.Zero(t, a.ceiling.Load())

	live = 400
	windowOf(20 * time.Millisecond)
	windowOf(20 * time.Millisecond)
	assert.False(t, a.Admit())
	assert.Equal(t, int64(360), a.ceiling.Load(), "9/10 of the calls live when it saturated")

	windowOf(time.Millisecond / 2)
	assert.False(t, a.Admit(), "drained, but 400 live is over the ceiling")
	assert.Equal(t, int64(363), a.ceiling.Load(), "calm with more calls than the ceiling: it was too low")
	live = 300
	assert.True(t, a.Admit(), "drained and under the ceiling")

	// Binding (as many calls live as the ceiling allows), each window
	// raises it by 1/100 only if every delay in it was under the target.
	tests := []struct {
		name   string
		delays []time.Duration
		want   int64
	}{
		{"binding and calm: one step", []time.Duration{0, 1, 0, 1}, 366},
		{"binding and calm again", []time.Duration{1, 1, 1, 1}, 369},
		{"every delay under the target is calm", []time.Duration{4, 7, 9, 2}, 372},
		{"one delay over the target: held", []time.Duration{1, 1, 15, 1}, 372},
		{"at the target: held", []time.Duration{10, 1, 1, 1}, 372},
	}
	for _, tt := range tests {
		live = int(a.ceiling.Load())
		for _, d := range tt.delays {
			ms += 25
			a.Observe(CPU, base.Add(time.Duration(ms)*time.Millisecond), d*time.Millisecond)
		}
		assert.Equal(t, tt.want, a.ceiling.Load(), tt.name)
	}
	live = 100
	windowOf(time.Millisecond / 2)
	assert.Equal(t, int64(372), a.ceiling.Load(), "not binding: no rise")

	live = 5
	windowOf(50 * time.Millisecond)
	assert.Equal(t, int64(minCeiling), a.ceiling.Load(), "never under the floor")

	fixed := New(-1, window, func() int { return live }, 10)
	live = 9
	assert.True(t, fixed.Admit())
	live = 10
	assert.False(t, fixed.Admit(), "the operator's ceiling holds with admission control off")
}

// TestLateReplies: a window in which more than one reply in a hundred
// waits longer than three targets drops the ceiling to 9/10 of the calls
// live, without refusing every start; a short window, a late share at the
// limit or late delays on another queue do not.
func TestLateReplies(t *testing.T) {
	const target, window = 10 * time.Millisecond, 100 * time.Millisecond
	base := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name    string
		q       Queue
		samples int
		late    int
		ceiling int64 // before the window
		want    int64
	}{
		{"two late of a hundred", Turn, 100, 2, 0, 900},
		{"one late of a hundred is the 99th percentile kept", Turn, 100, 1, 0, 0},
		{"too few replies to judge", Turn, 19, 5, 0, 0},
		{"a lower ceiling stays", Turn, 100, 10, 700, 700},
		{"a higher ceiling drops", Turn, 100, 10, 950, 900},
		{"late store writes are judged by their smallest delay", Store, 100, 50, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(target, window, func() int { return 1000 }, 0)
			a.ceiling.Store(tt.ceiling)
			step := window / time.Duration(tt.samples)
			for i := range tt.samples + 1 {
				d := time.Millisecond
				if i < tt.late {
					d = 31 * time.Millisecond
				}
				a.Observe(tt.q, base.Add(time.Duration(i)*step), d)
			}
			assert.Equal(t, tt.want, a.Ceiling())
			assert.False(t, a.overloaded.Load(), "late replies lower the ceiling, they do not refuse every start")
		})
	}
}

// TestRetryAfterSpread: refusals carry Retry-After between 2 and 8 s, drawn
// anew, so refused clients do not come back together.
func TestRetryAfterSpread(t *testing.T) {
	a := New(10*time.Millisecond, time.Second, func() int { return 0 }, 0)
	seen := map[time.Duration]bool{}
	for range 200 {
		d := a.Retry()
		require.GreaterOrEqual(t, d, 2*time.Second)
		require.LessOrEqual(t, d, 8*time.Second)
		seen[d.Round(time.Second)] = true
	}
	assert.Greater(t, len(seen), 3, "whole seconds drawn: %v", seen)
}
