package sim

import (
	"cmp"
	"slices"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// A scorecard shows each turn's text with its hits marked: the text cut
// into segments, each covered by the same hit or by none.

// Segment is a run of a turn's text covered by the same hit, or by none.
type Segment struct {
	Text string
	// Kind is the hit's kind (required, recommended, forbidden); empty for
	// text no hit covers.
	Kind   string
	Intent string
	ID     string
}

// kindRank orders hit kinds for a span several hits cover: a forbidden
// phrase shows through anything else.
func kindRank(k phrase.Kind) int {
	switch k {
	case phrase.Forbidden:
		return 3
	case phrase.Required:
		return 2
	case phrase.Recommended:
		return 1
	}
	return 0
}

// Segments cuts text at its hits' rune offsets. Where hits overlap, the
// span shows the strongest kind, then the earliest and longest hit.
// Offsets outside the text are clamped, so a stored scorecard of another
// version cannot make the page fail.
func Segments(text string, hits []phrase.Hit) []Segment {
	runes := []rune(text)
	n := len(runes)
	clamp := func(i int) int { return min(max(i, 0), n) }
	cuts := []int{0, n}
	for _, h := range hits {
		cuts = append(cuts, clamp(h.Start), clamp(h.End))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)

	var out []Segment
	prev := -2 // the hit the last segment showed; -1 is none
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		best := -1
		for j, h := range hits {
			if clamp(h.Start) > a || clamp(h.End) < b || clamp(h.Start) >= clamp(h.End) {
				continue
			}
			if best < 0 || better(h, hits[best]) {
				best = j
			}
		}
		if best == prev && len(out) > 0 {
			out[len(out)-1].Text += string(runes[a:b])
		} else {
			seg := Segment{Text: string(runes[a:b])}
			if best >= 0 {
				h := hits[best]
				seg.Kind, seg.Intent, seg.ID = string(h.Kind), string(h.Intent), h.ID
			}
			out = append(out, seg)
		}
		prev = best
	}
	return out
}

// better reports whether hit a should show over hit b on a span both cover.
func better(a, b phrase.Hit) bool {
	if r := cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)); r != 0 {
		return r > 0
	}
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.End > b.End
}
