package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
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
		return usageError{"missing subcommand: add, import, list or set"}
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], stdin, stdout, stderr)
	case "import":
		return runUserImport(ctx, args[1:], stdout, stderr)
	case "set":
		return runUserSet(ctx, args[1:], stdin, stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: want add, import, list or set", args[0])}
}

// runUserAdd is `coach user add --username NAME --role ROLE --password-stdin`.
// The password is read from standard input, never from the command line,
// where other users of the machine could see it.
func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user add", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	username := fs.String("username", "", "the account's `name`: letters, digits, '.', '_' or '-'")
	realName := fs.String("name", "", "the person's real `name`, shown on certificates and reports")
	employeeNo := fs.String("employee-no", "", "the person's employee `number` (optional)")
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
	name, err := auth.NormalizeUsername(*username)
	if err != nil {
		return usageError{fmt.Sprintf("--username: %v", err)}
	}
	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The account and its audit entry are written together, by the rules
	// the admin's pages use.
	// A real name is optional here, for scripts written before accounts
	// had names; an admin can add it later.
	u, err := accounts(db).CreateAccount(ctx, store.CLI, app.NewAccount{Username: name, Name: *realName, NameOptional: true,
		Role: *role, Team: *team, EmployeeNo: *employeeNo, Password: password}, auth.DefaultParams())
	var refused *app.AccountRefusal
	if errors.As(err, &refused) && refused.Key == "taken" {
		return fmt.Errorf("user %q already exists", name)
	} else if err != nil {
		return flagError(err)
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Username, u.ID)
	return nil
}

// reason is the refusal's own cause, without the kind (domain.ErrInvalid)
// it is wrapped with.
func reason(err error) error {
	if m, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := m.Unwrap(); len(errs) > 0 {
			return errs[len(errs)-1]
		}
	}
	return err
}

// flagError turns a refused field into a usage error naming its flag, and
// a weak password into the error saying why.
func flagError(err error) error {
	var refused *app.AccountRefusal
	if !errors.As(err, &refused) {
		return err
	}
	switch refused.Key {
	case "password":
		return fmt.Errorf("weak password: %w", reason(refused.Err))
	case "employee_no":
		return usageError{fmt.Sprintf("--employee-no: %v", refused.Err)}
	}
	return usageError{fmt.Sprintf("--%s: %v", refused.Key, refused.Err)}
}

// runUserImport is `coach user import FILE.csv`: accounts from a CSV with
// the header username,name,role,team,employee_no. Every line is checked
// first; any refused line is reported (line and field) and nothing is
// imported. Each account gets a temporary password, printed as CSV
// (username,name,temporary_password) for handing out, which its owner
// changes at the first sign-in.
func runUserImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user import", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"give one CSV file: coach user import FILE.csv (columns " + strings.Join(app.ImportColumns(), ",") + ")"}
	}
	path := fs.Arg(0)
	f, err := os.Open(path) // #nosec G304 -- the admin names the file to import
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	made, err := accounts(db).ImportAccounts(ctx, store.CLI, f, auth.DefaultParams())
	var ie *app.ImportError
	if errors.As(err, &ie) {
		for _, l := range ie.Lines {
			fmt.Fprintf(stderr, "%s:%s\n", path, l.Error())
		}
		return fmt.Errorf("%s: %d refused lines; nothing imported", path, len(ie.Lines))
	}
	if err != nil {
		return err
	}
	w := csv.NewWriter(stdout)
	_ = w.Write([]string{"username", "name", "temporary_password"})
	for _, m := range made {
		_ = w.Write([]string{m.User.Username, m.User.Name, m.Password})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "imported %d accounts; each must change the temporary password at the first sign-in\n", len(made))
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
func runUserSet(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user set", stderr)
	data := fs.String("data", defaultData, "data `folder` (as for coach serve)")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	username := fs.String("username", "", "the account to change")
	role := fs.String("role", "", "new role: trainee, trainer, manager or admin")
	team := fs.String("team", "", "new `team`")
	clearTeam := fs.Bool("clear-team", false, "remove the account from its team")
	disabled := fs.String("disabled", "", "true to disable the account, false to enable it")
	realName := fs.String("name", "", "new real `name`")
	employeeNo := fs.String("employee-no", "", "new employee `number`")
	fromStdin := fs.Bool("password-stdin", false, "set a new password, read from the first line of standard input")
	temporary := fs.Bool("temporary", false, "with --password-stdin: the password must be changed at the next sign-in")
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
	if *realName != "" {
		ch.Name = realName
	}
	if *employeeNo != "" {
		ch.EmployeeNo = employeeNo
	}
	if *temporary && !*fromStdin {
		return usageError{"--temporary goes with --password-stdin"}
	}
	if ch == (store.UserChange{}) && !*fromStdin {
		return usageError{"nothing to change: give --role, --team, --clear-team, --disabled, --name, --employee-no or --password-stdin"}
	}
	var password string
	if *fromStdin {
		if password, err = readPasswordLine(stdin); err != nil {
			return err
		}
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
	if *fromStdin {
		// Checked and set first: a weak password changes nothing.
		if _, err := accounts(db).SetPassword(ctx, store.CLI, u.ID, password, *temporary, auth.DefaultParams()); err != nil {
			return flagError(err)
		}
		fmt.Fprintf(stdout, "%s: password changed; signed out everywhere\n", u.Username)
	}
	if ch != (store.UserChange{}) {
		// The shell has no "self" to protect, but the last active admin
		// stays.
		u, err = accounts(db).UpdateAccount(ctx, nil, store.CLI, u.ID, ch)
		var refused *app.AccountRefusal
		if errors.As(err, &refused) && refused.Key == "last_admin" {
			return fmt.Errorf("user %q is the last active admin: make another account admin first", name)
		} else if err != nil {
			return flagError(err)
		}
	}
	status := "active"
	if u.Disabled {
		status = "disabled"
	}
	fmt.Fprintf(stdout, "%s: role %s, team %q, %s\n", u.Username, u.Role, u.Team, status)
	return nil
}
