package sim

import "github.com/hotlinecoach/coach/phrasebook/phrase"

// DeskValues reads the typed values the desk grades: the time bound of a
// work order's promise, and the amounts and clock times a trainee quotes
// from the service system. PhraseValues, the phrasebook's typed values,
// is the one the engine uses unless Options.Values says otherwise.
type DeskValues interface {
	// Bound is the latest moment a promise allows, in seconds from when
	// it is made (2到4小时内上门: 14400); ok is false when it names none.
	Bound(text string) (secs int64, ok bool)
	// Amounts are the quantities said, each with its unit (元, 吨, 度).
	Amounts(text string) []Amount
	// Clocks are the clock times said, as HH:MM.
	Clocks(text string) []string
}

// Amount is a quantity said with its unit; money is in 元.
type Amount struct {
	Value float64
	Unit  string
}

// PhraseValues reads durations, clock times and amounts with the
// phrasebook's typed values (phrase.Values).
type PhraseValues struct{}

func values(text string) []phrase.ValueSpan { return phrase.Values(phrase.Normalize(text), text) }

// Bound implements DeskValues: the latest bound of the times named (a
// clock time counts from the start of its day, the call's time of day
// being unknown).
func (PhraseValues) Bound(text string) (int64, bool) {
	var best int64
	found := false
	for _, v := range values(text) {
		if !v.Value.Type.IsTime() {
			continue
		}
		if b, ok := v.Value.Bound(-1); ok && (!found || b > best) {
			best, found = b, true
		}
	}
	return best, found
}

// Amounts implements DeskValues.
func (PhraseValues) Amounts(text string) []Amount {
	var out []Amount
	for _, v := range values(text) {
		if v.Value.Type == phrase.Amount {
			out = append(out, Amount{Value: v.Value.Amount, Unit: v.Value.Unit})
		}
	}
	return out
}

// Clocks implements DeskValues.
func (PhraseValues) Clocks(text string) []string {
	var out []string
	for _, v := range values(text) {
		if v.Value.Type == phrase.Time && v.Value.At != "" {
			out = append(out, v.Value.At)
		}
	}
	return out
}
