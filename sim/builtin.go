package sim

import (
	"io"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// Known returns the KnownPhrase of a set of shared entries, for validating
// scenarios that refer to them.
func Known(entries []phrase.Entry) scenarios.KnownPhrase {
	ids := make(map[string]bool, len(entries))
	for _, e := range entries {
		ids[e.ID] = true
	}
	return func(id string) bool { return ids[id] }
}

// GoldenOptions are the settings golden transcripts are replayed with, by
// the tests and by coach check alike.
func GoldenOptions() Options { return Options{Mode: domain.Exam, Seed: 1} }

// ClosingMatcher is a Matcher holding resources that Close releases.
type ClosingMatcher interface {
	Matcher
	io.Closer
}

// NewOwningBook is NewBook for a matcher the Book owns: closing the Book
// closes the matcher.
func NewOwningBook(m ClosingMatcher, entries []phrase.Entry) *Book {
	b := NewBook(m, entries)
	b.closer = m
	return b
}

// Close releases the matcher's index when the Book owns one.
func (b *Book) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

var _ io.Closer = (*Book)(nil)
