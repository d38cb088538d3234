package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook"
)

// maxUtterance bounds one line read by `coach match` from standard input.
const maxUtterance = 64 << 10

func runMatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("match", stderr)
	dir := fs.String("phrasebook", "", "directory of phrasebook *.yaml files (default: the built-in phrasebook)")
	domain := fs.String("domain", "", "only entries for this domain: heating, power, water or property")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach match [--phrasebook DIR] [--domain D] [TEXT]")
		fmt.Fprintln(stderr, "With TEXT, prints its hits as one JSON list; without, reads one utterance per line and prints JSON Lines.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	entries, err := loadPhrasebook(*dir)
	if err != nil {
		return err
	}
	m, err := phrasebook.New(entries)
	if err != nil {
		return err
	}
	defer m.Close()
	filter := phrasebook.Filter{Domain: *domain}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	write := func(text string) error {
		hits := m.Match(text, filter)
		if hits == nil {
			hits = []phrasebook.Hit{}
		}
		return enc.Encode(hits)
	}
	if fs.NArg() > 0 {
		return write(strings.Join(fs.Args(), " "))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 4096), maxUtterance)
	line := 0
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := write(sc.Text()); err != nil {
			return fmt.Errorf("write hits of line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input after line %d: %w", line, err)
	}
	return nil
}

// loadPhrasebook reads the phrasebook from dir, or the built-in one.
func loadPhrasebook(dir string) ([]phrasebook.Entry, error) {
	if dir == "" {
		return phrasebook.Builtin()
	}
	return phrasebook.LoadDir(os.DirFS(dir), ".")
}
