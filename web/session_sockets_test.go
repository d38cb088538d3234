package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closeWithin reads the socket until it closes and fails the test unless
// it closes with code within d of now.
func closeWithin(t *testing.T, conn *websocket.Conn, d time.Duration, code int) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(d)))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.True(t, errors.As(err, &ce), "socket not closed within %s: %v", d, err)
		assert.Equal(t, code, ce.Code)
		return
	}
}

// TestLogoutClosesSocket: an open call socket closes within a second of
// its session's logout, with 1008.
func TestLogoutClosesSocket(t *testing.T) {
	env, lib := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, lib.Scenarios[0].ID, "practice")
	ts := wsServer(t, env)
	conn := ringingSocket(t, ts, token, id)

	w := env.do(withCookie(jsonReq(http.MethodPost, "/api/logout", `{}`), token))
	require.Equal(t, http.StatusNoContent, w.Code)
	closeWithin(t, conn, time.Second, websocket.ClosePolicyViolation)

	// The call goes on for the trainee's next sign-in; a socket without a
	// session is refused.
	_, resp, err := dial(t, ts, token, id, -1, "")
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestAccountChangeClosesSocketsEverywhere: two instances on one database;
// the trainee's socket is on A. Disabling the account on B, or a role change
// made from the command line, closes it within a second, with 1008.
func TestAccountChangeClosesSocketsEverywhere(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		lib, book := loadBuiltin(t)
		config := func(name string) func(*Config) {
			return func(c *Config) {
				c.Library, c.Book, c.Instance, c.SessionPoll = lib, book, name, 100*time.Millisecond
			}
		}
		envA := newEnvOn(t, openDSN(t, dsn), config("A"))
		envB := newEnvOn(t, openDSN(t, dsn), config("B"))
		tsA := wsServer(t, envA)

		trainee := envA.addUser("li", domain.RoleTrainee)
		admin := envA.addUser("boss", domain.RoleAdmin)
		adminToken, csrf := envB.session(admin)

		// Disabled by an admin on the other instance.
		token, _ := envA.session(trainee)
		id, _ := envA.startCall(token, lib.Scenarios[0].ID, "exam")
		conn := ringingSocket(t, tsA, token, id)
		w := envB.do(withCookie(formReq(http.MethodPost, fmt.Sprintf("/admin/accounts/%d", trainee.ID),
			url.Values{csrfField: {csrf}, "action": {"disable"}}), adminToken))
		require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
		closeWithin(t, conn, time.Second, websocket.ClosePolicyViolation)

		// A new role given from the command line (another process).
		on := false
		_, err := envB.db.UpdateUser(ctx, trainee.ID, store.UserChange{Disabled: &on}, t0, store.CLI)
		require.NoError(t, err)
		token, _ = envA.session(trainee)
		conn = ringingSocket(t, tsA, token, id)
		role := domain.RoleTrainer
		_, err = envB.db.UpdateUser(ctx, trainee.ID, store.UserChange{Role: &role}, t0, store.CLI)
		require.NoError(t, err)
		closeWithin(t, conn, time.Second, websocket.ClosePolicyViolation)
	})
}

// TestUnopenedCallQuota: three live calls no socket opened are allowed;
// the fourth start gets 429 with Retry-After. Opening one frees a place.
// A call never opened ends as timed out after ten minutes (by the fake
// clock), one that was opened does not. On both databases.
func TestUnopenedCallQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := callEnvOn(t, db)
		lib, err := env.srv.content.Catalogue(context.Background())
		require.NoError(t, err)
		sc := lib.Scenarios[0].ID
		token, _ := env.session(env.addUser("li", domain.RoleTrainee))
		var ids []string
		for range 3 {
			id, _ := env.startCall(token, sc, "practice")
			ids = append(ids, id)
			env.clock.Advance(time.Minute)
		}
		w := env.do(withCookie(jsonReq(http.MethodPost, "/api/calls", `{"scenario":"`+sc+`","mode":"practice"}`), token))
		require.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
		assert.Equal(t, "too_many_calls", apiError(t, w).Code)
		assert.Equal(t, "420", w.Header().Get("Retry-After"), "the oldest times out 7 minutes from now")

		other, _ := env.session(env.addUser("wang", domain.RoleTrainee))
		env.startCall(other, sc, "practice") // the quota is per user

		ts := wsServer(t, env)
		ringingSocket(t, ts, token, ids[0])
		env.clock.Advance(time.Minute)
		fourth, _ := env.startCall(token, sc, "practice")

		// Now t0+4m; ids[1] started at t0+1m.
		env.clock.Advance(7*time.Minute + time.Second)
		n, err := env.srv.app.ExpireUnopened(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "only ids[1] is past ten minutes")
		env.clock.Advance(2 * time.Minute)
		n, err = env.srv.app.ExpireUnopened(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 2, n, "ids[2] and the other user's call, not the fourth")

		for _, id := range ids[1:] {
			rec, err := db.CallByID(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, domain.CallEnded, rec.Status)
			assert.Equal(t, string(sim.TimedOut), rec.Outcome)
			assert.Contains(t, string(rec.Scorecard), `"outcome":"timed_out"`)
		}
		for _, id := range []string{ids[0], fourth} {
			rec, err := db.CallByID(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, domain.CallLive, rec.Status, "opened, or not yet ten minutes old")
		}
	})
}
