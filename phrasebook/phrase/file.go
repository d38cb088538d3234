package phrase

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// MaxFileSize is the largest phrasebook file accepted. The built-in files
// are a few KiB each; anything near this is a mistake or an attack.
const MaxFileSize = 512 << 10

// Domains lists the service domains an entry or scenario can belong to.
func Domains() []string { return []string{"heating", "power", "water", "property"} }

// entryFile is the shape of one phrasebook file.
type entryFile struct {
	Entries []Entry `yaml:"entries"`
}

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ParseEntries parses one phrasebook file strictly. name is used in error
// messages. The returned error, if any, is a yamlfile.Errors listing every
// problem with its line and field.
func ParseEntries(name string, data []byte) ([]Entry, error) {
	var f entryFile
	doc, err := yamlfile.Decode(name, data, MaxFileSize, &f)
	if err != nil {
		return nil, err
	}
	items := yamlfile.Items(yamlfile.Root(doc), "entries")
	var errs yamlfile.Errors
	if len(f.Entries) == 0 {
		errs.Add(name, 1, "entries", "the file has no entries")
	}
	for i := range f.Entries {
		e := &f.Entries[i]
		var node = items[i]
		e.Pos = Pos{File: name, Line: node.Line}
		report := func(field, format string, args ...any) {
			line := fieldLine(node, field)
			errs.Add(name, line, fmt.Sprintf("entries[%d].%s", i, field), format, args...)
		}
		if e.ID == "" {
			report("id", "is required")
		} else if !idRE.MatchString(e.ID) {
			report("id", "%q must be lower-case letters, digits, '.', '_' or '-'", e.ID)
		}
		ValidateEntry(e, report)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return f.Entries, nil
}

// fieldLine is the line of field in an entry's mapping; a field written
// as name[k] is the k-th item of the sequence under name.
func fieldLine(node *yaml.Node, field string) int {
	name, idx := field, -1
	if open := strings.IndexByte(field, '['); open > 0 && strings.HasSuffix(field, "]") {
		if k, err := strconv.Atoi(field[open+1 : len(field)-1]); err == nil {
			name, idx = field[:open], k
		}
	}
	v, line := yamlfile.Key(node, name)
	if v != nil && v.Kind == yaml.SequenceNode && idx >= 0 && idx < len(v.Content) {
		return v.Content[idx].Line
	}
	return line
}

// MaxFormRunes bounds a wording (text, variant or exception), counted after
// normalisation: a phrase is said in one breath, and the matcher keeps a
// wording's sizes in small integers.
const MaxFormRunes = 200

// ValidateEntry checks the content of one entry and reports each problem
// through report, naming the field. The id is left to the file format that
// holds the entry: phrasebook files and scenarios' key points name theirs
// differently. Scenario files use it for their key points too.
func ValidateEntry(e *Entry, report func(field, format string, args ...any)) {
	info, ok := LookupIntent(e.Intent)
	switch {
	case e.Intent == "":
		report("intent", "is required")
	case !ok:
		report("intent", "unknown intent %q", e.Intent)
	}
	switch {
	case e.Kind == "":
		report("kind", "is required (required, forbidden or recommended)")
	case !e.Kind.Valid():
		report("kind", "unknown kind %q (required, forbidden or recommended)", e.Kind)
	case ok && (e.Kind == Forbidden) != (info.Kind == Forbidden):
		report("kind", "%s does not fit intent %s, which is %s", e.Kind, e.Intent, info.Kind)
	}
	checkForm := func(field, s string) {
		switch n := len(Normalize(s).Runes); {
		case n == 0:
			report(field, "%q has nothing to match once punctuation and spaces are dropped", s)
		case n > MaxFormRunes:
			report(field, "is %d characters long once normalised; a wording has at most %d", n, MaxFormRunes)
		}
	}
	if e.Text == "" {
		report("text", "is required")
	} else {
		checkForm("text", e.Text)
	}
	for _, v := range e.Variants {
		checkForm("variants", v)
	}
	for _, v := range e.Except {
		checkForm("except", v)
	}
	for _, v := range e.NotAfter {
		checkForm("not_after", v)
	}
	for _, v := range e.Unless {
		checkForm("unless", v)
	}
	for _, v := range e.UnlessClause {
		checkForm("unless_clause", v)
	}
	for k, src := range e.Patterns {
		if _, err := CompilePattern(src, e.Window); err != nil {
			report(fmt.Sprintf("patterns[%d]", k), "%q: %v", src, err)
		}
	}
	if e.Window < 0 || e.Window > 40 {
		report("window", "must be between 1 and 40 characters")
	}
	if e.Gap != nil && (*e.Gap < 0 || *e.Gap > MaxGap) {
		report("gap", "must be between 0 and %d characters", MaxGap)
	}
	if e.Kind == Forbidden && e.Suggestion == "" {
		report("suggestion", "a forbidden entry needs a suggestion: what to say instead")
	}
	if len(e.Except) > 0 && e.Kind != Forbidden {
		report("except", "only forbidden entries take exceptions")
	}
	for _, d := range e.Domains {
		if d != "all" && !contains(Domains(), d) {
			report("domains", "unknown domain %q (all, heating, power, water or property)", d)
		}
	}
	if e.Weight < 0 {
		report("weight", "must not be negative")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// LoadDir parses every *.yaml file directly in dir of fsys, in name order,
// and checks that ids are unique across them.
func LoadDir(fsys fs.FS, dir string) ([]Entry, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list phrasebook %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("list phrasebook %s: no .yaml files", dir)
	}
	sort.Strings(names)
	var (
		all  []Entry
		errs yamlfile.Errors
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read phrasebook %s: %w", name, err)
		}
		entries, err := ParseEntries(name, data)
		if err != nil {
			if list, ok := err.(yamlfile.Errors); ok {
				errs = append(errs, list...)
				continue
			}
			if one, ok := err.(*yamlfile.Error); ok {
				errs = append(errs, one)
				continue
			}
			return nil, err
		}
		all = append(all, entries...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := CheckUnique(all); err != nil {
		return nil, err
	}
	return all, nil
}

// CheckUnique reports entries whose id was already used, naming both places.
func CheckUnique(entries []Entry) error {
	var errs yamlfile.Errors
	seen := make(map[string]Pos, len(entries))
	for _, e := range entries {
		if first, dup := seen[e.ID]; dup {
			errs.Add(e.Pos.File, e.Pos.Line, "id", "duplicate id %q, first defined at %s:%d", e.ID, first.File, first.Line)
			continue
		}
		seen[e.ID] = e.Pos
	}
	return errs.Err()
}
