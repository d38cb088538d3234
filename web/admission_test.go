package web

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"

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
	a := newAdmission(target, window, func() int { return 0 }, 0)
	var changes []bool
	a.onChange = func(over bool) { changes = append(changes, over) }

	// One long delay among short ones is a burst, not a queue.
	for i, d := range []time.Duration{2, 50, 3, 1, 2} {
		a.observe(queueCPU, at(i*25), d*time.Millisecond)
	}
	assert.True(t, a.admit())
	// A whole window above the target.
	for i := range 5 {
		a.observe(queueCPU, at(200+i*25), 15*time.Millisecond)
	}
	assert.False(t, a.admit(), "every delay of a window over the target")
	// Between half the target and the target: no change either way.
	for i := range 5 {
		a.observe(queueCPU, at(400+i*25), 7*time.Millisecond)
	}
	assert.False(t, a.admit(), "hysteresis")
	for i := range 5 {
		a.observe(queueCPU, at(600+i*25), 2*time.Millisecond)
	}
	assert.True(t, a.admit(), "drained")

	// The store queue saturates on its own, and is forgotten once nothing
	// writes for two windows.
	for i := range 5 {
		a.observe(queueStore, at(800+i*25), 30*time.Millisecond)
	}
	assert.False(t, a.admit())
	a.expire(at(950))
	assert.False(t, a.admit(), "one window without samples is not enough")
	a.expire(at(1100))
	assert.True(t, a.admit())

	// So do the replies, when every one of a window is slow.
	for i := range 5 {
		a.observe(queueTurn, at(1200+i*25), 40*time.Millisecond)
	}
	assert.False(t, a.admit(), "every reply of a window over the target")
	a.expire(at(1600))
	assert.True(t, a.admit())
	assert.Equal(t, []bool{true, false, true, false, true, false}, changes)

	off := newAdmission(-1, window, func() int { return 0 }, 0)
	off.observe(queueCPU, at(0), time.Hour)
	off.observe(queueCPU, at(500), time.Hour)
	assert.True(t, off.admit(), "a negative target admits everything")
}

// TestAdmissionCeiling: saturating with n calls live sets the ceiling to
// 9/10 of n; below it calls are admitted again once drained, at it they are
// not; it rises a step (1/100) per window only while it binds and the
// queues are calm; a fixed ceiling holds whatever the queues say.
func TestAdmissionCeiling(t *testing.T) {
	const target, window = 10 * time.Millisecond, 100 * time.Millisecond
	base := time.Unix(1_700_000_000, 0)
	live := 0
	a := newAdmission(target, window, func() int { return live }, 0)
	// windowOf feeds the CPU queue a whole window of delay d, its last
	// sample closing it.
	ms := 0
	a.observe(queueCPU, base, 0)
	windowOf := func(d time.Duration) {
		for range 4 {
			ms += 25
			a.observe(queueCPU, base.Add(time.Duration(ms)*time.Millisecond), d)
		}
	}
	live = 1000
	windowOf(0)
	assert.True(t, a.admit(), "no ceiling before the first saturation")
	assert.Zero(t, a.ceiling.Load())

	live = 400
	windowOf(20 * time.Millisecond)
	windowOf(20 * time.Millisecond)
	assert.False(t, a.admit())
	assert.Equal(t, int64(360), a.ceiling.Load(), "9/10 of the calls live when it saturated")

	windowOf(time.Millisecond / 2)
	assert.False(t, a.admit(), "drained, but 400 live is over the ceiling")
	assert.Equal(t, int64(363), a.ceiling.Load(), "calm with more calls than the ceiling: it was too low")
	live = 300
	assert.True(t, a.admit(), "drained and under the ceiling")

	live = 350
	tests := []struct {
		name  string
		delay time.Duration
		want  int64
	}{
		{"binding and calm: one step", time.Millisecond / 2, 366},
		{"binding and calm again", time.Millisecond / 2, 369},
		{"queueing under half the target is calm", 4 * time.Millisecond, 372},
		{"between half the target and the target: held", 7 * time.Millisecond, 372},
	}
	for _, tt := range tests {
		windowOf(tt.delay)
		assert.Equal(t, tt.want, a.ceiling.Load(), tt.name)
	}
	live = 100
	windowOf(time.Millisecond / 2)
	assert.Equal(t, int64(372), a.ceiling.Load(), "not binding: no rise")

	live = 5
	windowOf(50 * time.Millisecond)
	assert.Equal(t, int64(minCeiling), a.ceiling.Load(), "never under the floor")

	fixed := newAdmission(-1, window, func() int { return live }, 10)
	live = 9
	assert.True(t, fixed.admit())
	live = 10
	assert.False(t, fixed.admit(), "the operator's ceiling holds with admission control off")
}

// TestRetryAfterSpread: refusals carry Retry-After between 2 and 8 s, drawn
// anew, so refused clients do not come back together.
func TestRetryAfterSpread(t *testing.T) {
	a := newAdmission(10*time.Millisecond, time.Second, func() int { return 0 }, 0)
	seen := map[time.Duration]bool{}
	for range 200 {
		d := a.retry()
		require.GreaterOrEqual(t, d, 2*time.Second)
		require.LessOrEqual(t, d, 8*time.Second)
		seen[d.Round(time.Second)] = true
	}
	assert.Greater(t, len(seen), 3, "whole seconds drawn: %v", seen)
}

// saturate feeds the server's admission one window of long delays.
func saturate(env *testEnv) {
	a := env.srv.admission
	now := time.Now()
	for i := range 3 {
		a.observe(queueCPU, now.Add(time.Duration(i)*a.window/2), 10*a.target)
	}
}

// TestOverloadRefusesNewCalls: while saturated, a call start and the first
// socket of a call get 503 with Retry-After at once; a call already
// ringing keeps its socket (and reconnects); once drained, calls start
// again.
func TestOverloadRefusesNewCalls(t *testing.T) {
	env, lib := newCallEnv(t, func(c *Config) { c.OverloadDelay = 10 * time.Millisecond })
	sc := lib.Scenarios[0].ID
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	ringing, _ := env.startCall(token, sc, "practice")
	waiting, _ := env.startCall(token, sc, "practice")
	ts := wsServer(t, env)
	conn := ringingSocket(t, ts, token, ringing)

	saturate(env)
	require.False(t, env.srv.admission.admit())
	w := env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":"`+sc+`","mode":"practice"}`), token))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	assertRetryAfter(t, w.Header().Get("Retry-After"))
	assert.Equal(t, "overloaded", apiError(t, w).Code)

	_, resp, err := dial(t, ts, token, waiting, -1, "")
	require.Error(t, err, "the first socket of a call would start it ringing")
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assertRetryAfter(t, resp.Header.Get("Retry-After"))

	// The live call goes on: a reply is answered, and a reconnect is let in.
	send(t, conn, say("您好，暖心供热公司，请问有什么可以帮您？"))
	assert.NotEqual(t, "error", read(t, conn).Type)
	require.NoError(t, conn.Close())
	again := mustDial(t, ts, token, ringing, 0)
	assert.NotEqual(t, "error", read(t, again).Type)

	// Drained: new calls are taken again.
	now := time.Now().Add(time.Hour)
	for i := range 3 {
		env.srv.admission.observe(queueCPU, now.Add(time.Duration(i)*overloadWindow/2), 0)
	}
	require.True(t, env.srv.admission.admit())
	env.startCall(token, sc, "practice")
	conn2 := mustDial(t, ts, token, waiting, -1)
	readUntil(t, conn2, "ring")
}

// assertRetryAfter checks a refusal's Retry-After: whole seconds, 2 to 8.
func assertRetryAfter(t *testing.T, h string) {
	t.Helper()
	secs, err := strconv.Atoi(h)
	require.NoError(t, err, "Retry-After %q", h)
	assert.True(t, secs >= 2 && secs <= 8, "Retry-After %d", secs)
}
