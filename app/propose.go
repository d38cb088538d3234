package app

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/store"
)

// ProposeWording is the part of the trainee's line said that a variant
// learnt from an upheld dispute of item itemID should hold: not the whole
// sentence, but the words that made the point. The trainer sees it in the
// uphold form and may edit it.
//
// The matcher's spans say which words of the line carry other intents (a
// greeting, the company's name): the proposal is the clause, split at
// punctuation, that the other intents leave free and that shares most
// characters with the item's entries, without the fillers and other
// intents' words at its edges. Where the matcher already finds one of the
// item's intents in the line, that span is the proposal. When nothing
// better is found, the whole line is.
func (a *App) ProposeWording(ctx context.Context, rec store.Call, itemID, said string) string {
	said = strings.TrimSpace(said)
	entries := a.ItemEntries(ctx, rec, itemID)
	sc, book, err := a.content.ForCall(ctx, rec)
	if err != nil || len(entries) == 0 {
		return said
	}
	return proposeSpan(said, entries, book.Match(said, phrasebook.Filter{Scope: sc.ID, Domain: sc.Domain}))
}

// proposeSpan is ProposeWording's choice over the hits found in said.
func proposeSpan(said string, entries []*phrasebook.Entry, hits []phrasebook.Hit) string {
	runes := []rune(said)
	intents := map[phrasebook.Intent]bool{}
	wording := map[rune]bool{}
	for _, e := range entries {
		intents[e.Intent] = true
		for _, w := range append([]string{e.Text}, e.Variants...) {
			for _, r := range w {
				wording[r] = true
			}
		}
	}
	other := make([]bool, len(runes))
	for _, h := range hits {
		if h.Start < 0 || h.End > len(runes) || h.Start >= h.End {
			continue
		}
		if intents[h.Intent] {
			return trimSpan(runes, h.Start, h.End, nil)
		}
		for i := h.Start; i < h.End; i++ {
			other[i] = true
		}
	}
	best, bestScore := "", 0
	for _, c := range clauses(runes) {
		free, score := 0, 0
		for i := c[0]; i < c[1]; i++ {
			if !other[i] {
				free++
				if wording[runes[i]] {
					score++
				}
			}
		}
		if free == 0 {
			continue
		}
		text := trimSpan(runes, c[0], c[1], other)
		if text == "" {
			continue
		}
		n := len([]rune(text))
		if best == "" || score > bestScore || score == bestScore && n < len([]rune(best)) {
			best, bestScore = text, score
		}
	}
	if best == "" || bestScore == 0 {
		return trimSpan(runes, 0, len(runes), nil)
	}
	return best
}

// clauses splits runes at punctuation and spaces into [start, end) ranges.
func clauses(runes []rune) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i <= len(runes); i++ {
		if i == len(runes) || unicode.IsPunct(runes[i]) || unicode.IsSpace(runes[i]) {
			if i > start {
				out = append(out, [2]int{start, i})
			}
			start = i + 1
		}
	}
	return out
}

// Fillers trimmed from the edges of a proposed wording: they carry no
// intent and the matcher skips them anyway.
var (
	leadFillers  = []string{"那个", "好的", "嗯", "啊", "哦", "呃", "噢"}
	trailFillers = []string{"啊", "呢", "吧", "哈", "呀", "嘛", "哦", "啦", "噢"}
)

// trimSpan is runes[start:end] without the punctuation, spaces, fillers
// and words of other intents (where other marks them) at its edges.
func trimSpan(runes []rune, start, end int, other []bool) string {
	skip := func(i int) bool {
		return unicode.IsPunct(runes[i]) || unicode.IsSpace(runes[i]) || other != nil && other[i]
	}
	for {
		for start < end && skip(start) {
			start++
		}
		for end > start && skip(end-1) {
			end--
		}
		s := string(runes[start:end])
		i := slices.IndexFunc(leadFillers, func(f string) bool { return strings.HasPrefix(s, f) && len(f) < len(s) })
		j := slices.IndexFunc(trailFillers, func(f string) bool { return strings.HasSuffix(s, f) && len(f) < len(s) })
		if i < 0 && j < 0 {
			return s
		}
		if i >= 0 {
			start += len([]rune(leadFillers[i]))
		}
		if j >= 0 && end-len([]rune(trailFillers[j])) > start {
			end -= len([]rune(trailFillers[j]))
		}
	}
}
