package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
)

// NextStep is the scenario a trainee should take next, in which mode, and
// why: Why names the reason (exam, practise, easiest) and Score the score
// it refers to.
type NextStep struct {
	Scenario *scenarios.Scenario
	Mode     domain.Mode
	Why      string
	Score    int
}

// The reasons for a next step.
const (
	// NextExam: the track's next exam, practice having reached its
	// minimum score.
	NextExam = "exam"
	// NextPractise: the track's next scenario, to practise up to its
	// minimum score.
	NextPractise = "practise"
	// NextEasiest: the easiest scenario not passed yet.
	NextEasiest = "easiest"
)

// ByDifficulty returns the scenarios easiest first; within a level by
// title, so that the order does not depend on how they were loaded.
func ByDifficulty(all []*scenarios.Scenario) []*scenarios.Scenario {
	out := slices.Clone(all)
	slices.SortStableFunc(out, func(a, b *scenarios.Scenario) int {
		return cmp.Or(cmp.Compare(a.Difficulty, b.Difficulty), strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	return out
}

// Next picks trainee u's next scenario: the first exam still missing on a
// track they are not certified on (as an exam once their practice has
// reached its minimum score, as practice before), else the easiest
// scenario not passed yet, to practise. Nil when everything is passed.
func (a *App) Next(ctx context.Context, u domain.User, standings []TrackStanding) (*NextStep, error) {
	lib, err := a.content.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	records, err := a.Records(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	return chooseNext(standings, ByDifficulty(lib.Scenarios), records), nil
}

func chooseNext(standings []TrackStanding, easyFirst []*scenarios.Scenario, records map[string]Record) *NextStep {
	byID := map[string]*scenarios.Scenario{}
	for _, sc := range easyFirst {
		byID[sc.ID] = sc
	}
	for _, t := range standings {
		if t.Status.State == cert.Certified {
			continue
		}
		for _, e := range t.Status.Entries {
			sc := byID[e.ScenarioID]
			if e.Done || sc == nil {
				continue
			}
			if r := records[e.ScenarioID]; r.Practised && r.BestPractice >= e.MinScore {
				return &NextStep{Scenario: sc, Mode: domain.Exam, Why: NextExam, Score: e.MinScore}
			}
			return &NextStep{Scenario: sc, Mode: domain.Practice, Why: NextPractise, Score: e.MinScore}
		}
	}
	for _, sc := range easyFirst {
		if !records[sc.ID].Passed {
			return &NextStep{Scenario: sc, Mode: domain.Practice, Why: NextEasiest, Score: sc.PassMark}
		}
	}
	return nil
}

// HomeMissed is how many of a trainee's most missed steps their start page
// lists.
const HomeMissed = 3

// Home is a trainee's start page: where they stand on their tracks, what
// to do next (nil when every scenario is passed), and the steps they miss
// most.
type Home struct {
	Tracks []TrackStanding
	Next   *NextStep
	Missed []ReportCount
}

// Home reads trainee u's start page.
func (a *App) Home(ctx context.Context, u domain.User) (*Home, error) {
	standings, err := a.TrackStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	h := &Home{Tracks: standings}
	if h.Next, err = a.Next(ctx, u, standings); err != nil {
		return nil, err
	}
	if h.Missed, err = a.ReportMissedBy(ctx, u, HomeMissed); err != nil {
		return nil, err
	}
	return h, nil
}
