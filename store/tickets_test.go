package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
)

func TestTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		li := addUser(t, db, "li", domain.RoleTrainee)
		zhao := addUser(t, db, "zhao", domain.RoleTrainee)
		end := func(user int64, scenario string, at time.Time, tk *store.TicketRecord) string {
			t.Helper()
			c := store.Call{UserID: user, ScenarioID: scenario, ScenarioRevision: "r1", Mode: domain.Exam, Started: at}
			require.NoError(t, db.CreateCall(ctx, &c))
			require.NoError(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: at.Add(time.Minute), Outcome: "completed", Score: 90, Passed: true, Scorecard: json.RawMessage(`{}`), Ticket: tk}))
			return c.ID
		}
		ticket := func(number string, at time.Time, phoneOK, addressOK bool) *store.TicketRecord {
			return &store.TicketRecord{Number: number, State: "pending-dispatch", Submitted: at, Entered: json.RawMessage(`{"phone":"18620397415"}`),
				Fields: []store.TicketField{{Field: "phone", OK: phoneOK}, {Field: "address", OK: addressOK}, {Field: "type", OK: true}}}
		}
		first := end(li.ID, "leak", t0, ticket("GD0000000001", t0.Add(70*time.Second), false, true))
		second := end(li.ID, "arrears", t0.Add(time.Hour), ticket("GD0000000002", t0.Add(time.Hour+90*time.Second), true, true))
		end(li.ID, "wrong-number", t0.Add(2*time.Hour), nil) // no ticket
		end(zhao.ID, "leak", t0, ticket("GD0000000003", t0.Add(80*time.Second), false, false))

		list, err := db.Tickets(ctx, li.ID, 50)
		require.NoError(t, err)
		require.Len(t, list, 2, "only calls with a ticket, only the user's")
		assert.Equal(t, second, list[0].CallID, "newest first")
		assert.Equal(t, first, list[1].CallID)
		assert.Equal(t, "GD0000000001", list[1].Number)
		assert.Equal(t, "pending-dispatch", list[1].State)
		assert.Equal(t, "leak", list[1].ScenarioID)
		assert.Equal(t, domain.Exam, list[1].Mode)
		assert.True(t, list[1].Submitted.Equal(t0.Add(70*time.Second)))
		assert.Equal(t, 2, list[1].FieldsOK)
		assert.Equal(t, 3, list[1].FieldsTotal)
		assert.JSONEq(t, `{"phone":"18620397415"}`, string(list[1].Entered))
		assert.Contains(t, list[1].Fields, store.TicketField{Field: "phone", OK: false})

		acc, err := db.TicketAccuracy(ctx, t0, time.Time{})
		require.NoError(t, err)
		got := map[string][2]int{}
		for _, a := range acc {
			got[a.Username+"/"+a.Field] = [2]int{a.OK, a.Total}
		}
		assert.Equal(t, map[string][2]int{
			"li/address": {2, 2}, "li/phone": {1, 2}, "li/type": {2, 2},
			"zhao/address": {0, 1}, "zhao/phone": {0, 1}, "zhao/type": {1, 1},
		}, got)
		later, err := db.TicketAccuracy(ctx, t0.Add(30*time.Minute), time.Time{})
		require.NoError(t, err)
		assert.Len(t, later, 3, "only tickets since then: li's second")
		before, err := db.TicketAccuracy(ctx, time.Time{}, t0.Add(30*time.Minute))
		require.NoError(t, err)
		assert.Len(t, before, 6, "only tickets before then: li's first and zhao's")

		// A bad ticket is refused and the call stays live: nothing is lost.
		c := store.Call{UserID: li.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Exam, Started: t0}
		require.NoError(t, db.CreateCall(ctx, &c))
		bad := ticket("", t0, true, true)
		err = db.EndCall(ctx, c.ID, store.CallResult{Ended: t0, Outcome: "completed", Scorecard: json.RawMessage(`{}`), Ticket: bad})
		assert.ErrorIs(t, err, store.ErrInvalid)
		dup := ticket("GD1", t0, true, true)
		dup.Fields = append(dup.Fields, store.TicketField{Field: "phone", OK: true})
		assert.ErrorIs(t, db.EndCall(ctx, c.ID, store.CallResult{Ended: t0, Outcome: "completed", Scorecard: json.RawMessage(`{}`), Ticket: dup}), store.ErrInvalid)
		got2, err := db.CallByID(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.CallLive, got2.Status)
	})
}
