package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is an arbitrary fixed instant; tests never read the clock.
var t0 = time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)

func addUser(t *testing.T, db *store.DB, name string, role domain.Role) domain.User {
	t.Helper()
	u := domain.User{Username: name, PasswordHash: "hash-of-" + name, Role: role, Team: "east", Created: t0}
	require.NoError(t, db.CreateUser(context.Background(), &u))
	return u
}

func TestOpenTwiceKeepsDataAndSchema(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		require.NoError(t, err)
		addUser(t, db, "li.na", domain.RoleTrainee)
		require.NoError(t, db.Close())

		db, err = store.Open(ctx, dsn)
		require.NoError(t, err)
		defer db.Close()
		u, err := db.UserByUsername(ctx, "li.na")
		require.NoError(t, err)
		assert.Equal(t, domain.RoleTrainee, u.Role)
		require.NoError(t, db.Ping(ctx))
	})
}

func TestOpenConcurrently(t *testing.T) {
	// Two instances starting at once against one database must not both
	// try to create the schema.
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 3
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, dsn)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err)
		}
	})
}

func TestOpenInMemory(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, ":memory:")
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, store.SQLite, db.Dialect())
	u := addUser(t, db, "li.na", domain.RoleTrainee)
	got, err := db.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u, got)
	bad := store.Call{UserID: 999, ScenarioID: "leak", Mode: domain.Exam, Started: t0}
	assert.ErrorIs(t, db.CreateCall(ctx, &bad), store.ErrNotFound, "foreign keys are enforced")
}

func TestOpenRejectsURIs(t *testing.T) {
	_, err := store.Open(context.Background(), "file:/tmp/x.db?mode=ro")
	require.ErrorContains(t, err, "plain file path")
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		zhang := addUser(t, db, "zhang.wei", domain.RoleTrainer)
		assert.NotZero(t, zhang.ID)
		admin := addUser(t, db, "admin", domain.RoleAdmin)
		assert.NotEqual(t, zhang.ID, admin.ID)

		got, err := db.UserByID(ctx, zhang.ID)
		require.NoError(t, err)
		assert.Equal(t, zhang, got)
		assert.Equal(t, time.UTC, got.Created.Location())

		got, err = db.UserByUsername(ctx, "zhang.wei")
		require.NoError(t, err)
		assert.Equal(t, zhang, got)

		list, err := db.ListUsers(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{"admin", "zhang.wei"}, []string{list[0].Username, list[1].Username})

		dup := domain.User{Username: "zhang.wei", PasswordHash: "x", Role: domain.RoleTrainee, Created: t0}
		assert.ErrorIs(t, db.CreateUser(ctx, &dup), store.ErrConflict)

		bad := domain.User{Username: "wang", PasswordHash: "x", Role: "boss", Created: t0}
		assert.ErrorIs(t, db.CreateUser(ctx, &bad), store.ErrInvalid)

		_, err = db.UserByUsername(ctx, "nobody")
		assert.ErrorIs(t, err, store.ErrNotFound)
		_, err = db.UserByID(ctx, 424242)
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.ErrorIs(t, db.SetUserDisabled(ctx, 424242, true), store.ErrNotFound)
	})
}

func TestParseRole(t *testing.T) {
	for _, r := range domain.Roles() {
		got, err := domain.ParseRole(string(r))
		require.NoError(t, err)
		assert.Equal(t, r, got)
	}
	for _, s := range []string{"", "Admin", "root", " trainee"} {
		_, err := domain.ParseRole(s)
		assert.ErrorIs(t, err, store.ErrInvalid, "%q", s)
	}
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "chen.jing", domain.RoleTrainee)
		other := addUser(t, db, "liu.yang", domain.RoleTrainee)
		s := store.Session{TokenHash: "h1", UserID: u.ID, CSRFToken: "c1", Created: t0, Expires: t0.Add(time.Hour), LastSeen: t0}
		require.NoError(t, db.CreateSession(ctx, s))
		require.NoError(t, db.CreateSession(ctx, store.Session{TokenHash: "h2", UserID: other.ID, CSRFToken: "c2",
			Created: t0, Expires: t0.Add(time.Minute), LastSeen: t0}))
		assert.ErrorIs(t, db.CreateSession(ctx, s), store.ErrConflict)
		assert.ErrorIs(t, db.CreateSession(ctx, store.Session{TokenHash: "h3", UserID: 99999, CSRFToken: "c",
			Created: t0, Expires: t0, LastSeen: t0}), store.ErrNotFound)

		gs, gu, err := db.SessionUser(ctx, "h1")
		require.NoError(t, err)
		assert.Equal(t, s, gs)
		assert.Equal(t, u, gu)

		require.NoError(t, db.TouchSession(ctx, "h1", t0.Add(10*time.Minute), t0.Add(2*time.Hour)))
		gs, _, err = db.SessionUser(ctx, "h1")
		require.NoError(t, err)
		assert.Equal(t, t0.Add(10*time.Minute), gs.LastSeen)
		assert.Equal(t, t0.Add(2*time.Hour), gs.Expires)
		assert.ErrorIs(t, db.TouchSession(ctx, "nope", t0, t0), store.ErrNotFound)

		n, err := db.DeleteExpiredSessions(ctx, t0.Add(30*time.Minute))
		require.NoError(t, err)
		assert.EqualValues(t, 1, n, "only the one-minute session has expired")
		_, _, err = db.SessionUser(ctx, "h2")
		assert.ErrorIs(t, err, store.ErrNotFound)

		require.NoError(t, db.DeleteSession(ctx, "h1"))
		require.NoError(t, db.DeleteSession(ctx, "h1"), "deleting twice is fine")
		_, _, err = db.SessionUser(ctx, "h1")
		assert.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestDisablingOrNewPasswordEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "zhao.lei", domain.RoleTrainee)
		newSession := func(h string) {
			require.NoError(t, db.CreateSession(ctx, store.Session{TokenHash: h, UserID: u.ID, CSRFToken: "c",
				Created: t0, Expires: t0.Add(time.Hour), LastSeen: t0}))
		}
		newSession("a")
		require.NoError(t, db.SetUserDisabled(ctx, u.ID, true))
		_, _, err := db.SessionUser(ctx, "a")
		assert.ErrorIs(t, err, store.ErrNotFound)
		got, err := db.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.True(t, got.Disabled)

		require.NoError(t, db.SetUserDisabled(ctx, u.ID, false))
		newSession("b")
		require.NoError(t, db.SetUserPassword(ctx, u.ID, "new-hash"))
		_, _, err = db.SessionUser(ctx, "b")
		assert.ErrorIs(t, err, store.ErrNotFound)
		got, err = db.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.False(t, got.Disabled)
		assert.Equal(t, "new-hash", got.PasswordHash)
	})
}

func TestLoginAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		record := func(user, ip string, at time.Duration, ok bool) {
			require.NoError(t, db.RecordLoginAttempt(ctx, store.LoginAttempt{Username: user, IP: ip, At: t0.Add(at), OK: ok}))
		}
		record("wu", "10.0.0.1", 0, false)              // outside the window below
		record("wu", "10.0.0.1", 10*time.Minute, false) // counted
		record("wu", "10.0.0.2", 11*time.Minute, false) // counted for wu, other IP
		record("sun", "10.0.0.1", 12*time.Minute, false)
		record("sun", "10.0.0.1", 13*time.Minute, true) // resets sun, not the IP
		record("sun", "10.0.0.1", 14*time.Minute, false)

		since := t0.Add(5 * time.Minute)
		tests := []struct {
			user, ip string
			want     store.FailedLogins
		}{
			{"wu", "10.0.0.1", store.FailedLogins{ByUsername: 2, ByIP: 3}},
			{"wu", "10.0.0.2", store.FailedLogins{ByUsername: 2, ByIP: 1}},
			{"sun", "10.0.0.1", store.FailedLogins{ByUsername: 1, ByIP: 3}},
			{"nobody", "10.9.9.9", store.FailedLogins{}},
		}
		for _, tt := range tests {
			got, err := db.CountFailedLogins(ctx, tt.user, tt.ip, since)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "%s from %s", tt.user, tt.ip)
		}

		n, err := db.PruneLoginAttempts(ctx, since)
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		got, err := db.CountFailedLogins(ctx, "wu", "10.0.0.1", t0)
		require.NoError(t, err)
		assert.Equal(t, store.FailedLogins{ByUsername: 2, ByIP: 3}, got)
	})
}

func TestCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := addUser(t, db, "a", domain.RoleTrainee)
		b := addUser(t, db, "b", domain.RoleTrainee)

		c1 := store.Call{UserID: a.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Seed: -7, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c1))
		assert.Len(t, c1.ID, 24)
		assert.Equal(t, domain.CallLive, c1.Status)
		c2 := store.Call{ID: "fixed-id", UserID: a.ID, ScenarioID: "arrears", ScenarioRevision: "r9", Mode: domain.Exam,
			Seed: 1 << 62, Started: t0.Add(time.Hour)}
		require.NoError(t, db.CreateCall(ctx, &c2))
		c3 := store.Call{UserID: b.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Seed: 3, Started: t0.Add(2 * time.Hour)}
		require.NoError(t, db.CreateCall(ctx, &c3))

		dup := c2
		assert.ErrorIs(t, db.CreateCall(ctx, &dup), store.ErrConflict)
		noUser := store.Call{UserID: 99999, ScenarioID: "leak", Mode: domain.Exam, Started: t0}
		assert.ErrorIs(t, db.CreateCall(ctx, &noUser), store.ErrNotFound)
		badMode := store.Call{UserID: a.ID, ScenarioID: "leak", Mode: "quiz", Started: t0}
		assert.ErrorIs(t, db.CreateCall(ctx, &badMode), store.ErrInvalid)

		got, err := db.CallByID(ctx, c1.ID)
		require.NoError(t, err)
		assert.Equal(t, c1, got)
		assert.True(t, got.Ended.IsZero())
		assert.Nil(t, got.Scorecard)

		card := json.RawMessage(`{"scenario":"arrears","score":82.5,"passed":true,"outcome":"completed"}`)
		res := store.CallResult{Ended: t0.Add(70 * time.Minute), Outcome: "completed", Score: 82.5, Passed: true, Scorecard: card}
		require.NoError(t, db.EndCall(ctx, c2.ID, res))
		assert.ErrorIs(t, db.EndCall(ctx, c2.ID, res), store.ErrConflict)
		assert.ErrorIs(t, db.EndCall(ctx, "missing", res), store.ErrNotFound)
		assert.ErrorIs(t, db.EndCall(ctx, c1.ID, store.CallResult{Outcome: "completed", Scorecard: json.RawMessage(`{`)}), store.ErrInvalid)

		got, err = db.CallByID(ctx, c2.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.CallEnded, got.Status)
		assert.Equal(t, res.Ended, got.Ended)
		assert.Equal(t, "completed", got.Outcome)
		assert.Equal(t, 82.5, got.Score)
		assert.True(t, got.Passed)
		assert.JSONEq(t, string(card), string(got.Scorecard))
		assert.Equal(t, int64(1<<62), got.Seed)

		ids := func(cs []store.Call) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    store.CallFilter
			want []string
		}{
			{"all newest first", store.CallFilter{}, []string{c3.ID, c2.ID, c1.ID}},
			{"by user", store.CallFilter{UserID: a.ID}, []string{c2.ID, c1.ID}},
			{"by scenario", store.CallFilter{ScenarioID: "leak"}, []string{c3.ID, c1.ID}},
			{"live", store.CallFilter{Status: domain.CallLive}, []string{c3.ID, c1.ID}},
			{"ended of b", store.CallFilter{UserID: b.ID, Status: domain.CallEnded}, nil},
			{"limit", store.CallFilter{Limit: 1}, []string{c3.ID}},
		}
		for _, tt := range tests {
			list, err := db.ListCalls(ctx, tt.f)
			require.NoError(t, err, tt.name)
			assert.Equal(t, tt.want, ids(list), tt.name)
		}
	})
}

func event(callID string, seq int64, typ, payload string) store.Event {
	return store.Event{CallID: callID, Seq: seq, Type: typ, Payload: json.RawMessage(payload), At: t0.Add(time.Duration(seq) * time.Second)}
}

func TestEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "a", domain.RoleTrainee)
		c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))
		other := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &other))

		// Payloads must come back byte for byte, key order and spacing included.
		say := `{"text": "您好,暖心供热公司", "at":4.25}`
		require.NoError(t, db.AppendEvents(ctx, event(c.ID, 1, "ring", `{"n":1}`)))
		require.NoError(t, db.AppendEvents(ctx, event(c.ID, 2, "say", say), event(c.ID, 3, "customer", `{"text":"喂?"}`)))
		require.NoError(t, db.AppendEvents(ctx, event(other.ID, 1, "ring", `{"n":1}`)))
		require.NoError(t, db.AppendEvents(ctx), "nothing to append is fine")

		bad := []struct {
			name   string
			events []store.Event
			want   error
		}{
			{"seq taken", []store.Event{event(c.ID, 3, "say", `{}`)}, store.ErrConflict},
			{"gap", []store.Event{event(c.ID, 5, "say", `{}`)}, store.ErrConflict},
			{"not contiguous", []store.Event{event(c.ID, 4, "say", `{}`), event(c.ID, 6, "say", `{}`)}, store.ErrInvalid},
			{"two calls", []store.Event{event(c.ID, 4, "say", `{}`), event(other.ID, 5, "say", `{}`)}, store.ErrInvalid},
			{"bad json", []store.Event{event(c.ID, 4, "say", `{"text":`)}, store.ErrInvalid},
			{"no type", []store.Event{event(c.ID, 4, "", `{}`)}, store.ErrInvalid},
			{"unknown call", []store.Event{event("nope", 1, "ring", `{}`)}, store.ErrNotFound},
			{"zero seq", []store.Event{event(c.ID, 0, "say", `{}`)}, store.ErrConflict},
		}
		for _, tt := range bad {
			assert.ErrorIs(t, db.AppendEvents(ctx, tt.events...), tt.want, tt.name)
		}

		all, err := db.Events(ctx, c.ID, 0)
		require.NoError(t, err)
		require.Len(t, all, 3)
		for i, e := range all {
			assert.Equal(t, int64(i+1), e.Seq)
			assert.Equal(t, c.ID, e.CallID)
			assert.Equal(t, t0.Add(time.Duration(i+1)*time.Second), e.At)
		}
		assert.Equal(t, say, string(all[1].Payload))
		assert.Equal(t, "say", all[1].Type)

		later, err := db.Events(ctx, c.ID, 2)
		require.NoError(t, err)
		require.Len(t, later, 1)
		assert.Equal(t, "customer", later[0].Type)

		none, err := db.Events(ctx, c.ID, 3)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestConcurrentAppend has several writers race for the same sequence
// numbers, as two server instances handling one call would: every number is
// won exactly once, the losers get ErrConflict, and the log has no gaps.
func TestConcurrentAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "a", domain.RoleTrainee)
		c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))

		const writers, seqs = 4, 10
		var mu sync.Mutex
		wins := map[int64]int{}
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := int64(1); seq <= seqs; seq++ {
					err := db.AppendEvents(ctx, event(c.ID, seq, "say", fmt.Sprintf(`{"writer":%d}`, w)))
					mu.Lock()
					if err == nil {
						wins[seq]++
					} else if !assert.ErrorIs(t, err, store.ErrConflict) {
						mu.Unlock()
						return
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		all, err := db.Events(ctx, c.ID, 0)
		require.NoError(t, err)
		require.Len(t, all, seqs)
		for i, e := range all {
			assert.Equal(t, int64(i+1), e.Seq)
			assert.Equal(t, 1, wins[e.Seq], "seq %d", e.Seq)
		}
	})
}

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := addUser(t, db, "root", domain.RoleAdmin)
		for i, e := range []store.AuditEntry{
			{At: t0, Actor: "cli", Action: "user.create", Target: "user:root", Detail: "role admin"},
			{At: t0.Add(time.Minute), ActorID: admin.ID, Actor: "root", Action: "user.role", Target: "user:bo", Detail: "trainee → trainer"},
			{At: t0.Add(2 * time.Minute), ActorID: admin.ID, Actor: "root", Action: "scenario.publish", Target: "scenario:leak", Detail: "revision 3"},
		} {
			require.NoError(t, db.AppendAudit(ctx, e), "entry %d", i)
		}
		assert.ErrorIs(t, db.AppendAudit(ctx, store.AuditEntry{Actor: "root", Action: "x"}), store.ErrInvalid)

		all, err := db.ListAudit(ctx, store.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, "scenario.publish", all[0].Action, "newest first")
		assert.Equal(t, admin.ID, all[0].ActorID)
		assert.True(t, all[0].At.Equal(t0.Add(2*time.Minute)))
		assert.Equal(t, int64(0), all[2].ActorID, "the command line has no account")

		page, err := db.ListAudit(ctx, store.AuditFilter{Before: all[0].ID, Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, "user.role", page[0].Action)

		// Filters by actor, kind and time, alone and together.
		actions := func(f store.AuditFilter) []string {
			t.Helper()
			es, err := db.ListAudit(ctx, f)
			require.NoError(t, err)
			out := []string{}
			for _, e := range es {
				out = append(out, e.Action)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    store.AuditFilter
			want []string
		}{
			{"actor", store.AuditFilter{Actor: "root"}, []string{"scenario.publish", "user.role"}},
			{"kind", store.AuditFilter{Kind: "user"}, []string{"user.role", "user.create"}},
			{"kind is a whole word", store.AuditFilter{Kind: "use"}, []string{}},
			{"from", store.AuditFilter{From: t0.Add(time.Minute)}, []string{"scenario.publish", "user.role"}},
			{"to", store.AuditFilter{To: t0.Add(time.Minute)}, []string{"user.create"}},
			{"together", store.AuditFilter{Actor: "root", Kind: "user", From: t0, To: t0.Add(time.Hour)}, []string{"user.role"}},
		} {
			assert.Equal(t, tc.want, actions(tc.f), tc.name)
		}
	})
}

// TestAppendManyCalls has many calls append at once, as a busy server's
// live calls do, each also racing a stale writer for its first seq: every
// call's log comes out whole, and only the stale writes are refused, even
// when they share a group commit with the others.
func TestAppendManyCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := addUser(t, db, "a", domain.RoleTrainee)
		const calls, seqs = 40, 15
		ids := make([]string, calls)
		for i := range ids {
			c := store.Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: t0}
			require.NoError(t, db.CreateCall(ctx, &c))
			ids[i] = c.ID
		}
		var wg sync.WaitGroup
		errs := make(chan error, calls*(seqs+1))
		stale := make(chan error, calls)
		for _, id := range ids {
			wg.Go(func() {
				for seq := int64(1); seq <= seqs; seq += 2 {
					evs := []store.Event{event(id, seq, "say", `{}`)}
					if seq < seqs {
						evs = append(evs, event(id, seq+1, "customer", `{"text":"嗯"}`))
					}
					errs <- db.AppendEvents(ctx, evs...)
				}
			})
			wg.Go(func() {
				// Whether it comes first or last, seq 1 is won once.
				stale <- db.AppendEvents(ctx, event(id, 1, "say", `{"stale":true}`))
			})
		}
		wg.Wait()
		close(errs)
		close(stale)
		for err := range errs {
			if err != nil {
				require.ErrorIs(t, err, store.ErrConflict)
			}
		}
		for err := range stale {
			if err != nil {
				require.ErrorIs(t, err, store.ErrConflict)
			}
		}
		// Each call lost exactly one race: the stale writer's or the first
		// append of its own writer, which then conflicts all the way.
		for _, id := range ids {
			all, err := db.Events(ctx, id, 0)
			require.NoError(t, err)
			for i, e := range all {
				require.Equal(t, int64(i+1), e.Seq, "call %s has no gaps", id)
			}
			if len(all) == 1 {
				assert.JSONEq(t, `{"stale":true}`, string(all[0].Payload))
			} else {
				assert.Len(t, all, seqs, "call %s is whole", id)
			}
		}
	})
}
