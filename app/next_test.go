package app

import (
	"testing"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChooseNext(t *testing.T) {
	sc := func(id string, level int) *scenarios.Scenario {
		return &scenarios.Scenario{ID: id, Title: id, Difficulty: level, PassMark: 70}
	}
	easy, mid, hard := sc("easy", 1), sc("mid", 2), sc("hard", 3)
	lib := ByDifficulty([]*scenarios.Scenario{hard, mid, easy})
	require.Equal(t, []*scenarios.Scenario{easy, mid, hard}, lib, "easiest first")
	track := func(state cert.State, entries ...cert.EntryProgress) []TrackStanding {
		return []TrackStanding{{Track: &scenarios.Track{ID: "t"}, Status: cert.Status{State: state, Entries: entries}}}
	}
	entry := func(id string, done bool) cert.EntryProgress {
		return cert.EntryProgress{ScenarioID: id, MinScore: 80, Done: done, Best: -1}
	}
	for _, tc := range []struct {
		name    string
		tracks  []TrackStanding
		records map[string]Record
		want    string
		mode    domain.Mode
		why     string
		allDone bool
	}{
		{"no track: the easiest", nil, nil, "easy", domain.Practice, NextEasiest, false},
		{"no track: the easiest not passed", nil, map[string]Record{"easy": {Passed: true}}, "mid", domain.Practice, NextEasiest, false},
		{"track: its first missing exam, to practise", track(cert.Enrolled, entry("mid", true), entry("hard", false)), nil, "hard", domain.Practice, NextPractise, false},
		{"track: practice reached the minimum, so the exam", track(cert.Enrolled, entry("hard", false)),
			map[string]Record{"hard": {Practised: true, BestPractice: 85}}, "hard", domain.Exam, NextExam, false},
		{"track: practice below the minimum", track(cert.Enrolled, entry("hard", false)),
			map[string]Record{"hard": {Practised: true, BestPractice: 60}}, "hard", domain.Practice, NextPractise, false},
		{"certified: the catalogue again", track(cert.Certified, entry("hard", false)), nil, "easy", domain.Practice, NextEasiest, false},
		{"everything passed", nil, map[string]Record{"easy": {Passed: true}, "mid": {Passed: true}, "hard": {Passed: true}}, "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := chooseNext(tc.tracks, lib, tc.records)
			if tc.allDone {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, tc.want, got.Scenario.ID)
			assert.Equal(t, tc.mode, got.Mode)
			assert.Equal(t, tc.why, got.Why)
		})
	}
}
