package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Content files are checked the way the editor and the loader check
// content units: each phrase file and scenario (with its golden
// transcripts) goes through parsePhrases and parseScenario, tracks through
// scenarios.ParseTrack, and golden transcripts are replayed by
// replayGoldens. The built-in content is read once, by builtinUnits, for
// the store's first publication, LoadBuiltin and CheckBuiltin alike. What
// is left here is reading files from a disk and putting them together,
// which only coach check does.

// Checked is what a check of content files found.
type Checked struct {
	// Issues are the problems in the order they were met.
	Issues []Issue
	// PhraseFiles counts the phrasebook files read.
	PhraseFiles int
	// Scenarios counts the scenarios checked, with the library's that
	// given golden transcripts belong to.
	Scenarios int
	// Tracks counts the valid tracks.
	Tracks int
	// Goldens counts the golden transcripts replayed.
	Goldens int
}

// CheckBuiltin checks the built-in phrasebook, scenarios and tracks as a
// fresh store loads them, that every scenario has a passing and a failing
// golden transcript, and replays the golden transcripts.
func CheckBuiltin(ctx context.Context) Checked {
	ck := builtinChecker()
	shared := ck.phrasebook(nil)
	lib := ck.library(sim.Known(shared), nil)
	ck.add(lib.CheckCoverage(), "")
	ck.replay(ctx, shared, lib)
	return ck.out
}

// CheckFiles checks the files and folders named by paths: phrasebook,
// scenario and track YAML files told apart by their top-level keys (in a
// folder, every .yaml or .yml file below it), each scenario's golden
// transcripts in the golden/ folder beside it, and .json paths as golden
// transcripts of the scenario they name. Phrasebook files replace built-in
// entries with the same id; tracks and transcripts may name built-in
// scenarios.
func CheckFiles(ctx context.Context, paths []string) Checked {
	var ck checker
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case err != nil:
			ck.add(err, "")
		case st.IsDir():
			ck.walk(ctx, os.DirFS(p), p)
		default:
			ck.read(source{fsys: os.DirFS(filepath.Dir(p)), path: filepath.Base(p), name: p})
		}
	}
	builtin := builtinChecker()
	base := builtin.phrasebook(nil)
	ck.out.Issues = append(ck.out.Issues, builtin.out.Issues...)
	shared := ck.phrasebook(base)
	known := sim.Known(shared)
	// The built-in library only resolves the ids that tracks and
	// transcripts refer to; its own problems are CheckBuiltin's.
	lib := ck.library(known, builtin.library(known, nil))
	ck.replay(ctx, shared, lib)
	return ck.out
}

// issueErrors turns issues back into the parsers' error list.
func issueErrors(issues []Issue) error {
	var list yamlfile.Errors
	for _, is := range issues {
		list = append(list, &yamlfile.Error{File: is.File, Line: is.Line, Field: is.Field, Msg: is.Message})
	}
	return list.Err()
}

// builtinChecker is a checker of the built-in content.
func builtinChecker() *checker {
	ck := &checker{}
	units, err := builtinUnits()
	ck.add(err, "")
	for _, u := range units {
		ck.addUnit(u)
	}
	ck.tracks, err = builtinTrackFiles()
	ck.add(err, "")
	return ck
}

// source is a file on a disk to check: where it is read and the name
// problems give.
type source struct {
	fsys fs.FS
	path string
	name string
}

// read reads the file, up to the largest content body and a byte (the
// parsers refuse anything larger by its size).
func (s source) read() (string, error) {
	f, err := s.fsys.Open(s.path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, store.MaxContentBody+1)); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// checker gathers the content of a check and what it found.
type checker struct {
	out                 Checked
	phrases, scenarios  []unit
	tracks, transcripts []file
}

// add records the problems in err; file names the file when err does not.
func (ck *checker) add(err error, file string) {
	ck.out.Issues = append(ck.out.Issues, Issues(err, file)...)
}

func (ck *checker) addUnit(u unit) {
	if u.kind == domain.ContentPhrases {
		ck.phrases = append(ck.phrases, u)
	} else {
		ck.scenarios = append(ck.scenarios, u)
	}
}

// walk reads the YAML files below the root of fsys, named under display.
func (ck *checker) walk(ctx context.Context, fsys fs.FS, display string) {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			ck.read(source{fsys: fsys, path: p, name: filepath.Join(display, filepath.FromSlash(p))})
		}
		return ctx.Err()
	})
	ck.add(err, display)
}

// read reads the file s: a golden transcript (.json), or a phrasebook,
// track or scenario file told apart by its top-level keys; a scenario
// comes with the golden transcripts in the golden/ folder beside it.
func (ck *checker) read(s source) {
	body, err := s.read()
	if err != nil {
		ck.add(err, s.name)
		return
	}
	if strings.HasSuffix(s.path, ".json") {
		ck.transcripts = append(ck.transcripts, file{name: s.name, body: body})
		return
	}
	switch scenarios.Classify([]byte(body)) {
	case scenarios.KindPhrasebook:
		ck.addUnit(unit{kind: domain.ContentPhrases, file: s.name, body: body})
		return
	case scenarios.KindTrack:
		ck.tracks = append(ck.tracks, file{name: s.name, body: body})
		return
	}
	u := unit{kind: domain.ContentScenario, file: s.name, body: body}
	dir, dirName := path.Join(path.Dir(s.path), "golden"), filepath.Join(filepath.Dir(s.name), "golden")
	names, _ := fs.Glob(s.fsys, path.Join(dir, "*.json"))
	for _, p := range names {
		if strings.HasSuffix(p, ".scorecard.json") {
			continue
		}
		g := source{fsys: s.fsys, path: p, name: filepath.Join(dirName, path.Base(p))}
		body, err := g.read()
		if err != nil {
			ck.add(err, g.name)
			continue
		}
		u.golden = append(u.golden, goldenFile{name: strings.TrimSuffix(path.Base(p), ".json"), file: g.name, body: body})
	}
	ck.addUnit(u)
}

// phrasebook checks the phrasebook files gathered and returns the
// phrasebook they make with base, whose entries they replace by id.
func (ck *checker) phrasebook(base []phrasebook.Entry) []phrasebook.Entry {
	var extra []phrasebook.Entry
	for _, u := range ck.phrases {
		ck.out.PhraseFiles++
		entries, err := parsePhrases(u, extra)
		ck.add(err, u.file)
		extra = append(extra, entries...)
	}
	redefined := map[string]bool{}
	for _, e := range extra {
		redefined[e.ID] = true
	}
	var shared []phrasebook.Entry
	for _, e := range base {
		if !redefined[e.ID] {
			shared = append(shared, e)
		}
	}
	return append(shared, extra...)
}

// library checks the scenarios gathered, with their golden transcripts,
// against the phrase ids known, then the tracks and the golden transcripts
// given alone, which may also refer to the scenarios of other (nil: none).
func (ck *checker) library(known scenarios.KnownPhrase, other *scenarios.Library) *scenarios.Library {
	if other == nil {
		other = &scenarios.Library{}
	}
	lib := &scenarios.Library{Golden: map[string][]*scenarios.Golden{}}
	for _, u := range ck.scenarios {
		ck.scenario(lib, u, known)
	}
	slices.SortFunc(lib.Scenarios, func(a, b *scenarios.Scenario) int { return strings.Compare(a.ID, b.ID) })
	exists := func(id string) bool {
		_, ok := lib.Scenario(id)
		_, builtin := other.Scenario(id)
		return ok || builtin
	}
	for _, f := range ck.tracks {
		t, err := scenarios.ParseTrack(f.name, []byte(f.body), exists)
		ck.add(err, f.name)
		if t != nil {
			lib.Tracks = append(lib.Tracks, t)
		}
	}
	slices.SortFunc(lib.Tracks, func(a, b *scenarios.Track) int { return strings.Compare(a.ID, b.ID) })
	for _, f := range ck.transcripts {
		ck.transcript(lib, other, f)
	}
	ck.out.Scenarios, ck.out.Tracks = len(lib.Scenarios), len(lib.Tracks)
	return lib
}

// scenario checks the scenario unit u and adds what parsed of it to lib.
func (ck *checker) scenario(lib *scenarios.Library, u unit, known scenarios.KnownPhrase) {
	sc, golden, err := parseScenario(u, known)
	ck.add(err, u.file)
	if sc == nil {
		return
	}
	if i := slices.IndexFunc(lib.Scenarios, func(o *scenarios.Scenario) bool { return o.ID == sc.ID }); i >= 0 {
		ck.out.Issues = append(ck.out.Issues, Issue{File: u.file, Line: sc.Line("id"), Field: "id",
			Message: fmt.Sprintf("scenario %q is also defined in %s", sc.ID, lib.Scenarios[i].File)})
		return
	}
	lib.Scenarios = append(lib.Scenarios, sc)
	if len(golden) > 0 {
		lib.Golden[sc.ID] = golden
	}
}

// transcript checks a golden transcript given alone and adds it to the
// scenario it names, in lib or else in other.
func (ck *checker) transcript(lib, other *scenarios.Library, f file) {
	tr, err := scenarios.ParseTranscript(f.name, []byte(f.body))
	if err != nil {
		ck.add(err, f.name)
		return
	}
	if err := scenarios.CheckGolden(f.name, tr, tr.Scenario); err != nil {
		ck.add(err, f.name)
		return
	}
	if _, ok := lib.Scenario(tr.Scenario); !ok {
		sc, found := other.Scenario(tr.Scenario)
		if !found {
			ck.out.Issues = append(ck.out.Issues, Issue{File: f.name, Line: 1, Field: "scenario", Message: fmt.Sprintf("unknown scenario %q", tr.Scenario)})
			return
		}
		lib.Scenarios = append(lib.Scenarios, sc)
		slices.SortFunc(lib.Scenarios, func(a, b *scenarios.Scenario) int { return strings.Compare(a.ID, b.ID) })
	}
	name := strings.TrimSuffix(filepath.Base(f.name), ".json")
	lib.Golden[tr.Scenario] = append(lib.Golden[tr.Scenario], &scenarios.Golden{Name: name, File: f.name, Transcript: tr})
}

// replay plays every golden transcript of lib and records those that do
// not end as they expect.
func (ck *checker) replay(ctx context.Context, shared []phrasebook.Entry, lib *scenarios.Library) {
	if len(lib.Golden) == 0 {
		return
	}
	book, err := Assemble(shared, lib)
	if err != nil {
		ck.add(err, "")
		return
	}
	defer book.Close()
	for _, run := range replayGoldens(lib, book, func(string) bool { return ctx.Err() == nil }) {
		ck.out.Goldens++
		if !run.OK {
			ck.out.Issues = append(ck.out.Issues, run.Issue())
		}
	}
	ck.add(ctx.Err(), "")
}
