package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	return cert.Evaluate(t, as, certDecisions(t, decisions), now)
}

// certDecisions is the part of a user's decisions that concerns track t,
// as the rules read them.
func certDecisions(t *scenarios.Track, decisions []store.CertDecision) []cert.Decision {
	var ds []cert.Decision
	for _, d := range decisions {
		if d.TrackID == t.ID {
			ds = append(ds, cert.Decision{Action: d.Action, At: d.At, Expires: d.Expires})
		}
	}
	return ds
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

// MaxCertComment bounds a decision's comment, in bytes.
const MaxCertComment = 2000

// Decide records manager me's decision about trainee id's certificate on
// track t, if the rules of package cert allow it (a refusal wraps their
// error). The rules are checked against the decisions as they stand when
// the decision is written: if another manager decided meanwhile, the
// decision is checked again against theirs.
func (a *App) Decide(ctx context.Context, me domain.User, id int64, t *scenarios.Track, action domain.CertAction, comment string) (store.CertDecision, error) {
	comment = strings.TrimSpace(comment)
	if len(comment) > MaxCertComment {
		return store.CertDecision{}, fmt.Errorf("%w: comment longer than %d bytes", domain.ErrInvalid, MaxCertComment)
	}
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

// TrackStanding is a user's state on one track; Titles maps the track's
// scenario ids to their titles.
type TrackStanding struct {
	Track  *scenarios.Track
	Status cert.Status
	Titles map[string]string
}

// Certified reports whether the user holds a valid, unsuspended
// certificate on the track.
func (st TrackStanding) Certified() bool { return st.Status.State == cert.Certified }

// TrackStatus returns user u's standing on every track assigned to their
// team, in track order: what the scenario catalogue shows as a
// "certified" badge and the progress page lists.
func (a *App) TrackStatus(ctx context.Context, u domain.User) ([]TrackStanding, error) {
	tracks, err := a.TeamTracks(ctx)
	if err != nil {
		return nil, err
	}
	if len(tracks[u.Team]) == 0 {
		return nil, nil
	}
	attempts, err := a.db.ListAttempts(ctx, store.AttemptFilter{UserID: u.ID, WithoutScorecard: true})
	if err != nil {
		return nil, err
	}
	decisions, err := a.db.ListCertDecisions(ctx, store.CertDecisionFilter{UserID: u.ID})
	if err != nil {
		return nil, err
	}
	now, titles := a.now(), a.ScenarioTitles(ctx)
	var out []TrackStanding
	for _, t := range tracks[u.Team] {
		out = append(out, TrackStanding{Track: t, Status: Evaluate(t, attempts, decisions, now), Titles: titles})
	}
	return out, nil
}

// TeamTracks maps each team to the tracks assigned to it that the library
// holds, in track order. An assignment naming a track no longer in the
// library is left out rather than failing every page.
func (a *App) TeamTracks(ctx context.Context) (map[string][]*scenarios.Track, error) {
	as, err := a.db.ListTrackAssignments(ctx)
	if err != nil {
		return nil, err
	}
	lib := a.Library(ctx)
	out := map[string][]*scenarios.Track{}
	for _, as := range as {
		if t, ok := lib.Track(as.TrackID); ok {
			out[as.Team] = append(out[as.Team], t)
		}
	}
	for team := range out {
		slices.SortFunc(out[team], func(a, b *scenarios.Track) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// Library is the published library, or an empty one when the content
// cannot be built, so that pages of stored records still show them.
func (a *App) Library(ctx context.Context) *scenarios.Library {
	lib, err := a.content.Catalogue(ctx)
	if err != nil {
		a.log.Error("load published content", "err", err)
		return &scenarios.Library{}
	}
	return lib
}

// Track is the published track id.
func (a *App) Track(ctx context.Context, id string) (*scenarios.Track, bool) {
	return a.Library(ctx).Track(id)
}

// Tracks are the published tracks.
func (a *App) Tracks(ctx context.Context) []*scenarios.Track { return a.Library(ctx).Tracks }

// ScenarioTitles maps every scenario id in the published library to its
// title.
func (a *App) ScenarioTitles(ctx context.Context) map[string]string {
	return reportTitles(a.Library(ctx))
}

// AssignTrack assigns track trackID to team, or with assign false takes it
// away, as actor by. It returns the team's name as stored. A team must be
// named, and the track be in the library.
func (a *App) AssignTrack(ctx context.Context, by store.Actor, team, trackID string, assign bool) (string, error) {
	team, err := store.CleanTeam(team)
	if err != nil {
		return "", err
	}
	if team == "" {
		return "", fmt.Errorf("%w: team is required", domain.ErrInvalid)
	}
	t, ok := a.Track(ctx, trackID)
	if !ok {
		return "", fmt.Errorf("%w: unknown track %q", domain.ErrInvalid, trackID)
	}
	if assign {
		return team, a.db.AssignTrack(ctx, store.TrackAssignment{Team: team, TrackID: t.ID, AssignedAt: a.now()}, by)
	}
	return team, a.db.UnassignTrack(ctx, team, t.ID, a.now(), by)
}

// Certificate is a trainee's certificate on a track, to print.
type Certificate struct {
	Trainee domain.User
	Track   *scenarios.Track
	Status  cert.Status
	// SignedBy and Comment are the sign-off's.
	SignedBy, Comment string
	// Titles maps the track's scenario ids to their titles.
	Titles map[string]string
}

// Certificate is user id's valid certificate on track trackID, for the
// trainee and managers. For anyone else, and without a valid certificate,
// it is not found, which says nothing about whether the account exists.
func (a *App) Certificate(ctx context.Context, viewer domain.User, id int64, trackID string) (*Certificate, error) {
	if viewer.ID != id && viewer.Role != domain.RoleManager {
		return nil, fmt.Errorf("%w: user %d may not see the certificates of %d", domain.ErrNotFound, viewer.ID, id)
	}
	t, ok := a.Track(ctx, trackID)
	if !ok {
		return nil, fmt.Errorf("%w: no track %q", domain.ErrNotFound, trackID)
	}
	trainee, err := a.db.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	standing, err := a.StandingOn(ctx, id, t)
	if err != nil {
		return nil, err
	}
	if standing.Status.State != cert.Certified {
		return nil, fmt.Errorf("%w: user %d is not certified on %s", domain.ErrNotFound, id, t.ID)
	}
	out := &Certificate{Trainee: trainee, Track: t, Status: standing.Status, Titles: a.ScenarioTitles(ctx)}
	for _, d := range standing.Decisions {
		if d.Action == domain.SignOff && d.At.Equal(standing.Status.CertifiedAt) {
			out.SignedBy, out.Comment = d.Actor, d.Comment
		}
	}
	return out, nil
}
