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
	return proposeSpan(said, entries, book.Match(said, sc.Filter()))
}

// proposeSpan is ProposeWording's choice over the hits found in said.
func proposeSpan(said string, entries []*phrasebook.Entry, hits []phrasebook.Hit) string {
	runes := []rune(said)
	intents := map[phrasebook.Intent]bool{}
	var wordings []string
	for _, e := range entries {
		intents[e.Intent] = true
		wordings = append(append(wordings, e.Text), e.Variants...)
	}
	like := likeness(wordings)
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
		text := trimSpan(runes, c[0], c[1], other)
		if text == "" {
			continue
		}
		score := like(text)
		if score > bestScore || score == bestScore && len(text) < len(best) {
			best, bestScore = text, score
		}
	}
	if bestScore < minLikeness {
		return trimSpan(runes, 0, len(runes), nil)
	}
	return best
}

// minLikeness is the least likeness a clause needs to be proposed rather
// than the whole line: a pair of characters in the entries' order, or a
// clause an entry's wording holds.
const minLikeness = 3

// commonRunes say little about what a clause means: every polite reply has
// some.
const commonRunes = "您你我他的了是这那一下请把给在就都也和吗呢吧啊个们有么"

// likeness scores how much a piece of text is like the wordings: 3 for
// each pair of adjacent characters a wording has, 1 for each other
// uncommon character one has, and 3 per character when a wording contains
// the whole text.
func likeness(wordings []string) func(string) int {
	chars, pairs := map[rune]bool{}, map[[2]rune]bool{}
	for _, w := range wordings {
		rs := []rune(w)
		for i, r := range rs {
			chars[r] = true
			if i > 0 {
				pairs[[2]rune{rs[i-1], r}] = true
			}
		}
	}
	return func(text string) int {
		rs := []rune(text)
		score := 0
		for i, r := range rs {
			switch {
			case i > 0 && pairs[[2]rune{rs[i-1], r}]:
				score += 3
			case chars[r] && !strings.ContainsRune(commonRunes, r):
				score++
			}
		}
		if slices.ContainsFunc(wordings, func(w string) bool { return strings.Contains(w, text) }) {
			score += 3 * len(rs)
		}
		return score
	}
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
