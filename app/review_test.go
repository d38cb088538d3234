package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// storeFixture is an application whose content comes from the store, as
// in production: the built-in content is loaded on first use and changes
// are published there.
func storeFixture(t *testing.T) fixture {
	t.Helper()
	db := storetest.SQLite(t)
	a := app.New(db, nil, app.Config{Now: func() time.Time { return t0 }})
	t.Cleanup(a.Close)
	return fixture{db: db, app: a}
}

// published is the content new calls use now.
func published(t *testing.T, a *app.App) *app.Set {
	t.Helper()
	cs, err := a.Content().Refresh(context.Background())
	require.NoError(t, err)
	return cs
}

// intents are the intents the published phrasebook hears in text.
func intents(t *testing.T, a *app.App, text string) []phrasebook.Intent {
	t.Helper()
	var out []phrasebook.Intent
	for _, h := range published(t, a).Book.Match(text, phrasebook.Filter{}) {
		out = append(out, h.Intent)
	}
	return out
}

// greetedRudely stores trainee u's ended call of arrears in which the one
// line was said, which misses the greeting item, and returns the call and
// the index of the line among the call's turns.
func greetedRudely(t *testing.T, f fixture, u domain.User, said string) (store.Call, int) {
	t.Helper()
	ctx := context.Background()
	cs := published(t, f.app)
	sc, ok := cs.Lib.Scenario("arrears")
	require.True(t, ok)
	tr := &scenarios.Transcript{Scenario: sc.ID, Turns: []scenarios.Turn{{At: 2, Say: said}, {At: 9, Hangup: true}}}
	card, _, err := sim.Replay(sc, cs.Book, tr, sim.Options{Mode: domain.Exam, Seed: 3})
	require.NoError(t, err)
	require.False(t, card.Checklist[card.ItemIndex("greet")].Done, "the scorer does not take %q for a greeting", said)
	rec := store.Call{UserID: u.ID, ScenarioID: sc.ID, ScenarioRevision: domain.CallRevision(cs.ScenarioRev(sc.ID), cs.Pub),
		Mode: domain.Exam, Seed: 3, Started: t0}
	require.NoError(t, f.db.CreateCall(ctx, &rec))
	raw, err := json.Marshal(card)
	require.NoError(t, err)
	require.NoError(t, f.db.EndCall(ctx, rec.ID, store.CallResult{Ended: t0, Outcome: string(card.Outcome),
		Score: float64(card.Score), Passed: card.Passed, Scorecard: raw}))
	rec, err = f.db.CallByID(ctx, rec.ID)
	require.NoError(t, err)
	turn := slices.IndexFunc(card.Turns, func(tu sim.Turn) bool { return tu.Speaker == sim.Trainee })
	require.GreaterOrEqual(t, turn, 0)
	return rec, turn
}

func auditActions(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	entries, err := db.ListAudit(context.Background(), store.AuditFilter{Limit: 500})
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		if _, ok := out[e.Action]; !ok {
			out[e.Action] = e.Detail
		}
	}
	return out
}

// TestUpholdProposesNotPublishes: upholding a dispute with its wording
// makes a draft, not a publication; the review shows the case it gains;
// publishing after the review makes it live.
func TestUpholdProposesNotPublishes(t *testing.T) {
	ctx := context.Background()
	f := storeFixture(t)
	li := f.user(t, "li", domain.RoleTrainee)
	wang := f.user(t, "wang", domain.RoleTrainer)
	const said = "喂，什么事？"
	rec, turn := greetedRudely(t, f, li, said)
	_, err := f.app.OpenDispute(ctx, li, rec.ID, "greet", turn, "我一开口就打了招呼")
	require.NoError(t, err)
	list, err := f.app.Disputes(ctx, store.DisputeFilter{CallID: rec.ID})
	require.NoError(t, err)
	require.Len(t, list, 1)

	entries := f.app.ItemEntries(ctx, rec, "greet")
	require.NotEmpty(t, entries)
	proposal := f.app.ProposeWording(ctx, rec, "greet", said)
	assert.Equal(t, "喂", proposal, "the clause like the greeting entries, not the whole sentence")

	const wording = "喂，什么事"
	res, err := f.app.UpholdDispute(ctx, wang, list[0].D.ID, "算你问候了", &app.Learn{EntryID: entries[0].ID, Wording: wording})
	require.NoError(t, err)
	require.Equal(t, app.Proposed, res.Done)
	assert.Equal(t, strings.TrimSuffix(path.Base(entries[0].Pos.File), ".yaml"), res.Draft.ContentID)
	assert.Contains(t, res.Draft.Body, wording)

	// The trainee's line is an evaluation case, exported in the
	// evaluation set's format.
	data, err := f.app.EvalCasesYAML(ctx)
	require.NoError(t, err)
	var exported struct {
		Cases []struct {
			Text, Style, Note string
			Want              []string
		}
	}
	require.NoError(t, yaml.Unmarshal(data, &exported))
	require.Len(t, exported.Cases, 1)
	assert.Equal(t, said, exported.Cases[0].Text)
	assert.Equal(t, []string{"greeting"}, exported.Cases[0].Want)
	assert.Equal(t, fmt.Sprintf("upheld dispute %d, variant of %s", list[0].D.ID, entries[0].ID), exported.Cases[0].Note)

	// Nothing went live: the file's published revision is not the draft,
	// and a new call still does not take the wording for a greeting.
	info, err := f.db.Content(ctx, domain.ContentPhrases, res.Draft.ContentID)
	require.NoError(t, err)
	assert.NotEqual(t, res.Draft.ID, info.PublishedID)
	assert.NotContains(t, intents(t, f.app, said), phrasebook.Intent("greeting"))
	pending, err := f.app.Content().PendingDrafts(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, res.Draft.ID, pending[0].ID)

	// The review shows the dispute's case newly matched.
	rv, err := f.app.Content().Review(ctx, res.Draft)
	require.NoError(t, err)
	require.Empty(t, rv.Issues)
	assert.Greater(t, rv.Cases, 1000, "the built-in sets are replayed")
	assert.NotZero(t, rv.Runs)
	assert.Contains(t, rv.NewlyMatched, app.EvalChange{Text: said, Source: app.EvalSourceDispute, Intent: "greeting", Labelled: true},
		"the line as the trainee said it is the dispute's evaluation case")
	assert.NotEmpty(t, rv.Diff)

	// Publishing against an older publication is refused: review again.
	require.ErrorIs(t, f.app.Content().ConfirmPublish(ctx, store.Actor{ID: wang.ID, Name: wang.Username}, res.Draft, rv.Pub-1), app.ErrReviewStale)
	require.False(t, rv.Blocked(), "goldens: %+v", rv.Goldens)
	require.NoError(t, f.app.Content().ConfirmPublish(ctx, store.Actor{ID: wang.ID, Name: wang.Username}, res.Draft, rv.Pub))
	assert.Contains(t, intents(t, f.app, said), phrasebook.Intent("greeting"), "live after review")

	audit := auditActions(t, f.db)
	assert.Contains(t, audit, "phrases.propose")
	assert.Contains(t, audit["phrases.publish"], "newly matched")
}

// TestReviewShowsWhatBreaks: a draft that makes polite replies trip a
// forbidden entry shows them as such, and one that breaks a golden
// transcript cannot be published; abandoning it brings the live text back.
func TestReviewShowsWhatBreaks(t *testing.T) {
	ctx := context.Background()
	f := storeFixture(t)
	wang := f.user(t, "wang", domain.RoleTrainer)
	by := store.Actor{ID: wang.ID, Name: wang.Username}
	cs := published(t, f.app)
	var rude *phrasebook.Entry
	for _, e := range cs.Book.Entries() {
		if e.Intent == "rude" && e.Scope == "" && (rude == nil || e.ID < rude.ID) {
			rude = e
		}
	}
	require.NotNil(t, rude)
	file := strings.TrimSuffix(path.Base(rude.Pos.File), ".yaml")
	head, err := f.db.Head(ctx, domain.ContentPhrases, file)
	require.NoError(t, err)
	// A look-alike of every polite opening, listed as rude.
	body, err := phrasebook.AddVariant(file+".yaml", []byte(head.Body), rude.ID, "您好")
	require.NoError(t, err)
	draft, err := f.db.SaveRevision(ctx, by, store.SaveRequest{Kind: domain.ContentPhrases, ID: file, Body: string(body), Parent: head.N})
	require.NoError(t, err)

	rv, err := f.app.Content().Review(ctx, draft)
	require.NoError(t, err)
	require.Empty(t, rv.Issues)
	var falseForbidden int
	for _, ch := range rv.NewlyMatched {
		if ch.Intent == "rude" && ch.Forbidden && ch.Wrong(true) {
			falseForbidden++
		}
	}
	assert.Greater(t, falseForbidden, 10, "polite replies newly taken for rude ones are shown as wrong")
	require.NotEmpty(t, rv.Goldens)
	assert.True(t, slices.ContainsFunc(rv.Goldens, app.GoldenChange.Breaks), "a passing golden transcript now fails")
	assert.True(t, rv.Blocked())

	err = f.app.Content().ConfirmPublish(ctx, by, draft, rv.Pub)
	var refused *app.Refusal
	require.ErrorAs(t, err, &refused)
	assert.NotEmpty(t, refused.Failed)
	assert.NotContains(t, intents(t, f.app, "您好，请问有什么可以帮您？"), phrasebook.Intent("rude"))

	// A draft with problems shows them and replays nothing.
	broken, err := f.db.SaveRevision(ctx, by, store.SaveRequest{Kind: domain.ContentPhrases, ID: file,
		Body: strings.Replace(string(body), "id: "+rude.ID+"\n", "id: "+rude.ID+"\n  bogus: 1\n", 1), Parent: draft.N})
	require.NoError(t, err)
	bad, err := f.app.Content().Review(ctx, broken)
	require.NoError(t, err)
	require.NotEmpty(t, bad.Issues)
	assert.Zero(t, bad.Cases)
	assert.True(t, bad.Blocked())
	draft = broken

	back, err := f.app.Content().Abandon(ctx, by, draft)
	require.NoError(t, err)
	assert.Equal(t, head.Body, back.Body)
	_, err = f.app.Content().Abandon(ctx, by, draft)
	require.ErrorIs(t, err, app.ErrNoDraft)
	pending, err := f.app.Content().PendingDrafts(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)
	assert.Contains(t, auditActions(t, f.db), "phrases.abandon")
}

// TestReviewByIntent gathers a review's changes per intent, in the
// canonical intents' order, leaving out intents without changes.
func TestReviewByIntent(t *testing.T) {
	intents := phrasebook.Intents()
	require.Greater(t, len(intents), 3)
	first, last := intents[0], intents[len(intents)-1]
	rv := &app.Review{
		NewlyMatched:   []app.EvalChange{{Text: "a", Intent: last.Intent}, {Text: "b", Intent: first.Intent}, {Text: "c", Intent: last.Intent}},
		NewlyUnmatched: []app.EvalChange{{Text: "d", Intent: first.Intent}},
	}
	got := rv.ByIntent()
	require.Len(t, got, 2)
	assert.Equal(t, first.Intent, got[0].Intent, "canonical order, not the order of the changes")
	assert.Equal(t, first.Title, got[0].Title)
	assert.Equal(t, []app.EvalChange{{Text: "b", Intent: first.Intent}}, got[0].Gained)
	assert.Equal(t, []app.EvalChange{{Text: "d", Intent: first.Intent}}, got[0].Lost)
	assert.Equal(t, last.Intent, got[1].Intent)
	assert.Len(t, got[1].Gained, 2)
	assert.Empty(t, got[1].Lost)
	assert.Equal(t, last.Kind == phrasebook.Forbidden, got[1].Forbidden)
	assert.Empty(t, (&app.Review{}).ByIntent())
}
