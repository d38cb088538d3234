package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	scenarioArg := fs.String("scenario", "", "scenario id from the library, or a scenario YAML file (default: the transcript's scenario)")
	transcript := fs.String("transcript", "", "transcript JSON file, - for standard input (required)")
	format := fs.String("format", "json", "json or text")
	seed := fs.Uint64("seed", 0, "seed that draws the caller from the scenario's pools and picks its lines (default: the transcript's seed; without one, the scenario's base caller)")
	mode := fs.String("mode", string(sim.GoldenOptions().Mode), "practice or exam")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach replay --transcript FILE [--scenario ID|FILE] [--format json|text] [--seed N] [--mode exam|practice]")
		fmt.Fprintln(stderr, "Plays a transcript of the trainee's turns against the scenario and prints the scorecard.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *transcript == "" || fs.NArg() > 0 {
		return usageError{"--transcript FILE is required and nothing else may follow the flags"}
	}
	if *format != "json" && *format != "text" {
		return usageError{fmt.Sprintf("--format %q: want json or text", *format)}
	}
	if !domain.Mode(*mode).Valid() {
		return usageError{fmt.Sprintf("--mode %q: want practice or exam", *mode)}
	}
	var data []byte
	var err error
	if *transcript == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, scenarios.MaxFileSize+1))
	} else {
		data, err = os.ReadFile(*transcript)
	}
	if err != nil {
		return fmt.Errorf("read transcript: %w", err)
	}
	tr, err := scenarios.ParseTranscript(*transcript, data)
	if err != nil {
		return err
	}
	ref := *scenarioArg
	if ref == "" {
		ref = tr.Scenario
	}
	sc, book, err := openScenario(ref)
	if err != nil {
		return err
	}
	defer book.Close()
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			tr.Seed = seed
		}
	})
	opt := sim.GoldenOptions()
	opt.Mode = domain.Mode(*mode)
	card, _, err := sim.Replay(sc, book, tr, opt)
	if err != nil {
		return err
	}
	if *format == "text" {
		_, err = io.WriteString(stdout, card.Text())
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(card)
}

// openScenario finds a scenario by library id, or parses a scenario file,
// and assembles the Book its calls listen with.
func openScenario(ref string) (*scenarios.Scenario, *sim.Book, error) {
	if strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") || strings.ContainsRune(ref, os.PathSeparator) {
		shared, err := phrasebook.Builtin()
		if err != nil {
			return nil, nil, fmt.Errorf("load the built-in phrasebook: %w", err)
		}
		data, err := os.ReadFile(ref) // #nosec G304 G703 -- the command line names the file to read; reading it is the point
		if err != nil {
			return nil, nil, fmt.Errorf("read scenario: %w", err)
		}
		sc, err := scenarios.ParseScenario(ref, data, sim.Known(shared))
		if err != nil {
			return nil, nil, err
		}
		book, err := app.Assemble(shared, &scenarios.Library{Scenarios: []*scenarios.Scenario{sc}})
		if err != nil {
			return nil, nil, err
		}
		return sc, book, nil
	}
	lib, book, err := app.LoadBuiltin()
	if err != nil {
		return nil, nil, err
	}
	sc, ok := lib.Scenario(ref)
	if !ok {
		_ = book.Close()
		return nil, nil, usageError{fmt.Sprintf("no scenario %q in the library (coach list shows them)", ref)}
	}
	return sc, book, nil
}
