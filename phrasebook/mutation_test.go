package phrasebook

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mutation turns a wording into one said differently, or reports false
// when it does not apply to the wording.
type mutation struct {
	name  string
	apply func(r *rand.Rand, w []rune) ([]rune, bool)
	// floor is the recall below which the test fails.
	floor float64
}

// TestMutatedWordings says every wording of every required entry of the
// built-in phrasebook differently (fillers inserted, in Traditional script,
// numbers spelled the other way, one character that sounds the same) and
// reports how often the entry's intent is still found.
func TestMutatedWordings(t *testing.T) {
	entries, err := Builtin()
	require.NoError(t, err)
	m, err := New(entries)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })

	trad := traditionalForms()
	homophones := homophoneClasses()
	fillers := []string{"这边", "给您", "帮您", "一下", "那个", "了", "啊"}
	digitWords := map[rune][]rune{'0': {'零'}, '1': {'一'}, '2': {'两', '二'}, '3': {'三'}, '4': {'四'}, '5': {'五'}, '6': {'六'}, '7': {'七'}, '8': {'八'}, '9': {'九'}}
	muts := []mutation{
		{"fillers", func(r *rand.Rand, w []rune) ([]rune, bool) {
			if len(w) < 4 {
				return nil, false
			}
			out := slices.Clone(w)
			// One or two filler words between characters, up to the gap.
			for range 1 + r.IntN(2) {
				k := 1 + r.IntN(len(out)-1)
				out = slices.Insert(out, k, []rune(fillers[r.IntN(len(fillers))])...)
			}
			return out, true
		}, 0.9},
		{"traditional", func(_ *rand.Rand, w []rune) ([]rune, bool) {
			out, changed := slices.Clone(w), false
			for i, c := range out {
				if tc, ok := trad[c]; ok {
					out[i], changed = tc, true
				}
			}
			return out, changed
		}, 0.99},
		{"numerals", func(r *rand.Rand, w []rune) ([]rune, bool) {
			var out []rune
			changed := false
			for _, c := range w {
				if words, ok := digitWords[c]; ok {
					out, changed = append(out, words[r.IntN(len(words))]), true
					continue
				}
				out = append(out, c)
			}
			return out, changed
		}, 0.95},
		{"homophone", func(r *rand.Rand, w []rune) ([]rune, bool) {
			if len(w) < 3 {
				return nil, false
			}
			for _, k := range r.Perm(len(w)) {
				if alts := homophones[w[k]]; len(alts) > 0 {
					out := slices.Clone(w)
					out[k] = alts[r.IntN(len(alts))]
					return out, true
				}
			}
			return nil, false
		}, 0.95},
	}
	var report strings.Builder
	for _, mu := range muts {
		r := rand.New(rand.NewPCG(7, 11))
		tried, found := 0, 0
		var lost []string
		for i := range entries {
			e := &entries[i]
			if e.Kind != Required {
				continue
			}
			for _, form := range e.Forms() {
				w, ok := mu.apply(r, []rune(form))
				if !ok {
					continue
				}
				tried++
				if slices.ContainsFunc(m.Match(string(w), Filter{}), func(h Hit) bool { return h.Intent == e.Intent }) {
					found++
				} else if len(lost) < 8 {
					lost = append(lost, fmt.Sprintf("%s→%s", form, string(w)))
				}
			}
		}
		recall := float64(found) / float64(max(tried, 1))
		fmt.Fprintf(&report, "%-12s %5d wordings, recall %.3f   e.g. lost: %s\n", mu.name, tried, recall, strings.Join(lost, " "))
		assert.GreaterOrEqual(t, recall, mu.floor, "recall of required wordings with %s", mu.name)
	}
	t.Log("\n" + report.String())
}

// traditionalForms maps Simplified characters to a Traditional form, read
// back from the normaliser: a Han character that normalises to another is
// a Traditional form of it.
func traditionalForms() map[rune]rune {
	out := map[rune]rune{}
	for c := rune(0x4e00); c <= 0x9fff; c++ {
		n := Normalize(string(c)).Runes
		if len(n) == 1 && n[0] != c && utf8.ValidRune(c) {
			if _, ok := out[n[0]]; !ok {
				out[n[0]] = c
			}
		}
	}
	return out
}

// homophoneClasses maps each common character to other characters read
// the same, from the sound table the matcher forgives slips with.
func homophoneClasses() map[rune][]rune {
	table := soundTable()
	bySound := map[uint16][]rune{}
	for c := rune(0x4e00); c <= 0x9fa5; c++ {
		if s := table[c]; s[0] != 0 && s[1] == 0 {
			bySound[s[0]] = append(bySound[s[0]], c)
		}
	}
	out := map[rune][]rune{}
	for _, chars := range bySound {
		for _, c := range chars {
			for _, d := range chars {
				if d != c && len(out[c]) < 8 {
					out[c] = append(out[c], d)
				}
			}
		}
	}
	return out
}
