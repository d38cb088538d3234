package app

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hotlinecoach/coach/domain"
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
	if err := a.db.CreateCall(ctx, &call); err != nil {
		return store.Call{}, err
	}
	a.log.Info("call created", "call", call.ID, "user", u.ID, "scenario", scenarioID, "revision", revision, "mode", mode)
	return call, nil
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
