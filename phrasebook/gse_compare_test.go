//go:build gse

// The analyzer comparison of ANALYZERS.md: bleve's cjk bigrams against the
// gse word segmenter plugged in as a bleve tokenizer. gse takes seconds and
// a large heap to load, so it is built only with -tags gse:
//
//	go test -tags gse -run Compare -v ./phrasebook
//	go test -tags gse -run '^$' -bench Analyzer -benchtime 500x ./phrasebook

package phrasebook_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/go-ego/gse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/phrasebook"
)

// The gse analyzers: words as gse cuts them (its accurate mode, with the
// HMM guessing words its dictionary lacks), and the same plus the two- and
// three-character dictionary words inside each longer word (its search
// mode, what gse recommends for indexing).
const (
	gseWords  = "gse"
	gseSearch = "gse-search"
)

// compared lists the analyzers measured, the default first.
var compared = []string{cjk.AnalyzerName, gseWords, gseSearch}

// gseLoaded is what loading gse cost.
type gseLoaded struct {
	took   time.Duration
	heapMB float64
}

// loadGSE loads gse's Simplified Chinese dictionary (replies are
// normalised to Simplified before they are analysed) and registers the
// gse tokenizers and analyzers with bleve, once per test binary: bleve's
// registry refuses a second registration of a name.
var loadGSE = sync.OnceValues(func() (gseLoaded, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	seg, err := gse.NewEmbed("zh_s")
	if err != nil {
		return gseLoaded{}, fmt.Errorf("load gse dictionary: %w", err)
	}
	seg.SkipLog = true
	// The HMM model is what Cut(s, true) uses for words not in the
	// dictionary; loading it is part of the cost.
	seg.LoadModel()
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, name := range []string{gseWords, gseSearch} {
		tok := gseTokenizer{seg: &seg, search: name == gseSearch}
		err := registry.RegisterTokenizer(name, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
			return tok, nil
		})
		if err != nil {
			return gseLoaded{}, fmt.Errorf("register tokenizer %s: %w", name, err)
		}
		err = registry.RegisterAnalyzer(name, func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
			t, err := cache.TokenizerNamed(name)
			if err != nil {
				return nil, err
			}
			width, err := cache.TokenFilterNamed(cjk.WidthName)
			if err != nil {
				return nil, err
			}
			lower, err := cache.TokenFilterNamed(lowercase.Name)
			if err != nil {
				return nil, err
			}
			// The same filters as cjk's analyzer, with gse's words in
			// place of its bigrams.
			return &analysis.DefaultAnalyzer{Tokenizer: t, TokenFilters: []analysis.TokenFilter{width, lower}}, nil
		})
		if err != nil {
			return gseLoaded{}, fmt.Errorf("register analyzer %s: %w", name, err)
		}
	}
	return gseLoaded{took: took, heapMB: float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)}, nil
})

// gseTokenizer is a bleve tokenizer that cuts text into words with gse.
type gseTokenizer struct {
	seg    *gse.Segmenter
	search bool
}

// Tokenize returns gse's words of input with their byte offsets; in
// search mode each word is preceded by the dictionary words inside it.
func (t gseTokenizer) Tokenize(input []byte) analysis.TokenStream {
	s := string(input)
	var out analysis.TokenStream
	add := func(start, end int) {
		typ := analysis.AlphaNumeric
		if r, _ := utf8.DecodeRuneInString(s[start:]); unicode.Is(unicode.Han, r) {
			typ = analysis.Ideographic
		}
		out = append(out, &analysis.Token{Term: input[start:end:end], Start: start, End: end, Position: len(out) + 1, Type: typ})
	}
	off := 0
	for _, w := range t.seg.Cut(s, true) {
		i := strings.Index(s[off:], w)
		if w == "" || i < 0 {
			// gse cuts the text into consecutive pieces; a piece that is
			// not there would be a gse bug, and dropping it loses one term.
			continue
		}
		start := off + i
		off = start + len(w)
		if t.search {
			t.inner(w, start, add)
		}
		add(start, off)
	}
	return out
}

// inner adds the two- and three-character dictionary words inside w, which
// starts at byte start, as gse's CutSearch does.
func (t gseTokenizer) inner(w string, start int, add func(start, end int)) {
	var at []int // byte offset of each rune of w, and len(w)
	for i := range w {
		at = append(at, i)
	}
	at = append(at, len(w))
	runes := len(at) - 1
	for _, n := range []int{2, 3} {
		for i := 0; i+n <= runes && n < runes; i++ {
			if freq, _, ok := t.seg.Find(w[at[i]:at[i+n]]); ok && freq > 0 {
				add(start+at[i], start+at[i+n])
			}
		}
	}
}

// analyzerRow is one analyzer's line of the comparison.
type analyzerRow struct {
	name  string
	build time.Duration
	eval  evalResult
}

// TestAnalyzerCompare runs the evaluation set through a matcher on each
// analyzer and prints the per-kind table of each, so that the default can
// be chosen on numbers. It fails if the default is worse than an
// alternative on a quality bar, which is when ANALYZERS.md needs a new
// decision.
func TestAnalyzerCompare(t *testing.T) {
	loaded, err := loadGSE()
	require.NoError(t, err)
	cases := loadEval(t)
	entries, err := phrasebook.Builtin()
	require.NoError(t, err)

	var rows []analyzerRow
	for _, name := range compared {
		// A first build pays for bleve's and the analyzer's lazy set-up;
		// the row reports the second.
		warm, err := phrasebook.NewWithAnalyzer(entries, name)
		require.NoError(t, err, name)
		require.NoError(t, warm.Close())
		start := time.Now()
		m, err := phrasebook.NewWithAnalyzer(entries, name)
		require.NoError(t, err, name)
		build := time.Since(start)
		rows = append(rows, analyzerRow{name: name, build: build, eval: evaluate(m, cases)})
		require.NoError(t, m.Close())
	}

	var b strings.Builder
	fmt.Fprintf(&b, "gse load (zh_s dictionary + HMM model): %v, heap %.0f MB\n", loaded.took.Round(time.Millisecond), loaded.heapMB)
	fmt.Fprintf(&b, "%-11s %-14s %5s %5s %5s %9s %6s  %s\n", "analyzer", "kind", "tp", "fp", "fn", "precision", "recall", "build (built-ins)")
	for _, r := range rows {
		for i, line := range strings.Split(strings.TrimSuffix(r.eval.kindTable(), "\n"), "\n") {
			build := ""
			if i == 0 {
				build = r.build.Round(time.Millisecond).String()
			}
			fmt.Fprintf(&b, "%-11s %s  %s\n", r.name, line, build)
		}
	}
	t.Log("\n" + b.String())
	for _, r := range rows[1:] {
		t.Logf("only %s gets wrong:\n%s\nonly %s gets wrong:\n%s", r.name, strings.Join(onlyIn(r.eval.misses, rows[0].eval.misses), "\n"),
			rows[0].name, strings.Join(onlyIn(rows[0].eval.misses, r.eval.misses), "\n"))
	}

	def := rows[0].eval.perKind
	for _, r := range rows[1:] {
		alt := r.eval.perKind
		assert.GreaterOrEqual(t, def[phrasebook.Forbidden].precision(), alt[phrasebook.Forbidden].precision(), "forbidden precision: %s beats the default", r.name)
		assert.GreaterOrEqual(t, def[phrasebook.Forbidden].recall(), alt[phrasebook.Forbidden].recall(), "forbidden recall: %s beats the default", r.name)
		assert.GreaterOrEqual(t, def[phrasebook.Required].recall(), alt[phrasebook.Required].recall(), "required recall: %s beats the default", r.name)
	}
}

// onlyIn returns the lines of a that b lacks.
func onlyIn(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestGSETokenizerOffsets checks that every token the gse tokenizers emit
// is the text at its offsets, so bleve can use them like any tokenizer's.
func TestGSETokenizerOffsets(t *testing.T) {
	_, err := loadGSE()
	require.NoError(t, err)
	cache := registry.NewCache()
	for _, name := range []string{gseWords, gseSearch} {
		tok, err := cache.TokenizerNamed(name)
		require.NoError(t, err)
		for _, text := range []string{"您好暖心供热公司请问有什么可以帮您", "共热公司2到4小时内上门", "这个不归我管", "abc123您好"} {
			ts := tok.Tokenize([]byte(text))
			require.NotEmpty(t, ts, "%s: %s", name, text)
			for _, tk := range ts {
				assert.Equal(t, text[tk.Start:tk.End], string(tk.Term), "%s: %s", name, text)
			}
		}
	}
}

// BenchmarkAnalyzer matches the synthetic replies against the 10,000-entry
// synthetic phrasebook on each analyzer, reporting the build time of the
// index, the heap it keeps, the latency distribution of single replies, what
// cutting a reply into terms costs alone, how many wordings are verified
// against every reply for want of a signature and, for gse, the cost of
// loading the segmenter.
func BenchmarkAnalyzer(b *testing.B) {
	loaded, err := loadGSE()
	if err != nil {
		b.Fatal(err)
	}
	entries := syntheticBook(b, 10000, false)
	replies := syntheticReplies(2000)
	for _, name := range compared {
		b.Run(name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			m, err := phrasebook.NewWithAnalyzer(entries, name)
			if err != nil {
				b.Fatal(err)
			}
			build := time.Since(start)
			runtime.GC()
			runtime.ReadMemStats(&after)
			defer m.Close()
			// What cutting a reply into terms costs on its own.
			an, err := registry.NewCache().AnalyzerNamed(name)
			if err != nil {
				b.Fatal(err)
			}
			start = time.Now()
			for _, r := range replies {
				an.Analyze([]byte(r))
			}
			analyze := time.Since(start) / time.Duration(len(replies))
			measureMatches(b, m, replies)
			b.ReportMetric(float64(analyze.Nanoseconds()), "analyze-ns")
			b.ReportMetric(float64(m.AlwaysChecked()), "always-checked")
			b.ReportMetric(float64(m.Wordings()), "wordings")
			b.ReportMetric(float64(build.Milliseconds()), "build-ms")
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MB")
			if name != cjk.AnalyzerName {
				b.ReportMetric(float64(loaded.took.Milliseconds()), "gse-load-ms")
			}
		})
	}
}
