package sim

import (
	"fmt"
	"io"
	"slices"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
)

// Known returns the KnownPhrase of a set of shared entries, for validating
// scenarios that refer to them.
func Known(entries []phrasebook.Entry) scenarios.KnownPhrase {
	ids := make(map[string]bool, len(entries))
	for _, e := range entries {
		ids[e.ID] = true
	}
	return func(id string) bool { return ids[id] }
}

// Assemble builds the one Book every call of the library listens with: the
// shared entries plus each scenario's local key points, in one index.
func Assemble(shared []phrasebook.Entry, lib *scenarios.Library) (*Book, error) {
	entries := append(slices.Clone(shared), lib.LocalEntries()...)
	m, err := phrasebook.New(entries)
	if err != nil {
		return nil, fmt.Errorf("build the matcher: %w", err)
	}
	b := NewBook(m, entries)
	b.closer = m
	return b, nil
}

// LoadBuiltin loads the built-in phrasebook and scenario library and
// assembles their Book. Close the Book when done.
func LoadBuiltin() (*scenarios.Library, *Book, error) {
	shared, err := phrasebook.Builtin()
	if err != nil {
		return nil, nil, fmt.Errorf("load the built-in phrasebook: %w", err)
	}
	lib, err := scenarios.Builtin(Known(shared))
	if err != nil {
		return nil, nil, fmt.Errorf("load the built-in scenarios: %w", err)
	}
	book, err := Assemble(shared, lib)
	if err != nil {
		return nil, nil, err
	}
	return lib, book, nil
}

// GoldenOptions are the settings golden transcripts are replayed with, by
// the tests and by coach check alike.
func GoldenOptions() Options { return Options{Mode: Exam, Seed: 1, Desk: true} }

// Close releases the matcher's index when the Book owns one.
func (b *Book) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

var _ io.Closer = (*Book)(nil)
