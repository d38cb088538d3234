package web

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/live"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwoInstancesResume runs two servers, each with its own connection
// pool, on one database, as two instances behind a load balancer would be.
// A call starts on A and plays some turns; the trainee's socket drops right
// after a reply is sent; the trainee reconnects to B with ?after= and
// finishes the call there. Every message reaches the trainee once, the
// stored log is exactly what one engine makes from the trainee's events
// (so A wrote nothing after B took over), A lets its copy go, and the
// scorecard is the model answer's.
func TestTwoInstancesResume(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		lib, book := loadBuiltin(t)
		open := func() *store.DB { return openDSN(t, dsn) }
		clock := &fakeClock{now: t0}
		config := func(name string, ttl time.Duration) func(*Config) {
			return func(c *Config) {
				c.Library, c.Book, c.Now, c.Instance, c.LeaseTTL = lib, book, clock.Now, name, ttl
			}
		}
		// A checks its lease often, so the test sees it let go soon.
		lost := make(chan string, 4)
		envA := newEnvOn(t, open(), config("A", 1500*time.Millisecond), func(c *Config) { c.OnCallLost = func(id string) { lost <- id } })
		// B says when it has recorded the call's end, which comes after
		// the end message reaches the trainee.
		ended := make(chan string, 1)
		envB := newEnvOn(t, open(), config("B", 0), func(c *Config) { c.OnCallEnd = func(id string) { ended <- id } })
		t.Cleanup(envA.srv.Close)
		t.Cleanup(envB.srv.Close)
		tsA, tsB := wsServer(t, envA), wsServer(t, envB)

		sc, tr := passGolden(t, lib)
		token, _ := envA.session(envA.addUser("li", domain.RoleTrainee))
		id, _ := envA.startCall(token, sc.ID, "exam")
		rec, err := envB.db.CallByID(ctx, id)
		require.NoError(t, err)

		// What the trainee should see: the engine's messages, once each.
		want := sim.NewCall(sc, book, sim.Options{Mode: domain.Exam, Seed: uint64(rec.Seed)})
		var expected []sim.Event
		var got []wsMsg
		onA := mustDial(t, tsA, token, id, -1)
		expected = append(expected, want.Advance(0)...)
		for range expected {
			got = append(got, read(t, onA))
		}
		split := len(tr.Turns) / 2
		require.Greater(t, split, 1)
		for _, tu := range tr.Turns[:split] {
			require.False(t, tu.Hangup)
			clock.Set(secs(tu.At))
			send(t, onA, say(tu.Say))
			evs := want.Say(tu.At, tu.Say)
			expected = append(expected, evs...)
			for range evs {
				got = append(got, read(t, onA))
			}
		}
		last := got[len(got)-1].Seq

		// The next reply goes out and the socket drops before the answer
		// comes back; A stores the answer all the same.
		drop := tr.Turns[split]
		clock.Set(secs(drop.At))
		send(t, onA, say(drop.Say))
		require.NoError(t, onA.Close())
		answer := want.Say(drop.At, drop.Say)
		expected = append(expected, answer...)
		require.Eventually(t, func() bool {
			evs, err := envA.db.Events(ctx, id, last)
			return err == nil && len(evs) == 1+len(answer)
		}, readWait, 10*time.Millisecond, "A stores the dropped turn and its answer")

		onB := mustDial(t, tsB, token, id, last)
		for range answer {
			got = append(got, read(t, onB))
		}
		select {
		case lostID := <-lost:
			require.Equal(t, id, lostID)
		case <-time.After(readWait):
			t.Fatal("A did not let the call go")
		}
		assert.Zero(t, envA.srv.calls.Len(), "A holds no copy")

		for _, tu := range tr.Turns[split+1:] {
			clock.Set(secs(tu.At))
			var evs []sim.Event
			if tu.Hangup {
				send(t, onB, map[string]string{"type": "hangup"})
				evs = want.Hangup(tu.At)
			} else {
				send(t, onB, say(tu.Say))
				evs = want.Say(tu.At, tu.Say)
			}
			expected = append(expected, evs...)
			for range evs {
				got = append(got, read(t, onB))
			}
			if want.Ended() {
				break
			}
		}
		require.True(t, want.Ended())

		// Nothing lost, nothing repeated: the trainee saw every engine
		// message once, in order, with increasing seqs.
		require.Len(t, got, len(expected))
		for i, ev := range expected {
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			assert.JSONEq(t, string(b), got[i].withoutSeq(t), "message %d", i)
			if i > 0 {
				assert.Greater(t, got[i].Seq, got[i-1].Seq)
			}
		}

		// The stored log is one engine's: replaying its trainee events
		// through a fresh engine makes exactly its engine messages.
		stored, err := envB.db.Events(ctx, id, 0)
		require.NoError(t, err)
		replay := sim.NewCall(sc, book, sim.Options{Mode: domain.Exam, Seed: uint64(rec.Seed)})
		var logged []json.RawMessage
		for i, e := range stored {
			require.Equal(t, int64(i+1), e.Seq, "no gaps")
			if !sim.EventType(e.Type).FromTrainee() {
				logged = append(logged, e.Payload)
			}
		}
		made, _, _, err := live.Rebuild(replay, stored)
		require.NoError(t, err)
		require.Len(t, logged, len(made), "every engine message stored once")
		for i := range made {
			// The log keeps the end without its scorecard: the call
			// record holds the one scorecard.
			made[i].Scorecard = nil
			b, err := json.Marshal(made[i])
			require.NoError(t, err)
			assert.JSONEq(t, string(b), string(logged[i]), "stored message %d", i)
		}

		card := want.Scorecard()
		require.True(t, card.Passed)
		end := got[len(got)-1]
		require.Equal(t, "end", end.Type)
		var sent sim.Scorecard
		require.NoError(t, json.Unmarshal(end.Scorecard, &sent))
		assert.Equal(t, card.Score, sent.Score)
		select {
		case e := <-ended:
			require.Equal(t, id, e)
		case <-time.After(readWait):
			t.Fatal("B did not record the call's end")
		}
		rec, err = envA.db.CallByID(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, domain.CallEnded, rec.Status)
		assert.True(t, rec.Passed)
		assert.InDelta(t, float64(card.Score), rec.Score, 0)
		assert.Equal(t, "B", rec.Owner, "B drove the call to its end")
		assert.Equal(t, int64(2), rec.Epoch, "claimed once by A, once by B")
	})
}

// TestStaleInstanceWritesNothing: another instance claims a ringing call
// while this one still runs its clock. The next ring this instance's engine
// makes is refused by the store; it lets the call go, tells its socket to
// reconnect, and the log holds nothing it made after the claim.
func TestStaleInstanceWritesNothing(t *testing.T) {
	// The lease check is far off, so it is the refused write that tells.
	lost := make(chan string, 1)
	env, lib := newCallEnv(t, func(c *Config) { c.LeaseTTL, c.OnCallLost = time.Hour, func(id string) { lost <- id } })
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, lib.Scenarios[0].ID, "exam")
	ts := wsServer(t, env)
	conn := mustDial(t, ts, token, id, -1)
	require.Equal(t, "ring", read(t, conn).Type)

	ctx := context.Background()
	before, err := env.db.Events(ctx, id, 0)
	require.NoError(t, err)
	_, err = env.db.ClaimCall(ctx, id, "another-instance", time.Now().Add(time.Hour))
	require.NoError(t, err)
	env.clock.Advance(30 * time.Second) // rings the engine would add

	select {
	case got := <-lost:
		require.Equal(t, id, got)
	case <-time.After(readWait):
		t.Fatal("the stale instance did not let the call go")
	}
	msgs, err := closedWith(t, conn)
	require.NotEmpty(t, msgs)
	assert.Equal(t, "error", msgs[len(msgs)-1].Type)
	for _, m := range msgs[:len(msgs)-1] {
		assert.NotEqual(t, "ring", m.Type, "no ring made after the claim reaches the socket")
	}
	assert.True(t, websocket.IsCloseError(err, websocket.CloseTryAgainLater), "%v", err)
	after, err := env.db.Events(ctx, id, 0)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing stored after the claim")
}

// TestReconnectToStaleInstance: the trainee's socket comes back to an
// instance whose copy of the call is stale (another instance claimed it
// since, and the lease check has not run). The instance drops its copy,
// claims the call back and serves it from the store.
func TestReconnectToStaleInstance(t *testing.T) {
	lost := make(chan string, 1)
	env, lib := newCallEnv(t, func(c *Config) { c.LeaseTTL, c.OnCallLost = time.Hour, func(id string) { lost <- id } })
	sc, tr := passGolden(t, lib)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, sc.ID, "exam")
	ts := wsServer(t, env)
	conn := mustDial(t, ts, token, id, -1)
	seen := readUntil(t, conn, "mood")
	require.NoError(t, conn.Close())

	ctx := context.Background()
	_, err := env.db.ClaimCall(ctx, id, "another-instance", time.Now().Add(time.Hour))
	require.NoError(t, err)
	again := mustDial(t, ts, token, id, seen[len(seen)-1].Seq)
	select {
	case got := <-lost:
		require.Equal(t, id, got)
	case <-time.After(readWait):
		t.Fatal("the stale copy was kept")
	}
	env.clock.Set(secs(tr.Turns[0].At))
	send(t, again, say(tr.Turns[0].Say))
	reply := readUntil(t, again, "customer")
	require.NotEmpty(t, reply)
	rec, err := env.db.CallByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, int64(3), rec.Epoch, "claimed here, elsewhere, here again")
	assert.Equal(t, env.srv.calls.Instance(), rec.Owner)
}
