package app

import (
	"fmt"
	"slices"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// Assemble builds the one Book every call of the library listens with: the
// shared entries plus each scenario's local key points, in one bleve-backed
// matcher. The Book owns the matcher; close it when done.
func Assemble(shared []phrasebook.Entry, lib *scenarios.Library) (*sim.Book, error) {
	entries := append(slices.Clone(shared), lib.LocalEntries()...)
	m, err := phrasebook.New(entries)
	if err != nil {
		return nil, fmt.Errorf("build the matcher: %w", err)
	}
	return sim.NewOwningBook(m, entries), nil
}

// LoadBuiltin loads the built-in phrasebook and scenario library, checked
// as CheckBuiltin checks them, and assembles their Book. Close the Book
// when done.
func LoadBuiltin() (*scenarios.Library, *sim.Book, error) {
	ck := builtinChecker()
	shared := ck.phrasebook(nil)
	lib := ck.library(sim.Known(shared), nil)
	if len(ck.out.Issues) > 0 {
		return nil, nil, fmt.Errorf("load the built-in content: %w", issueErrors(ck.out.Issues))
	}
	book, err := Assemble(shared, lib)
	if err != nil {
		return nil, nil, err
	}
	return lib, book, nil
}
