package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// scenarioJSON is how the API lists a scenario.
type scenarioJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Domain     string `json:"domain"`
	Difficulty int    `json:"difficulty"`
}

// apiScenarios is GET /api/scenarios: the scenarios the user may play.
// Every scenario of the library is open to every signed-in user.
func (s *Server) apiScenarios(c *gin.Context) error {
	out := []scenarioJSON{}
	lib, err := s.content.Catalogue(c.Request.Context())
	if err != nil {
		return err
	}
	for _, sc := range lib.Scenarios {
		out = append(out, scenarioJSON{ID: sc.ID, Title: sc.Title, Domain: sc.Domain, Difficulty: sc.Difficulty})
	}
	c.JSON(http.StatusOK, gin.H{"scenarios": out})
	return nil
}

// startCallRequest is the body of POST /api/calls.
type startCallRequest struct {
	Scenario string `json:"scenario"`
	Mode     string `json:"mode"`
	// Desk, true unless given false, takes the call at the agent's desk:
	// lookups and work orders, and a wrap-up after the conversation. A
	// client that only talks asks for false.
	Desk *bool `json:"desk"`
}

// callSocketPath is where a call's websocket lives.
func callSocketPath(id string) string { return "/api/calls/" + id + "/ws" }

// apiStartCall is POST /api/calls: it stores a new live call for the
// signed-in user. The phone starts ringing only when the socket opens.
func (s *Server) apiStartCall(c *gin.Context) error {
	// Refused before anything is read or looked up: a saturated server
	// answers at once.
	if !s.admission.Admit() {
		return s.errOverloaded()
	}
	var req startCallRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	call, err := s.startCall(c, req.Scenario, req.Mode, req.Desk == nil || *req.Desk)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": call.ID, "ws": callSocketPath(call.ID)})
	return nil
}

// startCall stores a new live call of scenario in mode (as named in a
// request) for the signed-in user. The API and the start form both come
// here, so a call starts the same way whichever asked.
func (s *Server) startCall(c *gin.Context, scenario, modeName string, desk bool) (store.Call, error) {
	if !s.admission.Admit() {
		return store.Call{}, s.errOverloaded()
	}
	u, _ := currentUser(c)
	return s.app.StartCall(c.Request.Context(), u, scenario, modeName, desk)
}

// callJSON is how the API shows a call.
type callJSON struct {
	ID       string     `json:"id"`
	UserID   int64      `json:"user_id"`
	Scenario string     `json:"scenario"`
	Revision string     `json:"revision"`
	Mode     string     `json:"mode"`
	Status   string     `json:"status"`
	Started  time.Time  `json:"started"`
	Ended    *time.Time `json:"ended"`
	Outcome  string     `json:"outcome,omitempty"`
	Score    *float64   `json:"score"`
	Passed   *bool      `json:"passed"`
	WS       string     `json:"ws"`
	// Desk says the call is taken at the agent's desk.
	Desk bool `json:"desk"`
}

func toCallJSON(c store.Call) callJSON {
	out := callJSON{
		ID: c.ID, UserID: c.UserID, Scenario: c.ScenarioID, Revision: c.ScenarioRevision,
		Mode: string(c.Mode), Status: string(c.Status), Started: c.Started.UTC(), WS: callSocketPath(c.ID), Desk: c.Desk,
	}
	if c.Status == domain.CallEnded {
		ended := c.Ended.UTC()
		score, passed := c.Score, c.Passed
		out.Ended, out.Outcome, out.Score, out.Passed = &ended, c.Outcome, &score, &passed
	}
	return out
}

// visibleCall loads a call the signed-in user may see (app.VisibleCall).
func (s *Server) visibleCall(c *gin.Context, id string) (store.Call, error) {
	u, _ := currentUser(c)
	return s.app.VisibleCall(c.Request.Context(), u, id)
}

// apiCall is GET /api/calls/:id: the call and, once ended, its scorecard
// (null while it is live).
func (s *Server) apiCall(c *gin.Context) error {
	call, err := s.visibleCall(c, c.Param("id"))
	if err != nil {
		return err
	}
	card := json.RawMessage("null")
	if call.Status == domain.CallEnded && len(call.Scorecard) > 0 {
		card = call.Scorecard
	}
	c.JSON(http.StatusOK, gin.H{"call": toCallJSON(call), "scorecard": card})
	return nil
}
