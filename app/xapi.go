package app

import (
	"context"
	"crypto/sha1" // #nosec G505 -- see StatementID
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// The xAPI verbs the export uses: ADL's registered verbs for attempts, and
// one of our own, under the configured base, for a manager's sign-off.
const (
	VerbPassed    = "http://adlnet.gov/expapi/verbs/passed" // #nosec G101 -- an xAPI verb IRI, not a credential
	VerbFailed    = "http://adlnet.gov/expapi/verbs/failed"
	VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	// activityAssessment is the ADL activity type of an exam scenario,
	// activitySimulation that of a practice call and activityCourse that
	// of a track.
	activityAssessment = "http://adlnet.gov/expapi/activities/assessment"
	activitySimulation = "http://adlnet.gov/expapi/activities/simulation"
	activityCourse     = "http://adlnet.gov/expapi/activities/course"
)

// XAPIStatement is one xAPI 1.0.3 statement.
type XAPIStatement struct {
	ID        string       `json:"id"`
	Actor     XAPIActor    `json:"actor"`
	Verb      XAPIVerb     `json:"verb"`
	Object    XAPIActivity `json:"object"`
	Result    *XAPIResult  `json:"result,omitempty"`
	Context   *XAPIContext `json:"context,omitempty"`
	Timestamp string       `json:"timestamp"`
}

// XAPIActor is an agent named by an account on the site.
type XAPIActor struct {
	ObjectType string      `json:"objectType"`
	Name       string      `json:"name"`
	Account    XAPIAccount `json:"account"`
}

// XAPIAccount is an account on the site whose IRI is HomePage.
type XAPIAccount struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// XAPIVerb is what the actor did.
type XAPIVerb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// XAPIActivity is a scenario or a track.
type XAPIActivity struct {
	ObjectType string         `json:"objectType"`
	ID         string         `json:"id"`
	Definition XAPIDefinition `json:"definition"`
}

// XAPIDefinition names an activity and gives its type.
type XAPIDefinition struct {
	Name map[string]string `json:"name"`
	Type string            `json:"type"`
}

// XAPIResult is an attempt's score and verdict, or a sign-off's comment.
type XAPIResult struct {
	Score      *XAPIScore `json:"score,omitempty"`
	Success    *bool      `json:"success,omitempty"`
	Completion bool       `json:"completion"`
	Response   string     `json:"response,omitempty"`
}

// XAPIScore is a score out of 100.
type XAPIScore struct {
	Scaled float64 `json:"scaled"`
	Raw    float64 `json:"raw"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// XAPIContext says where the statement comes from.
type XAPIContext struct {
	Platform   string         `json:"platform"`
	Language   string         `json:"language,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// CheckXAPIBase refuses an IRI base that is not an absolute http(s)
// address: learning record stores match activities by it.
func CheckXAPIBase(base string) error {
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("xAPI base %q: want an absolute http(s) address such as https://lms.example.com/coach", base)
	}
	return nil
}

// StatementID derives a stable UUID (version 5 layout, SHA-1 of a name) so
// that exporting the same attempt twice gives the same statement id, and a
// learning record store can drop the duplicate.
func StatementID(name string) string {
	h := sha1.Sum([]byte("hotline-coach:" + name)) // #nosec G401 -- a name-based (version 5) UUID is defined on SHA-1; it identifies, it protects nothing
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func xapiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// XAPIExport is the page of the filter's record after cursor (see
// ReportExport) as xAPI statements whose IRIs start with base: each
// attempt (an exam passed or failed, a practice call completed), and on the
// last page each certificate signed off. next is the next page's cursor,
// empty on the last.
func (a *App) XAPIExport(ctx context.Context, f ReportFilter, cursor string, limit int, base string) (statements []XAPIStatement, next string, err error) {
	page, err := a.ReportExport(ctx, f, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	return XAPIStatements(page, base), page.Next, nil
}

// XAPIStatements writes a page of the export as statements.
func XAPIStatements(page *ReportExportPage, base string) []XAPIStatement {
	base = strings.TrimRight(base, "/")
	actor := func(name string) XAPIActor {
		return XAPIActor{ObjectType: "Agent", Name: name, Account: XAPIAccount{HomePage: base, Name: name}}
	}
	out := []XAPIStatement{}
	for _, a := range page.Attempts {
		title := page.Titles[a.ScenarioID]
		if title == "" {
			title = a.ScenarioID
		}
		passed := a.Passed
		st := XAPIStatement{
			ID:    StatementID("call:" + a.ID),
			Actor: actor(a.Username),
			Object: XAPIActivity{ObjectType: "Activity", ID: base + "/scenarios/" + a.ScenarioID,
				Definition: XAPIDefinition{Name: map[string]string{"zh-CN": title}, Type: activitySimulation}},
			Result: &XAPIResult{Score: &XAPIScore{Scaled: min(max(a.Score, 0), 100) / 100, Raw: a.Score, Min: 0, Max: 100},
				Success: &passed, Completion: true},
			Context: &XAPIContext{Platform: "Hotline Coach", Language: "zh-CN",
				Extensions: map[string]any{base + "/extensions/mode": string(a.Mode), base + "/extensions/outcome": a.Outcome}},
			Timestamp: xapiTime(a.Ended),
		}
		switch {
		case a.Mode == domain.Exam && a.Passed:
			st.Verb = XAPIVerb{ID: VerbPassed, Display: map[string]string{"en-US": "passed", "zh-CN": "通过"}}
			st.Object.Definition.Type = activityAssessment
		case a.Mode == domain.Exam:
			st.Verb = XAPIVerb{ID: VerbFailed, Display: map[string]string{"en-US": "failed", "zh-CN": "未通过"}}
			st.Object.Definition.Type = activityAssessment
		default:
			st.Verb = XAPIVerb{ID: VerbCompleted, Display: map[string]string{"en-US": "completed", "zh-CN": "完成"}}
		}
		out = append(out, st)
	}
	for _, d := range page.SignOffs {
		yes := true
		out = append(out, XAPIStatement{
			ID:    StatementID(fmt.Sprintf("decision:%d", d.ID)),
			Actor: actor(d.Username),
			Verb:  XAPIVerb{ID: base + "/verbs/certified", Display: map[string]string{"en-US": "certified", "zh-CN": "获得认证"}},
			Object: XAPIActivity{ObjectType: "Activity", ID: base + "/tracks/" + d.TrackID,
				Definition: XAPIDefinition{Name: map[string]string{"zh-CN": d.TrackTitle}, Type: activityCourse}},
			Result: &XAPIResult{Success: &yes, Completion: true, Response: d.Comment},
			Context: &XAPIContext{Platform: "Hotline Coach", Language: "zh-CN",
				Extensions: map[string]any{base + "/extensions/signed-by": d.Actor, base + "/extensions/expires": xapiTime(d.Expires)}},
			Timestamp: xapiTime(d.At),
		})
	}
	return out
}
