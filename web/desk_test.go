package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// TestAuthorValidatesDesk: the editor checks a scenario's desk section as
// coach check does, each problem at its line and field, and its golden
// transcripts with desk turns replay.
func TestAuthorValidatesDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEnvOn(t, db)
		tTok, _ := env.session(env.addUser("wang", domain.RoleTrainer))
		const id = "leak-desk"
		good := strings.Replace(builtinFile(t, "library/leak/scenario.yaml"), "id: leak\n", "id: "+id+"\n", 1)
		golden := map[string]string{}
		for _, name := range []string{"pass", "fail-ticket-phone"} {
			g := builtinFile(t, "library/leak/golden/"+name+".json")
			golden[name] = strings.Replace(g, `"scenario": "leak"`, `"scenario": "`+id+`"`, 1)
		}
		require.Contains(t, good, "    team: repair\n    promise:")
		bad := strings.Replace(good, "    team: repair\n    promise:", "    team: plumbers\n    promise:", 1)
		bad = strings.Replace(bad, "    urgency: urgent\n    team: plumbers", "    urgency: asap\n    team: plumbers", 1)

		code, res, raw := env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "scenario", ID: id, Body: bad, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		got := map[string]app.Issue{}
		for _, is := range res.Issues {
			got[is.Field] = is
		}
		require.Contains(t, got, "desk.order.team", raw)
		require.Contains(t, got, "desk.order.urgency", raw)
		assert.Equal(t, lineOf(t, bad, "    team: plumbers"), got["desk.order.team"].Line)
		assert.Contains(t, got["desk.order.team"].Message, "plumbers")
		assert.Equal(t, lineOf(t, bad, "    urgency: asap"), got["desk.order.urgency"].Line)

		code, res, raw = env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "scenario", ID: id, Body: good, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		assert.Empty(t, res.Issues, raw)
		code, res, raw = env.postJSON(tTok, "/api/author/golden", draftJSON{Kind: "scenario", ID: id, Body: good, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		require.NotEmpty(t, res.Results, raw)
		for _, r := range res.Results {
			assert.True(t, r.OK, "%+v", r)
		}
	})
}

// deskMsg is a transcript turn as the client sends it over the socket.
func deskMsg(tu scenarios.Turn) any {
	switch {
	case tu.Hangup:
		return map[string]string{"type": "hangup"}
	case tu.Lookup != nil:
		return map[string]string{"type": "lookup", "by": tu.Lookup.By, "value": tu.Lookup.Value}
	case tu.Ticket != nil:
		return map[string]any{"type": "ticket", "ticket": tu.Ticket}
	}
	return say(tu.Say)
}

// TestSocketDesk plays golden calls with their desk turns over the socket:
// every message is what the engine makes at the desk (record, ticket,
// wrapup), the work order may come after the caller hung up, the wrap-up
// ends with a second hang-up, a resumed socket gets the desk messages
// again, and the ticket is stored with the call, listed on /tickets as
// 待派单 and shown field by field on the scorecard.
func TestSocketDesk(t *testing.T) {
	for _, name := range []string{"leak/fail-ticket-phone", "wrong-number/pass"} {
		t.Run(name, func(t *testing.T) {
			env, lib := newCallEnv(t)
			scenario, golden, _ := strings.Cut(name, "/")
			sc, ok := lib.Scenario(scenario)
			require.True(t, ok)
			var tr *scenarios.Transcript
			for _, g := range lib.Golden[scenario] {
				if g.Name == golden {
					tr = g.Transcript
				}
			}
			require.NotNil(t, tr)
			u := env.addUser("li", domain.RoleTrainee)
			token, _ := env.session(u)
			id, _ := env.startDeskCall(token, sc.ID, "exam")
			rec, err := env.db.CallByID(context.Background(), id)
			require.NoError(t, err)
			require.True(t, rec.Desk, "a call starts at the desk by default")
			ts := wsServer(t, env)

			want := sim.NewCall(sc, env.srv.cfg.Book, sim.Options{Mode: domain.Exam, Seed: uint64(rec.Seed), Desk: true}) // #nosec G115 -- test seed
			var got []wsMsg
			expect := func(conn *websocket.Conn, evs []sim.Event) {
				t.Helper()
				for _, ev := range evs {
					m := read(t, conn)
					b, err := json.Marshal(ev)
					require.NoError(t, err)
					require.JSONEq(t, string(b), m.withoutSeq(t), "message %d", len(got))
					got = append(got, m)
				}
			}
			conn := mustDial(t, ts, token, id, -1)
			expect(conn, want.Advance(0))
			types := map[string]int{}
			last := 0.0
			for i, tu := range tr.Turns {
				if i == 3 {
					// Drop the socket and resume after the last message seen.
					require.NoError(t, conn.Close())
					conn = mustDial(t, ts, token, id, got[len(got)-1].Seq)
				}
				env.clock.Set(secs(tu.At))
				send(t, conn, deskMsg(tu))
				expect(conn, want.Play(tu))
				last = tu.At
				if want.Ended() {
					break
				}
			}
			require.False(t, want.Ended(), "the wrap-up runs after the conversation")
			require.True(t, want.Over())
			env.clock.Set(secs(last + 1))
			send(t, conn, map[string]string{"type": "hangup"})
			expect(conn, want.Hangup(last+1))
			require.True(t, want.Ended())
			for _, m := range got {
				types[m.Type]++
			}
			assert.Equal(t, 1, types["wrapup"])
			assert.Equal(t, 1, types["ticket"])
			assert.Equal(t, 1, types["end"])
			_, err = closedWith(t, conn)
			assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)

			// The whole call replays from the store, desk messages included.
			again := mustDial(t, ts, token, id, 0)
			replayed, err := closedWith(t, again)
			assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)
			require.Len(t, replayed, len(got))
			for i := range got {
				assert.JSONEq(t, string(got[i].raw), string(replayed[i].raw))
			}

			card := want.Scorecard()
			require.NotNil(t, card.Ticket)
			tickets, err := env.db.Tickets(context.Background(), u.ID, 10)
			require.NoError(t, err)
			require.Len(t, tickets, 1)
			assert.Equal(t, card.Ticket.Number, tickets[0].Number)
			assert.Equal(t, sim.TicketPending, tickets[0].State)
			assert.Equal(t, len(card.Ticket.Fields), tickets[0].FieldsTotal)

			w := env.do(withCookie(getReq("/tickets"), token))
			require.Equal(t, http.StatusOK, w.Code)
			assert.Contains(t, w.Body.String(), card.Ticket.Number)
			assert.Contains(t, w.Body.String(), "待派单")

			w = env.do(withCookie(getReq(scorecardPath(id)), token))
			require.Equal(t, http.StatusOK, w.Code)
			body := w.Body.String()
			assert.Contains(t, body, `id="ticket-card"`)
			for _, f := range card.Ticket.Fields {
				assert.Contains(t, body, `data-field="`+f.Field+`"`)
			}
			if scenario == "leak" {
				assert.Contains(t, body, `<tr class="wrong" data-field="phone">`)
				assert.Contains(t, body, "18620394715")
				assert.Contains(t, body, "18620397415")
			}
		})
	}
}

// TestDeskSocketRefusesBadDeskMessages: a malformed lookup or work order
// gets a clear error and closes only that socket; the call goes on.
func TestDeskSocketRefusesBadDeskMessages(t *testing.T) {
	env, _ := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startDeskCall(token, "leak", "practice")
	ts := wsServer(t, env)
	for _, bad := range []any{
		map[string]string{"type": "lookup", "by": "email", "value": "x"},
		map[string]any{"type": "ticket", "ticket": map[string]string{"urgency": "asap"}},
	} {
		conn := mustDial(t, ts, token, id, -1)
		readUntil(t, conn, "ring")
		send(t, conn, bad)
		msgs, err := closedWith(t, conn)
		require.Error(t, err)
		require.NotEmpty(t, msgs)
		assert.Equal(t, "error", msgs[len(msgs)-1].Type)
	}
	conn := mustDial(t, ts, token, id, -1)
	readUntil(t, conn, "ring")
	send(t, conn, map[string]string{"type": "lookup", "by": "account", "value": "2012011103"})
	m := readUntil(t, conn, "record")
	assert.Contains(t, string(m[len(m)-1].raw), `"found":true`)
}

// TestDashboardTicketAccuracy: the manage page shows, per trainee and
// field, how often the work order held what the caller said, and the
// team's fields most often wrong first.
func TestDashboardTicketAccuracy(t *testing.T) {
	env, _ := newCallEnv(t)
	ctx := context.Background()
	mTok, _ := env.session(env.addUser("boss", domain.RoleManager))
	now := env.clock.Now()
	for _, tc := range []struct {
		user             string
		phoneOK, teamOK  bool
		number, scenario string
	}{
		{"li", false, true, "GD1", "leak"}, {"li", true, true, "GD2", "leak"}, {"zhao", false, false, "GD3", "arrears"},
	} {
		u := env.addUser(tc.user+"-"+tc.number, domain.RoleTrainee)
		c := store.Call{UserID: u.ID, ScenarioID: tc.scenario, ScenarioRevision: "r1", Mode: domain.Exam, Started: now, Desk: true}
		require.NoError(t, env.db.CreateCall(ctx, &c))
		require.NoError(t, env.db.EndCall(ctx, c.ID, store.CallResult{Ended: now, Outcome: "completed", Score: 80, Scorecard: json.RawMessage(`{}`),
			Ticket: &store.TicketRecord{Number: tc.number, State: sim.TicketPending, Submitted: now, Entered: json.RawMessage(`{}`),
				Fields: []store.TicketField{{Field: "phone", OK: tc.phoneOK}, {Field: "team", OK: tc.teamOK}}}}))
	}
	w := env.do(withCookie(getReq("/manage"), mTok))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	body := w.Body.String()
	require.Contains(t, body, `id="ticket-accuracy"`)
	sec := body[strings.Index(body, `id="ticket-accuracy"`):]
	sec = sec[:strings.Index(sec, "</section>")]
	// The team row: phone right 1 of 3 (33%), team 2 of 3 (66%); phone,
	// the field most often wrong, comes first.
	assert.Less(t, strings.Index(sec, `<th scope="col" data-field="phone">`), strings.Index(sec, `<th scope="col" data-field="team">`))
	assert.Contains(t, sec, `<td data-field="phone" data-wrong="2"><strong>33%</strong>`)
	assert.Contains(t, sec, `<td data-field="team" data-wrong="1"><strong>66%</strong>`)
	assert.Contains(t, sec, `data-trainee="zhao-GD3"`)
	assert.Contains(t, sec, "联系电话")

	// A trainee may not open the dashboard.
	lTok, _ := env.session(env.addUser("wu", domain.RoleTrainee))
	w = env.do(withCookie(getReq("/manage"), lTok))
	assert.NotEqual(t, http.StatusOK, w.Code)
}

// TestWrapUpIgnoresSpeech: after the caller hangs up, a reply is logged
// (every trainee event is) but nobody answers it, and the socket stays
// open for the work order.
func TestWrapUpIgnoresSpeech(t *testing.T) {
	env, _ := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startDeskCall(token, "leak", "exam")
	ts := wsServer(t, env)
	conn := mustDial(t, ts, token, id, -1)
	readUntil(t, conn, "ring")
	env.clock.Set(secs(3))
	send(t, conn, say("您好，暖心供热公司"))
	readUntil(t, conn, "customer")
	env.clock.Set(secs(10))
	send(t, conn, map[string]string{"type": "hangup"})
	readUntil(t, conn, "wrapup")
	before, err := env.db.Events(context.Background(), id, 0)
	require.NoError(t, err)
	send(t, conn, say("喂？"))
	send(t, conn, map[string]any{"type": "ticket", "ticket": map[string]string{"type": "repair"}})
	m := readUntil(t, conn, "ticket")
	assert.Len(t, m, 1, "the reply in the wrap-up brought no message")
	after, err := env.db.Events(context.Background(), id, 0)
	require.NoError(t, err)
	assert.Len(t, after, len(before)+3, "the reply, the work order and its answer are logged")
	send(t, conn, map[string]string{"type": "hangup"})
	readUntil(t, conn, "end")
}
