package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// TicketRecord is the work order a call ended with: stored with the call,
// in the same transaction as its result.
type TicketRecord struct {
	Number string
	// State is an id: pending-dispatch (待派单) once submitted.
	State     string
	Submitted time.Time
	// Entered is the work order as the trainee filled it in (JSON).
	Entered json.RawMessage
	// Fields are the graded fields, whether each held what the caller said.
	Fields []TicketField
}

// TicketField is one graded field of a work order.
type TicketField struct {
	Field string
	OK    bool
}

// Ticket is a stored work order and the call it belongs to.
type Ticket struct {
	TicketRecord
	CallID      string
	UserID      int64
	ScenarioID  string
	Mode        domain.Mode
	FieldsOK    int
	FieldsTotal int
}

// maxTicketFields bounds the graded fields of one ticket.
const maxTicketFields = 32

func (r *TicketRecord) validate() error {
	switch {
	case strings.TrimSpace(r.Number) == "" || len(r.Number) > 64:
		return fmt.Errorf("%w: a ticket needs a number of at most 64 characters", ErrInvalid)
	case strings.TrimSpace(r.State) == "" || len(r.State) > 64:
		return fmt.Errorf("%w: a ticket needs a state", ErrInvalid)
	case !json.Valid(r.Entered):
		return fmt.Errorf("%w: the ticket's fields are not valid JSON", ErrInvalid)
	case len(r.Fields) > maxTicketFields:
		return fmt.Errorf("%w: %d graded fields, more than %d", ErrInvalid, len(r.Fields), maxTicketFields)
	}
	seen := map[string]bool{}
	for _, f := range r.Fields {
		if f.Field == "" || len(f.Field) > 64 || seen[f.Field] {
			return fmt.Errorf("%w: ticket field %q is empty, too long or repeated", ErrInvalid, f.Field)
		}
		seen[f.Field] = true
	}
	return nil
}

// insertTicket stores the work order of call id, for the call's user.
func (t *sqlTx) insertTicket(ctx context.Context, id string, r *TicketRecord) error {
	var user int64
	if err := t.queryRow(ctx, `SELECT user_id FROM calls WHERE id = ?`, id).Scan(&user); err != nil {
		return notFound(err)
	}
	ok := 0
	for _, f := range r.Fields {
		if f.OK {
			ok++
		}
	}
	if _, err := t.exec(ctx, `INSERT INTO tickets (call_id, number, user_id, state, submitted_at, entered, fields_ok, fields_total)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, r.Number, user, r.State, millis(r.Submitted), string(r.Entered), ok, len(r.Fields)); err != nil {
		return err
	}
	for _, f := range r.Fields {
		v := 0
		if f.OK {
			v = 1
		}
		if _, err := t.exec(ctx, `INSERT INTO ticket_fields (call_id, user_id, submitted_at, field, ok) VALUES (?, ?, ?, ?, ?)`,
			id, user, millis(r.Submitted), f.Field, v); err != nil {
			return err
		}
	}
	return nil
}

// Tickets lists the work orders of a user's calls, newest first, at most
// limit (1-500).
func (db *DB) Tickets(ctx context.Context, userID int64, limit int) ([]Ticket, error) {
	limit = min(max(limit, 1), 500)
	rows, err := db.query(ctx, `SELECT t.call_id, t.number, t.user_id, t.state, t.submitted_at, t.entered, t.fields_ok, t.fields_total,
			c.scenario_id, c.mode
		FROM tickets t JOIN calls c ON c.id = t.call_id
		WHERE t.user_id = ?
		ORDER BY t.submitted_at DESC, t.call_id
		LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		var t Ticket
		var submitted int64
		var entered, mode string
		if err := rows.Scan(&t.CallID, &t.Number, &t.UserID, &t.State, &submitted, &entered, &t.FieldsOK, &t.FieldsTotal, &t.ScenarioID, &mode); err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		t.Submitted, t.Entered, t.Mode = fromMillis(submitted), json.RawMessage(entered), domain.Mode(mode)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	if err := db.ticketFields(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ticketFields fills in the graded fields of the listed tickets.
func (db *DB) ticketFields(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	at := make(map[string]int, len(ts))
	marks := make([]string, len(ts))
	args := make([]any, len(ts))
	for i, t := range ts {
		at[t.CallID], marks[i], args[i] = i, "?", t.CallID
	}
	rows, err := db.query(ctx, `SELECT call_id, field, ok FROM ticket_fields WHERE call_id IN (`+strings.Join(marks, ", ")+`) ORDER BY call_id, field`, args...)
	if err != nil {
		return fmt.Errorf("list ticket fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, field string
		var ok int
		if err := rows.Scan(&id, &field, &ok); err != nil {
			return fmt.Errorf("list ticket fields: %w", err)
		}
		t := &ts[at[id]]
		t.Fields = append(t.Fields, TicketField{Field: field, OK: ok == 1})
	}
	return rows.Err()
}

// FieldAccuracy is how often one trainee filled one work-order field in
// as the caller said it.
type FieldAccuracy struct {
	UserID   int64
	Username string
	Team     string
	Field    string
	OK       int
	Total    int
}

// TicketAccuracy counts, per trainee and field, the graded work-order
// fields and how many were right, over tickets submitted at or after since
// and before until (zero: no bound). It is one aggregate over
// ticket_fields, for the managers' dashboard.
func (db *DB) TicketAccuracy(ctx context.Context, since, until time.Time) ([]FieldAccuracy, error) {
	end := int64(math.MaxInt64)
	if !until.IsZero() {
		end = millis(until)
	}
	rows, err := db.query(ctx, `SELECT a.user_id, u.username, u.team, a.field, a.ok, a.n
		FROM (SELECT user_id, field, SUM(ok) AS ok, COUNT(*) AS n
			FROM ticket_fields
			WHERE submitted_at >= ? AND submitted_at < ?
			GROUP BY user_id, field) a
		JOIN users u ON u.id = a.user_id
		ORDER BY u.username, a.field`, millis(since), end)
	if err != nil {
		return nil, fmt.Errorf("ticket accuracy: %w", err)
	}
	defer rows.Close()
	var out []FieldAccuracy
	for rows.Next() {
		var a FieldAccuracy
		if err := rows.Scan(&a.UserID, &a.Username, &a.Team, &a.Field, &a.OK, &a.Total); err != nil {
			return nil, fmt.Errorf("ticket accuracy: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket accuracy: %w", err)
	}
	return out, nil
}

// importTickets stores the work orders of imported attempts, many rows to
// a statement.
func (t *sqlTx) importTickets(ctx context.Context, calls []Call) error {
	var tickets, fields []any
	nt, nf := 0, 0
	flush := func(force bool) error {
		if nt > 0 && (force || nt >= importRows) {
			row := "(?, ?, ?, ?, ?, ?, ?, ?)"
			if _, err := t.exec(ctx, `INSERT INTO tickets (call_id, number, user_id, state, submitted_at, entered, fields_ok, fields_total) VALUES `+
				strings.Repeat(row+", ", nt-1)+row, tickets...); err != nil {
				return err
			}
			tickets, nt = tickets[:0], 0
		}
		if nf > 0 && (force || nf >= importRows) {
			row := "(?, ?, ?, ?, ?)"
			if _, err := t.exec(ctx, `INSERT INTO ticket_fields (call_id, user_id, submitted_at, field, ok) VALUES `+
				strings.Repeat(row+", ", nf-1)+row, fields...); err != nil {
				return err
			}
			fields, nf = fields[:0], 0
		}
		return nil
	}
	for _, c := range calls {
		r := c.Ticket
		if r == nil {
			continue
		}
		if err := r.validate(); err != nil {
			return fmt.Errorf("call %s: %w", c.ID, err)
		}
		ok := 0
		for _, f := range r.Fields {
			v := 0
			if f.OK {
				ok, v = ok+1, 1
			}
			fields = append(fields, c.ID, c.UserID, millis(r.Submitted), f.Field, v)
			nf++
		}
		tickets = append(tickets, c.ID, r.Number, c.UserID, r.State, millis(r.Submitted), string(r.Entered), ok, len(r.Fields))
		nt++
		// Tickets go first: the fields refer to them.
		if nt >= importRows || nf >= importRows {
			if err := flush(true); err != nil {
				return err
			}
		}
	}
	return flush(true)
}
