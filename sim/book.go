// Package sim is the call engine: one Call driven by the trainee's events
// (a reply with its time, the hang-up, time passing) that plays the
// scenario's caller and grades the call into a Scorecard. It is pure and
// deterministic: time comes with every event, randomness from a seed, and
// it does no I/O.
package sim

import (
	"slices"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
)

// Matcher finds phrasebook entries in one utterance.
type Matcher interface {
	Match(text string, f phrasebook.Filter) []phrasebook.Hit
}

// Book is the matcher a call listens with, together with the entries it
// was built from, so that a scorecard can name each hit's wording and norm.
// One Book serves every call; it is read-only after NewBook.
type Book struct {
	matcher Matcher
	entries map[string]*phrasebook.Entry
	closer  interface{ Close() error }
}

// NewBook pairs m with the entries it indexes: the shared phrasebook plus
// every scenario's local entries.
func NewBook(m Matcher, entries []phrasebook.Entry) *Book {
	b := &Book{matcher: m, entries: make(map[string]*phrasebook.Entry, len(entries))}
	for i := range entries {
		b.entries[entries[i].ID] = &entries[i]
	}
	return b
}

// Entry returns the entry with the given id.
func (b *Book) Entry(id string) (*phrasebook.Entry, bool) {
	e, ok := b.entries[id]
	return e, ok
}

// Has reports whether id is an entry of the book; it serves as the
// scenarios.KnownPhrase of validation.
func (b *Book) Has(id string) bool {
	_, ok := b.entries[id]
	return ok
}

// fold is the comparison form of a text for restating and for measuring a
// turn's length: the matcher's normalisation (script, width, case,
// punctuation and numbers spelled one way), so that 三號樓 restates 3号楼.
func fold(s string) string { return phrasebook.Normalize(s).String() }

// localForm is a scenario key point in comparison form.
type localForm struct {
	id    string
	entry *phrasebook.Entry
	forms [][]rune
}

func localForms(sc *scenarios.Scenario) []localForm {
	var out []localForm
	for i := range sc.Phrases {
		e := &sc.Phrases[i]
		if e.Kind == phrasebook.Forbidden {
			// Forbidden wordings need the matcher's exceptions.
			continue
		}
		lf := localForm{id: sc.LocalID(e.ID), entry: e}
		for _, f := range e.Forms() {
			if r := phrasebook.Normalize(f).Runes; len(r) > 0 {
				lf.forms = append(lf.forms, r)
			}
		}
		out = append(out, lf)
	}
	return out
}

// withLocal adds a hit for every key point of the scenario written out in
// the turn that the matcher did not report. The matcher keeps one hit per
// intent and span, so a shared commit entry can hide the scenario's own
// "两到四小时内上门"; the scenario listens for its id and must hear it.
func withLocal(forms []localForm, text string, hits []phrasebook.Hit) []phrasebook.Hit {
	var n phrasebook.Normalized
	for _, lf := range forms {
		if slices.ContainsFunc(hits, func(h phrasebook.Hit) bool { return h.ID == lf.id }) {
			continue
		}
		if n.Runes == nil {
			n = phrasebook.Normalize(text)
		}
		for _, f := range lf.forms {
			k := runeIndex(n.Runes, f)
			if k < 0 {
				continue
			}
			sp := n.OrigSpan(k, k+len(f))
			hits = append(hits, phrasebook.Hit{ID: lf.id, Intent: lf.entry.Intent, Kind: lf.entry.Kind, Score: 1, Start: sp.Start, End: sp.End})
			break
		}
	}
	return hits
}

func runeIndex(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// dropShadowed removes a near match that overlaps an exact match of another
// intent: "请问有什么可以帮您" is an offer of help, even though it comes
// within one character of "还有什么可以帮您".
func dropShadowed(hits []phrasebook.Hit) []phrasebook.Hit {
	out := hits[:0:0]
	for _, h := range hits {
		shadowed := h.Score < 1 && slices.ContainsFunc(hits, func(o phrasebook.Hit) bool {
			return o.Score >= 1 && o.Intent != h.Intent && o.Start < h.End && h.Start < o.End
		})
		if !shadowed {
			out = append(out, h)
		}
	}
	return out
}
