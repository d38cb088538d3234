// Package app holds the workflows of accounts, sign-in and first-run setup,
// without HTTP: the web handlers and the command line call the same rules.
package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/store"
)

// ErrBadCredentials: the username or password is wrong, or the account is
// disabled; which of them is not said.
var ErrBadCredentials = errors.New("wrong username or password")

// FieldError says which field of a request was refused and why. It wraps
// store.ErrInvalid.
type FieldError struct {
	// Field is the request's field: username, password, name, role, team,
	// employee_no, token.
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }

// Unwrap gives both the reason and store.ErrInvalid.
func (e *FieldError) Unwrap() []error { return []error{e.Err, store.ErrInvalid} }

func fieldErr(field string, err error) error { return &FieldError{Field: field, Err: err} }

// ThrottledError says sign-in is refused for now; RetryAfter is when the
// counting window that refused it closes.
type ThrottledError struct {
	RetryAfter time.Duration
	// Reason is "pair" (this username from this address) or "address".
	Reason string
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many sign-in attempts (%s); retry in %s", e.Reason, e.RetryAfter.Round(time.Second))
}

var errSamePassword = errors.New("the new password is the current one")
