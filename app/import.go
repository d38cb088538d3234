package app

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hotlinecoach/coach/domain"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/store"
)

// ImportColumns are the columns of an accounts CSV, in the order of its
// header line; employee_no may be left empty.
var importColumns = []string{"username", "name", "role", "team", "employee_no"}

// ImportColumns lists the accounts CSV's columns.
func ImportColumns() []string { return append([]string(nil), importColumns...) }

// MaxImportRows bounds one import.
const MaxImportRows = 2000

// LineError is one refused line of an import.
type LineError struct {
	Line  int
	Field string
	Err   error
}

func (e LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, %s: %v", e.Line, e.Field, e.Err)
}

// ImportError lists every refused line; nothing was imported. It wraps
// domain.ErrInvalid.
type ImportError struct{ Lines []LineError }

func (e *ImportError) Error() string {
	msgs := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		msgs[i] = l.Error()
	}
	return "nothing imported: " + strings.Join(msgs, "; ")
}

// Unwrap makes an ImportError a domain.ErrInvalid.
func (e *ImportError) Unwrap() error { return domain.ErrInvalid }

// Imported is one account an import made, with the temporary password its
// owner signs in with once and must then change.
type Imported struct {
	User     domain.User
	Password string
}

// ImportAccounts reads an accounts CSV (a header line naming the columns
// username, name, role, team, employee_no, then one account a line) and
// creates every account, each with a temporary password to be changed at
// the first sign-in. Every line is checked first: any refused line, a
// username taken or repeated, gives an *ImportError naming each line and
// field, and nothing is imported. The accounts are stored in one
// transaction, all or none.
func (a *App) ImportAccounts(ctx context.Context, by store.Actor, r io.Reader, params auth.Params) ([]Imported, error) {
	now := a.now()
	cr := csv.NewReader(io.LimitReader(r, 4<<20))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Err: fmt.Errorf("read the header line: %w", err)}}}
	}
	col, err := columnIndex(header)
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Err: err}}}
	}
	var bad []LineError
	var out []Imported
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(out)+len(bad) >= MaxImportRows {
			bad = append(bad, LineError{Line: line, Err: fmt.Errorf("at most %d accounts per import", MaxImportRows)})
			break
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		password, err := temporaryPassword()
		if err != nil {
			return nil, err
		}
		n := NewAccount{Username: get("username"), Name: get("name"), Role: strings.ToLower(strings.TrimSpace(get("role"))),
			Team: get("team"), EmployeeNo: get("employee_no"), Password: password}
		u, err := n.check(params, now)
		var refused *AccountRefusal
		switch {
		case errors.As(err, &refused):
			bad = append(bad, LineError{Line: line, Field: refused.Key, Err: refused.Err})
			continue
		case err != nil:
			return nil, err
		}
		if first, dup := seen[u.Username]; dup {
			bad = append(bad, LineError{Line: line, Field: "username", Err: fmt.Errorf("%q is also on line %d", u.Username, first)})
			continue
		}
		seen[u.Username] = line
		if _, err := a.db.UserByUsername(ctx, u.Username); err == nil {
			bad = append(bad, LineError{Line: line, Field: "username", Err: fmt.Errorf("%q is taken", u.Username)})
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		u.MustChangePassword = true
		out = append(out, Imported{User: u, Password: password})
	}
	if len(bad) > 0 {
		return nil, &ImportError{Lines: bad}
	}
	if len(out) == 0 {
		return nil, &ImportError{Lines: []LineError{{Line: 2, Err: errors.New("no accounts after the header line")}}}
	}
	us := make([]*domain.User, len(out))
	for i := range out {
		us[i] = &out[i].User
	}
	if err := a.db.CreateUsersBy(ctx, us, by); err != nil {
		return nil, err
	}
	return out, nil
}

// columnIndex maps each column name to its place in the header, which
// must name every column once (any order) and no other.
func columnIndex(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range importColumns {
			known = known || c == h
		}
		if !known {
			return nil, fmt.Errorf("unknown column %q: the header names %s", h, strings.Join(importColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("column %q named twice", h)
		}
		col[h] = i
	}
	for _, c := range importColumns {
		if _, ok := col[c]; !ok && c != "employee_no" {
			return nil, fmt.Errorf("missing column %q: the header names %s", c, strings.Join(importColumns, ", "))
		}
	}
	if _, ok := col["employee_no"]; !ok {
		col["employee_no"] = len(header) + 1 // reads as empty
	}
	return col, nil
}

// temporaryPassword is 16 random base32 characters (80 bits), grouped in
// fours for reading off a slip of paper: "ABCD-EFGH-…".
func temporaryPassword() (string, error) {
	for {
		t := rand.Text()[:16]
		p := t[0:4] + "-" + t[4:8] + "-" + t[8:12] + "-" + t[12:16]
		// The strength rule refuses, very rarely, a random draw.
		if auth.CheckPassword("", p) == nil {
			return p, nil
		}
	}
}
