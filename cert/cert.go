// Package cert holds the certification rules: given a track, a trainee's
// attempts, the managers' decisions and the clock, which state the trainee
// is in, and whether a new decision is allowed. It is pure: no I/O, no
// clock of its own, so every transition can be tested from a table.
//
// The states run enrolled → exams passed → certified → expired, with
// suspended beside certified:
//
//   - enrolled: the trainee's team has the track, and some scenario of it
//     still lacks a counting attempt.
//   - exams passed: every scenario of the track has a counting attempt (in
//     the track's mode, passed, at or above the scenario's minimum score)
//     since the last certificate was issued.
//   - certified: a manager signed off after the exams were passed; the
//     certificate lasts the track's validity from the sign-off.
//   - expired: the certificate's validity ran out (at exactly the boundary
//     it has run out). Passing the exams again and a new sign-off renew it.
//   - suspended: a manager suspended a valid certificate; reinstating it
//     returns the trainee to certified. Suspension does not stop the
//     validity clock: a suspended certificate whose validity runs out is
//     expired, and there is nothing left to reinstate.
//
// Only a sign-off certifies, and only after the exams are passed; an early
// renewal is not offered: a certificate is renewed once it has expired.
package cert

import (
	"errors"
	"slices"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
)

// State is where a trainee stands on one track.
type State string

// The states of a trainee on a track.
const (
	Enrolled    State = "enrolled"
	ExamsPassed State = "exams_passed"
	Certified   State = "certified"
	Expired     State = "expired"
	Suspended   State = "suspended"
)

// SignerRole is the only role whose decisions count. Certification is a
// manager's judgement about their staff; an admin runs accounts and the
// site and does not certify anyone.
const SignerRole = "manager"

// Attempt is one ended call, as much of it as the rules need.
type Attempt struct {
	ScenarioID string
	// Mode is "practice" or "exam".
	Mode   string
	Score  float64
	Passed bool
	Ended  time.Time
}

// Decision is one recorded manager decision.
type Decision struct {
	Action domain.CertAction
	At     time.Time
	// Expires is when a sign-off's certificate runs out; it is fixed when
	// the sign-off is made, so a later change to the track's validity does
	// not alter certificates already issued. Zero for other actions.
	Expires time.Time
}

// EntryProgress is a trainee's standing on one scenario of a track.
type EntryProgress struct {
	ScenarioID string
	MinScore   int
	// Best is the best score of an attempt in the track's mode since the
	// last certificate, counting or not; -1 when there is none.
	Best float64
	// Done reports whether a counting attempt exists.
	Done bool
	// DoneAt is when the first counting attempt ended.
	DoneAt time.Time
}

// Status is a trainee's standing on one track at one moment.
type Status struct {
	State State
	// Entries follow the track's order.
	Entries []EntryProgress
	// ExamsPassedAt is when the last missing scenario was passed; zero
	// unless every entry is done.
	ExamsPassedAt time.Time
	// CertifiedAt and Expires describe the latest certificate; zero when
	// there has been none.
	CertifiedAt time.Time
	Expires     time.Time
}

// Done counts the entries with a counting attempt.
func (s Status) Done() int {
	n := 0
	for _, e := range s.Entries {
		if e.Done {
			n++
		}
	}
	return n
}

// Counts reports whether attempt a counts towards entry e of track t.
func Counts(t *scenarios.Track, e scenarios.TrackEntry, a Attempt) bool {
	return a.ScenarioID == e.ID && a.Mode == t.Mode && a.Passed && a.Score >= float64(e.MinScore) && !a.Ended.IsZero()
}

// ExpiryOf returns when a certificate signed at signed on track t runs out.
func ExpiryOf(t *scenarios.Track, signed time.Time) time.Time {
	return signed.AddDate(0, 0, t.ValidDays)
}

// Evaluate returns a trainee's status on track t at now, from their ended
// attempts and the decisions recorded about them. Decisions and attempts
// after now are ignored, so the status at any past moment can be rebuilt.
// Decisions are replayed in time order; one the rules would have refused
// (which Check keeps from being stored) is skipped.
func Evaluate(t *scenarios.Track, attempts []Attempt, decisions []Decision, now time.Time) Status {
	ds := slices.Clone(decisions)
	slices.SortStableFunc(ds, func(a, b Decision) int { return a.At.Compare(b.At) })

	// cur is the latest certificate; prev is when the one before it was
	// signed. Attempts count towards a certificate from the sign-off
	// before it, so a renewal needs the exams passed again.
	var cur cert
	var prev time.Time
	for _, d := range ds {
		if d.At.After(now) {
			break
		}
		if checkAt(status(t, attempts, prev, cur, d.At), d.Action) != nil {
			continue
		}
		switch d.Action {
		case domain.SignOff:
			expires := d.Expires
			if expires.IsZero() {
				expires = ExpiryOf(t, d.At)
			}
			prev, cur = cur.signed, cert{signed: d.At, expires: expires}
		case domain.Suspend:
			cur.suspended = true
		case domain.Reinstate:
			cur.suspended = false
		}
	}
	return status(t, attempts, prev, cur, now)
}

// cert is the latest certificate while decisions are replayed; zero when
// there has been none.
type cert struct {
	signed, expires time.Time
	suspended       bool
}

// status computes the state at now given the latest certificate and when
// the one before it was signed.
func status(t *scenarios.Track, attempts []Attempt, prev time.Time, cur cert, now time.Time) Status {
	st := Status{CertifiedAt: cur.signed, Expires: cur.expires}
	valid := !cur.signed.IsZero() && now.Before(cur.expires)
	// While a certificate is valid its entries show what earned it (and
	// any later attempts); once it has expired, only attempts after its
	// sign-off count towards the next one.
	since := prev
	if !cur.signed.IsZero() && !valid {
		since = cur.signed
	}
	all := true
	for _, e := range t.Scenarios {
		p := EntryProgress{ScenarioID: e.ID, MinScore: e.MinScore, Best: -1}
		for _, a := range attempts {
			if a.ScenarioID != e.ID || a.Mode != t.Mode || a.Ended.IsZero() || a.Ended.After(now) {
				continue
			}
			if !since.IsZero() && !a.Ended.After(since) {
				continue
			}
			p.Best = max(p.Best, a.Score)
			if Counts(t, e, a) && (!p.Done || a.Ended.Before(p.DoneAt)) {
				p.Done, p.DoneAt = true, a.Ended
			}
		}
		if p.Done {
			st.ExamsPassedAt = later(st.ExamsPassedAt, p.DoneAt)
		} else {
			all = false
		}
		st.Entries = append(st.Entries, p)
	}
	if !all {
		st.ExamsPassedAt = time.Time{}
	}
	switch {
	case !cur.signed.IsZero() && !valid:
		// An expired certificate stays expired until a new sign-off,
		// even if the exams have been passed again meanwhile: the
		// manager's sign-off is what certifies.
		if all {
			st.State = ExamsPassed
		} else {
			st.State = Expired
		}
	case valid && cur.suspended:
		st.State = Suspended
	case valid:
		st.State = Certified
	case all:
		st.State = ExamsPassed
	default:
		st.State = Enrolled
	}
	return st
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// The reasons Check refuses a decision.
var (
	ErrNotSigner       = errors.New("only a manager can sign off, suspend or reinstate a certificate")
	ErrExamsNotPassed  = errors.New("the exams of the track are not all passed")
	ErrNotCertified    = errors.New("there is no valid certificate to suspend")
	ErrNotSuspended    = errors.New("the certificate is not suspended")
	ErrCommentRequired = errors.New("a comment is required")
	ErrUnknownAction   = errors.New("unknown action")
)

// Check reports whether a decision may be recorded now by someone with
// role, given the trainee's current status. Every decision needs a comment:
// it is the reason a person will read later.
func Check(current Status, role string, a domain.CertAction, comment string) error {
	if role != SignerRole {
		return ErrNotSigner
	}
	if comment == "" {
		return ErrCommentRequired
	}
	return checkAt(current, a)
}

// checkAt is the state machine's table of allowed decisions.
func checkAt(current Status, a domain.CertAction) error {
	switch a {
	case domain.SignOff:
		if current.State != ExamsPassed {
			return ErrExamsNotPassed
		}
	case domain.Suspend:
		if current.State != Certified {
			return ErrNotCertified
		}
	case domain.Reinstate:
		if current.State != Suspended {
			return ErrNotSuspended
		}
	default:
		return ErrUnknownAction
	}
	return nil
}
