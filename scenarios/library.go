package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

//go:embed library tracks
var builtinFS embed.FS

// BuiltinFS returns the embedded library: library/<id>/scenario.yaml with
// its golden/ transcripts, and tracks/*.yaml.
func BuiltinFS() fs.FS { return builtinFS }

// Library is a set of scenarios, their golden transcripts and tracks.
type Library struct {
	// Scenarios sorted by id.
	Scenarios []*Scenario
	// Tracks sorted by id.
	Tracks []*Track
	// Golden maps a scenario id to its golden transcripts, sorted by file.
	Golden map[string][]*Golden
	// PhraseFiles are phrasebook files met on the way (top-level entries:),
	// left to the phrasebook package.
	PhraseFiles []string
}

// Golden is a golden transcript and where its expected scorecard lives.
type Golden struct {
	// Name is the file name without .json.
	Name       string
	File       string
	Transcript *Transcript
	// Scorecard is the path (in the same file system) of the scorecard the
	// engine produced for it.
	Scorecard string
}

// FileKind is what a YAML file holds.
type FileKind int

// The kinds of YAML file.
const (
	KindScenario FileKind = iota
	KindTrack
	KindPhrasebook
)

// Classify tells scenario, track and phrasebook files apart by their
// top-level keys, without decoding them.
func Classify(data []byte) FileKind {
	var doc yaml.Node
	if len(data) > MaxFileSize || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return KindScenario
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return KindScenario
	}
	for i := 0; i < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "entries":
			return KindPhrasebook
		case "valid_days", "scenarios":
			return KindTrack
		}
	}
	return KindScenario
}

// Builtin loads and validates the embedded library; known names the shared
// phrasebook ids scenarios may refer to.
func Builtin(known KnownPhrase) (*Library, error) {
	return Load(BuiltinFS(), "scenarios", known)
}

// Load reads every scenario, track and golden transcript under fsys. Names
// in errors are prefixed with display. Golden transcripts are the .json
// files (not .scorecard.json) in a golden/ folder beside a scenario. All
// problems are reported together as Errors.
func Load(fsys fs.FS, display string, known KnownPhrase) (*Library, error) {
	lib := &Library{Golden: map[string][]*Golden{}}
	var list yamlfile.Errors
	add := func(err error) { list = append(list, yamlfile.Problems(err, display)...) }
	name := func(p string) string { return path.Join(display, p) }

	var yamlFiles, goldenFiles []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
		case strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml"):
			yamlFiles = append(yamlFiles, p)
		case strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".scorecard.json") && path.Base(path.Dir(p)) == "golden":
			goldenFiles = append(goldenFiles, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load library %s: %w", display, err)
	}

	scenarioAt := map[string]*Scenario{} // dir → scenario
	var trackFiles []string
	for _, p := range yamlFiles {
		data, err := readLimited(fsys, p)
		if err != nil {
			add(yamlfile.Errors{{File: name(p), Msg: err.Error()}})
			continue
		}
		switch Classify(data) {
		case KindPhrasebook:
			lib.PhraseFiles = append(lib.PhraseFiles, p)
			continue
		case KindTrack:
			trackFiles = append(trackFiles, p)
			continue
		}
		sc, err := ParseScenario(name(p), data, known)
		if err != nil {
			add(err)
			continue
		}
		dir := path.Dir(p)
		if prev, ok := scenarioAt[dir]; ok {
			add(yamlfile.Errors{{File: name(p), Line: 1, Msg: fmt.Sprintf("a folder holds one scenario; %s is already here", prev.File)}})
			continue
		}
		if base := path.Base(dir); path.Base(p) == "scenario.yaml" && base != "." && base != sc.ID {
			add(yamlfile.Errors{{File: name(p), Line: sc.Line("id"), Field: "id", Msg: fmt.Sprintf("%q differs from its folder %q", sc.ID, base)}})
		}
		if i := slices.IndexFunc(lib.Scenarios, func(o *Scenario) bool { return o.ID == sc.ID }); i >= 0 {
			add(yamlfile.Errors{{File: name(p), Line: sc.Line("id"), Field: "id", Msg: fmt.Sprintf("scenario %q is already defined in %s", sc.ID, lib.Scenarios[i].File)}})
			continue
		}
		scenarioAt[dir] = sc
		lib.Scenarios = append(lib.Scenarios, sc)
	}
	slices.SortFunc(lib.Scenarios, func(a, b *Scenario) int { return strings.Compare(a.ID, b.ID) })

	for _, p := range trackFiles {
		data, err := readLimited(fsys, p)
		if err != nil {
			add(yamlfile.Errors{{File: name(p), Msg: err.Error()}})
			continue
		}
		t, err := ParseTrack(name(p), data, func(id string) bool { _, ok := lib.Scenario(id); return ok })
		if err != nil {
			add(err)
			continue
		}
		lib.Tracks = append(lib.Tracks, t)
	}
	slices.SortFunc(lib.Tracks, func(a, b *Track) int { return strings.Compare(a.ID, b.ID) })

	for _, p := range goldenFiles {
		sc, ok := scenarioAt[path.Dir(path.Dir(p))]
		if !ok {
			add(yamlfile.Errors{{File: name(p), Msg: "golden transcript without a scenario in the folder above"}})
			continue
		}
		data, err := readLimited(fsys, p)
		if err != nil {
			add(yamlfile.Errors{{File: name(p), Msg: err.Error()}})
			continue
		}
		t, err := ParseTranscript(name(p), data)
		if err != nil {
			add(err)
			continue
		}
		if err := CheckGolden(name(p), t, sc.ID); err != nil {
			add(err)
			continue
		}
		base := strings.TrimSuffix(p, ".json")
		lib.Golden[sc.ID] = append(lib.Golden[sc.ID], &Golden{
			Name: path.Base(base), File: name(p), Transcript: t, Scorecard: base + ".scorecard.json",
		})
	}
	if len(list) > 0 {
		return lib, list
	}
	return lib, nil
}

// CheckCoverage reports scenarios that lack a passing or a failing golden
// transcript; the library ships both for each.
func (l *Library) CheckCoverage() error {
	var list yamlfile.Errors
	for _, sc := range l.Scenarios {
		pass, fail := false, false
		for _, g := range l.Golden[sc.ID] {
			pass = pass || g.Transcript.Expect.Passed
			fail = fail || !g.Transcript.Expect.Passed
		}
		if !pass || !fail {
			list = append(list, &yamlfile.Error{File: sc.File, Line: 1, Field: "golden", Msg: "needs at least one passing and one failing golden transcript"})
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// Scenario returns the scenario with the given id.
func (l *Library) Scenario(id string) (*Scenario, bool) {
	i, ok := slices.BinarySearchFunc(l.Scenarios, id, func(s *Scenario, id string) int { return strings.Compare(s.ID, id) })
	if !ok {
		return nil, false
	}
	return l.Scenarios[i], true
}

// Track returns the track with the given id.
func (l *Library) Track(id string) (*Track, bool) {
	for _, t := range l.Tracks {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// LocalEntries returns every scenario's key points, scoped, to be indexed
// together with the shared phrasebook.
func (l *Library) LocalEntries() []phrase.Entry {
	var out []phrase.Entry
	for _, sc := range l.Scenarios {
		out = append(out, sc.LocalEntries()...)
	}
	return out
}

func readLimited(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
