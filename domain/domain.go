// Package domain holds the types every layer shares: accounts and roles,
// call modes and statuses, dispute states, certification decisions and
// content revisions, with the errors that say what kind of failure an
// operation met. It is a leaf: it imports nothing of the project, so the
// engine, the store, the application and the transport can all use one
// type for each fact.
package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The kinds of failure every layer reports by wrapping one of these, so
// that the transport can turn them into a status in one place.
var (
	// ErrNotFound: the thing asked for does not exist (or the asker may
	// not know that it does).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change clashes with the stored state.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: a value is not acceptable.
	ErrInvalid = errors.New("invalid value")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable: the service cannot do it now; try again later.
	ErrUnavailable = errors.New("unavailable")
)

// Role is what an account may do. Every web route names the roles it admits.
type Role string

// The roles, from the trainee who takes calls to the admin who runs the site.
const (
	RoleTrainee Role = "trainee"
	RoleTrainer Role = "trainer"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Roles lists every role in a stable order.
func Roles() []Role { return []Role{RoleTrainee, RoleTrainer, RoleManager, RoleAdmin} }

// ParseRole returns the role named s, or an error listing the valid roles.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: role %q is not one of trainee, trainer, manager, admin", ErrInvalid, s)
}

// User is an account.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	Team         string
	Created      time.Time
	Disabled     bool
	// Name is the person's real name, shown wherever the account is named
	// to people (certificates, dashboards, histories, the audit log);
	// empty for accounts made before names were kept.
	Name string
	// EmployeeNo is the company's number for the person; optional.
	EmployeeNo string
	// MustChangePassword makes the next sign-in ask for a new password,
	// after an admin set a temporary one.
	MustChangePassword bool
}

// DisplayName is how people see the account named: the real name with
// the username, or the username alone when no name is kept.
func (u User) DisplayName() string {
	if u.Name == "" {
		return u.Username
	}
	return u.Name + " (" + u.Username + ")"
}

// Mode says whether a call is practice (hints as it goes) or an exam (none
// until the end).
type Mode string

// The call modes.
const (
	Practice Mode = "practice"
	Exam     Mode = "exam"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == Practice || m == Exam }

// ParseMode returns the mode named s, or an error naming the valid modes.
func ParseMode(s string) (Mode, error) {
	if m := Mode(s); m.Valid() {
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q is not practice or exam", ErrInvalid, s)
}

// CallStatus says whether a call is still going.
type CallStatus string

// The call statuses.
const (
	CallLive  CallStatus = "live"
	CallEnded CallStatus = "ended"
)

// DisputeState is where a trainee's dispute of a checklist item stands.
type DisputeState string

// The dispute states.
const (
	DisputeOpen     DisputeState = "open"
	DisputeUpheld   DisputeState = "upheld"
	DisputeRejected DisputeState = "rejected"
)

// CertAction is a manager's decision about a trainee's certificate.
type CertAction string

// The decisions a manager can record.
const (
	SignOff   CertAction = "signoff"
	Suspend   CertAction = "suspend"
	Reinstate CertAction = "reinstate"
)

// ParseCertAction returns the action named s, or an error naming the valid
// ones.
func ParseCertAction(s string) (CertAction, error) {
	switch a := CertAction(s); a {
	case SignOff, Suspend, Reinstate:
		return a, nil
	}
	return "", fmt.Errorf("%w: action %q is not signoff, suspend or reinstate", ErrInvalid, s)
}

// ContentKind is what a content unit holds.
type ContentKind string

// The kinds of content unit.
const (
	// ContentScenario is a scenario file with its golden transcripts.
	ContentScenario ContentKind = "scenario"
	// ContentPhrases is a phrasebook file: a YAML list of entries.
	ContentPhrases ContentKind = "phrases"
)

// ParseContentKind returns the kind named s.
func ParseContentKind(s string) (ContentKind, error) {
	switch k := ContentKind(s); k {
	case ContentScenario, ContentPhrases:
		return k, nil
	}
	return "", fmt.Errorf("%w: content kind %q is not scenario or phrases", ErrInvalid, s)
}

// ContentKey names a content unit; its String form "scenario/leak" is how
// publications list it.
type ContentKey struct {
	Kind ContentKind
	ID   string
}

// String returns "kind/id".
func (k ContentKey) String() string { return string(k.Kind) + "/" + k.ID }

// Revision is one saved version of a content unit.
type Revision struct {
	// ID identifies the revision across all content; calls and
	// publications refer to revisions by it.
	ID   int64
	Kind ContentKind
	// ContentID is the unit's id: the scenario id or the phrase file name.
	ContentID string
	// N numbers the unit's revisions 1, 2, 3…
	N        int
	AuthorID int64
	Author   string
	At       time.Time
	Message  string
	// Body is the file: scenario.yaml or the phrasebook file.
	Body string
	// Golden maps a golden transcript's name (without .json) to its JSON;
	// empty for phrasebook files.
	Golden map[string]string
}

// Key returns the revision's content key.
func (r Revision) Key() ContentKey { return ContentKey{Kind: r.Kind, ID: r.ContentID} }

// A call records what it ran against as "rev-R@pub-P": the scenario's
// revision R, with the phrasebook and the other scenarios of publication P.
// A call rebuilt after a restart uses exactly that, never what is newest.

// BuiltinRevision is the revision recorded for calls to a fixed library,
// which changes only with the binary; calls made before content lived in
// the store recorded it too. It reads as publication 1.
const BuiltinRevision = "builtin"

// CallRevision is what a call of scenario revision rev in publication pub
// records.
func CallRevision(rev, pub int64) string { return fmt.Sprintf("rev-%d@pub-%d", rev, pub) }

// ParseCallRevision reads CallRevision's form, or BuiltinRevision (rev 0,
// publication 1).
func ParseCallRevision(s string) (rev, pub int64, err error) {
	if s == BuiltinRevision {
		return 0, 1, nil
	}
	r, p, ok := strings.Cut(s, "@")
	if ok && strings.HasPrefix(r, "rev-") && strings.HasPrefix(p, "pub-") {
		rev, err1 := strconv.ParseInt(r[4:], 10, 64)
		pub, err2 := strconv.ParseInt(p[4:], 10, 64)
		if err1 == nil && err2 == nil && rev > 0 && pub > 0 {
			return rev, pub, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: call revision %q is not rev-N@pub-N", ErrInvalid, s)
}
