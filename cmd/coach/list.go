package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// listed is one scenario as coach list prints it.
type listed struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Domain     string `json:"domain"`
	Difficulty int    `json:"difficulty"`
	Summary    string `json:"summary"`
	PassMark   int    `json:"pass_mark"`
}

func runList(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("list", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach list")
		fmt.Fprintln(stderr, "Prints the built-in scenario library as JSON: id, title, domain, difficulty.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"coach list takes no arguments"}
	}
	shared, err := phrasebook.Builtin()
	if err != nil {
		return fmt.Errorf("load the built-in phrasebook: %w", err)
	}
	lib, err := scenarios.Builtin(sim.Known(shared))
	if err != nil {
		return fmt.Errorf("load the built-in scenarios: %w", err)
	}
	out := make([]listed, 0, len(lib.Scenarios))
	for _, sc := range lib.Scenarios {
		out = append(out, listed{ID: sc.ID, Title: sc.Title, Domain: sc.Domain, Difficulty: sc.Difficulty, Summary: sc.Summary, PassMark: sc.PassMark})
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
