package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCertificationWorkflow assigns a track, certifies a trainee who
// passed its exams and reads the certificate as each role may.
func TestCertificationWorkflow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	qi := f.user(t, "qi", domain.RoleTrainee)
	boss := f.user(t, "boss", domain.RoleManager)
	wang := f.user(t, "wang", domain.RoleTrainer)
	track := f.lib.Tracks[0]
	by := store.Actor{ID: boss.ID, Name: boss.Username}

	for _, tt := range []struct {
		name, team, track string
		assign            bool
		want              string
		err               error
	}{
		{"assign", "  东区 ", track.ID, true, "东区", nil},
		{"again", "东区", track.ID, true, "", store.ErrConflict},
		{"no team", " ", track.ID, true, "", domain.ErrInvalid},
		{"a team on two lines", "东\n区", track.ID, true, "", domain.ErrInvalid},
		{"an unknown track", "东区", "no-such-track", true, "", domain.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			team, err := f.app.AssignTrack(ctx, by, tt.team, tt.track, tt.assign)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, team)
		})
	}
	team := "东区"
	li, err := f.db.UpdateUser(ctx, li.ID, store.UserChange{Team: &team}, t0, by)
	require.NoError(t, err)

	standings, err := f.app.TrackStatus(ctx, li)
	require.NoError(t, err)
	require.Len(t, standings, 1)
	assert.Equal(t, track.ID, standings[0].Track.ID)
	assert.False(t, standings[0].Certified())
	for _, e := range track.Scenarios {
		assert.NotEmpty(t, standings[0].Titles[e.ID], "the track's scenarios are named")
	}

	_, err = f.app.Certificate(ctx, li, li.ID, track.ID)
	assert.ErrorIs(t, err, domain.ErrNotFound, "no certificate before the sign-off")
	var passed []store.Call
	for i, e := range track.Scenarios {
		ended := t0.Add(-time.Duration(i+1) * time.Hour)
		passed = append(passed, store.Call{UserID: li.ID, ScenarioID: e.ID, ScenarioRevision: "r", Mode: domain.Exam, Started: ended.Add(-time.Minute),
			Ended: ended, Outcome: "completed", Score: 100, Passed: true, Scorecard: json.RawMessage(`{}`)})
	}
	require.NoError(t, f.db.ImportAttempts(ctx, passed))
	_, err = f.app.Decide(ctx, boss, li.ID, track, domain.SignOff, strings.Repeat("好", 700))
	assert.ErrorIs(t, err, domain.ErrInvalid, "a comment of 2,100 bytes")
	_, err = f.app.Decide(ctx, boss, li.ID, track, domain.SignOff, " 同意 ")
	require.NoError(t, err)
	standings, err = f.app.TrackStatus(ctx, li)
	require.NoError(t, err)
	assert.True(t, standings[0].Certified())

	for _, tt := range []struct {
		name   string
		viewer domain.User
		track  string
		err    error
	}{
		{"the trainee", li, track.ID, nil},
		{"a manager", boss, track.ID, nil},
		{"another trainee", qi, track.ID, domain.ErrNotFound},
		{"a trainer", wang, track.ID, domain.ErrNotFound},
		{"an unknown track", li, "no-such-track", domain.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := f.app.Certificate(ctx, tt.viewer, li.ID, tt.track)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, cert.Certified, c.Status.State)
			assert.Equal(t, "li", c.Trainee.Username)
			assert.Equal(t, "boss", c.SignedBy)
			assert.Equal(t, "同意", c.Comment, "trimmed")
			assert.NotEmpty(t, c.Titles)
		})
	}
}
