package phrasebook

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
)

// sigField is the indexed field: the signature terms of a wording.
const sigField = "sig"

// Matcher finds phrasebook entries in utterances. Candidates come from a
// bleve index of every wording (text and variants, normalised, cut into
// bigrams by bleve's cjk analyzer); each candidate is then verified against
// the utterance, so a hit carries the span it matched and how closely. It
// is safe for concurrent use.
//
// Only a wording's signature is indexed: its 2b+1 rarest bigrams, where b
// is how many bigrams the slips it tolerates can break. A wording can only
// match if one of them is in the utterance, so common bigrams (您好, 公司,
// 请问) shared by thousands of wordings are rarely looked up and never make
// a query walk the whole index.
type Matcher struct {
	entries  []Entry
	byID     map[string]int
	forms    []form
	index    bleve.Index
	analyzer analysis.Analyzer
	// sigDF counts the signatures each term is in: the length of its
	// posting list in the index.
	sigDF map[string]int
	// always holds the wordings too short to have a signature that a
	// tolerated slip could not break; they are checked against every
	// utterance instead of being looked up.
	always []int
	// scoped holds each scenario's own wordings. There are few, and a
	// scenario grades them, so they are verified on every utterance of its
	// calls rather than left to the ranking.
	scoped map[string][]int
}

// form is one wording of an entry, prepared for verification.
type form struct {
	entry  int
	runes  []rune
	text   string
	sounds []sound
	terms  []string
	// budget is the edit cost the wording tolerates, in half edits (see
	// budgetFor); zero means it must occur exactly.
	budget int
	except []string
}

// New indexes entries and returns a Matcher over them. The entries are
// copied; ids must be unique.
func New(entries []Entry) (*Matcher, error) {
	return newMatcher(entries, cjk.AnalyzerName)
}

// newMatcher is New with the bleve analyzer that cuts wordings and replies
// into index terms named by analyzer. It exists so that the analyzer can be
// measured: ANALYZERS.md compares cjk bigrams with the gse word segmenter
// (gse_compare_test.go, build tag gse), which is too slow to load and too
// large to be in the default build.
func newMatcher(entries []Entry, analyzer string) (*Matcher, error) {
	if err := CheckUnique(entries); err != nil {
		return nil, fmt.Errorf("build matcher: %w", err)
	}
	im := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	fm := bleve.NewTextFieldMapping()
	fm.Analyzer = keyword.Name
	fm.Store = false
	fm.IncludeInAll = false
	fm.IncludeTermVectors = false
	fm.DocValues = false
	doc.AddFieldMappingsAt(sigField, fm)
	im.DefaultMapping = doc
	im.DefaultAnalyzer = keyword.Name
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	// scorch with an empty path keeps the index in memory and builds far
	// faster than NewMemOnly's upsidedown backend.
	idx, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("build matcher: create index: %w", err)
	}
	m := &Matcher{
		entries:  slices.Clone(entries),
		byID:     make(map[string]int, len(entries)),
		index:    idx,
		analyzer: im.AnalyzerNamed(analyzer),
		sigDF:    make(map[string]int),
		scoped:   make(map[string][]int),
	}
	if m.analyzer == nil {
		return nil, errors.Join(fmt.Errorf("build matcher: analyzer %q not registered", analyzer), idx.Close())
	}
	df := map[string]int{}
	for i := range m.entries {
		e := &m.entries[i]
		m.byID[e.ID] = i
		var except []string
		for _, x := range e.Except {
			except = append(except, Normalize(x).String())
		}
		seen := map[string]bool{}
		for _, text := range e.Forms() {
			n := Normalize(text)
			s := n.String()
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			f := form{entry: i, runes: n.Runes, sounds: soundsOf(n.Runes), text: s, terms: m.terms(s), except: except}
			if e.Kind != Forbidden {
				// Forbidden wordings match exactly: a polite reply that
				// is one character away from a deflection is not one.
				f.budget = budgetFor(len(n.Runes))
			}
			for _, t := range f.terms {
				df[t]++
			}
			m.forms = append(m.forms, f)
		}
	}
	batch := idx.NewBatch()
	for i := range m.forms {
		f := &m.forms[i]
		if scope := m.entries[f.entry].Scope; scope != "" {
			m.scoped[scope] = append(m.scoped[scope], i)
		}
		// Each half edit of the budget breaks at most two bigrams.
		broken := 2 * f.budget
		if len(f.terms) <= broken {
			m.always = append(m.always, i)
			continue
		}
		sig := slices.Clone(f.terms)
		slices.SortFunc(sig, func(a, b string) int {
			if df[a] != df[b] {
				return df[a] - df[b]
			}
			return strings.Compare(a, b)
		})
		sig = sig[:broken+1]
		for _, t := range sig {
			m.sigDF[t]++
		}
		if err := batch.Index(strconv.Itoa(i), map[string]any{sigField: sig}); err != nil {
			return nil, errors.Join(fmt.Errorf("build matcher: index %s: %w", m.entries[f.entry].ID, err), idx.Close())
		}
		if batch.Size() >= 5000 {
			if err := idx.Batch(batch); err != nil {
				return nil, errors.Join(fmt.Errorf("build matcher: %w", err), idx.Close())
			}
			batch.Reset()
		}
	}
	if err := idx.Batch(batch); err != nil {
		return nil, errors.Join(fmt.Errorf("build matcher: %w", err), idx.Close())
	}
	return m, nil
}

// Edit costs of verification, in half edits. A character that sounds the
// same (a dictation slip) and a filler character the trainee added (有什么
// 可以帮到您) cost half; a different or missing character costs a whole edit.
const (
	costHomophone = 1
	costExtra     = 1
	costOther     = 2
)

// budgetFor is the cost a required wording of n characters tolerates: half
// an edit up to seven characters (one slip that sounds right, or one added
// character from four characters on), one more half per four characters
// after that. 供热公司 matches 共热公司 but never 供电公司.
func budgetFor(n int) int {
	switch {
	case n < 2:
		return 0
	case n < 8:
		return 1
	default:
		return n / 4
	}
}

// terms returns the distinct index terms of normalised text.
func (m *Matcher) terms(s string) []string {
	tokens := m.analyzer.Analyze([]byte(s))
	out := make([]string, 0, len(tokens))
	for _, t := range tokens {
		term := string(t.Term)
		if !slices.Contains(out, term) {
			out = append(out, term)
		}
	}
	return out
}

// Close releases the index.
func (m *Matcher) Close() error { return m.index.Close() }

// Len returns the number of entries.
func (m *Matcher) Len() int { return len(m.entries) }

// Entries returns the entries the matcher was built from.
func (m *Matcher) Entries() []Entry { return slices.Clone(m.entries) }

// Entry returns the entry with the given id.
func (m *Matcher) Entry(id string) (Entry, bool) {
	i, ok := m.byID[id]
	if !ok {
		return Entry{}, false
	}
	return m.entries[i], true
}

// Match returns the entries allowed by f that text says, ordered by where
// they start. Start and End are rune offsets into text as given.
func (m *Matcher) Match(text string, f Filter) []Hit {
	n := Normalize(text)
	if len(n.Runes) == 0 {
		return nil
	}
	u := newUtterance(n)
	replyTerms := map[string]bool{}
	for _, t := range m.terms(u.text) {
		replyTerms[t] = true
	}
	cands := append(m.candidates(replyTerms), m.scoped[f.Scope]...)
	best := map[int]found{}
	for _, fi := range cands {
		fm := &m.forms[fi]
		e := &m.entries[fm.entry]
		if !f.Allows(e) {
			continue
		}
		if fm.budget > 0 && covered(fm.terms, replyTerms) < len(fm.terms)-2*fm.budget {
			continue
		}
		start, end, score, ok := u.find(fm)
		if !ok {
			continue
		}
		span := n.OrigSpan(start, end)
		h := Hit{ID: e.ID, Intent: e.Intent, Kind: e.Kind, Score: score, Start: span.Start, End: span.End, Suggestion: e.Suggestion}
		if old, seen := best[fm.entry]; !seen || better(h, old.Hit) {
			best[fm.entry] = found{h, e.Scope != ""}
		}
	}
	hits := make([]found, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	return dedupe(hits)
}

// candidates returns the wordings worth verifying: those whose signature
// shares a term with the utterance, found through the index, plus the
// wordings checked every time.
func (m *Matcher) candidates(replyTerms map[string]bool) []int {
	// Look up the reply's rarest terms first, up to maxPostings postings
	// in all: that bounds the work of one query however long or common the
	// reply. A wording found only through the commonest terms of a long
	// reply can be missed; the benchmark's hits/op shows how often.
	terms := make([]string, 0, len(replyTerms))
	for t := range replyTerms {
		if m.sigDF[t] > 0 {
			terms = append(terms, t)
		}
	}
	slices.SortFunc(terms, func(a, b string) int {
		if d := m.sigDF[a] - m.sigDF[b]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	var qs []query.Query
	postings := 0
	for _, t := range terms {
		postings += m.sigDF[t]
		if postings > maxPostings && len(qs) > 0 {
			break
		}
		tq := bleve.NewTermQuery(t)
		tq.SetField(sigField)
		qs = append(qs, tq)
	}
	out := slices.Clone(m.always)
	if len(qs) == 0 {
		return out
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), maxCandidates, 0, false)
	res, err := m.index.SearchInContext(context.Background(), req)
	if err != nil {
		// The index is in memory and the query well formed: a failure
		// here is a bug, and the always-checked wordings still give the
		// best answer available rather than none.
		return out
	}
	for _, h := range res.Hits {
		if i, err := strconv.Atoi(h.ID); err == nil {
			out = append(out, i)
		}
	}
	return out
}

func covered(terms []string, in map[string]bool) int {
	n := 0
	for _, t := range terms {
		if in[t] {
			n++
		}
	}
	return n
}

// better orders two hits of one entry: closer first, then longer.
func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.End-a.Start != b.End-b.Start {
		return a.End-a.Start > b.End-b.Start
	}
	return a.Start < b.Start
}

// found is a hit and whether its entry is a scenario's own key point.
type found struct {
	Hit
	scoped bool
}

// dedupe sorts hits by position after dropping those a better hit shadows:
//   - a hit overlapping a better hit of the same intent, so that one phrase
//     reports once however many wordings of it matched; a scenario's own key
//     point is never shadowed by a shared entry, since the scenario grades it;
//   - a near match overlapping an exact match of another intent: 请问有什么
//     可以帮您 offers help, though it is one character from 还有什么可以帮您.
func dedupe(hits []found) []Hit {
	sort.Slice(hits, func(i, j int) bool {
		if better(hits[i].Hit, hits[j].Hit) != better(hits[j].Hit, hits[i].Hit) {
			return better(hits[i].Hit, hits[j].Hit)
		}
		return hits[i].ID < hits[j].ID
	})
	var kept []Hit
	var keptScoped []bool
	for _, h := range hits {
		shadowed := false
		for i, k := range kept {
			if !(h.Start < k.End && k.Start < h.End) {
				continue
			}
			sameIntent := k.Intent == h.Intent && (keptScoped[i] || !h.scoped)
			if sameIntent || (k.Intent != h.Intent && k.Score == 1 && h.Score < 1) {
				shadowed = true
				break
			}
		}
		if !shadowed {
			kept = append(kept, h.Hit)
			keptScoped = append(keptScoped, h.scoped)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].Start != kept[j].Start {
			return kept[i].Start < kept[j].Start
		}
		if kept[i].End != kept[j].End {
			return kept[i].End < kept[j].End
		}
		return kept[i].ID < kept[j].ID
	})
	return kept
}

// utterance is a normalised reply with what verification needs.
type utterance struct {
	runes  []rune
	sounds []sound
	text   string
	// byteAt[i] is the byte offset of rune i in text.
	byteAt []int
}

func newUtterance(n Normalized) *utterance {
	u := &utterance{runes: n.Runes, sounds: soundsOf(n.Runes), byteAt: make([]int, len(n.Runes)+1)}
	var b strings.Builder
	for i, r := range n.Runes {
		u.byteAt[i] = b.Len()
		b.WriteRune(r)
	}
	u.byteAt[len(n.Runes)] = b.Len()
	u.text = b.String()
	return u
}

// runeIndex converts a byte offset of text into a rune offset.
func (u *utterance) runeIndex(b int) int {
	i, _ := slices.BinarySearch(u.byteAt, b)
	return i
}

// find verifies one wording against the utterance and returns the span of
// normalised runes it matched and a score in (0, 1].
func (u *utterance) find(f *form) (start, end int, score float64, ok bool) {
	if f.budget == 0 {
		return u.exact(f)
	}
	extra := costExtra
	if len(f.runes) < 4 {
		// In a two- or three-character wording an added character
		// changes the word (您好 → 您不好).
		extra = costOther
	}
	d, s, e := fuzzy(f.runes, f.sounds, u.runes, u.sounds, extra, f.budget)
	if d > f.budget {
		return 0, 0, 0, false
	}
	return s, e, round3(1 - float64(d)/float64(2*len(f.runes))), true
}

// exact finds the first occurrence of the wording that no exception covers.
func (u *utterance) exact(f *form) (start, end int, score float64, ok bool) {
	for from := 0; from <= len(u.text); {
		i := strings.Index(u.text[from:], f.text)
		if i < 0 {
			return 0, 0, 0, false
		}
		b := from + i
		s := u.runeIndex(b)
		e := s + len(f.runes)
		if !u.excepted(f.except, s, e) {
			return s, e, 1, true
		}
		from = b + len(string(f.runes[0]))
	}
	return 0, 0, 0, false
}

// excepted reports whether [s, e) lies inside an occurrence of one of the
// exception wordings.
func (u *utterance) excepted(except []string, s, e int) bool {
	for _, x := range except {
		for from := 0; from < len(u.text); {
			i := strings.Index(u.text[from:], x)
			if i < 0 {
				break
			}
			xs := u.runeIndex(from + i)
			xe := xs + len([]rune(x))
			if xs <= s && e <= xe {
				return true
			}
			from += i + 1
			for from < len(u.text) && u.text[from]&0xC0 == 0x80 {
				from++
			}
		}
	}
	return false
}

// fuzzy returns the smallest weighted edit cost between p and any
// substring of t (Sellers' algorithm), with that substring's rune span, or
// a cost above budget when there is none within it. extra is the cost of a
// character t has and p lacks. Rows that already cost more than budget are
// not computed (Ukkonen's cut-off): most candidates fail within a few rows.
func fuzzy(p []rune, ps []sound, t []rune, ts []sound, extra, budget int) (cost, start, end int) {
	m := len(p)
	over := budget + 1
	var buf [4 * 33]int
	var prev, prevStart, cur, curStart []int
	if m+1 <= 33 {
		prev, prevStart, cur, curStart = buf[0:m+1], buf[33:33+m+1], buf[66:66+m+1], buf[99:99+m+1]
	} else {
		all := make([]int, 4*(m+1))
		prev, prevStart, cur, curStart = all[0:m+1], all[m+1:2*(m+1)], all[2*(m+1):3*(m+1)], all[3*(m+1):]
	}
	// last is the deepest row whose cost is within budget; rows below it
	// count as over budget.
	last := 0
	for i := range prev {
		prev[i] = min(i*costOther, over)
		if prev[i] <= budget {
			last = i
		}
	}
	cost, start, end = math.MaxInt, 0, 0
	for j := 1; j <= len(t); j++ {
		cur[0], curStart[0] = 0, j
		limit := min(m, last+1)
		newLast := 0
		for i := 1; i <= limit; i++ {
			sub := 0
			if p[i-1] != t[j-1] {
				sub = costOther
				if ps[i-1].alike(ts[j-1]) {
					sub = costHomophone
				}
			}
			v, s := prev[i-1]+sub, prevStart[i-1]
			if prev[i]+extra < v {
				v, s = prev[i]+extra, prevStart[i]
			}
			if cur[i-1]+costOther < v {
				v, s = cur[i-1]+costOther, curStart[i-1]
			}
			v = min(v, over)
			cur[i], curStart[i] = v, s
			if v <= budget {
				newLast = i
			}
		}
		if limit < m {
			cur[limit+1] = over
		}
		if limit == m && cur[m] < cost {
			cost, start, end = cur[m], curStart[m], j
		}
		last = newLast
		prev, cur = cur, prev
		prevStart, curStart = curStart, prevStart
	}
	if cost > budget {
		cost = over
	}
	return cost, start, end
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// maxCandidates is how many of the best-ranked wordings bleve hands over
// for verification.
const maxCandidates = 64

// maxPostings bounds the postings one query may walk.
const maxPostings = 1500
