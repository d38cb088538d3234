package app

import (
	"bytes"
	"cmp"
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// What the dispute pages read: the trainee's form, the trainers' queue, and
// the evaluation cases learnt from upheld disputes.

// DisputeTurn is one line of a call as the dispute pages show it.
type DisputeTurn struct {
	Index   int
	Speaker string
	At      float64
	Text    string
	// Current marks the disputed turn, or the one selected in the form.
	Current bool
}

// TraineeTurns lists the trainee's lines of card, marking selected.
func TraineeTurns(card sim.Scorecard, selected int) []DisputeTurn {
	var out []DisputeTurn
	for i, t := range card.Turns {
		if t.Speaker == sim.Trainee {
			out = append(out, DisputeTurn{Index: i, Speaker: string(t.Speaker), At: t.At, Text: t.Text, Current: i == selected})
		}
	}
	return out
}

// DisputeForm is the trainee's form to dispute one item of their ended
// call.
type DisputeForm struct {
	CallID string
	// Scenario is the call's scenario's title.
	Scenario string
	Item     sim.ItemResult
	// Turns are the trainee's lines, one of which did the item.
	Turns []DisputeTurn
	// Existing is the item's dispute when there is one already.
	Existing *store.Dispute
	// Measured says the item is measured from the call, not graded on
	// what was said, and cannot be disputed.
	Measured bool
	// Closed is why the item cannot be disputed, as a DisputeRefusal's
	// key ("already_done", "measured"); empty when it can, or when it is
	// disputed already.
	Closed string
}

// Select marks the trainee's line at turn as the one picked.
func (f *DisputeForm) Select(turn int) {
	for i := range f.Turns {
		f.Turns[i].Current = f.Turns[i].Index == turn
	}
}

// DisputeForm reads the form to dispute item itemID of trainee u's ended
// call. Anyone else's call, and an item the card does not have, is not
// found.
func (a *App) DisputeForm(ctx context.Context, u domain.User, callID, itemID string) (*DisputeForm, error) {
	rec, card, err := a.OwnEndedCall(ctx, u, callID)
	if err != nil {
		return nil, err
	}
	i := card.ItemIndex(itemID)
	if i < 0 {
		return nil, fmt.Errorf("%w: call %s has no checklist item %q", domain.ErrNotFound, rec.ID, itemID)
	}
	f := &DisputeForm{CallID: rec.ID, Scenario: card.Title, Item: card.Checklist[i], Turns: TraineeTurns(card, -1),
		Measured: !a.SaidItems(ctx, rec)[itemID]}
	if f.Existing, err = a.DisputeOf(ctx, rec.ID, itemID); err != nil {
		return nil, err
	}
	switch {
	case f.Existing != nil:
	case f.Item.Done:
		f.Closed = "already_done"
	case f.Measured:
		f.Closed = "measured"
	}
	return f, nil
}

// Scenario is the title of the disputed call's scenario; its id when the
// card has none.
func (dc DisputeCard) Scenario() string { return cmp.Or(dc.Card.Title, dc.Call.ScenarioID) }

// QueuedDispute is an open dispute as trainers decide it.
type QueuedDispute struct {
	DisputeCard
	// Context is the disputed turn with the lines before and after it.
	Context []DisputeTurn
	// Entries are the phrasebook entries the wording may be added to
	// (ItemEntries); Proposal is the part of the trainee's line proposed
	// as the variant.
	Entries  []*phrasebook.Entry
	Proposal string
}

// DisputeQueue lists the open disputes, oldest first, and the phrase
// files' drafts waiting for review.
func (a *App) DisputeQueue(ctx context.Context) ([]QueuedDispute, []domain.Revision, error) {
	open, err := a.Disputes(ctx, store.DisputeFilter{State: domain.DisputeOpen})
	if err != nil {
		return nil, nil, err
	}
	out := make([]QueuedDispute, 0, len(open))
	for _, dc := range open {
		q := QueuedDispute{DisputeCard: dc, Entries: a.ItemEntries(ctx, dc.Call, dc.D.ItemID)}
		for i := max(dc.D.Turn-1, 0); i <= dc.D.Turn+1 && i < len(dc.Card.Turns); i++ {
			t := dc.Card.Turns[i]
			q.Context = append(q.Context, DisputeTurn{Index: i, Speaker: string(t.Speaker), At: t.At, Text: t.Text, Current: i == dc.D.Turn})
		}
		if len(q.Entries) > 0 {
			q.Proposal = a.ProposeWording(ctx, dc.Call, dc.D.ItemID, dc.Said)
		}
		out = append(out, q)
	}
	drafts, err := a.content.PendingDrafts(ctx)
	if err != nil {
		return nil, nil, err
	}
	return out, drafts, nil
}

// EvalCasesYAML is the evaluation cases learnt from upheld disputes in the
// format of phrasebook/testdata/eval.yaml, to review and merge into it.
func (a *App) EvalCasesYAML(ctx context.Context) ([]byte, error) {
	list, err := a.db.ListEvalCases(ctx)
	if err != nil {
		return nil, err
	}
	type evalCase struct {
		Text  string   `yaml:"text"`
		Style string   `yaml:"style"`
		Want  []string `yaml:"want,flow"`
		Note  string   `yaml:"note"`
	}
	out := struct {
		Cases []evalCase `yaml:"cases"`
	}{Cases: []evalCase{}}
	for _, ec := range list {
		note := fmt.Sprintf("upheld dispute %d", ec.DisputeID)
		if ec.EntryID != "" {
			note += ", variant of " + ec.EntryID
		}
		out.Cases = append(out.Cases, evalCase{Text: ec.Text, Style: "dispute", Want: []string{ec.Intent}, Note: note})
	}
	var buf bytes.Buffer
	buf.WriteString("# Evaluation cases learnt from upheld disputes. Only the disputed intent\n" +
		"# is labelled: check want lists every intent before merging into\n" +
		"# phrasebook/testdata/eval.yaml.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encode evaluation cases: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode evaluation cases: %w", err)
	}
	return buf.Bytes(), nil
}
