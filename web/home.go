package web

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// homeView is a trainee's start page: where they stand on their track,
// what to do next, and the steps they miss most.
type homeView struct {
	Tracks []trackProgress
	Next   *nextStep
	// AllPassed says every scenario has a passed attempt, so there is no
	// next one to suggest.
	AllPassed bool
	Missed    []itemCount
}

// nextStep is the scenario a trainee should take next, in which mode, and
// why (a catalogue key with {n} for a score).
type nextStep struct {
	ScenarioID, Title, Summary, Domain string
	Difficulty                         int
	Mode                               store.Mode
	Why                                string
	Score                              int
}

// scenarioRecord is a trainee's record on one scenario: the best score in
// practice and whether any attempt passed.
type scenarioRecord struct {
	BestPractice float64
	Practised    bool
	Passed       bool
}

// homeMissed is how many of a trainee's most missed steps the home page
// lists.
const homeMissed = 3

// home is GET /: a trainee's next step; everyone else's start page.
func (s *Server) home(c *gin.Context) error {
	u, _ := currentUser(c)
	if u.Role != store.RoleTrainee {
		s.render(c, http.StatusOK, "home", nil)
		return nil
	}
	ctx := c.Request.Context()
	tracks, err := s.trackStatus(ctx, u)
	if err != nil {
		return err
	}
	lib, err := s.content.catalogue(ctx)
	if err != nil {
		return err
	}
	records := map[string]scenarioRecord{}
	t := newTally(s.scenarioTitles(ctx))
	err = s.store.EachAttempt(ctx, store.AttemptFilter{UserID: u.ID, Limit: maxReportAttempts}, func(a store.Attempt) error {
		r := records[a.ScenarioID]
		if a.Mode == store.ModePractice {
			r.BestPractice, r.Practised = math.Max(r.BestPractice, a.Score), true
		}
		r.Passed = r.Passed || a.Passed
		records[a.ScenarioID] = r
		t.add(a)
		return nil
	})
	if err != nil {
		return err
	}
	v := homeView{Tracks: tracks}
	v.Next = chooseNext(tracks, byDifficulty(lib.Scenarios), records)
	v.AllPassed = v.Next == nil
	v.Missed, _ = t.top(homeMissed)
	s.render(c, http.StatusOK, "home", v)
	return nil
}

// byDifficulty returns the scenarios easiest first; within a level, by
// title, so that the order does not depend on how they were loaded.
func byDifficulty(all []*scenarios.Scenario) []*scenarios.Scenario {
	out := slices.Clone(all)
	slices.SortStableFunc(out, func(a, b *scenarios.Scenario) int {
		return cmp.Or(cmp.Compare(a.Difficulty, b.Difficulty), strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	return out
}

// chooseNext picks a trainee's next scenario: the first exam still missing
// on a track they are not certified on, as an exam once their practice has
// reached its minimum score and as practice before; else the easiest
// scenario not yet passed, to practise. Nil when everything is passed.
func chooseNext(tracks []trackProgress, easyFirst []*scenarios.Scenario, records map[string]scenarioRecord) *nextStep {
	find := func(id string) *scenarios.Scenario {
		for _, sc := range easyFirst {
			if sc.ID == id {
				return sc
			}
		}
		return nil
	}
	step := func(sc *scenarios.Scenario, mode store.Mode, why string, score int) *nextStep {
		return &nextStep{ScenarioID: sc.ID, Title: sc.Title, Summary: sc.Summary, Domain: sc.Domain, Difficulty: sc.Difficulty,
			Mode: mode, Why: why, Score: score}
	}
	for _, t := range tracks {
		if t.Status.State == cert.Certified {
			continue
		}
		for _, e := range t.Status.Entries {
			sc := find(e.ScenarioID)
			if e.Done || sc == nil {
				continue
			}
			if r := records[e.ScenarioID]; r.Practised && r.BestPractice >= float64(e.MinScore) {
				return step(sc, store.ModeExam, "home.next_exam", e.MinScore)
			}
			return step(sc, store.ModePractice, "home.next_practise", e.MinScore)
		}
	}
	for _, sc := range easyFirst {
		if !records[sc.ID].Passed {
			return step(sc, store.ModePractice, "home.next_easiest", sc.PassMark)
		}
	}
	return nil
}
