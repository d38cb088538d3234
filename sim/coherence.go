package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// Incoherence is one place where the caller did not listen.
type Incoherence struct {
	// Turn is the index in the scorecard's turns of the caller's line.
	Turn int
	Msg  string
}

func (i Incoherence) String() string { return fmt.Sprintf("turn %d: %s", i.Turn, i.Msg) }

// CheckCoherence reads a played call for the signs of a caller who does
// not listen: a line said twice; a request for facts answered in part or
// not at all; "anything else?" answered by something else; a hang-up on a
// question. Turns with something forbidden in them, and turns a
// hard-of-hearing caller did not hear, are answered by their own rules and
// are not held to the questions they asked.
func CheckCoherence(sc *scenarios.Scenario, card *Scorecard) []Incoherence {
	var out []Incoherence
	// The caller as the call met it: the one its seed drew, or the base
	// persona when the call's facts are the ones as written.
	p := drawPersona(sc, card.Seed, false)
	if !maps.Equal(p.factValues(), card.Facts) {
		p = drawPersona(sc, card.Seed, true)
	}
	seen := map[string]int{}
	for i, t := range card.Turns {
		if t.Speaker != Customer {
			continue
		}
		if j, ok := seen[t.Text]; ok {
			out = append(out, Incoherence{i, fmt.Sprintf("the caller says %q again (first at turn %d)", t.Text, j)})
		} else {
			seen[t.Text] = i
		}
	}
	for i, t := range card.Turns {
		if t.Speaker != Trainee || t.Misheard || i+1 >= len(card.Turns) {
			continue
		}
		next := card.Turns[i+1]
		if next.Speaker != Customer || next.At != t.At || slices.ContainsFunc(t.Hits, func(h phrase.Hit) bool { return h.Kind == phrase.Forbidden }) {
			continue
		}
		if slices.Contains(card.Reasons, reasonAngry) && card.Turns[len(card.Turns)-1].At == t.At {
			continue // the caller hung up in anger instead
		}
		said := fold(next.Text)
		var asked, missing []string
		for _, f := range p.facts {
			if !asks(sc, t.Hits, t.Text, &f) {
				continue
			}
			asked = append(asked, f.Key)
			if v := card.Facts[f.Key]; v != "" && !strings.Contains(said, fold(v)) {
				missing = append(missing, f.Key)
			}
		}
		switch {
		case len(missing) > 0 && len(missing) < len(asked):
			out = append(out, Incoherence{i + 1, fmt.Sprintf("asked for %s, the caller gave only part: %q", strings.Join(asked, ", "), next.Text)})
		case len(missing) > 0:
			out = append(out, Incoherence{i + 1, fmt.Sprintf("asked for %s, the caller answered something else: %q", strings.Join(asked, ", "), next.Text)})
		}
		if asksAnythingElse(sc, t.Hits, t.Text) && !closes(t.Hits, t.Text) && i > 0 {
			answers := append([]string{sc.Closing.AnythingElse}, genericElse...)
			if !slices.ContainsFunc(answers, func(a string) bool { return a != "" && strings.Contains(next.Text, a) }) {
				out = append(out, Incoherence{i + 1, fmt.Sprintf("asked whether there is anything else, the caller answered: %q", next.Text)})
			}
		}
	}
	if card.Outcome == Completed || card.Outcome == CustomerHungUp {
		for i := len(card.Turns) - 1; i >= 0; i-- {
			if card.Turns[i].Speaker == Customer {
				if scenarios.IsQuestion(card.Turns[i].Text) {
					out = append(out, Incoherence{i, fmt.Sprintf("the caller hangs up on a question: %q", card.Turns[i].Text)})
				}
				break
			}
		}
	}
	return out
}

// closingTurn reports a turn that ends on thanks or a goodbye.
func closingTurn(hits []phrase.Hit) bool {
	if n := len(hits); n > 0 {
		last := hits[n-1]
		return (last.Intent == "thanks" || last.Intent == "farewell") && last.Score >= closingScore
	}
	return false
}
