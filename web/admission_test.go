package web

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/admission"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// saturate feeds the server's admission one window of long delays.
func saturate(env *testEnv) {
	now := time.Now()
	for i := range 3 {
		env.srv.admission.Observe(admission.CPU, now.Add(time.Duration(i)*overloadWindow/2), time.Second)
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
	require.False(t, env.srv.admission.Admit())
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
		env.srv.admission.Observe(admission.CPU, now.Add(time.Duration(i)*overloadWindow/2), 0)
	}
	require.True(t, env.srv.admission.Admit())
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
