package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// Call is one attempt at a scenario: what it ran against, and once ended,
// its result. What happened during the call is its event log.
type Call struct {
	ID               string
	UserID           int64
	ScenarioID       string
	ScenarioRevision string
	Mode             domain.Mode
	Seed             int64
	// Desk says the call is taken at the agent's desk (lookups, work
	// orders, a wrap-up after the conversation).
	Desk bool
	// Ticket is an imported attempt's work order (ImportAttempts); a live
	// call's comes with its result (CallResult).
	Ticket  *TicketRecord
	Status  domain.CallStatus
	Started time.Time
	// Ended, Outcome, Score, Passed and Scorecard are zero while the call
	// is live.
	Ended     time.Time
	Outcome   string
	Score     float64
	Passed    bool
	Scorecard json.RawMessage
	// Owner and Epoch are the latest claim to drive the call (see Lease);
	// Owner is empty until an instance claims it. ClaimUntil is when the
	// claim's own lease runs out, zero once released; the owner's renewals
	// (RenewLeases) keep the call's lease running past it.
	Owner      string
	Epoch      int64
	ClaimUntil time.Time
}

// CallResult is how a call ended.
type CallResult struct {
	Ended     time.Time
	Outcome   string
	Score     float64
	Passed    bool
	Scorecard json.RawMessage
	// Ticket is the work order the call ended with; nil when none.
	Ticket *TicketRecord
}

// Event is one entry in a call's log. Seq numbers a call's events 1, 2, 3…
// without gaps; Payload is a JSON document whose meaning depends on Type.
type Event struct {
	CallID  string
	Seq     int64
	Type    string
	Payload json.RawMessage
	At      time.Time
}

// newCallID returns a random identifier. Random rather than sequential so
// that ids can be made by any instance without coordination and reveal
// nothing about other users' calls.
func newCallID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new call id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// CreateCall stores a new live call. When c.ID is empty a random id is made;
// c.ID and c.Status are set on return.
func (db *DB) CreateCall(ctx context.Context, c *Call) error {
	return db.CreateCallWithin(ctx, c, 0)
}

const callColumns = `id, user_id, scenario_id, scenario_revision, mode, seed, status, started_at,
	ended_at, outcome, score, passed, scorecard, owner, owner_epoch, lease_until, desk`

func scanCall(s scanner) (Call, error) {
	var c Call
	var mode, status string
	var started int64
	var ended sql.NullInt64
	var score sql.NullFloat64
	var passed sql.NullBool
	var card sql.NullString
	var lease, desk int64
	if err := s.Scan(&c.ID, &c.UserID, &c.ScenarioID, &c.ScenarioRevision, &mode, &c.Seed, &status, &started,
		&ended, &c.Outcome, &score, &passed, &card, &c.Owner, &c.Epoch, &lease, &desk); err != nil {
		return Call{}, err
	}
	c.Desk = desk == 1
	c.Mode, c.Status, c.Started = domain.Mode(mode), domain.CallStatus(status), fromMillis(started)
	if lease != 0 {
		c.ClaimUntil = fromMillis(lease)
	}
	if ended.Valid {
		c.Ended = fromMillis(ended.Int64)
	}
	c.Score, c.Passed = score.Float64, passed.Bool
	if card.Valid {
		c.Scorecard = json.RawMessage(card.String)
	}
	return c, nil
}

// CallByID returns one call.
func (db *DB) CallByID(ctx context.Context, id string) (Call, error) {
	c, err := scanCall(db.queryRow(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, id))
	if err != nil {
		return Call{}, fmt.Errorf("call %s: %w", id, notFound(err))
	}
	return c, nil
}

// CallFilter selects calls. Zero fields do not filter.
type CallFilter struct {
	UserID     int64
	ScenarioID string
	Status     domain.CallStatus
	// Limit caps the number of calls returned; zero means no cap.
	Limit int
}

// ListCalls returns the calls matching f, newest first.
func (db *DB) ListCalls(ctx context.Context, f CallFilter) ([]Call, error) {
	q := `SELECT ` + callColumns + ` FROM calls WHERE 1 = 1`
	var args []any
	if f.UserID != 0 {
		q += ` AND user_id = ?`
		args = append(args, f.UserID)
	}
	if f.ScenarioID != "" {
		q += ` AND scenario_id = ?`
		args = append(args, f.ScenarioID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY started_at DESC, id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return db.queryCalls(ctx, "list calls", q, args...)
}

// queryCalls runs a query selecting callColumns and scans every row; what
// names the query in errors.
func (db *DB) queryCalls(ctx context.Context, what, q string, args ...any) ([]Call, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// EndCall records how a live call ended. Ending a call twice gives
// ErrConflict, so two instances cannot both score one call.
func (db *DB) EndCall(ctx context.Context, id string, r CallResult) error {
	return db.endCall(ctx, id, nil, r)
}

// EndOwnedCall is EndCall for the holder of lease l: if another instance
// has claimed the call since, it gives ErrNotOwner and records nothing.
func (db *DB) EndOwnedCall(ctx context.Context, l Lease, r CallResult) error {
	return db.endCall(ctx, l.CallID, &l, r)
}

func (db *DB) endCall(ctx context.Context, id string, l *Lease, r CallResult) error {
	if r.Outcome == "" {
		return fmt.Errorf("end call %s: %w: outcome is required", id, ErrInvalid)
	}
	if !json.Valid(r.Scorecard) {
		return fmt.Errorf("end call %s: %w: scorecard is not valid JSON", id, ErrInvalid)
	}
	if r.Ticket != nil {
		if err := r.Ticket.validate(); err != nil {
			return fmt.Errorf("end call %s: %w", id, err)
		}
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		if l != nil {
			if err := tx.checkLease(ctx, *l); err != nil {
				return err
			}
		}
		if ended, err := tx.endLive(ctx, id, r, false); err != nil {
			return err
		} else if ended {
			if r.Ticket == nil {
				return nil
			}
			return tx.insertTicket(ctx, id, r.Ticket)
		}
		var status string
		if err := tx.queryRow(ctx, `SELECT status FROM calls WHERE id = ?`, id).Scan(&status); err != nil {
			return notFound(err)
		}
		return fmt.Errorf("%w: call is already %s", ErrConflict, status)
	})
	if err != nil {
		return fmt.Errorf("end call %s: %w", id, err)
	}
	db.reports.noteEnded()
	return nil
}

// endLive records that call id ended with r, if it is live (and, with
// unopened, no instance has claimed it), and reports whether it did. The
// call is recorded for the reports to count (reports_pending.go).
func (t *sqlTx) endLive(ctx context.Context, id string, r CallResult, unopened bool) (bool, error) {
	q := `UPDATE calls SET status = ?, ended_at = ?, outcome = ?, score = ?, passed = ?, scorecard = ?
		WHERE id = ? AND status = ?`
	if unopened {
		q += ` AND owner = ''`
	}
	res, err := t.exec(ctx, q, string(domain.CallEnded), millis(r.Ended), r.Outcome, r.Score, r.Passed, string(r.Scorecard), id, string(domain.CallLive))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, t.markPending(ctx, id)
}

// AppendEvents adds events to the end of one call's log in one transaction.
// The events must all belong to the same call and continue its numbering:
// the first has the next free Seq and each following one the Seq after. A
// Seq already taken (for instance by another instance writing the same call)
// gives ErrConflict and stores nothing.
func (db *DB) AppendEvents(ctx context.Context, events ...Event) error {
	return db.appendEvents(ctx, nil, events)
}

// AppendOwnedEvents is AppendEvents for the holder of lease l: if another
// instance has claimed the call since, or it has ended, it gives
// ErrNotOwner or ErrEnded and stores nothing.
func (db *DB) AppendOwnedEvents(ctx context.Context, l Lease, events ...Event) error {
	for i, e := range events {
		if e.CallID != l.CallID {
			return fmt.Errorf("append events: %w: event %d is for call %s, the lease for %s", ErrInvalid, i, e.CallID, l.CallID)
		}
	}
	return db.appendEvents(ctx, &l, events)
}

func (db *DB) appendEvents(ctx context.Context, l *Lease, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	callID := events[0].CallID
	for i, e := range events {
		if e.CallID != callID {
			return fmt.Errorf("append events: %w: event %d is for call %s, not %s", ErrInvalid, i, e.CallID, callID)
		}
		if e.Type == "" {
			return fmt.Errorf("append events to call %s: %w: event seq %d has no type", callID, ErrInvalid, e.Seq)
		}
		if !json.Valid(e.Payload) {
			return fmt.Errorf("append events to call %s: %w: event seq %d payload is not valid JSON", callID, ErrInvalid, e.Seq)
		}
		if i > 0 && e.Seq != events[i-1].Seq+1 {
			return fmt.Errorf("append events to call %s: %w: seq %d follows %d", callID, ErrInvalid, e.Seq, events[i-1].Seq)
		}
	}
	if err := db.appender.append(ctx, l, events); err != nil {
		return fmt.Errorf("append events %d..%d to call %s: %w", events[0].Seq, events[len(events)-1].Seq, callID, err)
	}
	return nil
}

// Events returns a call's events with Seq greater than after, in order.
func (db *DB) Events(ctx context.Context, callID string, after int64) ([]Event, error) {
	rows, err := db.query(ctx, `SELECT call_id, seq, type, payload, at FROM call_events
		WHERE call_id = ? AND seq > ? ORDER BY seq`, callID, after)
	if err != nil {
		return nil, fmt.Errorf("events of call %s after %d: %w", callID, after, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var payload string
		var at int64
		if err := rows.Scan(&e.CallID, &e.Seq, &e.Type, &payload, &at); err != nil {
			return nil, fmt.Errorf("events of call %s: %w", callID, err)
		}
		e.Payload, e.At = json.RawMessage(payload), fromMillis(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of call %s: %w", callID, err)
	}
	return out, nil
}
