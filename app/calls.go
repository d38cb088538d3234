package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// StartCall stores a new live call of the published scenario in mode (as
// named in a request) for user u. The phone starts ringing only when the
// call's socket opens.
func (a *App) StartCall(ctx context.Context, u domain.User, scenario, modeName string, desk bool) (store.Call, error) {
	mode, err := domain.ParseMode(modeName)
	if err != nil {
		return store.Call{}, err
	}
	sc, revision, err := a.content.NewCall(ctx, scenario)
	if err != nil {
		return store.Call{}, err
	}
	return a.CreateCall(ctx, u, sc.ID, revision, mode, desk)
}

// CreateCall stores a new live call of the scenario's given revision for
// user u: a published one (StartCall) or a trainer's draft. desk takes it
// at the agent's desk (lookups, work orders, a wrap-up after the
// conversation); a client that only talks goes without.
func (a *App) CreateCall(ctx context.Context, u domain.User, scenarioID, revision string, mode domain.Mode, desk bool) (store.Call, error) {
	call := store.Call{
		UserID:           u.ID,
		ScenarioID:       scenarioID,
		ScenarioRevision: revision,
		Mode:             mode,
		// Non-negative, so it survives the trip through sim's uint64.
		Seed:    rand.Int64(), // #nosec G404 -- picks the simulated caller's lines; stored with the call and no secret
		Started: a.now(),
		Desk:    desk,
	}
	err := a.db.CreateCallWithin(ctx, &call, a.maxUnopened)
	var quota *store.QuotaError
	if errors.As(err, &quota) {
		// The oldest unopened call times out first and frees a place.
		return store.Call{}, &TooManyCalls{Retry: max(quota.Oldest.Add(a.unopenedTimeout).Sub(a.now()), time.Second), Err: err}
	}
	if err != nil {
		return store.Call{}, err
	}
	a.log.Info("call created", "call", call.ID, "user", u.ID, "scenario", scenarioID, "revision", revision, "mode", mode)
	return call, nil
}

// TooManyCalls refuses a call start: the user has as many live calls that
// no socket opened as allowed. One frees up within Retry.
type TooManyCalls struct {
	Retry time.Duration
	Err   error
}

func (e *TooManyCalls) Error() string {
	return fmt.Sprintf("too many calls waiting for their socket; retry in %s: %v", e.Retry.Round(time.Second), e.Err)
}

// Unwrap gives the store's quota error.
func (e *TooManyCalls) Unwrap() error { return e.Err }

// ExpireUnopened ends, as timed out, the live calls no socket opened within
// UnopenedTimeout of their start, and reports how many. Several instances
// may run it at once: a call is ended once, and one a socket opened
// meanwhile is left alone.
func (a *App) ExpireUnopened(ctx context.Context) (int, error) {
	calls, err := a.db.UnopenedCallsBefore(ctx, a.now().Add(-a.unopenedTimeout), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rec := range calls {
		sc, book, err := a.content.ForCall(ctx, rec)
		if err != nil {
			return n, err
		}
		engine := sim.NewCall(sc, book, sim.Options{Mode: rec.Mode, Seed: uint64(rec.Seed)}) // #nosec G115 -- the seed is PRNG bits, as in the live runtime's rebuild
		engine.Abandon()
		card := engine.Scorecard()
		raw, err := json.Marshal(card)
		if err != nil {
			return n, fmt.Errorf("call %s: encode scorecard: %w", rec.ID, err)
		}
		err = a.db.EndUnopenedCall(ctx, rec.ID, store.CallResult{Ended: a.now(), Outcome: string(card.Outcome),
			Score: float64(card.Score), Passed: card.Passed, Scorecard: raw})
		if errors.Is(err, store.ErrConflict) {
			continue // opened or ended meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
		a.log.Info("unopened call timed out", "call", rec.ID, "user", rec.UserID, "started", rec.Started)
	}
	return n, nil
}

// VisibleCall loads a call user u may see. A trainee sees only their own
// calls; anyone else's is reported missing, so call ids reveal nothing.
// Trainers, managers and admins see every call.
func (a *App) VisibleCall(ctx context.Context, u domain.User, id string) (store.Call, error) {
	call, err := a.db.CallByID(ctx, id)
	if err != nil {
		return store.Call{}, err
	}
	if u.Role == domain.RoleTrainee && call.UserID != u.ID {
		return store.Call{}, fmt.Errorf("%w: call %s belongs to user %d, not %d", domain.ErrNotFound, id, call.UserID, u.ID)
	}
	return call, nil
}

// SocketCall loads a call for its live socket, which only the trainee
// taking it may open.
func (a *App) SocketCall(ctx context.Context, u domain.User, id string) (store.Call, error) {
	call, err := a.db.CallByID(ctx, id)
	if err != nil {
		return store.Call{}, err
	}
	if call.UserID != u.ID {
		return store.Call{}, fmt.Errorf("%w: call %s belongs to user %d, not %d", domain.ErrNotFound, call.ID, call.UserID, u.ID)
	}
	return call, nil
}

// Record is a user's record on one scenario.
type Record struct {
	// Attempts counts the ended calls; Best is the highest score among
	// them and Passed whether any passed.
	Attempts int
	Best     int
	Passed   bool
	// LiveID is the newest unfinished call, which the user can go back to.
	LiveID string
	// BestPractice is the best score in practice mode; Practised says
	// there is one.
	BestPractice int
	Practised    bool
}

// Records returns user id's record on each scenario they have called, or
// on scenarioID alone when it is set.
func (a *App) Records(ctx context.Context, id int64, scenarioID string) (map[string]Record, error) {
	calls, err := a.db.ListCalls(ctx, store.CallFilter{UserID: id, ScenarioID: scenarioID})
	if err != nil {
		return nil, err
	}
	out := map[string]Record{}
	// Calls come newest first, so the first live one seen is the latest.
	for _, call := range calls {
		r := out[call.ScenarioID]
		switch call.Status {
		case domain.CallLive:
			if r.LiveID == "" {
				r.LiveID = call.ID
			}
		case domain.CallEnded:
			score := int(math.Round(call.Score))
			if r.Attempts == 0 || score > r.Best {
				r.Best = score
			}
			r.Attempts++
			r.Passed = r.Passed || call.Passed
			if call.Mode == domain.Practice && (!r.Practised || score > r.BestPractice) {
				r.BestPractice, r.Practised = score, true
			}
		}
		out[call.ScenarioID] = r
	}
	return out, nil
}

// HistoryOf returns whose attempts viewer u may list by the name asked
// for: their own (name empty or theirs), or, for trainers, managers and
// admins, anyone's. A trainee asking for someone else's is told there is no
// such account, as for a call.
func (a *App) HistoryOf(ctx context.Context, u domain.User, name string) (domain.User, error) {
	if name == "" || name == u.Username {
		return u, nil
	}
	if u.Role == domain.RoleTrainee {
		return domain.User{}, fmt.Errorf("%w: trainee %d asked for the history of %q", domain.ErrNotFound, u.ID, name)
	}
	return a.db.UserByUsername(ctx, name)
}
