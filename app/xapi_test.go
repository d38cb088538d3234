package app_test

import (
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestXAPIStatements(t *testing.T) {
	ended := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	attempt := func(id string, mode domain.Mode, score float64, passed bool) store.Attempt {
		return store.Attempt{Username: "li", Call: store.Call{ID: id, ScenarioID: "leak", Mode: mode, Score: score, Passed: passed, Outcome: "completed", Ended: ended}}
	}
	page := &app.ReportExportPage{
		Attempts: []store.Attempt{attempt("c1", domain.Exam, 91, true), attempt("c2", domain.Exam, 61, false), attempt("c3", domain.Practice, 40, false)},
		SignOffs: []app.ReportSignOff{{CertDecision: store.CertDecision{ID: 7, TrackID: "heating-level-1", At: ended, Expires: ended.AddDate(1, 0, 0), Actor: "boss", Comment: "同意"},
			Username: "li", TrackTitle: "供热一级"}},
		Titles: map[string]string{"leak": "漏水"},
	}
	got := app.XAPIStatements(page, "https://lms.example.com/coach/")
	require.Len(t, got, 4)
	tests := []struct {
		verb, object, typ string
		scaled            float64
		success           bool
	}{
		{app.VerbPassed, "https://lms.example.com/coach/scenarios/leak", "http://adlnet.gov/expapi/activities/assessment", 0.91, true},
		{app.VerbFailed, "https://lms.example.com/coach/scenarios/leak", "http://adlnet.gov/expapi/activities/assessment", 0.61, false},
		{app.VerbCompleted, "https://lms.example.com/coach/scenarios/leak", "http://adlnet.gov/expapi/activities/simulation", 0.40, false},
		{"https://lms.example.com/coach/verbs/certified", "https://lms.example.com/coach/tracks/heating-level-1", "http://adlnet.gov/expapi/activities/course", 0, true},
	}
	for i, tt := range tests {
		st := got[i]
		assert.Equal(t, tt.verb, st.Verb.ID, i)
		assert.Equal(t, tt.object, st.Object.ID, i)
		assert.Equal(t, tt.typ, st.Object.Definition.Type, i)
		assert.Equal(t, "https://lms.example.com/coach", st.Actor.Account.HomePage, "the base loses its trailing slash")
		assert.Equal(t, "li", st.Actor.Account.Name)
		assert.Equal(t, "2026-03-01T01:30:00.000Z", st.Timestamp, "in UTC")
		require.NotNil(t, st.Result.Success)
		assert.Equal(t, tt.success, *st.Result.Success, i)
		if tt.scaled > 0 {
			assert.InDelta(t, tt.scaled, st.Result.Score.Scaled, 1e-9, i)
			assert.Equal(t, "漏水", st.Object.Definition.Name["zh-CN"])
		}
	}
	assert.Equal(t, app.StatementID("call:c1"), got[0].ID, "stable: the same attempt exports under the same id")
	assert.NotEqual(t, got[0].ID, got[1].ID)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, got[3].ID)
	assert.Equal(t, "同意", got[3].Result.Response)
	assert.Nil(t, got[3].Result.Score)
}

func TestCheckXAPIBase(t *testing.T) {
	for base, ok := range map[string]bool{
		"https://lms.example.com/coach": true, "http://10.0.0.1:8080": true,
		"lms": false, "ftp://x/y": false, "https://": false, "::": false,
	} {
		if ok {
			assert.NoError(t, app.CheckXAPIBase(base), base)
		} else {
			assert.ErrorContains(t, app.CheckXAPIBase(base), "xAPI base", base)
		}
	}
}
