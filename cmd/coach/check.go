package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach check [PATH...]")
		fmt.Fprintln(stderr, "Validates scenario, track and phrasebook YAML files (or folders of them) and replays")
		fmt.Fprintln(stderr, "the golden transcripts in each scenario's golden/ folder. Without PATH, checks the")
		fmt.Fprintln(stderr, "built-in library. Problems are printed as file:line: field: message; any problem")
		fmt.Fprintln(stderr, "makes the exit status non-zero.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ck := &checker{stderr: stderr}
	if fs.NArg() == 0 {
		ck.builtin()
	} else {
		ck.paths(ctx, fs.Args())
	}
	phrases := fmt.Sprintf("%d phrasebook files", ck.phraseFiles)
	if fs.NArg() == 0 {
		phrases = "the built-in phrasebook"
	}
	fmt.Fprintf(stdout, "checked %s, %d scenarios, %d tracks, %d golden transcripts: %d problems\n",
		phrases, len(ck.lib.Scenarios), len(ck.lib.Tracks), ck.goldens, ck.problems)
	if ck.problems > 0 {
		return fmt.Errorf("%d problems", ck.problems)
	}
	return nil
}

// checker gathers what coach check found and reports each problem as it
// goes.
type checker struct {
	stderr      io.Writer
	problems    int
	phraseFiles int
	goldens     int
	shared      []phrasebook.Entry
	lib         scenarios.Library
}

// report prints every problem inside err, one per line.
func (ck *checker) report(err error) {
	if err == nil {
		return
	}
	for _, e := range yamlfile.Problems(err, "") {
		if e.File == "" {
			// Not a file's problem: said as it is.
			fmt.Fprintln(ck.stderr, e.Msg)
		} else {
			fmt.Fprintln(ck.stderr, e.Error())
		}
		ck.problems++
	}
}

func (ck *checker) builtin() {
	shared, err := phrasebook.Builtin()
	if err != nil {
		ck.report(err)
		return
	}
	ck.shared = shared
	lib, err := scenarios.Builtin(sim.Known(shared))
	ck.report(err)
	if lib != nil {
		ck.lib = *lib
		ck.report(lib.CheckCoverage())
	}
	ck.replayAll()
}

func (ck *checker) paths(ctx context.Context, paths []string) {
	// First the phrasebook files, whose ids scenarios may refer to; they
	// replace built-in entries with the same id.
	var yamls, transcripts []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			ck.report(err)
			continue
		}
		if !st.IsDir() {
			if strings.HasSuffix(p, ".json") {
				transcripts = append(transcripts, p)
			} else {
				yamls = append(yamls, p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(q, ".yaml") || strings.HasSuffix(q, ".yml")) {
				yamls = append(yamls, q)
			}
			return ctx.Err()
		})
		ck.report(err)
	}
	builtin, err := phrasebook.Builtin()
	ck.report(err)
	var extra []phrasebook.Entry
	kinds := map[string]scenarios.FileKind{}
	data := map[string][]byte{}
	for _, p := range yamls {
		b, err := os.ReadFile(p) // #nosec G304 -- the command line names the file to read; reading it is the point
		if err != nil {
			ck.report(err)
			continue
		}
		data[p] = b
		kinds[p] = scenarios.Classify(b)
		if kinds[p] != scenarios.KindPhrasebook {
			continue
		}
		ck.phraseFiles++
		entries, err := phrasebook.ParseEntries(p, b)
		ck.report(err)
		extra = append(extra, entries...)
	}
	ck.report(phrasebook.CheckUnique(extra))
	redefined := map[string]bool{}
	for _, e := range extra {
		redefined[e.ID] = true
	}
	for _, e := range builtin {
		if !redefined[e.ID] {
			ck.shared = append(ck.shared, e)
		}
	}
	ck.shared = append(ck.shared, extra...)
	known := sim.Known(ck.shared)

	// The built-in library only resolves ids that tracks and transcripts
	// refer to; its own problems are coach check's without PATH.
	builtinLib, _ := scenarios.Builtin(known)
	if builtinLib == nil {
		builtinLib = &scenarios.Library{}
	}
	for _, p := range yamls {
		if kinds[p] != scenarios.KindScenario {
			continue
		}
		sc, err := scenarios.ParseScenario(p, data[p], known)
		if err != nil {
			ck.report(err)
			continue
		}
		if i := slices.IndexFunc(ck.lib.Scenarios, func(o *scenarios.Scenario) bool { return o.ID == sc.ID }); i >= 0 {
			ck.report(&yamlfile.Error{File: p, Line: sc.Line("id"), Field: "id", Msg: fmt.Sprintf("scenario %q is also defined in %s", sc.ID, ck.lib.Scenarios[i].File)})
			continue
		}
		ck.lib.Scenarios = append(ck.lib.Scenarios, sc)
		golden, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "golden", "*.json"))
		for _, g := range golden {
			if !strings.HasSuffix(g, ".scorecard.json") {
				transcripts = append(transcripts, g)
			}
		}
	}
	slices.SortFunc(ck.lib.Scenarios, func(a, b *scenarios.Scenario) int { return strings.Compare(a.ID, b.ID) })
	exists := func(id string) bool {
		if _, ok := ck.lib.Scenario(id); ok {
			return true
		}
		_, ok := builtinLib.Scenario(id)
		return ok
	}
	for _, p := range yamls {
		if kinds[p] != scenarios.KindTrack {
			continue
		}
		t, err := scenarios.ParseTrack(p, data[p], exists)
		ck.report(err)
		if t != nil {
			ck.lib.Tracks = append(ck.lib.Tracks, t)
		}
	}

	ck.lib.Golden = map[string][]*scenarios.Golden{}
	for _, p := range transcripts {
		b, err := os.ReadFile(p) // #nosec G304 -- the command line names the file to read; reading it is the point
		if err != nil {
			ck.report(err)
			continue
		}
		tr, err := scenarios.ParseTranscript(p, b)
		if err != nil {
			ck.report(err)
			continue
		}
		if err := scenarios.CheckGolden(p, tr, tr.Scenario); err != nil {
			ck.report(err)
			continue
		}
		if _, ok := ck.lib.Scenario(tr.Scenario); !ok {
			sc, found := builtinLib.Scenario(tr.Scenario)
			if !found {
				ck.report(&yamlfile.Error{File: p, Line: 1, Field: "scenario", Msg: fmt.Sprintf("unknown scenario %q", tr.Scenario)})
				continue
			}
			ck.lib.Scenarios = append(ck.lib.Scenarios, sc)
			slices.SortFunc(ck.lib.Scenarios, func(a, b *scenarios.Scenario) int { return strings.Compare(a.ID, b.ID) })
		}
		ck.lib.Golden[tr.Scenario] = append(ck.lib.Golden[tr.Scenario], &scenarios.Golden{Name: filepath.Base(p), File: p, Transcript: tr})
	}
	ck.replayAll()
}

// replayAll plays every golden transcript and reports those whose outcome
// or verdict differs from what they expect.
func (ck *checker) replayAll() {
	if len(ck.lib.Golden) == 0 {
		return
	}
	book, err := app.Assemble(ck.shared, &ck.lib)
	if err != nil {
		ck.report(err)
		return
	}
	defer book.Close()
	for _, sc := range ck.lib.Scenarios {
		for _, g := range ck.lib.Golden[sc.ID] {
			ck.goldens++
			res := sim.RunGolden(sc, book, g)
			switch {
			case res.Err != nil:
				ck.report(fmt.Errorf("%s: %w", g.File, res.Err))
			case !res.OK:
				ck.report(&yamlfile.Error{File: g.File, Line: 1, Field: "expect", Msg: res.Problem()})
			}
		}
	}
}
