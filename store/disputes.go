package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// A trainee who thinks the engine missed something disputes one checklist
// item of an ended call ("I did ask for the address: turn 4"). A trainer
// upholds the dispute, which changes the call's scorecard, or rejects it
// with a comment the trainee reads. Every step is in the audit log.

// Limits on what a dispute holds, in bytes.
const (
	MaxDisputeText    = 1000
	MaxDisputeComment = 2000
	MaxEvalCaseText   = 1000
)

// Dispute is a trainee's claim that one checklist item of a call was done.
type Dispute struct {
	ID     int64
	CallID string
	// ItemID is the checklist item disputed; Turn is the index in the
	// scorecard's turns where the trainee says it was done.
	ItemID string
	Turn   int
	// Text is the trainee's explanation.
	Text      string
	State     domain.DisputeState
	TraineeID int64
	Trainee   string
	// TrainerID and Trainer are who decided, zero while open.
	TrainerID int64
	Trainer   string
	// Comment is the trainer's, shown to the trainee.
	Comment string
	Created time.Time
	Decided time.Time
	// ScoreBefore and ScoreAfter are the call's score around an upheld
	// dispute; zero otherwise.
	ScoreBefore float64
	ScoreAfter  float64
}

// DisputeFilter selects disputes, oldest first. Zero fields do not filter.
type DisputeFilter struct {
	State     domain.DisputeState
	TraineeID int64
	CallID    string
	// Limit caps the number returned; 0 means 200.
	Limit int
}

// EvalCase is a sentence labelled with the intent it expresses, learnt from
// real use (an upheld dispute), for the matcher's evaluation set.
type EvalCase struct {
	ID     int64
	Text   string
	Intent string
	// EntryID is the phrasebook entry the sentence was added to, if any.
	EntryID string
	// DisputeID is the dispute it came from, if any.
	DisputeID int64
	CreatedBy int64
	Created   time.Time
}

// Uphold is a trainer's decision to uphold a dispute.
type Uphold struct {
	Comment string
	// From is the call's scorecard the new one was worked out from; if the
	// stored scorecard is no longer the same (another dispute of the call
	// was upheld meanwhile), UpholdDispute gives ErrConflict and the caller
	// works it out again.
	From json.RawMessage
	// Scorecard, Score and Passed are the call's new result.
	Scorecard json.RawMessage
	Score     float64
	Passed    bool
	// EvalCase, when set, is stored in the same transaction. A case with
	// the same text and intent already stored is kept as it is.
	EvalCase *EvalCase
}

func checkText(what, s string, max int) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	case len(s) > max:
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalid, what, max)
	}
	return nil
}

// OpenDispute stores d as an open dispute of one item of an ended call of
// d.TraineeID, with its audit entry; d.ID, d.State and d.Created are set on
// return. A call still live, or another trainee's, is refused; a second
// dispute of the same item gives ErrConflict.
func (db *DB) OpenDispute(ctx context.Context, actor Actor, d *Dispute) error {
	if err := checkText("the dispute's text", d.Text, MaxDisputeText); err != nil {
		return fmt.Errorf("open dispute: %w", err)
	}
	if d.ItemID == "" || len(d.ItemID) > 100 || d.Turn < 0 {
		return fmt.Errorf("open dispute: %w: item %q turn %d", ErrInvalid, d.ItemID, d.Turn)
	}
	if d.Created.IsZero() {
		d.Created = time.Now()
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		var owner int64
		var status string
		if err := tx.queryRow(ctx, `SELECT user_id, status FROM calls WHERE id = ?`, d.CallID).Scan(&owner, &status); err != nil {
			return notFound(err)
		}
		switch {
		case owner != d.TraineeID:
			return fmt.Errorf("%w: call belongs to user %d", ErrNotFound, owner)
		case status != string(domain.CallEnded):
			return fmt.Errorf("%w: the call has not ended", ErrConflict)
		}
		if err := tx.queryRow(ctx, `INSERT INTO disputes (call_id, item_id, turn, text, state, trainee_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.CallID, d.ItemID, d.Turn, d.Text, string(domain.DisputeOpen), d.TraineeID, millis(d.Created)).Scan(&d.ID); err != nil {
			return classify(err)
		}
		return appendAudit(ctx, tx, AuditEntry{At: d.Created, ActorID: actor.ID, Actor: actor.Name, Action: "dispute.open",
			Target: "call:" + d.CallID, Detail: fmt.Sprintf("dispute %d of item %s at turn %d: %s", d.ID, d.ItemID, d.Turn, d.Text)})
	})
	if err != nil {
		return fmt.Errorf("open dispute of call %s item %s: %w", d.CallID, d.ItemID, err)
	}
	d.State = domain.DisputeOpen
	return nil
}

const disputeSelect = `SELECT d.id, d.call_id, d.item_id, d.turn, d.text, d.state, d.trainee_id, tu.username,
	d.trainer_id, COALESCE(tr.username, ''), d.comment, d.created_at, d.decided_at, d.score_before, d.score_after
	FROM disputes d JOIN users tu ON tu.id = d.trainee_id LEFT JOIN users tr ON tr.id = d.trainer_id`

func scanDispute(s scanner) (Dispute, error) {
	var d Dispute
	var state string
	var trainer, decided sql.NullInt64
	var before, after sql.NullFloat64
	var created int64
	if err := s.Scan(&d.ID, &d.CallID, &d.ItemID, &d.Turn, &d.Text, &state, &d.TraineeID, &d.Trainee,
		&trainer, &d.Trainer, &d.Comment, &created, &decided, &before, &after); err != nil {
		return Dispute{}, err
	}
	d.State, d.Created = domain.DisputeState(state), fromMillis(created)
	d.TrainerID, d.ScoreBefore, d.ScoreAfter = trainer.Int64, before.Float64, after.Float64
	if decided.Valid {
		d.Decided = fromMillis(decided.Int64)
	}
	return d, nil
}

// DisputeByID returns one dispute.
func (db *DB) DisputeByID(ctx context.Context, id int64) (Dispute, error) {
	d, err := scanDispute(db.queryRow(ctx, disputeSelect+` WHERE d.id = ?`, id))
	if err != nil {
		return Dispute{}, fmt.Errorf("dispute %d: %w", id, notFound(err))
	}
	return d, nil
}

// ListDisputes returns the disputes matching f, oldest first.
func (db *DB) ListDisputes(ctx context.Context, f DisputeFilter) ([]Dispute, error) {
	q := disputeSelect + ` WHERE 1 = 1`
	var args []any
	if f.State != "" {
		q += ` AND d.state = ?`
		args = append(args, string(f.State))
	}
	if f.TraineeID != 0 {
		q += ` AND d.trainee_id = ?`
		args = append(args, f.TraineeID)
	}
	if f.CallID != "" {
		q += ` AND d.call_id = ?`
		args = append(args, f.CallID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	q += ` ORDER BY d.created_at, d.id LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list disputes: %w", err)
	}
	defer rows.Close()
	var out []Dispute
	for rows.Next() {
		d, err := scanDispute(rows)
		if err != nil {
			return nil, fmt.Errorf("list disputes: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list disputes: %w", err)
	}
	return out, nil
}

// decide marks an open dispute decided; a dispute decided already gives
// ErrConflict.
func decide(ctx context.Context, tx *sqlTx, id int64, state domain.DisputeState, actor Actor, comment string, now time.Time) (Dispute, error) {
	d, err := scanDispute(tx.queryRow(ctx, disputeSelect+` WHERE d.id = ?`, id))
	if err != nil {
		return Dispute{}, notFound(err)
	}
	res, err := tx.exec(ctx, `UPDATE disputes SET state = ?, trainer_id = ?, comment = ?, decided_at = ? WHERE id = ? AND state = ?`,
		string(state), nullID(actor.ID), comment, millis(now), id, string(domain.DisputeOpen))
	if err != nil {
		return Dispute{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return Dispute{}, err
	} else if n != 1 {
		return Dispute{}, fmt.Errorf("%w: the dispute is %s already", ErrConflict, d.State)
	}
	d.State, d.TrainerID, d.Trainer, d.Comment, d.Decided = state, actor.ID, actor.Name, comment, now.UTC().Truncate(time.Millisecond)
	return d, nil
}

// UpholdDispute upholds an open dispute: the call's score, verdict and
// scorecard become u's, the dispute records the scores before and after,
// and u.EvalCase is stored, all with their audit entries in one
// transaction.
func (db *DB) UpholdDispute(ctx context.Context, actor Actor, id int64, u Uphold) (Dispute, error) {
	if len(u.Comment) > MaxDisputeComment {
		return Dispute{}, fmt.Errorf("uphold dispute %d: %w: the comment is longer than %d bytes", id, ErrInvalid, MaxDisputeComment)
	}
	if !json.Valid(u.Scorecard) {
		return Dispute{}, fmt.Errorf("uphold dispute %d: %w: the scorecard is not valid JSON", id, ErrInvalid)
	}
	if c := u.EvalCase; c != nil {
		if err := checkText("the evaluation case's text", c.Text, MaxEvalCaseText); err != nil {
			return Dispute{}, fmt.Errorf("uphold dispute %d: %w", id, err)
		}
		if c.Intent == "" {
			return Dispute{}, fmt.Errorf("uphold dispute %d: %w: the evaluation case has no intent", id, ErrInvalid)
		}
	}
	var d Dispute
	err := db.tx(ctx, func(tx *sqlTx) error {
		now := time.Now()
		var err error
		if d, err = decide(ctx, tx, id, domain.DisputeUpheld, actor, u.Comment, now); err != nil {
			return err
		}
		var card sql.NullString
		var before sql.NullFloat64
		// On PostgreSQL the row is locked as it is read: two upholds of one
		// call's disputes would otherwise both check the scorecard they
		// read, and the second would overwrite the first's (SQLite runs one
		// writing transaction at a time).
		q := `SELECT scorecard, score FROM calls WHERE id = ?` + db.dialect.lock("FOR UPDATE")
		if err := tx.queryRow(ctx, q, d.CallID).Scan(&card, &before); err != nil {
			return notFound(err)
		}
		if card.String != string(u.From) {
			return fmt.Errorf("%w: the call's scorecard changed since it was read", ErrConflict)
		}
		if _, err := tx.exec(ctx, `UPDATE calls SET score = ?, passed = ?, scorecard = ? WHERE id = ?`,
			u.Score, u.Passed, string(u.Scorecard), d.CallID); err != nil {
			return err
		}
		if err := tx.reportRescored(ctx, d.CallID, card.String); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE disputes SET score_before = ?, score_after = ? WHERE id = ?`,
			before.Float64, u.Score, id); err != nil {
			return err
		}
		d.ScoreBefore, d.ScoreAfter = before.Float64, u.Score
		verdict := "failed"
		if u.Passed {
			verdict = "passed"
		}
		if err := appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: "dispute.uphold",
			Target: "call:" + d.CallID, Detail: fmt.Sprintf("dispute %d of item %s upheld: score %g → %g, %s", id, d.ItemID, before.Float64, u.Score, verdict)}); err != nil {
			return err
		}
		if u.EvalCase == nil {
			return nil
		}
		c := *u.EvalCase
		c.DisputeID, c.CreatedBy = id, actor.ID
		var exists int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM eval_cases WHERE text = ? AND intent = ?`, c.Text, c.Intent).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return nil
		}
		if _, err := tx.exec(ctx, `INSERT INTO eval_cases (text, intent, entry_id, dispute_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Text, c.Intent, c.EntryID, c.DisputeID, nullID(c.CreatedBy), millis(now)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: "evalcase.add",
			Target: "intent:" + c.Intent, Detail: fmt.Sprintf("from dispute %d: %s", id, c.Text)})
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("uphold dispute %d: %w", id, err)
	}
	return d, nil
}

// RejectDispute rejects an open dispute with the trainer's comment, which
// the trainee reads, and its audit entry.
func (db *DB) RejectDispute(ctx context.Context, actor Actor, id int64, comment string) (Dispute, error) {
	if err := checkText("the comment", comment, MaxDisputeComment); err != nil {
		return Dispute{}, fmt.Errorf("reject dispute %d: %w", id, err)
	}
	var d Dispute
	err := db.tx(ctx, func(tx *sqlTx) error {
		now := time.Now()
		var err error
		if d, err = decide(ctx, tx, id, domain.DisputeRejected, actor, comment, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: "dispute.reject",
			Target: "call:" + d.CallID, Detail: fmt.Sprintf("dispute %d of item %s rejected: %s", id, d.ItemID, comment)})
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("reject dispute %d: %w", id, err)
	}
	return d, nil
}

// ListEvalCases returns the stored evaluation cases, oldest first.
func (db *DB) ListEvalCases(ctx context.Context) ([]EvalCase, error) {
	rows, err := db.query(ctx, `SELECT id, text, intent, entry_id, dispute_id, created_by, created_at FROM eval_cases ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list evaluation cases: %w", err)
	}
	defer rows.Close()
	var out []EvalCase
	for rows.Next() {
		var c EvalCase
		var dispute, by sql.NullInt64
		var created int64
		if err := rows.Scan(&c.ID, &c.Text, &c.Intent, &c.EntryID, &dispute, &by, &created); err != nil {
			return nil, fmt.Errorf("list evaluation cases: %w", err)
		}
		c.DisputeID, c.CreatedBy, c.Created = dispute.Int64, by.Int64, fromMillis(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list evaluation cases: %w", err)
	}
	return out, nil
}
