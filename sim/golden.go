package sim

import (
	"fmt"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// GoldenResult is what replaying one golden transcript showed.
type GoldenResult struct {
	Golden *scenarios.Golden
	// OK says the call ended as the transcript expects: the same verdict
	// and outcome.
	OK bool
	// Card is the scorecard the engine produced; nil when Err is set.
	Card *Scorecard
	// Err is set when the transcript could not be replayed at all.
	Err error
}

// Problem says in a sentence why the result is not OK; empty when it is.
func (r GoldenResult) Problem() string {
	switch {
	case r.Err != nil:
		return r.Err.Error()
	case r.OK:
		return ""
	}
	want := r.Golden.Transcript.Expect
	reasons := strings.Join(r.Card.Reasons, " ")
	if reasons == "" {
		reasons = "无"
	}
	return fmt.Sprintf("expected passed=%t outcome=%s, got passed=%t outcome=%s score=%d (reasons: %s); the transcript means to show: %s",
		want.Passed, want.Outcome, r.Card.Passed, r.Card.Outcome, r.Card.Score, reasons, want.Reason)
}

// RunGolden replays a golden transcript with GoldenOptions and compares
// the call's verdict and outcome with what the transcript expects. coach
// check and the authoring pages both judge golden transcripts here.
func RunGolden(sc *scenarios.Scenario, book *Book, g *scenarios.Golden) GoldenResult {
	res := GoldenResult{Golden: g}
	card, _, err := Replay(sc, book, g.Transcript, GoldenOptions())
	if err != nil {
		res.Err = err
		return res
	}
	res.Card = card
	want := g.Transcript.Expect
	res.OK = want != nil && card.Passed == want.Passed && string(card.Outcome) == want.Outcome
	return res
}

// Match returns the hits of text in the book, for the phrase tester: what a
// call would hear in it.
func (b *Book) Match(text string, f phrase.Filter) []phrase.Hit {
	return b.matcher.Match(text, f)
}
