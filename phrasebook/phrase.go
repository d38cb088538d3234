package phrasebook

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// The entry types, the file parser and the normaliser live in package
// phrase, which does not link bleve; these names keep the phrasebook API
// whole for the packages that use the matcher as well.

type (
	// Kind says how an entry is graded; see phrase.Kind.
	Kind = phrase.Kind
	// Intent is an entry's intent; see phrase.Intent.
	Intent = phrase.Intent
	// IntentInfo describes one canonical intent; see phrase.IntentInfo.
	IntentInfo = phrase.IntentInfo
	// Entry is one phrase of the phrasebook; see phrase.Entry.
	Entry = phrase.Entry
	// Filter narrows a match to one call; see phrase.Filter.
	Filter = phrase.Filter
	// Pos is a place in a source file; see phrase.Pos.
	Pos = phrase.Pos
	// Hit is one entry found in an utterance; see phrase.Hit.
	Hit = phrase.Hit
	// Normalized is an utterance prepared for matching; see phrase.Normalized.
	Normalized = phrase.Normalized
	// Span is a range of rune offsets; see phrase.Span.
	Span = phrase.Span
)

// The kinds of entry; see phrase.Required and the others.
const (
	Required    = phrase.Required
	Forbidden   = phrase.Forbidden
	Recommended = phrase.Recommended
)

// MaxFileSize is the largest phrasebook file accepted; see phrase.MaxFileSize.
const MaxFileSize = phrase.MaxFileSize

// Intents returns the canonical intents in display order; see phrase.Intents.
func Intents() []IntentInfo { return phrase.Intents() }

// LookupIntent returns the canonical description of i; see phrase.LookupIntent.
func LookupIntent(i Intent) (IntentInfo, bool) { return phrase.LookupIntent(i) }

// Domains lists the service domains; see phrase.Domains.
func Domains() []string { return phrase.Domains() }

// ParseEntries parses one phrasebook file strictly; see phrase.ParseEntries.
func ParseEntries(name string, data []byte) ([]Entry, error) {
	return phrase.ParseEntries(name, data)
}

// ValidateEntry checks the content of one entry; see phrase.ValidateEntry.
func ValidateEntry(e *Entry, report func(field, format string, args ...any)) {
	phrase.ValidateEntry(e, report)
}

// LoadDir parses every *.yaml file directly in dir of fsys; see phrase.LoadDir.
func LoadDir(fsys fs.FS, dir string) ([]Entry, error) { return phrase.LoadDir(fsys, dir) }

// CheckUnique reports duplicate ids; see phrase.CheckUnique.
func CheckUnique(entries []Entry) error { return phrase.CheckUnique(entries) }

// Normalize prepares s for matching; see phrase.Normalize.
func Normalize(s string) Normalized { return phrase.Normalize(s) }

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the phrasebook embedded in the binary.
func Builtin() ([]Entry, error) {
	return LoadDir(builtinFS, "builtin")
}

// BuiltinFS returns the embedded phrasebook files, builtin/*.yaml, as
// they are written, for loading them into the store as the first revision.
func BuiltinFS() fs.FS { return builtinFS }

// BuiltinFile returns the built-in phrasebook file name (without ".yaml",
// as "details"), as embedded.
func BuiltinFile(name string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, fmt.Errorf("built-in phrasebook file %q: not a file name", name)
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("built-in phrasebook file %q: %w", name, err)
	}
	return data, nil
}

// MaxFormRunes bounds a wording's length; see phrase.MaxFormRunes.
const MaxFormRunes = phrase.MaxFormRunes
