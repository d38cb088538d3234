package phrasebook_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// evalCase is one labelled utterance of testdata/eval.yaml.
type evalCase struct {
	Text  string              `yaml:"text"`
	Style string              `yaml:"style"`
	Want  []phrasebook.Intent `yaml:"want"`
	Note  string              `yaml:"note"`
	// Scenario, in the blind sets, is the scenario the reply is said in:
	// it is matched with that scenario's own entries, and Items are the
	// scenario's checklist items it should satisfy.
	Scenario string   `yaml:"scenario"`
	Items    []string `yaml:"items"`
	// NotItems are checklist items the reply must not satisfy.
	NotItems []string `yaml:"not_items"`
	// Values are the typed values the reply should be read to carry.
	Values []blindValue `yaml:"values"`
}

// blindValue is an expected typed value: its type and the fields given.
type blindValue struct {
	Type    phrase.ValueType `yaml:"type"`
	Seconds int64            `yaml:"seconds"`
	At      string           `yaml:"at"`
	Day     *int             `yaml:"day_offset"`
	Amount  float64          `yaml:"amount"`
	Unit    string           `yaml:"unit"`
	Digits  string           `yaml:"digits"`
	Count   int              `yaml:"count"`
}

type evalFile struct {
	Cases []evalCase `yaml:"cases"`
}

// counts tallies one intent's or kind's results.
type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// evalResult is how a matcher did on the evaluation set.
type evalResult struct {
	cases, entries int
	perIntent      map[phrasebook.Intent]*counts
	perKind        map[phrasebook.Kind]*counts
	// misses lists every false and missed intent with its utterance.
	misses []string
}

// loadEval reads the labelled utterances of testdata/eval.yaml.
func loadEval(tb testing.TB) []evalCase {
	tb.Helper()
	data, err := os.ReadFile("testdata/eval.yaml")
	require.NoError(tb, err)
	var f evalFile
	_, err = yamlfile.Decode("testdata/eval.yaml", data, 1<<20, &f)
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, len(f.Cases), 300, "the evaluation set needs at least 300 utterances")
	for i, c := range f.Cases {
		for _, w := range c.Want {
			_, ok := phrasebook.LookupIntent(w)
			require.True(tb, ok, "case %d (%s): unknown intent %q", i, c.Text, w)
		}
	}
	return f.Cases
}

// evaluate matches every case with m and counts, per intent and per kind,
// the intents it found rightly, wrongly and not at all.
func evaluate(m *phrasebook.Matcher, cases []evalCase) evalResult {
	return evaluateIn(m, cases, func(evalCase) phrasebook.Filter { return phrasebook.Filter{} })
}

// evaluateIn is evaluate with the filter each case is matched under.
func evaluateIn(m *phrasebook.Matcher, cases []evalCase, filter func(evalCase) phrasebook.Filter) evalResult {
	kindOf := map[phrasebook.Intent]phrasebook.Kind{}
	for _, info := range phrasebook.Intents() {
		kindOf[info.Intent] = info.Kind
	}
	r := evalResult{
		cases:     len(cases),
		entries:   m.Len(),
		perIntent: map[phrasebook.Intent]*counts{},
		perKind:   map[phrasebook.Kind]*counts{phrasebook.Required: {}, phrasebook.Forbidden: {}},
	}
	tally := func(in phrasebook.Intent, f func(*counts)) {
		if r.perIntent[in] == nil {
			r.perIntent[in] = &counts{}
		}
		f(r.perIntent[in])
		if k, ok := r.perKind[kindOf[in]]; ok {
			f(k)
		}
	}
	for _, c := range cases {
		got := map[phrasebook.Intent]bool{}
		for _, h := range m.Match(c.Text, filter(c)) {
			got[h.Intent] = true
		}
		want := map[phrasebook.Intent]bool{}
		for _, w := range c.Want {
			want[w] = true
		}
		for in := range got {
			if want[in] {
				tally(in, func(c *counts) { c.tp++ })
			} else {
				tally(in, func(c *counts) { c.fp++ })
				r.misses = append(r.misses, fmt.Sprintf("false %-13s %s", in, c.Text))
			}
		}
		for in := range want {
			if !got[in] {
				tally(in, func(c *counts) { c.fn++ })
				r.misses = append(r.misses, fmt.Sprintf("missed %-12s %s", in, c.Text))
			}
		}
	}
	sort.Strings(r.misses)
	return r
}

// kindTable prints the per-kind rows of r.
func (r evalResult) kindTable() string {
	var b strings.Builder
	for _, k := range []phrasebook.Kind{phrasebook.Required, phrasebook.Forbidden} {
		c := r.perKind[k]
		fmt.Fprintf(&b, "%-14s %5d %5d %5d %9.3f %6.3f\n", "["+k+"]", c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	return b.String()
}

// String prints the per-intent and per-kind table and the misses.
func (r evalResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d utterances, %d entries\n%-14s %5s %5s %5s %9s %6s\n", r.cases, r.entries, "intent", "tp", "fp", "fn", "precision", "recall")
	var names []string
	for in := range r.perIntent {
		names = append(names, string(in))
	}
	sort.Strings(names)
	for _, in := range names {
		c := r.perIntent[phrasebook.Intent(in)]
		fmt.Fprintf(&b, "%-14s %5d %5d %5d %9.3f %6.3f\n", in, c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	b.WriteString(r.kindTable())
	b.WriteString(strings.Join(r.misses, "\n"))
	return b.String()
}

// TestEvaluation measures the built-in matcher on the labelled utterances
// and holds it to the quality bars: a forbidden phrase that slips through,
// or a right answer marked wrong, is what users complain about most. Run
// with -v to see the per-intent table.
func TestEvaluation(t *testing.T) {
	cases := loadEval(t)
	entries, err := phrasebook.Builtin()
	require.NoError(t, err)
	m, err := phrasebook.New(entries)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })

	r := evaluate(m, cases)
	t.Log("\n" + r.String())
	fb, req := r.perKind[phrasebook.Forbidden], r.perKind[phrasebook.Required]
	assert.GreaterOrEqual(t, fb.precision(), 0.98, "forbidden precision")
	assert.GreaterOrEqual(t, fb.recall(), 0.95, "forbidden recall")
	assert.GreaterOrEqual(t, req.recall(), 0.90, "required recall")
}

// TestBuiltinCoversEveryIntent checks the embedded phrasebook's size and
// that every canonical intent can be recognised.
func TestBuiltinCoversEveryIntent(t *testing.T) {
	entries, err := phrasebook.Builtin()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(entries), 200)
	have := map[phrasebook.Intent]int{}
	for _, e := range entries {
		have[e.Intent]++
		assert.NotEmpty(t, e.Source, "entry %s has no source note", e.ID)
	}
	for _, info := range phrasebook.Intents() {
		assert.Positive(t, have[info.Intent], "no entry for intent %s", info.Intent)
	}
}
