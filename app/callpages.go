package app

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// What the pages of one call read: the live call's screen, the scorecard
// of an ended call, and a user's list of calls. Who may see the call is
// VisibleCall's to decide, before these are asked.

// CallScreen is what the live call page shows of a call besides its log.
type CallScreen struct {
	// Title, Summary and Company say what the call is about; Title is the
	// scenario's id when the scenario cannot be loaded any more.
	Title, Summary, Company string
	// Temper (calm, anxious, angry) picks the words for the caller's
	// mood; Mood is the mood the caller starts in.
	Temper string
	Mood   int
	// Steps are the checklist items graded on what is said, in order.
	Steps []Step
	// Desk is the agent's desk beside the call; nil without one.
	Desk *scenarios.Desk
	// Draft says the call plays a scenario revision that is not
	// published: a trainer trying a draft.
	Draft bool
	// OwnerName is the trainee taking the call, as people know them.
	OwnerName string
	// CallerNumber is the number the call comes from, as a phone's
	// display shows it.
	CallerNumber string
}

// Step is a checklist item on the call page; Done once the trainee has
// done it.
type Step struct {
	ID, Title string
	Done      bool
}

// MarkDone marks the steps among done, and says how many are.
func (cs *CallScreen) MarkDone(done []string) int {
	n := 0
	for i := range cs.Steps {
		if cs.Steps[i].Done = slices.Contains(done, cs.Steps[i].ID); cs.Steps[i].Done {
			n++
		}
	}
	return n
}

// CallScreen reads what the call page shows of call. A scenario that cannot
// be loaded any more leaves the page showing its id, not an error: the
// call's log still shows what was said.
func (a *App) CallScreen(ctx context.Context, call store.Call) (*CallScreen, error) {
	out := &CallScreen{Title: call.ScenarioID, Temper: "calm"}
	sc, _, err := a.content.ForCall(ctx, call)
	if err != nil {
		a.log.Info("call page: no scenario for the call", "call", call.ID, "err", err)
		sc = nil
	}
	if sc != nil {
		out.Title, out.Summary, out.Company, out.Mood = sc.Title, sc.Summary, sc.Company, sc.Persona.Mood
		if sc.Persona.Temper != "" {
			out.Temper = sc.Persona.Temper
		}
		for _, it := range sc.Checklist {
			if it.Rule == "" {
				out.Steps = append(out.Steps, Step{ID: it.ID, Title: it.Title})
			}
		}
		if call.Desk {
			out.Desk = sc.Desk
		}
	}
	out.CallerNumber = CallerNumber(sc, call.ID)
	if out.Draft, err = a.content.Unpublished(ctx, call); err != nil {
		a.log.Info("call page: cannot tell whether the call plays a draft", "call", call.ID, "err", err)
	}
	if out.OwnerName, err = a.displayName(ctx, call.UserID); err != nil {
		return nil, err
	}
	return out, nil
}

// CallerNumber is the caller's phone number as a display shows it: the
// persona's phone when the scenario gives one, else a mobile number made
// from the call's id, the same on every reload.
func CallerNumber(sc *scenarios.Scenario, callID string) string {
	digits := ""
	if sc != nil {
		if f, ok := sc.FactByKey("phone"); ok {
			for _, r := range f.Value {
				if r >= '0' && r <= '9' {
					digits += string(r)
				}
			}
		}
	}
	if len(digits) != 11 {
		h := fnv.New64a()
		_, _ = h.Write([]byte(callID)) // a hash.Hash does not fail
		digits = fmt.Sprintf("13%09d", h.Sum64()%1_000_000_000)
	}
	return digits[:3] + " " + digits[3:7] + " " + digits[7:]
}

// displayName is how account id is named to people, for pages that show
// whose call it is.
func (a *App) displayName(ctx context.Context, id int64) (string, error) {
	u, err := a.db.UserByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("owner of a call: %w", err)
	}
	return u.DisplayName(), nil
}

// CallScorecard is an ended call's scorecard page: the stored card, and
// what the scenario the call was played against says after the call.
type CallScorecard struct {
	Card      sim.Scorecard
	OwnerName string
	// Own says the viewer took the call, and so may dispute its items:
	// those in Disputable, graded on what was said.
	Own        bool
	Disputable map[string]bool
	// Facts are the caller's details in this call, in the scenario's
	// order.
	Facts []Fact
	// ModelCall is the scenario's whole call done well, played against
	// its base caller, for reading after the call; nil when it has none.
	ModelCall []sim.Turn
	// TrainerNote is the scenario's teaching points, for the staff who
	// review the call; empty for a trainee.
	TrainerNote string
	// Record is the owner's record on the scenario, this call included.
	Record
}

// Fact is one of the caller's details.
type Fact struct {
	Key, Value string
}

// CallScorecard reads the scorecard page of ended call as viewer sees it.
func (a *App) CallScorecard(ctx context.Context, viewer domain.User, call store.Call) (*CallScorecard, error) {
	card, err := ParseCard(call)
	if err != nil {
		return nil, err
	}
	if card.Title == "" {
		card.Title = call.ScenarioID
	}
	out := &CallScorecard{Card: card, Own: call.UserID == viewer.ID, Disputable: map[string]bool{}}
	if out.Own {
		out.Disputable = a.SaidItems(ctx, call)
	}
	sc, book, err := a.content.ForCall(ctx, call)
	if err != nil {
		return nil, err
	}
	for _, f := range sc.Facts {
		if v, ok := card.Facts[f.Key]; ok {
			out.Facts = append(out.Facts, Fact{Key: f.Key, Value: v})
		}
	}
	if viewer.Role != domain.RoleTrainee {
		out.TrainerNote = sc.TrainerNote
	}
	model, err := sim.ModelCall(sc, book)
	if err != nil {
		return nil, fmt.Errorf("scorecard of call %s: %w", call.ID, err)
	}
	if model != nil {
		out.ModelCall = model.Turns
	}
	if out.OwnerName, err = a.displayName(ctx, call.UserID); err != nil {
		return nil, err
	}
	records, err := a.Records(ctx, call.UserID, call.ScenarioID)
	if err != nil {
		return nil, err
	}
	out.Record = records[call.ScenarioID]
	return out, nil
}

// HistoryLimit caps how many calls a history lists.
const HistoryLimit = 200

// History is a user's calls, newest first.
type History struct {
	// Who made the calls.
	Who   domain.User
	Calls []HistoryCall
	// Truncated says older calls were left off.
	Truncated bool
}

// HistoryCall is a call with its scenario's title (its id when the
// scenario is not published any more).
type HistoryCall struct {
	store.Call
	Title string
}

// History lists the calls of the user viewer u asks for by name
// (HistoryOf says whose they may see), at most HistoryLimit of them.
func (a *App) History(ctx context.Context, u domain.User, name string) (*History, error) {
	who, err := a.HistoryOf(ctx, u, name)
	if err != nil {
		return nil, err
	}
	calls, err := a.db.ListCalls(ctx, store.CallFilter{UserID: who.ID, Limit: HistoryLimit + 1})
	if err != nil {
		return nil, err
	}
	out := &History{Who: who, Calls: make([]HistoryCall, 0, min(len(calls), HistoryLimit))}
	if len(calls) > HistoryLimit {
		calls, out.Truncated = calls[:HistoryLimit], true
	}
	titles := a.ScenarioTitles(ctx)
	for _, call := range calls {
		out.Calls = append(out.Calls, HistoryCall{Call: call, Title: cmp.Or(titles[call.ScenarioID], call.ScenarioID)})
	}
	return out, nil
}
