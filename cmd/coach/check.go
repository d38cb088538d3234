package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hotlinecoach/coach/app"
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
	var res app.Checked
	phrases := "the built-in phrasebook"
	if fs.NArg() == 0 {
		res = app.CheckBuiltin(ctx)
	} else {
		res = app.CheckFiles(ctx, fs.Args())
		phrases = fmt.Sprintf("%d phrasebook files", res.PhraseFiles)
	}
	for _, is := range res.Issues {
		fmt.Fprintln(stderr, is)
	}
	fmt.Fprintf(stdout, "checked %s, %d scenarios, %d tracks, %d golden transcripts: %d problems\n",
		phrases, res.Scenarios, res.Tracks, res.Goldens, len(res.Issues))
	if len(res.Issues) > 0 {
		return fmt.Errorf("%d problems", len(res.Issues))
	}
	return nil
}
