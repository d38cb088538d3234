package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Disputes: a trainee who thinks the engine missed a checklist item says
// which turn did it; a trainer upholds or rejects the dispute. Upholding
// rescores the call by sim's rules, in place: the call's one scorecard is
// what every page, the API and the socket's replay show. It can, in the
// same decision, store the trainee's wording as an evaluation case and
// propose it, trimmed to the words that carry the item (ProposeWording), as
// a variant of the phrasebook entry: a draft revision of its file that goes
// live only when a trainer publishes it after seeing its review
// (Content.Review). Nothing goes live from one click.

// MaxDisputeRunes is how long a trainee's explanation or a trainer's
// comment may be, in characters; the store's byte limits hold any text of
// this length.
const MaxDisputeRunes = 300

// DisputeRefusal is why a dispute action was refused, as a key the
// transport turns into a message ("dispute." + key). It wraps
// domain.ErrConflict when the stored state is in the way and
// domain.ErrInvalid when the input is.
type DisputeRefusal struct {
	Key      string
	Conflict bool
}

func (r *DisputeRefusal) Error() string { return "dispute refused: " + r.Key }

// Unwrap gives the kind of the refusal.
func (r *DisputeRefusal) Unwrap() error {
	if r.Conflict {
		return domain.ErrConflict
	}
	return domain.ErrInvalid
}

func conflict(key string) error { return &DisputeRefusal{Key: key, Conflict: true} }
func invalid(key string) error  { return &DisputeRefusal{Key: key} }

// ParseCard reads a call's stored scorecard.
func ParseCard(rec store.Call) (sim.Scorecard, error) {
	var card sim.Scorecard
	if err := json.Unmarshal(rec.Scorecard, &card); err != nil {
		return sim.Scorecard{}, fmt.Errorf("call %s: scorecard: %w", rec.ID, err)
	}
	return card, nil
}

// OwnEndedCall returns the trainee's ended call and its scorecard;
// anyone else's call is not found.
func (a *App) OwnEndedCall(ctx context.Context, u domain.User, id string) (store.Call, sim.Scorecard, error) {
	rec, err := a.db.CallByID(ctx, id)
	if err != nil {
		return store.Call{}, sim.Scorecard{}, err
	}
	if rec.UserID != u.ID {
		return store.Call{}, sim.Scorecard{}, fmt.Errorf("%w: call %s belongs to user %d, not %d", domain.ErrNotFound, rec.ID, rec.UserID, u.ID)
	}
	if rec.Status != domain.CallEnded {
		return store.Call{}, sim.Scorecard{}, fmt.Errorf("dispute call %s: %w: the call has not ended", rec.ID, domain.ErrConflict)
	}
	card, err := ParseCard(rec)
	return rec, card, err
}

// DisputeOf returns the dispute of item itemID of the call, if any.
func (a *App) DisputeOf(ctx context.Context, callID, itemID string) (*store.Dispute, error) {
	existing, err := a.db.ListDisputes(ctx, store.DisputeFilter{CallID: callID})
	if err != nil {
		return nil, err
	}
	for _, d := range existing {
		if d.ItemID == itemID {
			return &d, nil
		}
	}
	return nil, nil
}

// OpenDispute records trainee u's claim that item itemID of their ended
// call was done at turn, for the reason text, cleaned as a reply is
// (CleanTraineeText). A refusal is a *DisputeRefusal.
func (a *App) OpenDispute(ctx context.Context, u domain.User, callID, itemID string, turn int, text string) (int64, error) {
	rec, card, err := a.OwnEndedCall(ctx, u, callID)
	if err != nil {
		return 0, err
	}
	i := card.ItemIndex(itemID)
	if i < 0 {
		return 0, fmt.Errorf("%w: call %s has no checklist item %q", domain.ErrNotFound, rec.ID, itemID)
	}
	existing, err := a.DisputeOf(ctx, rec.ID, itemID)
	if err != nil {
		return 0, err
	}
	// Stored as typed, less what could disguise it from the trainer.
	text = strings.TrimSpace(CleanTraineeText(text))
	switch {
	case existing != nil:
		return 0, conflict("exists")
	case card.Checklist[i].Done:
		return 0, conflict("already_done")
	case !a.SaidItems(ctx, rec)[itemID]:
		return 0, conflict("measured")
	case turn < 0 || turn >= len(card.Turns) || card.Turns[turn].Speaker != sim.Trainee:
		return 0, invalid("pick_turn")
	case text == "":
		return 0, invalid("say_why")
	case utf8.RuneCountInString(text) > MaxDisputeRunes:
		return 0, invalid("too_long")
	}
	d := store.Dispute{CallID: rec.ID, ItemID: itemID, Turn: turn, Text: text, TraineeID: u.ID}
	if err := a.db.OpenDispute(ctx, actor(u), &d); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return 0, conflict("exists")
		}
		return 0, err
	}
	return d.ID, nil
}

// SaidItems returns the ids of the checklist items of the call's scenario
// that are graded on what was said: only these can be disputed, since a
// trainer can read the transcript for them. Items measured from the call
// (answering in time, who hung up first) are not a matter of reading. A
// call whose scenario cannot be loaded offers none.
func (a *App) SaidItems(ctx context.Context, rec store.Call) map[string]bool {
	out := map[string]bool{}
	sc, _, err := a.content.ForCall(ctx, rec)
	if err != nil {
		a.log.Info("dispute: no scenario for the call", "call", rec.ID, "err", err)
		return out
	}
	for i := range sc.Checklist {
		if sc.Checklist[i].Said() {
			out[sc.Checklist[i].ID] = true
		}
	}
	return out
}

// DecidedSince counts trainee's disputes decided after since: what a
// trainee has not seen yet.
func (a *App) DecidedSince(ctx context.Context, trainee int64, since time.Time) (int, error) {
	list, err := a.db.ListDisputes(ctx, store.DisputeFilter{TraineeID: trainee})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		if d.State != domain.DisputeOpen && d.Decided.After(since) {
			n++
		}
	}
	return n, nil
}

func actor(u domain.User) store.Actor { return store.Actor{ID: u.ID, Name: u.Username} }

// ItemEntries lists the published phrasebook's shared entries that satisfy
// checklist item itemID of the call's scenario: the wording of an upheld
// dispute can be added to one of them. Items graded by rule or fact have
// none, nor has a call whose content cannot be loaded any more.
func (a *App) ItemEntries(ctx context.Context, rec store.Call, itemID string) []*phrasebook.Entry {
	sc, _, err := a.content.ForCall(ctx, rec)
	if err != nil {
		a.log.Info("dispute: no scenario for the call", "call", rec.ID, "err", err)
		return nil
	}
	cs, err := a.content.Published(ctx)
	if err != nil {
		a.log.Error("dispute: published content", "err", err)
		return nil
	}
	var item *scenarios.Item
	for i := range sc.Checklist {
		if sc.Checklist[i].ID == itemID {
			item = &sc.Checklist[i]
		}
	}
	if item == nil {
		return nil
	}
	var out []*phrasebook.Entry
	for _, ref := range item.Refs() {
		if e, ok := cs.Book.Entry(ref); ok {
			if e.Scope == "" && e.Kind != phrasebook.Forbidden {
				out = append(out, e)
			}
			continue
		}
		for _, e := range cs.Book.Entries() {
			if string(e.Intent) == ref && e.Scope == "" && e.Kind != phrasebook.Forbidden {
				out = append(out, e)
			}
		}
	}
	return out
}

// Learn asks an uphold to propose Wording as a variant of phrasebook entry
// EntryID.
type Learn struct {
	EntryID string
	Wording string
}

// What an uphold did.
const (
	// Upheld: the call was rescored.
	Upheld = "upheld"
	// Proposed: rescored; the wording is proposed as a variant in a draft
	// of the entry's phrase file, waiting for a trainer's review.
	Proposed = "proposed"
	// Known: rescored; the entry had the wording already.
	Known = "known"
)

// UpholdResult is what an uphold did: Done is Upheld, Proposed or Known;
// Draft is the proposed revision when Done is Proposed.
type UpholdResult struct {
	Done  string
	Draft domain.Revision
}

// UpholdDispute decides open dispute id for the trainee: the call is
// rescored with the item done at the disputed turn. With learn, the
// wording is stored as an evaluation case and proposed as a variant of the
// entry: a draft revision of its phrase file, which goes live only when a
// trainer publishes it after its review. A refusal is a *DisputeRefusal.
func (a *App) UpholdDispute(ctx context.Context, u domain.User, id int64, comment string, learn *Learn) (UpholdResult, error) {
	d, err := a.db.DisputeByID(ctx, id)
	if err != nil {
		return UpholdResult{}, err
	}
	if d.State != domain.DisputeOpen {
		return UpholdResult{}, conflict("decided")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxDisputeRunes {
		return UpholdResult{}, invalid("too_long")
	}
	var edit *variantEdit
	var evalCase *store.EvalCase
	if learn != nil {
		rec, err := a.db.CallByID(ctx, d.CallID)
		if err != nil {
			return UpholdResult{}, err
		}
		var entry *phrasebook.Entry
		for _, e := range a.ItemEntries(ctx, rec, d.ItemID) {
			if e.ID == learn.EntryID {
				entry = e
			}
		}
		learn.Wording = strings.TrimSpace(learn.Wording)
		switch {
		case entry == nil:
			return UpholdResult{}, invalid("pick_entry")
		case learn.Wording == "" || utf8.RuneCountInString(learn.Wording) > MaxDisputeRunes || strings.ContainsAny(learn.Wording, "\r\n"):
			return UpholdResult{}, invalid("bad_wording")
		}
		ed, err := a.prepareVariant(ctx, entry, learn.Wording)
		if err != nil {
			a.log.Info("phrase variant refused", "dispute", d.ID, "entry", entry.ID, "err", err)
			return UpholdResult{}, invalid("bad_wording")
		}
		edit = &ed
		// The case is the line as the trainee said it: the review then
		// shows whether the draft hears real speech, not only its own
		// variant.
		said := learn.Wording
		if card, err := ParseCard(rec); err == nil && d.Turn < len(card.Turns) {
			said = card.Turns[d.Turn].Text
		}
		evalCase = &store.EvalCase{Text: said, Intent: string(entry.Intent), EntryID: entry.ID}
	}
	if err := a.rescore(ctx, u, d, comment, evalCase); err != nil {
		return UpholdResult{}, err
	}
	switch {
	case edit == nil:
		return UpholdResult{Done: Upheld}, nil
	case edit.body == nil:
		return UpholdResult{Done: Known}, nil
	}
	rev, err := a.proposeVariant(ctx, u, d, edit, learn.Wording)
	if err != nil {
		return UpholdResult{}, err
	}
	if rev.ID == 0 {
		return UpholdResult{Done: Known}, nil
	}
	return UpholdResult{Done: Proposed, Draft: rev}, nil
}

// rescore upholds d in the store with the call's scorecard worked out
// again. The scorecard is read, rescored and written back on condition
// that it did not change meanwhile (another item of the call upheld).
func (a *App) rescore(ctx context.Context, u domain.User, d store.Dispute, comment string, evalCase *store.EvalCase) error {
	for attempt := 0; ; attempt++ {
		rec, err := a.db.CallByID(ctx, d.CallID)
		if err != nil {
			return err
		}
		card, err := ParseCard(rec)
		if err != nil {
			return err
		}
		next, err := sim.Uphold(card, d.ItemID, d.Turn, sim.Upheld{Dispute: d.ID, By: u.Username})
		if errors.Is(err, sim.ErrNotDisputable) {
			a.log.Info("dispute cannot be upheld", "dispute", d.ID, "err", err)
			return conflict("not_upholdable")
		}
		if err != nil {
			return err
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("dispute %d: encode scorecard: %w", d.ID, err)
		}
		_, err = a.db.UpholdDispute(ctx, actor(u), d.ID, store.Uphold{Comment: comment, From: rec.Scorecard,
			Scorecard: raw, Score: float64(next.Score), Passed: next.Passed, EvalCase: evalCase})
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt == 2 {
			return err
		}
		if now, err := a.db.DisputeByID(ctx, d.ID); err != nil {
			return err
		} else if now.State != domain.DisputeOpen {
			return conflict("decided")
		}
	}
}

// RejectDispute decides open dispute id against the trainee; the comment,
// which the trainee reads, is required.
func (a *App) RejectDispute(ctx context.Context, u domain.User, id int64, comment string) error {
	d, err := a.db.DisputeByID(ctx, id)
	if err != nil {
		return err
	}
	comment = strings.TrimSpace(comment)
	switch {
	case d.State != domain.DisputeOpen:
		return conflict("decided")
	case comment == "":
		return invalid("comment_required")
	case utf8.RuneCountInString(comment) > MaxDisputeRunes:
		return invalid("too_long")
	}
	if _, err := a.db.RejectDispute(ctx, actor(u), d.ID, comment); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict("decided")
		}
		return err
	}
	return nil
}

// variantEdit is the phrasebook change an upheld dispute asks for.
type variantEdit struct {
	entry *phrasebook.Entry
	file  string
	// body is the file with the wording added; nil when the entry has the
	// wording already.
	body   []byte
	parent int
}

// phraseFileID is the content id of the phrasebook file an entry was
// loaded from: "builtin/details.yaml" is "details".
func phraseFileID(e *phrasebook.Entry) string {
	return strings.TrimSuffix(path.Base(e.Pos.File), ".yaml")
}

// prepareVariant works out the new revision of the entry's phrasebook file
// with wording added: from the file's newest stored revision, or from the
// built-in file when none is stored yet.
func (a *App) prepareVariant(ctx context.Context, e *phrasebook.Entry, wording string) (variantEdit, error) {
	ed := variantEdit{entry: e, file: phraseFileID(e), parent: store.NewContent}
	var body []byte
	head, err := a.db.Head(ctx, domain.ContentPhrases, ed.file)
	switch {
	case err == nil:
		body, ed.parent = []byte(head.Body), head.N
	case errors.Is(err, store.ErrNotFound):
		if body, err = phrasebook.BuiltinFile(ed.file); err != nil {
			return variantEdit{}, err
		}
	default:
		return variantEdit{}, err
	}
	if ed.body, err = phrasebook.AddVariant(ed.file+".yaml", body, e.ID, wording); err != nil {
		return variantEdit{}, err
	}
	if bytes.Equal(ed.body, body) {
		// The entry has the wording already.
		ed.body = nil
	}
	return ed, nil
}

// proposeVariant saves the phrase file with the new variant as a draft
// revision (audit action "phrases.propose"); nothing is published. If
// someone saved the file since it was read, the variant is added to their
// revision instead. A zero revision means the file has the wording by now.
func (a *App) proposeVariant(ctx context.Context, u domain.User, d store.Dispute, ed *variantEdit, wording string) (domain.Revision, error) {
	for attempt := 0; ; attempt++ {
		rev, err := a.db.SaveRevision(ctx, actor(u), store.SaveRequest{
			Kind: domain.ContentPhrases, ID: ed.file, Body: string(ed.body), Parent: ed.parent, Action: "propose",
			Message: fmt.Sprintf("variant of %s from dispute %d: %s", ed.entry.ID, d.ID, wording),
		})
		switch {
		case err == nil:
			return rev, nil
		case !errors.Is(err, store.ErrConflict) || attempt == 2:
			return domain.Revision{}, fmt.Errorf("dispute %d: propose a variant in %s: %w", d.ID, ed.file, err)
		}
		again, err := a.prepareVariant(ctx, ed.entry, wording)
		if err != nil {
			return domain.Revision{}, err
		}
		if again.body == nil {
			return domain.Revision{}, nil
		}
		*ed = again
	}
}

// DisputeCard is a dispute with its call and the call's scorecard.
type DisputeCard struct {
	D    store.Dispute
	Call store.Call
	Card sim.Scorecard
	// Item is the disputed item as the card has it (its id as title when
	// the card lacks it); Said is the trainee's line at the disputed turn.
	Item sim.ItemResult
	Said string
}

// Disputes lists the disputes f selects, each with its call's scorecard.
func (a *App) Disputes(ctx context.Context, f store.DisputeFilter) ([]DisputeCard, error) {
	list, err := a.db.ListDisputes(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]DisputeCard, 0, len(list))
	calls := map[string]DisputeCard{}
	for _, d := range list {
		dc, ok := calls[d.CallID]
		if !ok {
			if dc.Call, err = a.db.CallByID(ctx, d.CallID); err != nil {
				return nil, err
			}
			if dc.Card, err = ParseCard(dc.Call); err != nil {
				return nil, err
			}
			calls[d.CallID] = dc
		}
		dc.D, dc.Item, dc.Said = d, sim.ItemResult{ID: d.ItemID, Title: d.ItemID}, ""
		if i := dc.Card.ItemIndex(d.ItemID); i >= 0 {
			dc.Item = dc.Card.Checklist[i]
		}
		if d.Turn < len(dc.Card.Turns) {
			dc.Said = dc.Card.Turns[d.Turn].Text
		}
		out = append(out, dc)
	}
	return out, nil
}
