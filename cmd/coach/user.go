package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// runUser is `coach user SUBCOMMAND`: account administration from the shell,
// which is how the first admin of a fresh install is made.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"missing subcommand: add, list or set"}
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], stdin, stdout, stderr)
	case "set":
		return runUserSet(ctx, args[1:], stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: want add, list or set", args[0])}
}

// runUserAdd is `coach user add --username NAME --role ROLE --password-stdin`.
// The password is read from standard input, never from the command line,
// where other users of the machine could see it.
func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user add", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	username := fs.String("username", "", "the account's `name`: letters, digits, '.', '_' or '-'")
	role := fs.String("role", "", "trainee, trainer, manager or admin")
	team := fs.String("team", "", "the `team` the account belongs to (optional)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *username == "" {
		return usageError{"--username is required"}
	}
	name, err := auth.NormalizeUsername(*username)
	if err != nil {
		return usageError{fmt.Sprintf("--username: %v", err)}
	}
	if *role == "" {
		return usageError{"--role is required: trainee, trainer, manager or admin"}
	}
	if _, err := domain.ParseRole(*role); err != nil {
		return usageError{fmt.Sprintf("--role: %q is not a role: want trainee, trainer, manager or admin", *role)}
	}
	if !*fromStdin {
		return usageError{"--password-stdin is required: pass the password on standard input, e.g. from a password manager"}
	}
	password, err := readPasswordLine(stdin)
	if err != nil {
		return err
	}
	if err := auth.CheckPassword(name, password); err != nil {
		return fmt.Errorf("weak password: %w", err)
	}

	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The account and its audit entry are written together, by the rules
	// the admin's pages use.
	u, err := accounts(db).CreateAccount(ctx, store.CLI, app.NewAccount{Username: name, Role: *role, Team: *team, Password: password}, auth.DefaultParams())
	var refused *app.AccountRefusal
	if errors.As(err, &refused) && refused.Key == "taken" {
		return fmt.Errorf("user %q already exists", name)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Username, u.ID)
	return nil
}

// accounts is the application over db, for the account commands.
func accounts(db *store.DB) *app.App {
	return app.New(db, slog.New(slog.DiscardHandler), app.Config{})
}

// readPasswordLine reads the first line of r without its line ending.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("read password from standard input: got an empty line")
	}
	return line, nil
}

// runUserList is `coach user list`: every account, one per line.
func runUserList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user list", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tTEAM\tSTATUS\tCREATED")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, u.Team, status, u.Created.Format(time.DateOnly))
	}
	return tw.Flush()
}

// runUserSet is `coach user set --username NAME [--role ROLE] [--team TEAM]
// [--disabled=true|false]`: changes an account from the shell, audited as
// the command line. Flags not given leave their field as it is.
func runUserSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user set", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	username := fs.String("username", "", "the account to change")
	role := fs.String("role", "", "new role: trainee, trainer, manager or admin")
	team := fs.String("team", "", "new `team`")
	clearTeam := fs.Bool("clear-team", false, "remove the account from its team")
	disabled := fs.String("disabled", "", "true to disable the account, false to enable it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	name, err := auth.NormalizeUsername(*username)
	if err != nil {
		return usageError{fmt.Sprintf("--username: %v", err)}
	}
	var ch store.UserChange
	if *role != "" {
		r, err := domain.ParseRole(*role)
		if err != nil {
			return usageError{fmt.Sprintf("--role: %q is not a role: want trainee, trainer, manager or admin", *role)}
		}
		ch.Role = &r
	}
	switch {
	case *clearTeam && *team != "":
		return usageError{"give --team or --clear-team, not both"}
	case *clearTeam:
		empty := ""
		ch.Team = &empty
	case *team != "":
		ch.Team = team
	}
	switch *disabled {
	case "":
	case "true", "false":
		off := *disabled == "true"
		ch.Disabled = &off
	default:
		return usageError{fmt.Sprintf("--disabled: %q: want true or false", *disabled)}
	}
	if ch == (store.UserChange{}) {
		return usageError{"nothing to change: give --role, --team, --clear-team or --disabled"}
	}
	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByUsername(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %q does not exist", name)
		}
		return err
	}
	// The shell has no "self" to protect, but the last active admin stays.
	u, err = accounts(db).UpdateAccount(ctx, nil, store.CLI, u.ID, ch)
	var refused *app.AccountRefusal
	if errors.As(err, &refused) && refused.Key == "last_admin" {
		return fmt.Errorf("user %q is the last active admin: make another account admin first", name)
	} else if err != nil {
		return err
	}
	status := "active"
	if u.Disabled {
		status = "disabled"
	}
	fmt.Fprintf(stdout, "%s: role %s, team %q, %s\n", u.Username, u.Role, u.Team, status)
	return nil
}
