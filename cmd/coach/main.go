// Command coach is Hotline Coach's one binary: the server, the terminal
// player, and the tools trainers and admins use from the shell.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// The time zones travel in the binary, so --timezone works on a
	// machine without a zoneinfo database.
	_ "time/tzdata"
)

// command is one subcommand. Each parses its own flags and wires packages
// together; the logic lives in those packages.
type command struct {
	name string
	help string
	run  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server", runServe},
		{"user", "manage accounts: user add, import, list, set", runUser},
		{"demo", "fill an empty store with a demo history of trainees, attempts and certificates", runDemo},
		{"play", "play a call in the terminal", runPlay},
		{"replay", "replay a transcript and print its scorecard", runReplay},
		{"check", "validate scenario and phrasebook files and run golden transcripts", runCheck},
		{"list", "list the scenario library as JSON", runList},
		{"match", "print the phrasebook hits of an utterance as JSON", runMatch},
		{"loadtest", "keep many live calls going against a server and report turn latency", runLoadtest},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code:
// 2 for a usage mistake, 1 for anything else.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "coach %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "coach %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "coach: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: coach COMMAND [flags]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.help)
	}
}

// usageError marks a mistake in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// newFlags returns a flag set that reports errors instead of exiting, so
// commands stay testable.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("coach "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and wraps a bad flag as a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
