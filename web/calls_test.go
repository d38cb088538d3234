package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newCallEnv is newEnv with the built-in library loaded, as coach serve
// runs it.
func newCallEnv(t *testing.T, mods ...func(*Config)) (*testEnv, *scenarios.Library) {
	t.Helper()
	lib, book := loadBuiltin(t)
	env := newEnv(t, append([]func(*Config){func(c *Config) { c.Library, c.Book = lib, book }}, mods...)...)
	t.Cleanup(env.srv.Close)
	return env, lib
}

// loadBuiltin loads the built-in library and its book, closed when the
// test ends.
func loadBuiltin(t *testing.T) (*scenarios.Library, *sim.Book) {
	t.Helper()
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, book.Close()) })
	return lib, book
}

// ringingSocket opens the socket of the call id as the holder of token and
// reads up to the first ring.
func ringingSocket(t *testing.T, ts *httptest.Server, token, id string) *websocket.Conn {
	t.Helper()
	conn := mustDial(t, ts, token, id, -1)
	readUntil(t, conn, "ring")
	return conn
}

// startCall makes a call through the API as the holder of token.
func (e *testEnv) startCall(token, scenario, mode string) (id, ws string) {
	e.t.Helper()
	// These tests only talk: the call is taken without the desk.
	return e.startCallWith(token, `{"scenario":"`+scenario+`","mode":"`+mode+`","desk":false}`)
}

// startDeskCall starts a call at the agent's desk, as the call page does.
func (e *testEnv) startDeskCall(token, scenario, mode string) (id, ws string) {
	e.t.Helper()
	return e.startCallWith(token, `{"scenario":"`+scenario+`","mode":"`+mode+`"}`)
}

func (e *testEnv) startCallWith(token, request string) (id, ws string) {
	e.t.Helper()
	w := e.do(withCookie(jsonReq(http.MethodPost, "/api/calls", request), token))
	require.Equal(e.t, http.StatusCreated, w.Code, w.Body.String())
	var body struct{ ID, WS string }
	require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &body))
	return body.ID, body.WS
}

func TestAPIScenarios(t *testing.T) {
	env, lib := newCallEnv(t)
	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	w := env.do(withCookie(getReq("/api/scenarios"), token))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var body struct{ Scenarios []scenarioJSON }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Len(t, body.Scenarios, len(lib.Scenarios))
	for i, sc := range lib.Scenarios {
		assert.Equal(t, scenarioJSON{ID: sc.ID, Title: sc.Title, Domain: sc.Domain, Difficulty: sc.Difficulty}, body.Scenarios[i])
		assert.NotEmpty(t, body.Scenarios[i].Title)
	}
}

func TestAPIStartCall(t *testing.T) {
	env, lib := newCallEnv(t)
	u := env.addUser("li", domain.RoleTrainee)
	token, _ := env.session(u)
	scID := lib.Scenarios[0].ID

	id, ws := env.startCall(token, scID, "exam")
	assert.Equal(t, "/api/calls/"+id+"/ws", ws)
	rec, err := env.db.CallByID(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, u.ID, rec.UserID)
	assert.Equal(t, scID, rec.ScenarioID)
	assert.Equal(t, domain.Exam, rec.Mode)
	assert.Equal(t, domain.CallLive, rec.Status)
	assert.GreaterOrEqual(t, rec.Seed, int64(0))
	assert.True(t, rec.Started.Equal(t0))

	tests := []struct {
		name, token, ctype, body string
		status                   int
		code                     string
	}{
		{"unknown scenario", token, "application/json", `{"scenario":"no-such","mode":"exam"}`, 404, "not_found"},
		{"bad mode", token, "application/json", `{"scenario":"` + scID + `","mode":"quiz"}`, 400, "bad_request"},
		{"no mode", token, "application/json", `{"scenario":"` + scID + `"}`, 400, "bad_request"},
		{"unknown field", token, "application/json", `{"scenario":"` + scID + `","mode":"exam","seed":1}`, 400, "unknown_field"},
		{"garbage", token, "application/json", `{"scenario":`, 400, "bad_json"},
		{"form post", token, "application/x-www-form-urlencoded", `scenario=x`, 415, "unsupported_media_type"},
		{"anonymous", "", "application/json", `{"scenario":"` + scID + `","mode":"exam"}`, 401, "unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := jsonReq(http.MethodPost, "/api/calls", tc.body)
			req.Header.Set("Content-Type", tc.ctype)
			if tc.token != "" {
				req = withCookie(req, tc.token)
			}
			w := env.do(req)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			e := apiError(t, w)
			assert.Equal(t, tc.code, e.Code)
			if tc.code == "unknown_field" {
				assert.Equal(t, "seed", e.Field, "the answer names the field")
			}
		})
	}
	calls, err := env.db.ListCalls(context.Background(), store.CallFilter{})
	require.NoError(t, err)
	assert.Len(t, calls, 1, "refused starts store nothing")
}

func TestAPICallVisibility(t *testing.T) {
	env, lib := newCallEnv(t)
	owner := env.addUser("owner", domain.RoleTrainee)
	ownerToken, _ := env.session(owner)
	id, _ := env.startCall(ownerToken, lib.Scenarios[0].ID, "practice")

	get := func(token string) (int, map[string]json.RawMessage) {
		w := env.do(withCookie(getReq("/api/calls/"+id), token))
		var body map[string]json.RawMessage
		if w.Code == http.StatusOK {
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		}
		return w.Code, body
	}
	tests := []struct {
		who    string
		role   domain.Role
		status int
	}{
		{"owner", "", 200},
		{"other-trainee", domain.RoleTrainee, 404},
		{"a-trainer", domain.RoleTrainer, 200},
		{"a-manager", domain.RoleManager, 200},
		{"an-admin", domain.RoleAdmin, 200},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			token := ownerToken
			if tc.role != "" {
				token, _ = env.session(env.addUser(tc.who, tc.role))
			}
			status, body := get(token)
			require.Equal(t, tc.status, status)
			if status != 200 {
				return
			}
			var call callJSON
			require.NoError(t, json.Unmarshal(body["call"], &call))
			assert.Equal(t, id, call.ID)
			assert.Equal(t, owner.ID, call.UserID)
			assert.Equal(t, "live", call.Status)
			assert.Nil(t, call.Score)
			assert.JSONEq(t, "null", string(body["scorecard"]))
		})
	}

	card := json.RawMessage(`{"score":88,"passed":true}`)
	require.NoError(t, env.db.EndCall(context.Background(), id, store.CallResult{
		Ended: t0, Outcome: "completed", Score: 88, Passed: true, Scorecard: card,
	}))
	status, body := get(ownerToken)
	require.Equal(t, 200, status)
	var call callJSON
	require.NoError(t, json.Unmarshal(body["call"], &call))
	assert.Equal(t, "ended", call.Status)
	require.NotNil(t, call.Score)
	assert.InDelta(t, 88, *call.Score, 0)
	assert.JSONEq(t, string(card), string(body["scorecard"]))

	w := env.do(withCookie(getReq("/api/calls/nosuchcall"), ownerToken))
	assert.Equal(t, http.StatusNotFound, w.Code)
}
