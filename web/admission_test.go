package web

import (
	"net/http"
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
	a := newAdmission(target, window)
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
	assert.Equal(t, []bool{true, false, true, false}, changes)

	off := newAdmission(-1, window)
	off.observe(queueCPU, at(0), time.Hour)
	off.observe(queueCPU, at(500), time.Hour)
	assert.True(t, off.admit(), "a negative target admits everything")
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
	assert.Equal(t, "5", w.Header().Get("Retry-After"))
	assert.Equal(t, "overloaded", apiError(t, w).Code)

	_, resp, err := dial(t, ts, token, waiting, -1, "")
	require.Error(t, err, "the first socket of a call would start it ringing")
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))

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
