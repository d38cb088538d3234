package admission

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestAdmissionWindows: a queue is saturated when a whole window's smallest
// delay is over the target, drained when it is under half, and forgotten
// when it has no samples for two windows; either queue saturates the
// server.
func TestAdmissionWindows(t *testing.T) {
	const target, window = 10 * time.Millisecond, 100 * time.Millisecond
	base := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	a := New(target, window)
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
	assert.Equal(t, []bool{true, false, true, false}, changes)

	off := New(-1, window)
	off.Observe(CPU, at(0), time.Hour)
	off.Observe(CPU, at(500), time.Hour)
	assert.True(t, off.Admit(), "a negative target admits everything")
}
