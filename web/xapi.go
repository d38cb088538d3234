package web

import (
	"crypto/sha1" // #nosec G505 -- see statementID
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
)

// The xAPI verbs the export uses: ADL's registered verbs for attempts, and
// one of our own, under the configured base, for a manager's sign-off.
const (
	verbPassed    = "http://adlnet.gov/expapi/verbs/passed" // #nosec G101 -- an xAPI verb IRI, not a credential
	verbFailed    = "http://adlnet.gov/expapi/verbs/failed"
	verbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	// activityAssessment is the ADL activity type of an exam scenario and
	// activityCourse that of a track.
	activityAssessment = "http://adlnet.gov/expapi/activities/assessment"
	activitySimulation = "http://adlnet.gov/expapi/activities/simulation"
	activityCourse     = "http://adlnet.gov/expapi/activities/course"
)

// xapiStatement is one xAPI 1.0.3 statement.
type xapiStatement struct {
	ID        string       `json:"id"`
	Actor     xapiActor    `json:"actor"`
	Verb      xapiVerb     `json:"verb"`
	Object    xapiActivity `json:"object"`
	Result    *xapiResult  `json:"result,omitempty"`
	Context   *xapiContext `json:"context,omitempty"`
	Timestamp string       `json:"timestamp"`
}

type xapiActor struct {
	ObjectType string      `json:"objectType"`
	Name       string      `json:"name"`
	Account    xapiAccount `json:"account"`
}

type xapiAccount struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

type xapiVerb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

type xapiActivity struct {
	ObjectType string         `json:"objectType"`
	ID         string         `json:"id"`
	Definition xapiDefinition `json:"definition"`
}

type xapiDefinition struct {
	Name map[string]string `json:"name"`
	Type string            `json:"type"`
}

type xapiResult struct {
	Score      *xapiScore `json:"score,omitempty"`
	Success    *bool      `json:"success,omitempty"`
	Completion bool       `json:"completion"`
	Response   string     `json:"response,omitempty"`
}

type xapiScore struct {
	Scaled float64 `json:"scaled"`
	Raw    float64 `json:"raw"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

type xapiContext struct {
	Platform   string         `json:"platform"`
	Language   string         `json:"language,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// xapiBase is the configured IRI base without a trailing slash.
func (s *Server) xapiBase() string { return strings.TrimRight(s.cfg.XAPIBase, "/") }

// statementID derives a stable UUID (version 5 layout, SHA-1 of a name) so
// that exporting the same attempt twice gives the same statement id, and a
// learning record store can drop the duplicate.
func statementID(name string) string {
	h := sha1.Sum([]byte("hotline-coach:" + name)) // #nosec G401 -- a name-based (version 5) UUID is defined on SHA-1; it identifies, it protects nothing
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func xapiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// xapiStatements is GET /api/xapi/statements?team=&from=&to=&limit=: the
// filtered attempts (exam: passed or failed; practice: completed) and
// certificates signed off, as xAPI statements for the company's learning
// record store. Attempts come a page at a time, oldest first (limit, at
// most app.ReportPageMax, the default); "more" is the URL of the next
// page, empty on the last, which also carries the sign-offs.
func (s *Server) xapiStatements(c *gin.Context) error {
	// Like the statements' timestamps, the API's days are UTC's.
	f, err := s.parseReportFilter(c, time.UTC)
	if err != nil {
		return err
	}
	limit := app.ReportPageMax
	if l := c.Query("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > app.ReportPageMax {
			return errBadRequest(fmt.Errorf("limit %q: want 1 to %d", l, app.ReportPageMax))
		}
	}
	page, err := s.app.ReportExport(c.Request.Context(), f, c.Query("after"), limit)
	if err != nil {
		return reportError(err)
	}
	base := s.xapiBase()
	actor := func(name string) xapiActor {
		return xapiActor{ObjectType: "Agent", Name: name, Account: xapiAccount{HomePage: base, Name: name}}
	}
	out := []xapiStatement{}
	for _, a := range page.Attempts {
		st := xapiStatement{
			ID:    statementID("call:" + a.ID),
			Actor: actor(a.Username),
			Object: xapiActivity{ObjectType: "Activity", ID: base + "/scenarios/" + a.ScenarioID,
				Definition: xapiDefinition{Name: map[string]string{"zh-CN": titleOr(page.Titles, a.ScenarioID)}, Type: activitySimulation}},
			Result: &xapiResult{Score: &xapiScore{Scaled: min(max(a.Score, 0), 100) / 100, Raw: a.Score, Min: 0, Max: 100}, Completion: true},
			Context: &xapiContext{Platform: "Hotline Coach", Language: "zh-CN",
				Extensions: map[string]any{base + "/extensions/mode": string(a.Mode), base + "/extensions/outcome": a.Outcome}},
			Timestamp: xapiTime(a.Ended),
		}
		switch {
		case a.Mode == domain.Exam && a.Passed:
			st.Verb = xapiVerb{ID: verbPassed, Display: map[string]string{"en-US": "passed", "zh-CN": "通过"}}
			st.Object.Definition.Type = activityAssessment
		case a.Mode == domain.Exam:
			st.Verb = xapiVerb{ID: verbFailed, Display: map[string]string{"en-US": "failed", "zh-CN": "未通过"}}
			st.Object.Definition.Type = activityAssessment
		default:
			st.Verb = xapiVerb{ID: verbCompleted, Display: map[string]string{"en-US": "completed", "zh-CN": "完成"}}
		}
		passed := a.Passed
		st.Result.Success = &passed
		out = append(out, st)
	}
	for _, d := range page.SignOffs {
		yes := true
		out = append(out, xapiStatement{
			ID:    statementID(fmt.Sprintf("decision:%d", d.ID)),
			Actor: actor(d.Username),
			Verb:  xapiVerb{ID: base + "/verbs/certified", Display: map[string]string{"en-US": "certified", "zh-CN": "获得认证"}},
			Object: xapiActivity{ObjectType: "Activity", ID: base + "/tracks/" + d.TrackID,
				Definition: xapiDefinition{Name: map[string]string{"zh-CN": d.TrackTitle}, Type: activityCourse}},
			Result: &xapiResult{Success: &yes, Completion: true, Response: d.Comment},
			Context: &xapiContext{Platform: "Hotline Coach", Language: "zh-CN",
				Extensions: map[string]any{base + "/extensions/signed-by": d.Actor, base + "/extensions/expires": xapiTime(d.Expires)}},
			Timestamp: xapiTime(d.At),
		})
	}
	more := ""
	if page.Next != "" {
		q := f.Values()
		q.Set("after", page.Next)
		q.Set("limit", strconv.Itoa(limit))
		more = "/api/xapi/statements?" + q.Encode()
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"statements": out, "more": more})
	return nil
}

func titleOr(titles map[string]string, id string) string {
	if t, ok := titles[id]; ok && t != "" {
		return t
	}
	return id
}
