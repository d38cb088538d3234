package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Content is validated one way wherever it comes from (the editor, a
// dispute that adds a variant, the loader building a publication): parsed
// strictly with every problem at its file, line and field, checked against
// the rest of the published content, and its golden transcripts replayed
// before it is published.

// Issue is one problem of a content unit, at its file, line and field.
type Issue struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// String is the issue as "file:line: field: message", the shape editors
// and coach check's users read; an issue of no file is its message alone.
func (is Issue) String() string {
	if is.File == "" {
		return is.Message
	}
	return (&yamlfile.Error{File: is.File, Line: is.Line, Field: is.Field, Msg: is.Message}).Error()
}

// Issues spreads a parse error into its problems; file names the unit
// when the error does not.
func Issues(err error, file string) []Issue {
	if err == nil {
		return nil
	}
	many := yamlfile.Problems(err, file)
	out := make([]Issue, 0, len(many))
	for _, e := range many {
		out = append(out, Issue{File: e.File, Line: e.Line, Field: e.Field, Message: e.Msg})
	}
	return out
}

// Draft checks an unsaved unit's kind, id and sizes and returns it as a
// revision.
func Draft(kind, id, body string, golden map[string]string) (domain.Revision, error) {
	k, err := domain.ParseContentKind(kind)
	if err != nil {
		return domain.Revision{}, err
	}
	if !store.ValidContentID(id) {
		return domain.Revision{}, fmt.Errorf("%w: content id %q", domain.ErrInvalid, id)
	}
	if len(body) > store.MaxContentBody || len(golden) > store.MaxGolden {
		return domain.Revision{}, fmt.Errorf("%w: draft too large", domain.ErrInvalid)
	}
	return domain.Revision{Kind: k, ContentID: id, Body: body, Golden: golden}, nil
}

// Check validates r against the published content: the file itself, its
// golden transcripts, and for a phrase file, whether every published
// scenario still finds the phrase ids it refers to.
func (m *Content) Check(ctx context.Context, r domain.Revision) ([]Issue, error) {
	cs, err := m.Published(ctx)
	if err != nil {
		return nil, err
	}
	return cs.Check(r), nil
}

// Check validates r against the set; see Content.Check.
func (cs *Set) Check(r domain.Revision) []Issue {
	issues := []Issue{}
	if r.Kind == domain.ContentScenario {
		_, _, err := parseScenario(revisionUnit(r), sim.Known(cs.Shared))
		return append(issues, Issues(err, ScenarioFile(r.ContentID))...)
	}
	others := cs.sharedBut(r.ContentID)
	entries, err := parsePhrases(revisionUnit(r), others)
	if err != nil {
		return append(issues, Issues(err, PhraseFile(r.ContentID))...)
	}
	return append(issues, cs.scenarioIssues(append(others, entries...))...)
}

// sharedBut is the set's phrasebook without phrase file id.
func (cs *Set) sharedBut(id string) []phrasebook.Entry {
	file := PhraseFile(id)
	var out []phrasebook.Entry
	for _, e := range cs.Shared {
		if e.Pos.File != file {
			out = append(out, e)
		}
	}
	return out
}

// scenarioIssues are the problems of the set's scenarios against the
// phrasebook shared.
func (cs *Set) scenarioIssues(shared []phrasebook.Entry) []Issue {
	known := sim.Known(shared)
	var issues []Issue
	for _, key := range slices.Sorted(mapKeys(cs.Units)) {
		u := cs.Units[key]
		if u.Kind != domain.ContentScenario {
			continue
		}
		if _, _, err := parseScenario(revisionUnit(u), known); err != nil {
			issues = append(issues, Issues(err, ScenarioFile(u.ContentID))...)
		}
	}
	return issues
}

// WithDraftPhrases returns the matcher of the published phrasebook with
// the draft phrase file r in place of its published version, for the
// phrase tester; close it when done. A draft with problems gives them
// instead.
//
// Extra entries (a scenario's own phrases, for testing within it) join
// the matcher too.
func (cs *Set) WithDraftPhrases(r domain.Revision, extra ...phrasebook.Entry) (*phrasebook.Matcher, []Issue, error) {
	if issues := cs.Check(r); len(issues) > 0 {
		return nil, issues, nil
	}
	entries := cs.sharedBut(r.ContentID)
	draft, err := parsePhrases(revisionUnit(r), entries)
	if err != nil {
		return nil, Issues(err, PhraseFile(r.ContentID)), nil
	}
	m, err := phrasebook.New(slices.Concat(entries, draft, extra))
	return m, nil, err
}

// GoldenRun is how one golden transcript ended against a draft.
type GoldenRun struct {
	Scenario string `json:"scenario"`
	Name     string `json:"name"`
	File     string `json:"file"`
	OK       bool   `json:"ok"`
	Passed   bool   `json:"passed"`
	Outcome  string `json:"outcome"`
	Score    int    `json:"score"`
	Expected string `json:"expected"`
	Problem  string `json:"problem,omitempty"`
	// ExpectPassed and ExpectOutcome are what the transcript expects;
	// Reasons why the replayed call failed.
	ExpectPassed  bool     `json:"expect_passed"`
	ExpectOutcome string   `json:"expect_outcome"`
	Reasons       []string `json:"reasons,omitempty"`
	// Failed says the transcript could not be replayed at all; Problem
	// says why.
	Failed bool `json:"failed,omitempty"`
}

// Issue is a run that did not end as its transcript expects, as a problem
// of its file.
func (g GoldenRun) Issue() Issue {
	if g.Failed {
		return Issue{File: g.File, Message: g.Problem}
	}
	return Issue{File: g.File, Line: 1, Field: "expect", Message: g.Problem}
}

// RunGoldens builds the published content with r in place of its unit and
// replays golden transcripts: a scenario's own, or for a phrase file every
// published scenario's. It reports the draft's problems instead when it
// has any.
func (m *Content) RunGoldens(ctx context.Context, r domain.Revision) ([]Issue, []GoldenRun, error) {
	cur, err := m.Published(ctx)
	if err != nil {
		return nil, nil, err
	}
	if issues := cur.Check(r); len(issues) > 0 {
		return issues, nil, nil
	}
	pub, err := m.db.PublicationByID(ctx, cur.Pub)
	if err != nil {
		return nil, nil, err
	}
	cs, err := m.Build(ctx, pub, r)
	if err != nil {
		return nil, nil, err
	}
	defer cs.Close()
	var pick func(string) bool
	if r.Kind == domain.ContentScenario {
		pick = func(id string) bool { return id == r.ContentID }
	}
	return []Issue{}, replayGoldens(cs.Lib, cs.Book, pick), nil
}

// replayGoldens replays the golden transcripts of lib's scenarios (those
// pick accepts; nil picks all) with book, in scenario order. Publishing,
// the editor's golden runs and coach check replay them here.
func replayGoldens(lib *scenarios.Library, book *sim.Book, pick func(id string) bool) []GoldenRun {
	out := []GoldenRun{}
	for _, sc := range lib.Scenarios {
		if pick != nil && !pick(sc.ID) {
			continue
		}
		for _, g := range lib.Golden[sc.ID] {
			res := sim.RunGolden(sc, book, g)
			j := GoldenRun{Scenario: sc.ID, Name: g.Name, OK: res.OK, Problem: res.Problem(),
				Expected:     fmt.Sprintf("passed=%t outcome=%s", g.Transcript.Expect.Passed, g.Transcript.Expect.Outcome),
				ExpectPassed: g.Transcript.Expect.Passed, ExpectOutcome: g.Transcript.Expect.Outcome,
				File: g.File, Failed: res.Err != nil}
			if res.Card != nil {
				j.Passed, j.Outcome, j.Score, j.Reasons = res.Card.Passed, string(res.Card.Outcome), res.Card.Score, res.Card.Reasons
			}
			out = append(out, j)
		}
	}
	return out
}

// Refusal says why a revision was not published or a unit not retired:
// its problems, or the golden transcripts that did not end as they expect.
// It wraps domain.ErrConflict.
type Refusal struct {
	Issues []Issue
	Failed []GoldenRun
}

func (r *Refusal) Error() string {
	var parts []string
	for _, is := range r.Issues {
		parts = append(parts, is.String())
	}
	for _, g := range r.Failed {
		parts = append(parts, fmt.Sprintf("golden %s/%s: %s", g.Scenario, g.Name, g.Problem))
	}
	return "not published: " + strings.Join(parts, "; ")
}

// Unwrap makes a refusal a conflict with the published content.
func (r *Refusal) Unwrap() error { return domain.ErrConflict }

// Publish publishes the stored revision r after checking it against the
// published content: no problems in the file, its golden transcripts (for
// a phrase file, every published scenario's) end as they expect. A refusal
// is a *Refusal. New calls use the revision once this returns. Every
// publication goes through here; a phrase file's draft reaches it after its
// review (ConfirmPublish), which detail summarises in the audit log.
func (m *Content) Publish(ctx context.Context, actor store.Actor, r domain.Revision) error {
	return m.publish(ctx, actor, r, "")
}

func (m *Content) publish(ctx context.Context, actor store.Actor, r domain.Revision, detail string) error {
	cur, err := m.Published(ctx)
	if err != nil {
		return err
	}
	issues, results, err := m.RunGoldens(ctx, r)
	if err != nil {
		return err
	}
	refusal := &Refusal{Issues: issues}
	for _, g := range results {
		if !g.OK {
			refusal.Failed = append(refusal.Failed, g)
		}
	}
	if len(refusal.Issues) > 0 || len(refusal.Failed) > 0 {
		return refusal
	}
	if _, err := m.db.Publish(ctx, actor, store.PublishRequest{Revision: r.ID, Base: cur.Pub, Detail: detail}); err != nil {
		return err
	}
	_, err = m.Refresh(ctx)
	return err
}

// SaveDraft saves r as the next revision of its unit after parent (the
// revision number the editor started from), with its problems against the
// published content, which do not stop a save (a draft may be unfinished)
// but do stop publishing it. A parent of 0 makes a new unit; a negative
// one is refused, since the editor always knows what it started from.
func (m *Content) SaveDraft(ctx context.Context, by store.Actor, r domain.Revision, message string, parent int) (domain.Revision, []Issue, error) {
	if parent < 0 {
		return domain.Revision{}, nil, fmt.Errorf("%w: parent %d must not be negative", domain.ErrInvalid, parent)
	}
	issues, err := m.Check(ctx, r)
	if err != nil {
		return domain.Revision{}, nil, err
	}
	rev, err := m.db.SaveRevision(ctx, by, store.SaveRequest{Kind: r.Kind, ID: r.ContentID, Body: r.Body,
		Golden: r.Golden, Message: strings.TrimSpace(message), Parent: parent})
	return rev, issues, err
}

// Retire withdraws a content unit from what new calls use. A phrase file
// whose entries published scenarios refer to is refused (*Refusal).
func (m *Content) Retire(ctx context.Context, actor store.Actor, kind domain.ContentKind, id string) error {
	cur, err := m.Published(ctx)
	if err != nil {
		return err
	}
	if kind == domain.ContentPhrases {
		if issues := cur.scenarioIssues(cur.sharedBut(id)); len(issues) > 0 {
			return &Refusal{Issues: issues}
		}
	}
	if _, err := m.db.Retire(ctx, actor, store.RetireRequest{Kind: kind, ID: id, Base: cur.Pub}); err != nil {
		return err
	}
	_, err = m.Refresh(ctx)
	return err
}

// PlayRevision returns the call revision a practice call of the stored
// scenario revision r records, after checking r against the published
// content (a draft with problems is refused with a *Refusal) and building
// the content the call will run against.
func (m *Content) PlayRevision(ctx context.Context, r domain.Revision) (string, error) {
	cur, err := m.Published(ctx)
	if err != nil {
		return "", err
	}
	if issues := cur.Check(r); len(issues) > 0 {
		return "", &Refusal{Issues: issues}
	}
	cs, err := m.SetFor(ctx, cur.Pub, r.ID)
	if err != nil {
		return "", err
	}
	if _, ok := cs.Lib.Scenario(r.ContentID); !ok {
		return "", fmt.Errorf("play %s revision %d: not in its built content: %v", r.ContentID, r.ID, cs.Problems[r.Key().String()])
	}
	return domain.CallRevision(r.ID, cur.Pub), nil
}
