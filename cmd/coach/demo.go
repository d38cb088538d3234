package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
)

// maxDemoAttempts bounds --attempts; ten million attempts are some 50 GB.
const maxDemoAttempts = 10_000_000

func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	trainees := fs.Int("trainees", 20, "how many trainees, demo-trainee-0001 on")
	attempts := fs.Int("attempts", 2000, "how many attempts over the last 90 days")
	seed := fs.Uint64("seed", 1, "seed of the history, for a reproducible store")
	fromStdin := fs.Bool("password-stdin", false, "read the demo accounts' password from the first line of standard input")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach demo [--data DIR | --db DSN] --trainees N --attempts M --password-stdin")
		fmt.Fprintln(stderr, "Fills an empty store with a demo history: demo-manager, demo-trainer and demo-trainee-0001…,")
		fmt.Fprintln(stderr, "all with the password read from standard input, their attempts and certificates.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *trainees < 1 || *trainees > 9999 {
		return usageError{"--trainees: want 1 to 9999"}
	}
	if *attempts < 0 || *attempts > maxDemoAttempts {
		return usageError{fmt.Sprintf("--attempts: want 0 to %d", maxDemoAttempts)}
	}
	if !*fromStdin {
		return usageError{"--password-stdin is required: pass the demo accounts' password on standard input"}
	}
	password, err := readPasswordLine(stdin)
	if err != nil {
		return err
	}
	for _, name := range []string{app.DemoManager, app.DemoTrainer, app.DemoTraineePrefix + "0001"} {
		if err := auth.CheckPassword(name, password); err != nil {
			return fmt.Errorf("weak password: %w", err)
		}
	}
	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// Refuse before the slow parts: hashing and replaying.
	if err := app.DemoCheck(ctx, db); err != nil {
		return err
	}
	// One hash serves every demo account: they share the password.
	hash, err := auth.HashPassword(password, auth.DefaultParams())
	if err != nil {
		return err
	}
	lib, book, err := app.LoadBuiltin()
	if err != nil {
		return err
	}
	defer book.Close()
	began := time.Now()
	lastReport := began
	res, err := app.Demo(ctx, db, app.DemoOptions{
		Trainees: *trainees, Attempts: *attempts, PasswordHash: hash, Library: lib, Book: book,
		Now: time.Now().UTC(), Seed: *seed,
		Progress: func(done, total int) {
			if time.Since(lastReport) > 10*time.Second {
				lastReport = time.Now()
				fmt.Fprintf(stderr, "demo: %d of %d attempts stored (%s)\n", done, total, time.Since(began).Round(time.Second))
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: %d teams, %d trainees, %d attempts (from %d replays) in %s\n",
		res.Teams, res.Trainees, res.Attempts, res.Replays, time.Since(began).Round(time.Millisecond))
	fmt.Fprintf(stdout, "certificates: %d signed off (%d of them since suspended), %d signed a year before and expired\n",
		res.SignedOff, res.Suspended, res.Expired)
	fmt.Fprintf(stdout, "accounts: %s, %s, %s0001 to %s%04d\n", app.DemoManager, app.DemoTrainer, app.DemoTraineePrefix, app.DemoTraineePrefix, res.Trainees)
	return nil
}
