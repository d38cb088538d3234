package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/fdlimit"
	"github.com/hotlinecoach/coach/loadtest"
)

// runLoadtest is `coach loadtest`: it keeps --calls calls live against a
// running server for --duration and prints turn latency and losses.
func runLoadtest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest", stderr)
	addr := fs.String("addr", defaultAddr, "the server's `HOST:PORT`")
	calls := fs.Int("calls", 100, "how many calls to keep live at once")
	duration := fs.Duration("duration", 30*time.Second, "how long to keep calls going; then live calls hang up")
	think := fs.Duration("think", time.Second, "mean pause before each reply (drawn from half to one and a half times this)")
	ramp := fs.Duration("ramp", 5*time.Second, "span over which the first calls start")
	scenarioList := fs.String("scenario", "", "comma-separated scenario `ids` to play (default: every scenario with a model answer)")
	mode := fs.String("mode", "practice", "call mode: practice or exam")
	data := fs.String("data", "", "the server's data `folder`: create throwaway trainee accounts in its store")
	dsn := fs.String("db", "", "the server's database (SQLite path or postgres:// URL) to create accounts in; instead of --data")
	accounts := fs.Int("accounts", 0, "how many trainee accounts to create (default: one per call)")
	username := fs.String("username", "", "sign every call in as this existing account instead of creating accounts")
	fromStdin := fs.Bool("password-stdin", false, "read --username's password from the first line of standard input")
	progress := fs.Duration("progress", 2*time.Second, "how often to print a progress line to standard error")
	wait := fs.Duration("wait", 10*time.Second, "longest wait for any answer from the server")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *calls <= 0 || *duration <= 0 || *think < 0 || *ramp < 0 || *progress <= 0 || *wait <= 0 {
		return usageError{"--calls, --duration, --progress and --wait must be positive; --think and --ramp not negative"}
	}
	useStore := *data != "" || *dsn != ""
	if (*username != "") == useStore {
		return usageError{"give either --username (with --password-stdin) or --data/--db to create accounts"}
	}
	if *username != "" && !*fromStdin {
		return usageError{"--username needs --password-stdin"}
	}
	if limit, err := fdlimit.Raise(); err != nil {
		return err
	} else if need := uint64(*calls) + 300; limit != 0 && limit < need {
		return fmt.Errorf("the open-file limit is %d, too low for %d calls (need about %d): raise it with ulimit -n", limit, *calls, need)
	}
	transcripts, err := loadtest.Golden(splitList(*scenarioList))
	if err != nil {
		return err
	}

	var accts []loadtest.Account
	if *username != "" {
		pw, err := readPasswordLine(stdin)
		if err != nil {
			return err
		}
		accts = []loadtest.Account{{Username: *username, Password: pw}}
	} else {
		n := *accounts
		if n <= 0 {
			n = *calls
		}
		db, err := openStore(ctx, orDefault(*data, defaultData), *dsn)
		if err != nil {
			return err
		}
		accts, err = loadtest.CreateAccounts(ctx, n, "loadtest", func(ctx context.Context, name, hash string) error {
			return db.CreateUser(ctx, &domain.User{Username: name, PasswordHash: hash, Role: domain.RoleTrainee, Team: "loadtest", Created: time.Now().UTC()})
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created %d trainee accounts %s…\n", len(accts), strings.TrimSuffix(accts[0].Username, "-0001"))
	}

	report, err := loadtest.Run(ctx, loadtest.Config{
		Base: "http://" + *addr, Calls: *calls, Duration: *duration, Think: *think, Ramp: *ramp,
		Mode: *mode, Transcripts: transcripts, Accounts: accts,
		Progress: stderr, ProgressEvery: *progress, Wait: *wait,
	})
	if err != nil {
		return err
	}
	report.Write(stdout)
	if report.Errors > 0 || report.Lost > 0 || report.Duplicated > 0 {
		return fmt.Errorf("%d errors, %d messages lost, %d duplicated", report.Errors, report.Lost, report.Duplicated)
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
