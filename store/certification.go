package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// Actor is who makes an audited change: an account, or the command line
// (ID zero, Name "cli") or the system loading the built-in content (ID
// zero, Name "builtin").
type Actor struct {
	ID   int64
	Name string
}

// CLI is the actor of changes made with the coach command.
var CLI = Actor{Name: "cli"}

func (a Actor) audit(at time.Time, action, target, detail string) AuditEntry {
	return AuditEntry{At: at, ActorID: a.ID, Actor: a.Name, Action: action, Target: target, Detail: detail}
}

// TrackAssignment says that a team must take a certification track.
type TrackAssignment struct {
	Team       string
	TrackID    string
	AssignedAt time.Time
	AssignedBy string
}

// AssignTrack assigns a track to a team. Assigning it twice gives
// ErrConflict.
func (db *DB) AssignTrack(ctx context.Context, a TrackAssignment, by Actor) error {
	a.Team = strings.TrimSpace(a.Team)
	if a.Team == "" || a.TrackID == "" {
		return fmt.Errorf("assign track: %w: team and track are required", ErrInvalid)
	}
	a.AssignedBy = by.Name
	err := db.tx(ctx, func(tx *sqlTx) error {
		if _, err := tx.exec(ctx, `INSERT INTO track_assignments (team, track_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?)`,
			a.Team, a.TrackID, millis(a.AssignedAt), a.AssignedBy); err != nil {
			return err
		}
		return appendAudit(ctx, tx, by.audit(a.AssignedAt, "track.assign", "team:"+a.Team, "track "+a.TrackID))
	})
	if err != nil {
		return fmt.Errorf("assign track %s to team %s: %w", a.TrackID, a.Team, err)
	}
	return nil
}

// UnassignTrack removes a track from a team; certificates already issued
// stay on record.
func (db *DB) UnassignTrack(ctx context.Context, team, trackID string, at time.Time, by Actor) error {
	err := db.tx(ctx, func(tx *sqlTx) error {
		res, err := tx.exec(ctx, `DELETE FROM track_assignments WHERE team = ? AND track_id = ?`, team, trackID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return appendAudit(ctx, tx, by.audit(at, "track.unassign", "team:"+team, "track "+trackID))
	})
	if err != nil {
		return fmt.Errorf("unassign track %s from team %s: %w", trackID, team, err)
	}
	return nil
}

// ListTrackAssignments returns every assignment ordered by team and track.
func (db *DB) ListTrackAssignments(ctx context.Context) ([]TrackAssignment, error) {
	rows, err := db.query(ctx, `SELECT team, track_id, assigned_at, assigned_by FROM track_assignments ORDER BY team, track_id`)
	if err != nil {
		return nil, fmt.Errorf("list track assignments: %w", err)
	}
	defer rows.Close()
	var out []TrackAssignment
	for rows.Next() {
		var a TrackAssignment
		var at int64
		if err := rows.Scan(&a.Team, &a.TrackID, &at, &a.AssignedBy); err != nil {
			return nil, fmt.Errorf("list track assignments: %w", err)
		}
		a.AssignedAt = fromMillis(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list track assignments: %w", err)
	}
	return out, nil
}

// CertDecision is a manager's decision about a trainee's certificate on a
// track. Whether it was allowed is for the caller to decide (package cert);
// the store only keeps it with its audit entry.
type CertDecision struct {
	ID      int64
	UserID  int64
	TrackID string
	Action  domain.CertAction
	At      time.Time
	// Expires is when a sign-off's certificate runs out; zero otherwise.
	Expires time.Time
	ActorID int64
	Actor   string
	Comment string
}

// maxComment bounds a decision's comment, in bytes.
const maxComment = 2000

// AddCertDecision records a decision and its audit entry in one
// transaction, and sets d.ID.
func (db *DB) AddCertDecision(ctx context.Context, d *CertDecision) error {
	return db.addCertDecision(ctx, d, -1)
}

// DecideCert is AddCertDecision for a decision the caller checked against
// the trainee's decisions on the track, the newest of which was seen (0:
// none). If another decision was recorded since, it records nothing and
// gives ErrConflict: the check and the write are one transaction, so two
// managers deciding at once cannot both act on the same state.
func (db *DB) DecideCert(ctx context.Context, d *CertDecision, seen int64) error {
	return db.addCertDecision(ctx, d, seen)
}

// addCertDecision records d; seen, unless negative, is the newest decision
// id of the trainee on the track that the caller checked against.
func (db *DB) addCertDecision(ctx context.Context, d *CertDecision, seen int64) error {
	switch d.Action {
	case domain.SignOff, domain.Suspend, domain.Reinstate:
	default:
		return fmt.Errorf("add cert decision: %w: action %q is not signoff, suspend or reinstate", ErrInvalid, d.Action)
	}
	d.Comment = strings.TrimSpace(d.Comment)
	if d.Comment == "" || len(d.Comment) > maxComment {
		return fmt.Errorf("add cert decision: %w: a comment of 1 to %d bytes is required", ErrInvalid, maxComment)
	}
	if d.TrackID == "" || d.UserID == 0 || d.ActorID == 0 || d.Actor == "" {
		return fmt.Errorf("add cert decision: %w: trainee, track and actor are required", ErrInvalid)
	}
	var expires int64
	if !d.Expires.IsZero() {
		expires = millis(d.Expires)
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		var username string
		// Decisions about one trainee are made one at a time.
		lock := db.dialect.lock("FOR UPDATE")
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE id = ?`+lock, d.UserID).Scan(&username); err != nil {
			return notFound(err)
		}
		if seen >= 0 {
			var newest int64
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM cert_decisions WHERE user_id = ? AND track_id = ?`,
				d.UserID, d.TrackID).Scan(&newest); err != nil {
				return err
			}
			if newest != seen {
				return fmt.Errorf("%w: another decision was recorded meanwhile", ErrConflict)
			}
		}
		if err := tx.queryRow(ctx, `INSERT INTO cert_decisions (user_id, track_id, action, at, expires_at, actor_id, actor, comment)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.UserID, d.TrackID, string(d.Action), millis(d.At), expires, d.ActorID, d.Actor, d.Comment).Scan(&d.ID); err != nil {
			return classify(err)
		}
		detail := "track " + d.TrackID + ": " + d.Comment
		if !d.Expires.IsZero() {
			detail += " (valid until " + d.Expires.UTC().Format(time.DateOnly) + ")"
		}
		return appendAudit(ctx, tx, AuditEntry{At: d.At, ActorID: d.ActorID, Actor: d.Actor,
			Action: "cert." + string(d.Action), Target: "user:" + username, Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("add cert decision %s for user %d on %s: %w", d.Action, d.UserID, d.TrackID, err)
	}
	return nil
}

// CertDecisionFilter selects decisions. Zero fields do not filter.
type CertDecisionFilter struct {
	UserID  int64
	TrackID string
}

// ListCertDecisions returns decisions oldest first.
func (db *DB) ListCertDecisions(ctx context.Context, f CertDecisionFilter) ([]CertDecision, error) {
	q := `SELECT id, user_id, track_id, action, at, expires_at, actor_id, actor, comment FROM cert_decisions WHERE 1 = 1`
	var args []any
	if f.UserID != 0 {
		q += ` AND user_id = ?`
		args = append(args, f.UserID)
	}
	if f.TrackID != "" {
		q += ` AND track_id = ?`
		args = append(args, f.TrackID)
	}
	q += ` ORDER BY at, id`
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cert decisions: %w", err)
	}
	defer rows.Close()
	var out []CertDecision
	for rows.Next() {
		var d CertDecision
		var action string
		var at, expires int64
		if err := rows.Scan(&d.ID, &d.UserID, &d.TrackID, &action, &at, &expires, &d.ActorID, &d.Actor, &d.Comment); err != nil {
			return nil, fmt.Errorf("list cert decisions: %w", err)
		}
		d.Action, d.At = domain.CertAction(action), fromMillis(at)
		if expires != 0 {
			d.Expires = fromMillis(expires)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cert decisions: %w", err)
	}
	return out, nil
}

// Attempt is an ended call with its trainee's name and team, as the
// dashboards list them.
type Attempt struct {
	Call
	Username string
	Team     string
}

// AttemptFilter selects ended calls. Zero fields do not filter.
type AttemptFilter struct {
	UserID int64
	// Team matches the trainee's current team exactly.
	Team string
	// From and To bound when the call ended: From <= ended < To.
	From, To time.Time
	// Limit caps the number of attempts; zero means no cap.
	Limit int
	// WithoutScorecard leaves Scorecard empty, for reports that need
	// scores only and should not read every scorecard.
	WithoutScorecard bool
	// TraineesOnly leaves out the calls of accounts that are not
	// trainees.
	TraineesOnly bool
	// AfterEnded and AfterID, when AfterID is set, start after the attempt
	// that ended at AfterEnded with id AfterID, in the order attempts are
	// returned: a page's last attempt is where the next page starts.
	AfterEnded time.Time
	AfterID    string
}

// ListAttempts returns ended calls matching f, oldest first.
func (db *DB) ListAttempts(ctx context.Context, f AttemptFilter) ([]Attempt, error) {
	var out []Attempt
	err := db.EachAttempt(ctx, f, func(a Attempt) error {
		out = append(out, a)
		return nil
	})
	return out, err
}

// EachAttempt calls fn with each ended call matching f, oldest first,
// reading them one at a time so that a report over many attempts and their
// scorecards needs memory for one only. fn must not use the store; an error
// from fn stops the scan and is returned.
func (db *DB) EachAttempt(ctx context.Context, f AttemptFilter, fn func(Attempt) error) error {
	var qualified []string
	for _, c := range strings.Split(callColumns, ",") {
		c = strings.TrimSpace(c)
		if c == "scorecard" && f.WithoutScorecard {
			qualified = append(qualified, "NULL")
			continue
		}
		qualified = append(qualified, "c."+c)
	}
	// Calls come first (CROSS JOIN keeps SQLite's planner to that order):
	// read in end order, a page stops at its limit, where starting from
	// the users would sort every attempt of theirs first.
	// An ended call is one with an end time: asking for that, rather than
	// for the status, lets the planner walk the index of end times.
	q := `SELECT ` + strings.Join(qualified, ", ") + `, u.username, u.team FROM calls c CROSS JOIN users u
		WHERE u.id = c.user_id AND c.ended_at IS NOT NULL`
	var args []any
	if f.UserID != 0 {
		q += ` AND c.user_id = ?`
		args = append(args, f.UserID)
	}
	if f.Team != "" {
		q += ` AND u.team = ?`
		args = append(args, f.Team)
	}
	if f.TraineesOnly {
		q += ` AND u.role = ?`
		args = append(args, string(domain.RoleTrainee))
	}
	if f.AfterID != "" {
		q += ` AND (c.ended_at > ? OR (c.ended_at = ? AND c.id > ?))`
		args = append(args, millis(f.AfterEnded), millis(f.AfterEnded), f.AfterID)
	}
	if !f.From.IsZero() {
		q += ` AND c.ended_at >= ?`
		args = append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND c.ended_at < ?`
		args = append(args, millis(f.To))
	}
	q += ` ORDER BY c.ended_at, c.id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attempt
		c, err := scanCall(rowWithTail{rows, []any{&a.Username, &a.Team}})
		if err != nil {
			return fmt.Errorf("list attempts: %w", err)
		}
		a.Call = c
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list attempts: %w", err)
	}
	return nil
}

// rowWithTail scans a row whose first columns are read by another scanner
// and whose last ones go into tail.
type rowWithTail struct {
	rows *sql.Rows
	tail []any
}

func (r rowWithTail) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.tail...)...) }
