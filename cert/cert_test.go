package cert

import (
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var day0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func at(days int, hours ...int) time.Time {
	t := day0.AddDate(0, 0, days)
	for _, h := range hours {
		t = t.Add(time.Duration(h) * time.Hour)
	}
	return t
}

// track is a two-scenario exam track valid for 30 days.
func track() *scenarios.Track {
	return &scenarios.Track{ID: "t", Title: "T", ValidDays: 30, Mode: "exam", Scenarios: []scenarios.TrackEntry{
		{ID: "leak", MinScore: 80}, {ID: "arrears", MinScore: 75},
	}}
}

func exam(id string, score float64, days int) Attempt {
	return Attempt{ScenarioID: id, Mode: "exam", Score: score, Passed: true, Ended: at(days)}
}

// both are exams passing the whole track on day 1 and 2.
func both() []Attempt { return []Attempt{exam("leak", 85, 1), exam("arrears", 75, 2)} }

func signOff(days int) Decision {
	return Decision{Action: domain.SignOff, At: at(days), Expires: at(days + 30)}
}

func TestEvaluate(t *testing.T) {
	practice := exam("leak", 100, 1)
	practice.Mode = "practice"
	failed := exam("leak", 95, 1)
	failed.Passed = false
	tests := []struct {
		name      string
		attempts  []Attempt
		decisions []Decision
		now       time.Time
		want      State
		done      int
	}{
		{"nothing yet", nil, nil, at(0), Enrolled, 0},
		{"a practice attempt never counts", []Attempt{practice, exam("arrears", 90, 1)}, nil, at(3), Enrolled, 1},
		{"an exam below the minimum does not count", []Attempt{exam("leak", 79.5, 1), exam("arrears", 90, 1)}, nil, at(3), Enrolled, 1},
		{"an exam at exactly the minimum counts", []Attempt{exam("leak", 80, 1), exam("arrears", 75, 1)}, nil, at(3), ExamsPassed, 2},
		{"a failed exam with a high score does not count", []Attempt{failed, exam("arrears", 90, 1)}, nil, at(3), Enrolled, 1},
		{"an attempt after now is not seen", both(), nil, at(1, 12), Enrolled, 1},
		{"every scenario passed", both(), nil, at(3), ExamsPassed, 2},
		{"signed off", both(), []Decision{signOff(3)}, at(4), Certified, 2},
		{"a sign-off in the future is not seen yet", both(), []Decision{signOff(5)}, at(4), ExamsPassed, 2},
		{"one instant before expiry", both(), []Decision{signOff(3)}, at(33).Add(-time.Millisecond), Certified, 2},
		{"expired at exactly the validity boundary", both(), []Decision{signOff(3)}, at(33), Expired, 0},
		{"a sign-off before the exams were passed is skipped", both(), []Decision{signOff(0)}, at(4), ExamsPassed, 2},
		{"suspended", both(), []Decision{signOff(3), {Action: domain.Suspend, At: at(5)}}, at(6), Suspended, 2},
		{"reinstated", both(), []Decision{signOff(3), {Action: domain.Suspend, At: at(5)}, {Action: domain.Reinstate, At: at(6)}}, at(7), Certified, 2},
		{"suspension does not stop expiry", both(), []Decision{signOff(3), {Action: domain.Suspend, At: at(5)}}, at(40), Expired, 0},
		{"a reinstatement without a suspension is skipped", both(), []Decision{signOff(3), {Action: domain.Reinstate, At: at(5)}, {Action: domain.Suspend, At: at(6)}}, at(7), Suspended, 2},
		{"exams passed again after expiry", append(both(), exam("leak", 90, 40), exam("arrears", 90, 41)), []Decision{signOff(3)}, at(42), ExamsPassed, 2},
		{"exams passed again while certified wait for expiry", append(both(), exam("leak", 90, 10), exam("arrears", 90, 11)), []Decision{signOff(3)}, at(20), Certified, 2},
		{"renewed", append(both(), exam("leak", 90, 40), exam("arrears", 90, 41)), []Decision{signOff(3), signOff(42)}, at(43), Certified, 2},
		{"a renewal lasts from its own sign-off", append(both(), exam("leak", 90, 40), exam("arrears", 90, 41)), []Decision{signOff(3), signOff(42)}, at(72), Expired, 0},
		{"attempts before a sign-off do not count for the next", both(), []Decision{signOff(3)}, at(50), Expired, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(track(), tc.attempts, tc.decisions, tc.now)
			assert.Equal(t, tc.want, st.State)
			assert.Equal(t, tc.done, st.Done())
		})
	}
}

func TestEvaluateDetails(t *testing.T) {
	attempts := []Attempt{exam("leak", 70, 1), exam("leak", 85, 2), exam("leak", 90, 4), exam("arrears", 76, 3)}
	st := Evaluate(track(), attempts, []Decision{{Action: domain.SignOff, At: at(5)}}, at(6))
	require.Equal(t, Certified, st.State)
	require.Len(t, st.Entries, 2)
	assert.Equal(t, EntryProgress{ScenarioID: "leak", MinScore: 80, Best: 90, Done: true, DoneAt: at(2)}, st.Entries[0])
	assert.Equal(t, EntryProgress{ScenarioID: "arrears", MinScore: 75, Best: 76, Done: true, DoneAt: at(3)}, st.Entries[1])
	assert.Equal(t, at(3), st.ExamsPassedAt)
	assert.Equal(t, at(5), st.CertifiedAt)
	assert.Equal(t, at(35), st.Expires, "a sign-off stored without an expiry gets the track's validity")

	none := Evaluate(track(), nil, nil, at(1))
	assert.Equal(t, -1.0, none.Entries[0].Best)
	assert.True(t, none.ExamsPassedAt.IsZero())
}

func TestCheck(t *testing.T) {
	enrolled := Evaluate(track(), nil, nil, at(3))
	passed := Evaluate(track(), both(), nil, at(3))
	certified := Evaluate(track(), both(), []Decision{signOff(3)}, at(4))
	suspended := Evaluate(track(), both(), []Decision{signOff(3), {Action: domain.Suspend, At: at(4)}}, at(5))
	expired := Evaluate(track(), both(), []Decision{signOff(3)}, at(33))
	tests := []struct {
		name    string
		current Status
		role    string
		action  domain.CertAction
		comment string
		want    error
	}{
		{"a manager signs off passed exams", passed, "manager", domain.SignOff, "ok", nil},
		{"a sign-off before the exams are passed is refused", enrolled, "manager", domain.SignOff, "ok", ErrExamsNotPassed},
		{"an admin cannot sign off", passed, "admin", domain.SignOff, "ok", ErrNotSigner},
		{"a trainer cannot sign off", passed, "trainer", domain.SignOff, "ok", ErrNotSigner},
		{"a trainee cannot sign off", passed, "trainee", domain.SignOff, "ok", ErrNotSigner},
		{"a comment is required", passed, "manager", domain.SignOff, "", ErrCommentRequired},
		{"no second sign-off while certified", certified, "manager", domain.SignOff, "ok", ErrExamsNotPassed},
		{"suspend a certificate", certified, "manager", domain.Suspend, "complaint", nil},
		{"suspend without a certificate", passed, "manager", domain.Suspend, "x", ErrNotCertified},
		{"suspend twice", suspended, "manager", domain.Suspend, "x", ErrNotCertified},
		{"suspend an expired certificate", expired, "manager", domain.Suspend, "x", ErrNotCertified},
		{"reinstate", suspended, "manager", domain.Reinstate, "retrained", nil},
		{"reinstate what is not suspended", certified, "manager", domain.Reinstate, "x", ErrNotSuspended},
		{"reinstate an expired certificate", expired, "manager", domain.Reinstate, "x", ErrNotSuspended},
		{"an unknown action", certified, "manager", domain.CertAction("revoke"), "x", ErrUnknownAction},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.current, tc.role, tc.action, tc.comment)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestExpiryAndParse(t *testing.T) {
	assert.Equal(t, at(30), ExpiryOf(track(), at(0)))
	for _, s := range []string{"signoff", "suspend", "reinstate"} {
		a, err := domain.ParseCertAction(s)
		require.NoError(t, err)
		assert.Equal(t, domain.CertAction(s), a)
	}
	_, err := domain.ParseCertAction("revoke")
	assert.ErrorContains(t, err, `"revoke"`)
}
