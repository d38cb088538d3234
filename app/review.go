package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Review: a draft of a phrase file is published only after a trainer has
// seen what it changes. Review replays the evaluation sets (the built-in
// ones and the cases learnt from disputes) and every published scenario's
// golden transcripts with the published phrasebook and with the draft, and
// reports the differences; ConfirmPublish publishes the draft the trainer
// saw, through Publish's checks, and Abandon drops it.

// EvalSource names where an evaluation case comes from: the built-in sets
// (phrasebook.EvalSetHand, phrasebook.EvalSetDev) or a dispute.
const EvalSourceDispute = "dispute"

// EvalChange is one evaluation utterance whose reading of one intent
// changes with the draft.
type EvalChange struct {
	Text     string            `json:"text"`
	Source   string            `json:"source"`
	Scenario string            `json:"scenario,omitempty"`
	Intent   phrasebook.Intent `json:"intent"`
	// Forbidden says the intent is a forbidden one.
	Forbidden bool `json:"forbidden"`
	// Labelled says the case's labels list the intent: a newly matched
	// labelled intent is a gain, an unlabelled one a false hit (for a
	// forbidden intent, a polite reply taken for an offence).
	Labelled bool `json:"labelled"`
}

// Wrong says the change makes the reading worse: a false hit gained or a
// labelled intent lost.
func (c EvalChange) Wrong(gained bool) bool { return gained != c.Labelled }

// GoldenChange is a golden transcript whose scorecard differs with the
// draft, or that no longer ends as it expects.
type GoldenChange struct {
	Before GoldenRun `json:"before"`
	After  GoldenRun `json:"after"`
}

// Breaks says the transcript no longer ends as it expects.
func (g GoldenChange) Breaks() bool { return !g.After.OK }

// Review is what publishing a draft phrase file would change.
type Review struct {
	Rev domain.Revision `json:"-"`
	// Pub is the publication the draft was compared with; ConfirmPublish
	// refuses if another was made since.
	Pub int64 `json:"publication"`
	// Published is the revision number of the file now live; zero when
	// none is.
	Published int        `json:"published"`
	Diff      []DiffLine `json:"-"`
	// Issues are the draft's problems; with any, nothing was replayed.
	Issues []Issue `json:"issues"`
	// Cases is how many evaluation utterances were replayed.
	Cases          int            `json:"cases"`
	NewlyMatched   []EvalChange   `json:"newly_matched"`
	NewlyUnmatched []EvalChange   `json:"newly_unmatched"`
	Goldens        []GoldenChange `json:"goldens"`
	// Runs is how many golden transcripts were replayed.
	Runs int `json:"runs"`
}

// Blocked says the draft cannot be published: it has problems or breaks
// a golden transcript.
func (rv *Review) Blocked() bool {
	if len(rv.Issues) > 0 {
		return true
	}
	return slices.ContainsFunc(rv.Goldens, GoldenChange.Breaks)
}

// IntentChanges are a review's changes of one intent.
type IntentChanges struct {
	Intent    phrasebook.Intent
	Title     string
	Forbidden bool
	Gained    []EvalChange
	Lost      []EvalChange
}

// ByIntent gathers the review's utterance changes per intent, in the order
// of the canonical intents; intents without changes are left out.
func (rv *Review) ByIntent() []IntentChanges {
	var out []IntentChanges
	for _, info := range phrasebook.Intents() {
		g := IntentChanges{Intent: info.Intent, Title: info.Title, Forbidden: info.Kind == phrasebook.Forbidden}
		for _, ch := range rv.NewlyMatched {
			if ch.Intent == info.Intent {
				g.Gained = append(g.Gained, ch)
			}
		}
		for _, ch := range rv.NewlyUnmatched {
			if ch.Intent == info.Intent {
				g.Lost = append(g.Lost, ch)
			}
		}
		if len(g.Gained)+len(g.Lost) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// Summary is the review in one line, for the audit log.
func (rv *Review) Summary() string {
	return fmt.Sprintf("reviewed against %d utterances and %d golden transcripts: %d newly matched, %d newly unmatched, %d scorecards changed",
		rv.Cases, rv.Runs, len(rv.NewlyMatched), len(rv.NewlyUnmatched), len(rv.Goldens))
}

// evalCase is one utterance replayed by a review.
type evalCase struct {
	phrasebook.EvalCase
	filter phrasebook.Filter
}

// evalCases are the built-in evaluation sets and the cases learnt from
// disputes, each with the filter of the scenario it is said in.
func (m *Content) evalCases(ctx context.Context, lib *scenarios.Library) ([]evalCase, error) {
	builtin, err := phrasebook.EvalSets()
	if err != nil {
		return nil, err
	}
	learnt, err := m.db.ListEvalCases(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]evalCase, 0, len(builtin)+len(learnt))
	for _, c := range builtin {
		ec := evalCase{EvalCase: c}
		if sc, ok := lib.Scenario(c.Scenario); ok {
			ec.filter = sc.Filter()
		} else {
			ec.Scenario = ""
		}
		out = append(out, ec)
	}
	for _, c := range learnt {
		out = append(out, evalCase{EvalCase: phrasebook.EvalCase{Text: c.Text, Want: []phrasebook.Intent{phrasebook.Intent(c.Intent)},
			Set: EvalSourceDispute}})
	}
	return out, nil
}

// intentsOf are the intents book finds in text, with their kinds.
func intentsOf(book *sim.Book, text string, f phrasebook.Filter) map[phrasebook.Intent]phrasebook.Kind {
	out := map[phrasebook.Intent]phrasebook.Kind{}
	for _, h := range book.Match(text, f) {
		out[h.Intent] = h.Kind
	}
	return out
}

// Review works out what publishing draft phrase file r would change; see
// Review. Scenarios are not reviewed: their golden transcripts are their
// check.
func (m *Content) Review(ctx context.Context, r domain.Revision) (*Review, error) {
	if r.Kind != domain.ContentPhrases {
		return nil, fmt.Errorf("%w: review %s/%s: only phrase files are reviewed", domain.ErrInvalid, r.Kind, r.ContentID)
	}
	cur, err := m.Published(ctx)
	if err != nil {
		return nil, err
	}
	rv := &Review{Rev: r, Pub: cur.Pub, Issues: cur.Check(r)}
	live, hasLive := cur.Units[r.Key().String()]
	if hasLive {
		rv.Published = live.N
	}
	if rv.Diff, err = Diff(live, r); err != nil {
		return nil, err
	}
	if len(rv.Issues) > 0 {
		return rv, nil
	}
	pub, err := m.db.PublicationByID(ctx, cur.Pub)
	if err != nil {
		return nil, err
	}
	draft, err := m.Build(ctx, pub, r)
	if err != nil {
		return nil, err
	}
	defer draft.Close()

	cases, err := m.evalCases(ctx, cur.Lib)
	if err != nil {
		return nil, err
	}
	rv.Cases = len(cases)
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		before, after := intentsOf(cur.Book, c.Text, c.filter), intentsOf(draft.Book, c.Text, c.filter)
		change := func(i phrasebook.Intent, k phrasebook.Kind) EvalChange {
			return EvalChange{Text: c.Text, Source: c.Set, Scenario: c.Scenario, Intent: i,
				Forbidden: k == phrasebook.Forbidden, Labelled: c.Wants(i)}
		}
		for i, k := range after {
			if _, ok := before[i]; !ok {
				rv.NewlyMatched = append(rv.NewlyMatched, change(i, k))
			}
		}
		for i, k := range before {
			if _, ok := after[i]; !ok {
				rv.NewlyUnmatched = append(rv.NewlyUnmatched, change(i, k))
			}
		}
	}
	byIntent := func(a, b EvalChange) int {
		return cmp.Or(cmp.Compare(a.Intent, b.Intent), cmp.Compare(a.Text, b.Text))
	}
	slices.SortStableFunc(rv.NewlyMatched, byIntent)
	slices.SortStableFunc(rv.NewlyUnmatched, byIntent)

	was, now := replayGoldens(cur.Lib, cur.Book, nil), replayGoldens(draft.Lib, draft.Book, nil)
	rv.Runs = len(now)
	old := map[string]GoldenRun{}
	for _, g := range was {
		old[g.Scenario+"/"+g.Name] = g
	}
	for _, g := range now {
		b := old[g.Scenario+"/"+g.Name]
		if !g.OK || b.Score != g.Score || b.Passed != g.Passed || b.Outcome != g.Outcome {
			rv.Goldens = append(rv.Goldens, GoldenChange{Before: b, After: g})
		}
	}
	return rv, nil
}

// ErrReviewStale says the content changed after the trainer's review: the
// draft must be reviewed again before it is published.
var ErrReviewStale = fmt.Errorf("%w: the published content changed since the review", domain.ErrConflict)

// ConfirmPublish publishes draft phrase file r after the trainer saw its
// review against publication seen. If another publication was made since,
// it gives ErrReviewStale; otherwise it publishes through Publish, whose
// checks (the draft's problems, every golden transcript) still refuse a
// draft that breaks something, and the audit entry carries the review's
// summary.
func (m *Content) ConfirmPublish(ctx context.Context, actor store.Actor, r domain.Revision, seen int64) error {
	cur, err := m.Published(ctx)
	if err != nil {
		return err
	}
	if cur.Pub != seen {
		return ErrReviewStale
	}
	rv, err := m.Review(ctx, r)
	if err != nil {
		return err
	}
	return m.publish(ctx, actor, r, rv.Summary())
}

// ErrNoDraft says there is no draft to abandon: the revision is not the
// file's newest, or is the one published.
var ErrNoDraft = fmt.Errorf("%w: no unpublished draft", domain.ErrConflict)

// Abandon drops draft r of a phrase file: a new revision puts the
// published text back as the file's newest, so the editor and the next
// proposal start from what is live, and the audit log says who abandoned
// what. A file never published has nothing to go back to; its draft stays.
func (m *Content) Abandon(ctx context.Context, actor store.Actor, r domain.Revision) (domain.Revision, error) {
	info, err := m.db.Content(ctx, r.Kind, r.ContentID)
	if err != nil {
		return domain.Revision{}, err
	}
	if info.HeadID != r.ID || info.PublishedID == 0 || info.PublishedID == r.ID {
		return domain.Revision{}, ErrNoDraft
	}
	live, err := m.db.Revision(ctx, info.PublishedID)
	if err != nil {
		return domain.Revision{}, err
	}
	rev, err := m.db.SaveRevision(ctx, actor, store.SaveRequest{Kind: r.Kind, ID: r.ContentID, Body: live.Body, Golden: live.Golden,
		Parent: r.N, Action: "abandon", Message: fmt.Sprintf("abandon revision %d; back to the published revision %d", r.N, live.N),
		Detail: firstLine(r.Message)})
	if errors.Is(err, store.ErrConflict) {
		return domain.Revision{}, ErrNoDraft
	}
	return rev, err
}

// Pending reports whether r is a draft waiting for review: the newest
// revision of its unit, not published, and different from what is.
func (m *Content) Pending(ctx context.Context, r domain.Revision) (bool, error) {
	info, err := m.db.Content(ctx, r.Kind, r.ContentID)
	if err != nil {
		return false, err
	}
	if info.HeadID != r.ID || info.PublishedID == r.ID {
		return false, nil
	}
	if info.PublishedID == 0 {
		return true, nil
	}
	live, err := m.db.Revision(ctx, info.PublishedID)
	if err != nil {
		return false, err
	}
	return live.Body != r.Body, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// PendingDrafts lists the phrase files whose newest revision waits for
// review: proposals from disputes and editors' unpublished changes.
func (m *Content) PendingDrafts(ctx context.Context) ([]domain.Revision, error) {
	units, err := m.db.ListContent(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.Revision
	for _, u := range units {
		if u.Kind != domain.ContentPhrases || u.HeadID == u.PublishedID || u.Retired {
			continue
		}
		head, err := m.db.Revision(ctx, u.HeadID)
		if err != nil {
			return nil, err
		}
		if ok, err := m.Pending(ctx, head); err != nil {
			return nil, err
		} else if ok {
			out = append(out, head)
		}
	}
	return out, nil
}
