package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// Evaluate applies the certification rules to one user's stored attempts
// and decisions on track t; attempts and decisions of other users or
// tracks are ignored.
func Evaluate(t *scenarios.Track, attempts []store.Attempt, decisions []store.CertDecision, now time.Time) cert.Status {
	var as []cert.Attempt
	for _, a := range attempts {
		as = append(as, cert.Attempt{ScenarioID: a.ScenarioID, Mode: string(a.Mode), Score: a.Score, Passed: a.Passed, Ended: a.Ended})
	}
	var ds []cert.Decision
	for _, d := range decisions {
		if d.TrackID == t.ID {
			ds = append(ds, cert.Decision{Action: d.Action, At: d.At, Expires: d.Expires})
		}
	}
	return cert.Evaluate(t, as, ds, now)
}

// Standing is a user's state on one track with the decisions behind it.
type Standing struct {
	Status    cert.Status
	Decisions []store.CertDecision
}

// StandingOn evaluates user id's standing on track t now.
func (a *App) StandingOn(ctx context.Context, id int64, t *scenarios.Track) (Standing, error) {
	attempts, err := a.db.ListAttempts(ctx, store.AttemptFilter{UserID: id, WithoutScorecard: true})
	if err != nil {
		return Standing{}, err
	}
	decisions, err := a.db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: id, TrackID: t.ID})
	if err != nil {
		return Standing{}, err
	}
	return Standing{Status: Evaluate(t, attempts, decisions, a.now()), Decisions: decisions}, nil
}

// CertRefusal is a decision the certification rules do not allow; Err is
// the rule's error (cert.ErrNotSigner and the others).
type CertRefusal struct{ Err error }

func (r *CertRefusal) Error() string { return "certification decision refused: " + r.Err.Error() }

// Unwrap gives the rule's error.
func (r *CertRefusal) Unwrap() error { return r.Err }

// Decide records manager me's decision about trainee id's certificate on
// track t, if the rules of package cert allow it (a refusal wraps their
// error). The rules are checked against the decisions as they stand when
// the decision is written: if another manager decided meanwhile, the
// decision is checked again against theirs.
func (a *App) Decide(ctx context.Context, me domain.User, id int64, t *scenarios.Track, action domain.CertAction, comment string) (store.CertDecision, error) {
	comment = strings.TrimSpace(comment)
	trainee, err := a.db.UserByID(ctx, id)
	if err != nil {
		return store.CertDecision{}, err
	}
	for attempt := 0; ; attempt++ {
		st, err := a.StandingOn(ctx, trainee.ID, t)
		if err != nil {
			return store.CertDecision{}, err
		}
		if err := cert.Check(st.Status, string(me.Role), action, comment); err != nil {
			return store.CertDecision{}, &CertRefusal{Err: err}
		}
		now := a.now()
		d := store.CertDecision{UserID: trainee.ID, TrackID: t.ID, Action: action, At: now,
			ActorID: me.ID, Actor: me.Username, Comment: comment}
		if action == domain.SignOff {
			d.Expires = cert.ExpiryOf(t, now)
		}
		var seen int64
		for _, d := range st.Decisions {
			seen = max(seen, d.ID)
		}
		err = a.db.DecideCert(ctx, &d, seen)
		if errors.Is(err, store.ErrConflict) && attempt < 2 {
			continue
		}
		if err != nil {
			return store.CertDecision{}, fmt.Errorf("certification decision: %w", err)
		}
		a.log.Info("certification decision", "trainee", trainee.ID, "track", t.ID, "action", action, "by", me.ID)
		return d, nil
	}
}
