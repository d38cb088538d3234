package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// coach demo fills a store with a believable history, for trying the
// dashboards and for measuring them: teams of trainees, a manager and a
// trainer, attempts over the last 90 days and certificates in every state.
//
// Attempts are real engine results: the built-in golden transcripts are
// varied (turns shifted in time, dropped, swapped, or taken from another
// transcript of the scenario) and replayed, a few hundred times; each stored
// attempt then takes one of those results, picked by how skilled its trainee
// is at that point, so scores rise over time and vary between trainees.

// The demo accounts' names.
const (
	DemoManager       = "demo-manager"
	DemoTrainer       = "demo-trainer"
	DemoTraineePrefix = "demo-trainee-"
)

// ErrDemoRefused is returned (wrapped) when the store is not one coach demo
// may fill.
var ErrDemoRefused = errors.New("coach demo refused")

// DemoStore is what coach demo writes.
type DemoStore interface {
	ListUsers(ctx context.Context) ([]domain.User, error)
	CreateUsersBy(ctx context.Context, us []*domain.User, by store.Actor) error
	AssignTrack(ctx context.Context, a store.TrackAssignment, by store.Actor) error
	ImportAttempts(ctx context.Context, calls []store.Call) error
	AddCertDecision(ctx context.Context, d *store.CertDecision) error
	Analyze(ctx context.Context) error
}

// DemoOptions says what coach demo makes.
type DemoOptions struct {
	Trainees int
	Attempts int
	// PasswordHash is every demo account's password, hashed.
	PasswordHash string
	// Library and Book are the scenarios replayed and what they listen
	// with.
	Library *scenarios.Library
	Book    *sim.Book
	Now     time.Time
	// Seed makes the history reproducible.
	Seed uint64
	// Progress, when set, is told how many attempts are stored so far.
	Progress func(done, total int)
}

// DemoResult is what coach demo made.
type DemoResult struct {
	Teams, Trainees, Attempts, Replays int
	// SignedOff counts the certificates signed off within the history
	// (Suspended of them later suspended); Expired those signed a year
	// before it, which have run out.
	SignedOff, Suspended, Expired int
}

// demoBatch is how many attempts one transaction stores.
const demoBatch = 5000

// demoVariants is how many varied transcripts are replayed per golden
// transcript and mode.
const demoVariants = 8

// demoDays is how far back the history goes.
const demoDays = 90

// DemoCheck refuses a store that has accounts: any other than the demo's
// (coach demo only fills a store of its own), or the demo's (it has run).
func DemoCheck(ctx context.Context, st DemoStore) error {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Username != DemoManager && u.Username != DemoTrainer && !strings.HasPrefix(u.Username, DemoTraineePrefix) {
			return fmt.Errorf("%w: the store has accounts that are not the demo's (%s, and %d in all): fill a new data folder or database instead",
				ErrDemoRefused, u.Username, len(users))
		}
	}
	if len(users) > 0 {
		return fmt.Errorf("%w: the store already holds demo data (%d demo accounts); coach demo runs once per store", ErrDemoRefused, len(users))
	}
	return nil
}

// Demo fills st, which must hold no accounts, with a demo history.
func Demo(ctx context.Context, st DemoStore, opt DemoOptions) (DemoResult, error) {
	var res DemoResult
	if opt.Trainees < 1 || opt.Attempts < 0 {
		return res, fmt.Errorf("%w: want at least one trainee and no negative attempts", ErrDemoRefused)
	}
	if err := DemoCheck(ctx, st); err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed)) // #nosec G404 -- synthetic demo history, replayable from its seed; no secret
	// The replays draw from a stream of their own, so that the learners
	// and their history do not shift with the number of golden transcripts.
	pool, err := demoReplays(opt.Library, opt.Book, rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e1a7))) // #nosec G404 -- as above
	if err != nil {
		return res, err
	}
	res.Replays = pool.replays
	start := opt.Now.AddDate(0, 0, -demoDays)

	// Accounts: ten or so trainees per hundred in a team, as a hotline's
	// shifts are.
	nTeams := max(1, (opt.Trainees+199)/200)
	res.Teams = nTeams
	teams := make([]string, nTeams)
	for i := range teams {
		teams[i] = fmt.Sprintf("热线%02d组", i+1)
	}
	by := store.Actor{Name: "demo"}
	made := start.Add(-24 * time.Hour)
	staff := []*domain.User{
		{Username: DemoManager, PasswordHash: opt.PasswordHash, Role: domain.RoleManager, Created: made},
		{Username: DemoTrainer, PasswordHash: opt.PasswordHash, Role: domain.RoleTrainer, Created: made},
	}
	trainees := make([]*domain.User, opt.Trainees)
	for i := range trainees {
		trainees[i] = &domain.User{Username: fmt.Sprintf("%s%04d", DemoTraineePrefix, i+1), PasswordHash: opt.PasswordHash,
			Role: domain.RoleTrainee, Team: teams[i%nTeams], Created: made}
	}
	if err := st.CreateUsersBy(ctx, append(staff, trainees...), by); err != nil {
		return res, err
	}
	res.Trainees = len(trainees)
	manager := staff[0]

	// Every team but the last of several takes every track, so the
	// matrix shows both.
	assigned := map[string][]*scenarios.Track{}
	for i, team := range teams {
		if nTeams > 1 && i == nTeams-1 {
			continue
		}
		for _, t := range opt.Library.Tracks {
			if err := st.AssignTrack(ctx, store.TrackAssignment{Team: team, TrackID: t.ID, AssignedAt: made}, store.Actor{ID: manager.ID, Name: manager.Username}); err != nil {
				return res, err
			}
			assigned[team] = append(assigned[team], t)
		}
	}

	// Each trainee has a starting skill and a pace of learning; some train
	// much more than others.
	type learner struct {
		u            *domain.User
		skill, speed float64
		weight       float64
		attempts     []demoAttempt
	}
	ls := make([]learner, len(trainees))
	var total float64
	for i, u := range trainees {
		ls[i] = learner{u: u, skill: 0.15 + 0.5*rng.Float64(), speed: 0.1 + 0.5*rng.Float64(), weight: 0.3 + rng.ExpFloat64()}
		total += ls[i].weight
	}
	cum := make([]float64, len(ls))
	acc := 0.0
	for i := range ls {
		acc += ls[i].weight / total
		cum[i] = acc
	}
	pick := func() int {
		i, _ := slices.BinarySearch(cum, rng.Float64())
		return min(i, len(ls)-1)
	}

	// Attempts in time order, so that a batch covers a few days.
	span := opt.Now.Sub(start)
	batch := make([]store.Call, 0, min(demoBatch, opt.Attempts))
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := st.ImportAttempts(ctx, batch); err != nil {
			return err
		}
		res.Attempts += len(batch)
		if opt.Progress != nil {
			opt.Progress(res.Attempts, opt.Attempts)
		}
		batch = batch[:0]
		return nil
	}
	for i := range opt.Attempts {
		frac := (float64(i) + rng.Float64()) / float64(max(opt.Attempts, 1))
		ended := start.Add(time.Duration(frac * float64(span))).Truncate(time.Millisecond)
		l := &ls[pick()]
		mode := domain.Practice
		if rng.Float64() < 0.2 {
			mode = domain.Exam
		}
		skill := min(1, l.skill+l.speed*frac)
		a := pool.pick(rng, mode, skill)
		batch = append(batch, a.call(l.u.ID, mode, ended))
		if mode == domain.Exam && a.passed {
			l.attempts = append(l.attempts, demoAttempt{scenario: a.scenario, score: a.score, ended: ended})
		}
		if len(batch) == demoBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}

	// Certificates: a trainee whose team has a track and who passed its
	// exams gets signed off, mostly; some are later suspended. Some get a
	// certificate signed a year before the history starts, on exams of
	// that time, which has since expired.
	for i := range ls {
		l := &ls[i]
		for _, t := range assigned[l.u.Team] {
			roll := rng.Float64()
			switch {
			case roll < 0.12:
				old := start.AddDate(-1, 0, 0)
				for k, e := range t.Scenarios {
					a := pool.passing(e.ID, t.Mode, e.MinScore)
					if a == nil {
						break
					}
					batch = append(batch, a.call(l.u.ID, domain.Mode(t.Mode), old.Add(time.Duration(k)*time.Hour)))
				}
				if err := flush(); err != nil {
					return res, err
				}
				signed := old.Add(48 * time.Hour)
				d := store.CertDecision{UserID: l.u.ID, TrackID: t.ID, Action: domain.SignOff, At: signed,
					Expires: cert.ExpiryOf(t, signed), ActorID: manager.ID, Actor: manager.Username, Comment: "考核合格，准予认证。"}
				if err := st.AddCertDecision(ctx, &d); err != nil {
					return res, err
				}
				res.Expired++
			case roll < 0.85:
				done := time.Time{}
				for _, e := range t.Scenarios {
					first := time.Time{}
					for _, a := range l.attempts {
						if a.scenario == e.ID && a.score >= e.MinScore {
							first = a.ended
							break
						}
					}
					if first.IsZero() {
						done = time.Time{}
						break
					}
					done = later(done, first)
				}
				if done.IsZero() {
					continue
				}
				signed := done.Add(time.Duration(2+rng.IntN(70)) * time.Hour)
				if !signed.Before(opt.Now) {
					continue
				}
				d := store.CertDecision{UserID: l.u.ID, TrackID: t.ID, Action: domain.SignOff, At: signed,
					Expires: cert.ExpiryOf(t, signed), ActorID: manager.ID, Actor: manager.Username, Comment: "考试全部通过，准予认证。"}
				if err := st.AddCertDecision(ctx, &d); err != nil {
					return res, err
				}
				res.SignedOff++
				if rng.Float64() < 0.05 {
					at := signed.Add(opt.Now.Sub(signed) / 2)
					s := store.CertDecision{UserID: l.u.ID, TrackID: t.ID, Action: domain.Suspend, At: at,
						ActorID: manager.ID, Actor: manager.Username, Comment: "客户投诉核查期间暂停认证。"}
					if err := st.AddCertDecision(ctx, &s); err != nil {
						return res, err
					}
					res.Suspended++
				}
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := st.Analyze(ctx); err != nil {
		return res, err
	}
	return res, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// demoAttempt is a passed exam kept to decide on certificates.
type demoAttempt struct {
	scenario string
	score    int
	ended    time.Time
}

// demoResult is one replayed transcript's result, stored by many attempts.
type demoResult struct {
	scenario string
	seed     uint64
	score    int
	passed   bool
	outcome  string
	duration time.Duration
	card     json.RawMessage
}

func (r *demoResult) call(user int64, mode domain.Mode, ended time.Time) store.Call {
	return store.Call{UserID: user, ScenarioID: r.scenario, ScenarioRevision: "demo", Mode: mode, Seed: int64(r.seed & math.MaxInt64),
		Started: ended.Add(-r.duration), Ended: ended, Outcome: r.outcome, Score: float64(r.score), Passed: r.passed, Scorecard: r.card}
}

// demoPool holds the replayed results per mode and scenario, each list
// ordered by score.
type demoPool struct {
	results   map[domain.Mode]map[string][]*demoResult
	scenarios []string
	replays   int
}

// pick takes a result for a trainee of the given skill (0-1) on a scenario
// drawn at random: mostly one near their rank in the scenario's list,
// sometimes anything.
func (p *demoPool) pick(rng *rand.Rand, mode domain.Mode, skill float64) *demoResult {
	rs := p.results[mode][p.scenarios[rng.IntN(len(p.scenarios))]]
	q := skill + rng.NormFloat64()*0.18
	if rng.Float64() < 0.1 {
		q = rng.Float64()
	}
	i := int(math.Round(min(max(q, 0), 1) * float64(len(rs)-1)))
	return rs[i]
}

// passing is a passed result of scenario in mode scoring at least min, or
// nil.
func (p *demoPool) passing(scenario, mode string, minScore int) *demoResult {
	for _, r := range p.results[domain.Mode(mode)][scenario] {
		if r.passed && r.score >= minScore {
			return r
		}
	}
	return nil
}

// demoReplays replays varied golden transcripts of every scenario in both
// modes.
func demoReplays(lib *scenarios.Library, book *sim.Book, rng *rand.Rand) (*demoPool, error) {
	p := &demoPool{results: map[domain.Mode]map[string][]*demoResult{domain.Practice: {}, domain.Exam: {}}}
	for _, sc := range lib.Scenarios {
		goldens := lib.Golden[sc.ID]
		if len(goldens) == 0 {
			continue
		}
		p.scenarios = append(p.scenarios, sc.ID)
		for _, g := range goldens {
			for v := range demoVariants {
				tr := demoVary(g.Transcript, goldens, v, rng)
				for _, mode := range []domain.Mode{domain.Practice, domain.Exam} {
					seed := rng.Uint64() >> 1
					card, _, err := sim.Replay(sc, book, tr, sim.Options{Mode: mode, Seed: seed})
					if err != nil {
						return nil, fmt.Errorf("replay a variant of %s: %w", g.File, err)
					}
					raw, err := json.Marshal(card)
					if err != nil {
						return nil, fmt.Errorf("replay a variant of %s: %w", g.File, err)
					}
					p.replays++
					p.results[mode][sc.ID] = append(p.results[mode][sc.ID], &demoResult{scenario: sc.ID, seed: card.Seed, score: card.Score, passed: card.Passed,
						outcome: string(card.Outcome), duration: time.Duration(card.Duration * float64(time.Second)).Truncate(time.Millisecond), card: raw})
				}
			}
		}
	}
	if len(p.scenarios) == 0 {
		return nil, fmt.Errorf("%w: the library has no golden transcripts to replay", ErrDemoRefused)
	}
	for _, byScenario := range p.results {
		for _, rs := range byScenario {
			slices.SortStableFunc(rs, func(a, b *demoResult) int { return cmp.Compare(a.score, b.score) })
		}
	}
	return p, nil
}

// demoVary returns variant v of transcript t: v 0 is t as written; the
// others shift its times, drop a reply, swap two replies, or take a reply
// from another transcript of the scenario.
func demoVary(t *scenarios.Transcript, all []*scenarios.Golden, v int, rng *rand.Rand) *scenarios.Transcript {
	turns := slices.Clone(t.Turns)
	if v > 0 {
		// Slower or quicker throughout, with some jitter per turn.
		scale := 0.7 + 0.8*rng.Float64()
		for i := range turns {
			turns[i].At *= scale
		}
		says := []int{}
		for i, tu := range turns {
			if tu.Say != "" {
				says = append(says, i)
			}
		}
		switch {
		case v%4 == 1 && len(says) > 1:
			i := says[1+rng.IntN(len(says)-1)]
			turns = slices.Delete(turns, i, i+1)
		case v%4 == 2 && len(says) > 2:
			k := 1 + rng.IntN(len(says)-2)
			a, b := says[k], says[k+1]
			turns[a].Say, turns[b].Say = turns[b].Say, turns[a].Say
		case v%4 == 3 && len(all) > 1 && len(says) > 1:
			other := all[rng.IntN(len(all))].Transcript
			var theirs []string
			for _, tu := range other.Turns {
				if tu.Say != "" {
					theirs = append(theirs, tu.Say)
				}
			}
			if len(theirs) > 0 {
				turns[says[1+rng.IntN(len(says)-1)]].Say = theirs[rng.IntN(len(theirs))]
			}
		}
		if v >= 4 && len(turns) > 0 {
			// The first reply comes a ring or two later.
			shift := 3 + 4*rng.Float64()
			for i := range turns {
				turns[i].At += shift
			}
		}
	}
	// Keep times in order after the changes.
	for i := 1; i < len(turns); i++ {
		turns[i].At = max(turns[i].At, turns[i-1].At)
	}
	// A variant meets the same caller: the transcript's seed, if it names one.
	return &scenarios.Transcript{Scenario: t.Scenario, Seed: t.Seed, Turns: turns}
}
