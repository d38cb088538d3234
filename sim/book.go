// Package sim is the call engine: one Call driven by the trainee's events
// (a reply with its time, the hang-up, time passing) that plays the
// scenario's caller and grades the call into a Scorecard. It is pure and
// deterministic: time comes with every event, randomness from a seed, and
// it does no I/O.
package sim

import (
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Matcher finds phrasebook entries in one utterance.
type Matcher interface {
	Match(text string, f phrase.Filter) []phrase.Hit
}

// Book is the matcher a call listens with, together with the entries it
// was built from, so that a scorecard can name each hit's wording and norm.
// One Book serves every call; it is read-only after NewBook.
type Book struct {
	matcher Matcher
	values  Valuer
	entries map[string]*phrase.Entry
	closer  interface{ Close() error }
}

// NewBook pairs m with the entries it indexes: the shared phrasebook plus
// every scenario's local entries.
func NewBook(m Matcher, entries []phrase.Entry) *Book {
	b := &Book{matcher: m, values: SpokenValues{}, entries: make(map[string]*phrase.Entry, len(entries))}
	for i := range entries {
		b.entries[entries[i].ID] = &entries[i]
	}
	return b
}

// Entry returns the entry with the given id.
func (b *Book) Entry(id string) (*phrase.Entry, bool) {
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
func fold(s string) string { return phrase.Normalize(s).String() }

// Entries returns the book's entries, sorted by id.
func (b *Book) Entries() []*phrase.Entry {
	out := make([]*phrase.Entry, 0, len(b.entries))
	for _, e := range b.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y *phrase.Entry) int { return strings.Compare(x.ID, y.ID) })
	return out
}
