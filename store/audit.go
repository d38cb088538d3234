package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: an account, role, content,
// publication or certification change.
type AuditEntry struct {
	ID int64
	At time.Time
	// ActorID is the account that made the change; zero for the command
	// line (coach user add), which acts as Actor "cli".
	ActorID int64
	Actor   string
	// Action names the change, dotted: "user.create", "scenario.publish".
	Action string
	// Target names what changed: "user:alice", "scenario:leak".
	Target string
	// Detail says what changed, for a person to read.
	Detail string
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	// Before, when positive, returns only entries with a smaller ID, to page
	// back through the log.
	Before int64
	// Actor keeps the entries of one actor (by name); Kind those whose
	// action starts with Kind and a dot ("user" keeps "user.create").
	Actor, Kind string
	// From and To bound when: From <= at < To; zero does not bound.
	From, To time.Time
	// Limit caps the number of entries; 0 means 100.
	Limit int
}

// execer is what both DB and a transaction offer, so that a change and its
// audit entry can be written in one transaction.
type execer interface {
	exec(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// AppendAudit adds e to the audit log. At defaults to now. A change and its
// audit entry belong in one transaction; store methods that change audited
// things write their entry with appendAudit inside theirs.
func (db *DB) AppendAudit(ctx context.Context, e AuditEntry) error {
	return appendAudit(ctx, db, e)
}

func appendAudit(ctx context.Context, x execer, e AuditEntry) error {
	if e.Actor == "" || e.Action == "" || e.Target == "" {
		return fmt.Errorf("%w: audit entry needs an actor, an action and a target", ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var actorID sql.NullInt64
	if e.ActorID != 0 {
		actorID = sql.NullInt64{Int64: e.ActorID, Valid: true}
	}
	_, err := x.exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		millis(e.At), actorID, e.Actor, e.Action, e.Target, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit %s %s: %w", e.Action, e.Target, err)
	}
	return nil
}

// ListAudit returns audit entries newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, at, actor_id, actor, action, target, detail FROM audit_log`
	var where []string
	var args []any
	if f.Before > 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	if f.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, f.Actor)
	}
	if f.Kind != "" {
		// A prefix range rather than LIKE, whose wildcards a kind could hold.
		where, args = append(where, `action >= ? AND action < ?`), append(args, f.Kind+".", f.Kind+"/")
	}
	if !f.From.IsZero() {
		where, args = append(where, `at >= ?`), append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `at < ?`), append(args, millis(f.To))
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var actorID sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &actorID, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.At = fromMillis(at)
		e.ActorID = actorID.Int64
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
