package sim

import (
	"strings"
	"unicode"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Value is a typed value the trainee said: a duration, a clock time or an
// amount. The caller echoes Text, the trainee's own words, and weighs
// Seconds against the scenario's promise norm.
type Value struct {
	// Type is "duration", "time" or "amount".
	Type string
	// Text is the value as the trainee said it (两到四个小时, 下午五点前).
	Text string
	// Seconds is a duration's upper bound (2到4小时: 4h).
	Seconds float64
	// Amount and Unit are an amount's number and unit (元, 吨, 度).
	Amount float64
	Unit   string
}

// Valuer reads the typed values of a reply.
type Valuer interface {
	Values(text string) []Value
}

// SpokenValues reads a reply's durations, clock times, dates and amounts
// with the phrasebook's value reader (phrase.Values, the one the matcher
// grades promised times with) and takes each value's words from the reply
// as the trainee said them, for the caller to echo.
type SpokenValues struct{}

// Values implements Valuer.
func (SpokenValues) Values(text string) []Value {
	n := phrase.Normalize(text)
	runes := []rune(text)
	var out []Value
	for _, vs := range phrase.Values(n, text) {
		v := vs.Value
		var typ string
		switch {
		case v.Type == phrase.Duration:
			typ = "duration"
		case v.Type == phrase.Time || v.Type == phrase.Date:
			typ = "time"
		case v.Type == phrase.Amount:
			typ = "amount"
		default:
			continue // phones and counts are not echoed
		}
		sp := n.OrigSpan(vs.Start, vs.End)
		words := simplified(runes[sp.Start:sp.End])
		if typ == "duration" {
			for _, suffix := range []string{"之内", "以内", "内"} {
				if w, ok := strings.CutSuffix(words, suffix); ok {
					words = w
					break
				}
			}
		}
		out = append(out, Value{Type: typ, Text: words, Seconds: float64(v.Seconds), Amount: v.Amount, Unit: v.Unit})
	}
	return out
}

// simplified writes a span of the reply in Simplified script, rune by
// rune, keeping numerals as the trainee said them: the caller echoes the
// trainee's words in its own script.
func simplified(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		n := phrase.Normalize(string(r)).Runes
		if len(n) == 1 && !unicode.IsDigit(n[0]) {
			r = n[0]
		}
		b.WriteRune(r)
	}
	return b.String()
}
