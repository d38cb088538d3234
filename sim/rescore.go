package sim

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotDisputable is returned (wrapped) when an item cannot be upheld: it
// is not in the scorecard, it was done already, or the turn is not one of
// the trainee's.
var ErrNotDisputable = errors.New("item cannot be upheld")

// Uphold returns a copy of card with checklist item itemID counted as done
// at trainee turn turn, as a trainer decided when upholding dispute u.Dispute,
// and the points, score, reasons and verdict worked out again by the same
// rules the engine grades with. The item records the override (Upheld), so
// the scorecard shows it on review. card itself is not changed.
func Uphold(card Scorecard, itemID string, turn int, u Upheld) (Scorecard, error) {
	out, err := cloneCard(card)
	if err != nil {
		return Scorecard{}, err
	}
	i := out.ItemIndex(itemID)
	if i < 0 {
		return Scorecard{}, fmt.Errorf("%w: scenario %s has no checklist item %q", ErrNotDisputable, card.Scenario, itemID)
	}
	it := &out.Checklist[i]
	if it.Done {
		return Scorecard{}, fmt.Errorf("%w: item %q was done already", ErrNotDisputable, itemID)
	}
	if turn < 0 || turn >= len(out.Turns) || out.Turns[turn].Speaker != Trainee {
		return Scorecard{}, fmt.Errorf("%w: turn %d is not one of the trainee's", ErrNotDisputable, turn)
	}
	u.Turn, u.WasDone, u.WasEarned, u.ScoreBefore = turn, it.Done, it.Earned, card.Score
	it.Done, it.Earned = true, it.Points
	t := turn
	it.Turn = &t
	it.Upheld = &u
	// How the call went is not changed by the override: settle reads it
	// from the card's typed fields.
	settle(&out)
	return out, nil
}

// ItemIndex returns the index in Checklist of the item with id, or -1.
func (c *Scorecard) ItemIndex(id string) int {
	for i := range c.Checklist {
		if c.Checklist[i].ID == id {
			return i
		}
	}
	return -1
}

// cloneCard copies a scorecard deeply, through its JSON form, which is the
// form stored scorecards have anyway.
func cloneCard(card Scorecard) (Scorecard, error) {
	b, err := json.Marshal(card)
	if err != nil {
		return Scorecard{}, fmt.Errorf("copy scorecard: %w", err)
	}
	var out Scorecard
	if err := json.Unmarshal(b, &out); err != nil {
		return Scorecard{}, fmt.Errorf("copy scorecard: %w", err)
	}
	return out, nil
}
