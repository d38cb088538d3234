package phrasebook

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
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
	entries []Entry
	byID    map[string]int
	forms   []form
	index   bleve.Index
	// reader is the index snapshot every lookup reads. The index does not
	// change after New, so one snapshot serves the matcher's whole life
	// and a reply does not open and close one of its own.
	reader index.IndexReader
	// segs are the snapshot's segments, each with the form that each of
	// its document numbers holds.
	segs []indexSegment
	// screens[i] is what form i must show in a reply to be verified, with
	// the terms, grams and runes it refers to laid out flat: one long reply
	// can offer a thousand wordings, and screening them should touch
	// little memory.
	screens     []screen
	screenTerms []int32
	screenGrams []gram
	screenRunes []rune
	screenNeed  []uint32
	analyzer    analysis.Analyzer
	// bigrams is set when analyzer is bleve's cjk analyzer, whose terms
	// cjkTerms computes without allocating for most replies.
	bigrams bool
	// termIDs numbers every term of every wording; a reply's terms that no
	// wording has cannot make a candidate and are dropped on sight.
	termIDs map[string]int32
	// termBytes[id] is the term numbered id.
	termBytes [][]byte
	// sigDF[id] counts the signatures term id is in: the length of its
	// posting list in the index.
	sigDF []int32
	// always holds the wordings too short to have a signature that a
	// tolerated slip could not break, and the patterns without anchors;
	// they are not looked up in the index but tried on every utterance
	// that has one of their keys.
	always []int32
	// keyStart and keyForms index the forms of always by their keys,
	// slots of the reply's filter one of which a reply must set for the
	// form to pass its screen: the forms keyed by slot k are those at the
	// positions keyForms[keyStart[k]:keyStart[k+1]] of always. A reply
	// tries the forms it sets a key of and those marked in unkeyed, by
	// position in always, which have no key.
	keyStart []int32
	keyForms []int32
	unkeyed  []uint64
	// scoped holds each scenario's own wordings. There are few, and a
	// scenario grades them, so they are verified on every utterance of its
	// calls rather than left to the lookup.
	scoped map[string][]int32
	// screensOff makes every candidate go to verification, and keysOff
	// every form of always a candidate; tests set them to show that the
	// screens and keys turn away nothing verification would accept.
	screensOff, keysOff bool
	// scratch holds per-reply working memory (*scratch), so that matching
	// a reply allocates little.
	scratch sync.Pool
}

// form is one wording of an entry, prepared for verification.
type form struct {
	entry  int
	runes  []rune
	text   string
	sounds []sound
	// terms are the ids of the wording's distinct index terms.
	terms []int32
	// grams are the wording's index terms in order, with the rune offset
	// where each starts.
	grams []gram
	// budget is the edit cost the wording tolerates, in half edits (see
	// budgetFor); zero means it must occur exactly.
	budget int
	except []string
	// notAfter are words that cancel a hit when said right before it,
	// unless words that cancel it when said anywhere in the reply,
	// unlessClause words that cancel it when said in its clause.
	notAfter, unless, unlessClause [][]rune
	// homophones is set on a forbidden wording that tolerates one
	// character that sounds the same (不之道 for 不知道) and nothing else.
	homophones bool
	// gap is how many filler characters the reply may insert (see
	// phrase.FillerMask); srunes and ssounds are the wording without its
	// own fillers, matched against the reply without its fillers.
	gap     int
	srunes  []rune
	ssounds []sound
	// pat is set for a pattern, which has no runes; need is its Need,
	// each beginning as the slot of the reply's filter it sets.
	pat  *phrase.Pattern
	need [][]uint32
}

// New indexes entries and returns a Matcher over them. The entries are
// copied; ids must be unique.
func New(entries []Entry) (*Matcher, error) {
	return newMatcher(entries, cjk.AnalyzerName)
}

// newMatcher is New with the bleve analyzer that cuts wordings and replies
// into index terms named by analyzer. It exists so that the analyzer can be
// measured: ANALYZERS.md records how cjk bigrams compared with the gse word
// segmenter, which is too slow to load and too large to be in the build.
// maxBookRunes bounds the characters of all wordings together, and
// maxMatchBytes the text one Match reads; both keep every count and offset
// the matcher stores in an int32.
const (
	maxBookRunes  = 1 << 28
	maxMatchBytes = 1 << 20
)

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
		bigrams:  analyzer == cjk.AnalyzerName,
		termIDs:  make(map[string]int32),
		scoped:   make(map[string][]int32),
	}
	if m.analyzer == nil {
		return nil, errors.Join(fmt.Errorf("build matcher: analyzer %q not registered", analyzer), idx.Close())
	}
	// Sizes are kept in int32 (and a wording's in int16) to keep the
	// screens small; these bounds make every such conversion exact.
	total := 0
	for i := range m.entries {
		for _, text := range m.entries[i].Forms() {
			n := len(Normalize(text).Runes)
			if n > MaxFormRunes {
				return nil, errors.Join(fmt.Errorf("build matcher: entry %s: a wording of %d characters; at most %d", m.entries[i].ID, n, MaxFormRunes), idx.Close())
			}
			total += n
		}
	}
	if total > maxBookRunes {
		return nil, errors.Join(fmt.Errorf("build matcher: the wordings hold %d characters; at most %d", total, maxBookRunes), idx.Close())
	}
	var df []int
	for i := range m.entries {
		e := &m.entries[i]
		m.byID[e.ID] = i
		var except []string
		for _, x := range e.Except {
			except = append(except, Normalize(x).String())
		}
		var notAfter, unless, unlessClause [][]rune
		for _, x := range e.NotAfter {
			notAfter = append(notAfter, Normalize(x).Runes)
		}
		for _, x := range e.Unless {
			unless = append(unless, Normalize(x).Runes)
		}
		for _, x := range e.UnlessClause {
			unlessClause = append(unlessClause, Normalize(x).Runes)
		}
		seen := map[string]bool{}
		forms := e.Forms()
		for k := 0; k < len(forms); k++ {
			text := forms[k]
			n := Normalize(text)
			s := n.String()
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			f := form{entry: i, runes: n.Runes, sounds: soundsOf(n.Runes), text: s, except: except, notAfter: notAfter, unless: unless, unlessClause: unlessClause}
			m.analyze(s, func(term []byte, pos int) {
				id, ok := m.termIDs[string(term)]
				if !ok {
					id = int32(len(m.termBytes)) // #nosec G115 -- bounded by maxBookRunes
					m.termIDs[string(term)] = id
					m.termBytes = append(m.termBytes, slices.Clone(term))
					df = append(df, 0)
				}
				f.grams = append(f.grams, gram{id, int32(pos)}) // #nosec G115 -- bounded by maxBookRunes
				if !slices.Contains(f.terms, id) {
					f.terms = append(f.terms, id)
					df[id]++
				}
			})
			if e.Kind == Forbidden && len(n.Runes) >= 3 {
				// Forbidden wordings match exactly but for a dictation
				// slip: a polite reply that is one character away from a
				// deflection is not one, but 不之道 is 不知道.
				f.budget, f.homophones = 1, true
			}
			if e.Kind != Forbidden {
				f.budget = budgetFor(len(n.Runes))
				f.gap = e.GapOrDefault()
				if f.gap > 0 && len(n.Runes) >= 3 {
					// The wording is also matched against the reply
					// without its fillers. A wording with fillers of its
					// own (我这边查到) is matched there by its bare form
					// (我查到), which counts as a wording of its own too
					// when enough is left of it to say the same thing.
					bare, _ := phrase.Strip(n.Runes, phrase.FillerMask(n.Runes))
					switch {
					case len(bare) == len(n.Runes):
						f.srunes, f.ssounds = f.runes, f.sounds
					case len(bare) >= 3:
						// Matched against the reply without fillers,
						// its bare form is what must be said.
						f.srunes, f.ssounds = bare, soundsOf(bare)
						if len(bare) >= 4 {
							forms = append(forms, string(bare))
						}
					}
				}
			}
			m.forms = append(m.forms, f)
		}
		for k, src := range e.Patterns {
			p, err := phrase.CompilePattern(src, e.Window)
			if err != nil {
				return nil, errors.Join(fmt.Errorf("build matcher: entry %s: pattern %d: %w", e.ID, k+1, err), idx.Close())
			}
			f := form{entry: i, text: src, except: except, notAfter: notAfter, unless: unless, unlessClause: unlessClause, gap: e.GapOrDefault(), pat: p}
			for _, set := range p.Need() {
				slots := make([]uint32, 0, len(set))
				for _, x := range set {
					rs := []rune(x)
					if len(rs) == 1 {
						slots = append(slots, runeSlot(rs[0]))
					} else {
						slots = append(slots, pairSlot(rs[0], rs[1]))
					}
				}
				f.need = append(f.need, slots)
			}
			for _, a := range p.Anchors() {
				id, ok := m.termIDs[a]
				if !ok {
					id = int32(len(m.termBytes)) // #nosec G115 -- bounded by maxBookRunes
					m.termIDs[a] = id
					m.termBytes = append(m.termBytes, []byte(a))
					df = append(df, 0)
				}
				f.terms = append(f.terms, id)
				df[id]++
			}
			m.forms = append(m.forms, f)
		}
	}
	m.buildScreens()
	m.sigDF = make([]int32, len(m.termBytes))
	// One batch makes one segment: a lookup then reads one term
	// dictionary, not one per batch.
	batch := idx.NewBatch()
	for i := range m.forms {
		f := &m.forms[i]
		if scope := m.entries[f.entry].Scope; scope != "" {
			m.scoped[scope] = append(m.scoped[scope], int32(i))
		}
		if f.pat != nil {
			// A pattern is found through its anchors, one of which each
			// of its matches contains; one without is tried every time.
			if len(f.terms) == 0 {
				m.always = append(m.always, int32(i))
				continue
			}
			sig := make([]string, len(f.terms))
			for k, id := range f.terms {
				m.sigDF[id]++
				sig[k] = string(m.termBytes[id])
			}
			if err := batch.Index(strconv.Itoa(i), map[string]any{sigField: sig}); err != nil {
				return nil, errors.Join(fmt.Errorf("build matcher: index %s: %w", m.entries[f.entry].ID, err), idx.Close())
			}
			continue
		}
		// Each half edit of the budget breaks at most two bigrams.
		broken := 2 * f.budget
		if len(f.terms) <= broken {
			m.always = append(m.always, int32(i))
			continue
		}
		ids := slices.Clone(f.terms)
		slices.SortFunc(ids, func(a, b int32) int {
			if df[a] != df[b] {
				return df[a] - df[b]
			}
			return bytes.Compare(m.termBytes[a], m.termBytes[b])
		})
		sig := make([]string, broken+1)
		for k, id := range ids[:broken+1] {
			m.sigDF[id]++
			sig[k] = string(m.termBytes[id])
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
	m.keyAlways()
	if err := m.openReader(); err != nil {
		return nil, errors.Join(fmt.Errorf("build matcher: %w", err), idx.Close())
	}
	m.scratch.New = func() any {
		return &scratch{
			termSeen: make([]uint32, len(m.termBytes)),
			inFirst:  make([]uint32, len(m.termBytes)),
			termAt:   make([]int32, len(m.termBytes)),
			formSeen: make([]uint32, len(m.forms)),
			tried:    make([]uint64, len(m.unkeyed)),
			dicts:    make([]segment.TermDictionary, len(m.segs)),
			lists:    make([]segment.PostingsList, len(m.segs)),
			iters:    make([]segment.PostingsIterator, len(m.segs)),
		}
	}
	return m, nil
}

// indexSegment is one segment of the index snapshot and the form each of
// its documents holds.
type indexSegment struct {
	snap   *scorch.SegmentSnapshot
	formAt []int32
}

// openReader takes the snapshot of the finished index that every lookup
// reads, and learns which form each document of each of its segments holds.
func (m *Matcher) openReader() error {
	adv, err := m.index.Advanced()
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("open index reader: %w", err)
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return errors.Join(fmt.Errorf("open index reader: got %T, want a scorch snapshot", r), r.Close())
	}
	indexed := 0
	for _, ss := range snap.Segments() {
		seg := indexSegment{snap: ss, formAt: make([]int32, ss.Segment().Count())}
		for num := range seg.formAt {
			seg.formAt[num] = -1
			if ss.Deleted() != nil && ss.Deleted().Contains(uint32(num)) {
				continue
			}
			ext, err := ss.DocID(uint64(num))
			if err != nil {
				return errors.Join(fmt.Errorf("list indexed wordings: %w", err), r.Close())
			}
			fi, err := strconv.Atoi(string(ext))
			if err != nil || fi < 0 || fi >= len(m.forms) {
				return errors.Join(fmt.Errorf("list indexed wordings: unexpected document id %q", ext), r.Close())
			}
			seg.formAt[num] = int32(fi) // #nosec G115 G109 -- 0 <= fi < len(m.forms), bounded by maxBookRunes
			indexed++
		}
		m.segs = append(m.segs, seg)
	}
	if want := len(m.forms) - len(m.always); indexed != want {
		return errors.Join(fmt.Errorf("list indexed wordings: the index holds %d, want %d", indexed, want), r.Close())
	}
	m.reader = r
	return nil
}

// screen is the test a wording must pass before it is verified: cheap
// necessary conditions of a match within its budget. A match within b half
// edits takes at most b edit steps (each costs at least half an edit);
// each step removes at most one of the wording's characters from the
// matched text and breaks at most two of its grams. So at least needRunes
// of its distinct characters occur in the reply, at least needTerms of its
// distinct terms, and at least needGrams of its grams in the places
// aligned checks. A need of zero or less always passes.
type screen struct {
	// runeMask has bit r%128 set for each of the wording's runes: without
	// leaving the screen, a reply that lacks too many of those bits turns
	// the wording away before its terms and runes are read.
	runeMask         [2]uint64
	termsLo, termsHi int32
	gramsLo, gramsHi int32
	runesLo, runesHi int32
	// needLo and needHi bound a pattern's needs in screenNeed: each set
	// of slots one of which the reply must have, after its length.
	needLo, needHi int32
	needTerms      int16
	needGrams      int16
	needRunes      int16
	budget         int16
	// pattern is set for a pattern's form, screened on its needs instead.
	pattern bool
}

// buildScreens lays out the screen of every form.
func (m *Matcher) buildScreens() {
	m.screens = make([]screen, len(m.forms))
	for i := range m.forms {
		f := &m.forms[i]
		var distinct []rune
		for _, r := range f.runes {
			if !slices.Contains(distinct, r) {
				distinct = append(distinct, r)
			}
		}
		sc := screen{
			termsLo: int32(len(m.screenTerms)), // #nosec G115 -- bounded by maxBookRunes
			gramsLo: int32(len(m.screenGrams)), // #nosec G115 -- bounded by maxBookRunes
			runesLo: int32(len(m.screenRunes)), // #nosec G115 -- bounded by maxBookRunes
			// An exact wording keeps every character.
			needRunes: int16(len(distinct) - f.budget), // #nosec G115 -- a wording has at most MaxFormRunes
			budget:    int16(f.budget),                 // #nosec G115 -- a wording has at most MaxFormRunes
		}
		if f.budget > 0 {
			// Exact wordings are not screened on terms: a reply that
			// contains one may still cut it into other terms around
			// digits and Latin letters, where tokens depend on context.
			sc.needTerms = int16(len(f.terms) - 2*f.budget) // #nosec G115 -- a wording has at most MaxFormRunes
			sc.needGrams = int16(len(f.grams) - 2*f.budget) // #nosec G115 -- a wording has at most MaxFormRunes
		}
		m.screenTerms = append(m.screenTerms, f.terms...)
		m.screenGrams = append(m.screenGrams, f.grams...)
		m.screenRunes = append(m.screenRunes, distinct...)
		for _, r := range distinct {
			sc.runeMask[(r%128)/64] |= 1 << (r % 64)
		}
		sc.pattern = f.pat != nil
		sc.needLo = int32(len(m.screenNeed)) // #nosec G115 -- each pattern adds fewer than its MaxPatternRunes characters
		for _, set := range f.need {
			m.screenNeed = append(m.screenNeed, uint32(len(set))) // #nosec G115 -- a set is a part's beginnings
			m.screenNeed = append(m.screenNeed, set...)
		}
		sc.needHi = int32(len(m.screenNeed))   // #nosec G115 -- each pattern adds fewer than its MaxPatternRunes characters
		sc.termsHi = int32(len(m.screenTerms)) // #nosec G115 -- bounded by maxBookRunes
		sc.gramsHi = int32(len(m.screenGrams)) // #nosec G115 -- bounded by maxBookRunes
		sc.runesHi = int32(len(m.screenRunes)) // #nosec G115 -- bounded by maxBookRunes
		m.screens[i] = sc
	}
}

// passes reports whether form fi passes its screen against the reply.
func (m *Matcher) passes(sc *scratch, fi int32) bool {
	s := &m.screens[fi]
	if s.pattern {
		// A pattern needs a beginning of each part it must say.
		need := m.screenNeed[s.needLo:s.needHi]
		for len(need) > 0 {
			n := need[0] + 1
			if !slices.ContainsFunc(need[1:n], sc.has) {
				return false
			}
			need = need[n:]
		}
		return true
	}
	// Each bit of the wording's mask that the reply lacks is at least one
	// character of the wording it lacks; at most budget may be missing.
	missing := bits.OnesCount64(s.runeMask[0]&^sc.runeMask[0]) + bits.OnesCount64(s.runeMask[1]&^sc.runeMask[1])
	if missing > int(s.budget) {
		return false
	}
	if s.needTerms > 0 {
		n := 0
		for _, t := range m.screenTerms[s.termsLo:s.termsHi] {
			if sc.termSeen[t] == sc.epoch {
				n++
			}
		}
		if n < int(s.needTerms) {
			return false
		}
	}
	if s.needRunes > 0 {
		n := 0
		for _, r := range m.screenRunes[s.runesLo:s.runesHi] {
			if sc.has(runeSlot(r)) {
				n++
			}
		}
		if n < int(s.needRunes) {
			return false
		}
	}
	return s.needGrams <= 0 || sc.aligned(m.screenGrams[s.gramsLo:s.gramsHi], int(s.needGrams), int(s.budget))
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

// analyze cuts normalised text into index terms and calls emit with each
// term and the rune offset in s where it starts. term is only valid during
// the call.
func (m *Matcher) analyze(s string, emit func(term []byte, pos int)) {
	if m.bigrams && cjkTerms(s, emit) {
		return
	}
	// Token offsets are in bytes; count runes as they pass, since tokens
	// come in order of their start.
	b, r := 0, 0
	for _, t := range m.analyzer.Analyze([]byte(s)) {
		if t.Start < b {
			b, r = 0, 0
		}
		for b < t.Start && b < len(s) {
			_, size := utf8.DecodeRuneInString(s[b:])
			b += size
			r++
		}
		emit(t.Term, r)
	}
}

// cjkTerms emits the terms bleve's cjk analyzer makes of s, in the same
// order, when s holds only what it can cut without the analyzer: ideographs
// of the CJK Unified Ideographs block, a-z and 0-9, which is almost every
// normalised reply. It reports false, having emitted nothing, for any other
// s. The analyzer's Unicode word segmentation makes every ideograph a token
// and every run of a-z and 0-9 one token; its bigram filter turns each run
// of ideographs into its bigrams, or into the ideograph itself when the run
// is one long. TestCJKTermsMatchAnalyzer holds the two together.
func cjkTerms(s string, emit func(term []byte, pos int)) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x4e00 && r <= 0x9fff) {
			return false
		}
	}
	var buf [128]byte
	b := buf[:0]
	if len(s) > len(buf) {
		b = make([]byte, 0, len(s))
	}
	b = append(b, s...)
	pos := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			j := i
			for j < len(b) && b[j] < utf8.RuneSelf {
				j++
			}
			emit(b[i:j], pos)
			pos += j - i
			i = j
			continue
		}
		// A run of ideographs, three bytes each.
		j := i
		for j < len(b) && b[j] >= utf8.RuneSelf {
			j += 3
		}
		if j-i == 3 {
			emit(b[i:j], pos)
		}
		for k := i; k+6 <= j; k += 3 {
			emit(b[k:k+6], pos+(k-i)/3)
		}
		pos += (j - i) / 3
		i = j
	}
	return true
}

// Close releases the index.
func (m *Matcher) Close() error {
	err := m.reader.Close()
	if cerr := m.index.Close(); err == nil {
		err = cerr
	}
	return err
}

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

// scratch is the working memory of one Match. Marks are stamped with the
// reply's epoch instead of being cleared, so a reply costs in proportion
// to its own terms and candidates, not to the size of the phrasebook.
type scratch struct {
	epoch uint32
	// termSeen[id] == epoch when the reply has term id; its occurrences
	// then start at grams[termAt[id]]. inFirst[id] == epoch when the reply
	// as said has it, not only the reply without its fillers.
	termSeen []uint32
	inFirst  []uint32
	termAt   []int32
	// formSeen[i] == epoch when form i is already a candidate.
	formSeen []uint32
	// grams are the reply's occurrences of terms some wording has, sorted
	// by term and then offset; terms lists those terms once each.
	grams  []gram
	terms  []int32
	lookup []int32
	cands  []int32
	found  []found
	// dicts, lists and iters are the term dictionary, posting list and
	// iterator of each index segment, kept from reply to reply so that a
	// lookup allocates nothing.
	dicts []segment.TermDictionary
	lists []segment.PostingsList
	iters []segment.PostingsIterator
	// filter has bit runeSlot(r) set for every rune r of the reply and
	// bit pairSlot(a, b) for every two adjacent runes; runeMask has bit
	// r%128 (see screen.runeMask).
	filter   [filterSlots / 64]uint64
	runeMask [2]uint64
	// tried marks, by position in Matcher.always, the forms checked on
	// every reply that this reply has a key of (see Matcher.keyStart).
	tried []uint64
	// diags and inWindow are the working memory of aligned.
	diags    []diag
	inWindow []int32
}

// The reply's filter has runeBitsLen slots for its characters and as many
// for its pairs of adjacent characters. Characters or pairs that share a
// slot only let a wording through to verification.
const (
	runeBitsLen = 4096
	filterSlots = 2 * runeBitsLen
)

// runeSlot is the slot of the reply's filter that character r sets.
// Runes taken from a Go string are never negative (invalid bytes decode to
// U+FFFD), so the conversions keep their values.
func runeSlot(r rune) uint32 {
	return uint32(r) % runeBitsLen // #nosec G115 -- runes of a string are in [0, 0x10FFFF]
}

// pairSlot is the slot of the reply's filter that a followed by b sets.
func pairSlot(a, b rune) uint32 {
	return runeBitsLen + (uint32(a)*31+uint32(b))%runeBitsLen // #nosec G115 -- runes of a string are in [0, 0x10FFFF]
}

// has reports whether the reply may have what sets slot.
func (sc *scratch) has(slot uint32) bool {
	return sc.filter[slot/64]&(1<<(slot%64)) != 0
}

// gram is an occurrence of index term id at rune offset pos.
type gram struct{ id, pos int32 }

// diag pairs a wording's gram k with an occurrence of its term in the
// reply at d runes after where the gram sits in the wording.
type diag struct{ d, k int32 }

// begin starts a new reply.
func (sc *scratch) begin() {
	sc.epoch++
	if sc.epoch == 0 {
		clear(sc.termSeen)
		clear(sc.inFirst)
		clear(sc.formSeen)
		sc.epoch = 1
	}
	sc.grams, sc.terms, sc.lookup, sc.cands, sc.found = sc.grams[:0], sc.terms[:0], sc.lookup[:0], sc.cands[:0], sc.found[:0]
}

// matchStats counts the work one reply took; the benchmarks report it,
// since unlike time it does not depend on what else the machine is doing.
type matchStats struct {
	// Terms is how many of the reply's terms some wording has; Looked how
	// many of them were looked up in the index, and Postings how many
	// postings those lookups read.
	Terms, Looked, Postings int
	// Candidates is how many wordings the lookups and the always-checked
	// list offered; Verified how many of them had enough of their terms in
	// the reply to be verified.
	Candidates, Verified int
}

// Match returns the entries allowed by f that text says, ordered by where
// they start. Start and End are rune offsets into text as given. Only the
// first MiB of text is read.
func (m *Matcher) Match(text string, f Filter) []Hit {
	return m.match(text, f, nil)
}

// match is Match, counting its work into st when st is not nil.
func (m *Matcher) match(text string, f Filter, st *matchStats) []Hit {
	if len(text) > maxMatchBytes {
		// Far beyond any reply (the call socket takes a few KiB); cut at
		// a character boundary so offsets stay true for what is kept.
		cut := maxMatchBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	n := Normalize(text)
	if len(n.Runes) == 0 {
		return nil
	}
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)
	sc.begin()
	u := newUtterance(n, text)
	clear(sc.filter[:])
	sc.runeMask = [2]uint64{}
	for i, r := range u.runes {
		h := runeSlot(r)
		sc.filter[h/64] |= 1 << (h % 64)
		sc.runeMask[(r%128)/64] |= 1 << (r % 64)
		if i > 0 {
			h := pairSlot(u.runes[i-1], r)
			sc.filter[h/64] |= 1 << (h % 64)
		}
	}
	if u.stripped() {
		// Terms that fillers split in the reply (报修单|了|登记) count as
		// well; screens only get looser for it.
		m.markTerms(sc, u.text, string(u.srunes))
	} else {
		m.markTerms(sc, u.text)
	}
	m.candidates(sc, st)
	for _, fi := range m.scoped[f.Scope] {
		if sc.formSeen[fi] != sc.epoch {
			sc.formSeen[fi] = sc.epoch
			sc.cands = append(sc.cands, fi)
		}
	}
	verified := 0
	for _, fi := range sc.cands {
		if !m.screensOff && !m.passes(sc, fi) {
			continue
		}
		fm := &m.forms[fi]
		e := &m.entries[fm.entry]
		if !f.Allows(e) {
			continue
		}
		verified++
		var value *phrase.Value
		start, end, score, ok := 0, 0, 0.0, false
		if fm.pat != nil {
			start, end, score, value, ok = u.findPattern(fm)
		} else {
			start, end, score, ok = u.find(fm, m.joined(sc, fi))
		}
		if !ok {
			continue
		}
		if value == nil {
			value = u.valueNear(e.Intent, start, end)
		}
		if e.Intent == "over-promise" && f.AllowsPromise(u.promiseTime(value, start, end)) {
			// A guarantee of what the norms allow (五分钟以内就到 where
			// urgent repairs are due within five minutes) is a commitment.
			continue
		}
		span := n.OrigSpan(start, end)
		if e.Kind == Forbidden && u.quoted(span) {
			// 您说"这点事也打电话"，可别这么说 reports the caller's
			// words; a forbidden phrase in quotation marks is not said.
			continue
		}
		h := Hit{ID: e.ID, Intent: e.Intent, Kind: e.Kind, Score: score, Start: span.Start, End: span.End, Suggestion: e.Suggestion, Value: value}
		k := slices.IndexFunc(sc.found, func(x found) bool { return x.entry == fm.entry })
		switch {
		case k < 0:
			sc.found = append(sc.found, found{h, fm.entry, e.Scope != "", fm.pat != nil})
		case better(h, sc.found[k].Hit):
			sc.found[k].Hit = h
			sc.found[k].pattern = fm.pat != nil
		}
	}
	if st != nil {
		st.Candidates += len(sc.cands)
		st.Verified += verified
	}
	return remedied(dedupe(sc.found), u.orig)
}

// remedies are the required intents that take a refusal out of
// deflection: 燃气不归我们管，我马上帮您联系燃气公司 says what is not the
// company's, then does something about it (commit, follow-up, ticket,
// hold). Deflection is a refusal left without one.
var remedies = []Intent{"commit", "follow-up", "ticket", "hold"}

// remedied drops every deflect hit that a remedy follows in the same
// reply; hits are sorted by position, in runes of text as typed. A
// remedy said inside a forbidden hit (您直接找维修班吧 is no dispatch) is
// none, and so is one the trainee does not take on: a wait that only
// tells the caller to wait (您等等吧), or something another party is to
// do (让他们给您想想办法).
func remedied(hits []Hit, text string) []Hit {
	last := -1
	var runes []rune
	for i, h := range hits {
		if !slices.Contains(remedies, h.Intent) || slices.ContainsFunc(hits, func(f Hit) bool {
			return f.Kind == Forbidden && f.Start < h.End && h.Start < f.End
		}) {
			continue
		}
		if !slices.ContainsFunc(hits, func(f Hit) bool { return f.Intent == "deflect" && f.End <= h.Start }) {
			last = i
			continue
		}
		if runes == nil {
			runes = []rune(text)
		}
		if !takenOn(h, runes) {
			continue
		}
		last = i
	}
	if last < 0 {
		return hits
	}
	return slices.DeleteFunc(hits, func(h Hit) bool {
		return h.Intent == "deflect" && h.End <= hits[last].Start
	})
}

// bareWait is what a wait is made of when it only asks the caller to
// wait (稍等一下, 等等): no checking, asking or staying on the line.
const bareWait = "稍等候微1一下会儿片刻吧啊哈"

// othersDo are the words that give a remedy to someone other than the
// trainee when said before it in its clause: 让他们给您想想办法,
// 物业会处理的.
var othersDo = []string{"让他们", "叫他们", "让她们", "请他们", "他们会", "他们给", "他们帮", "他们来", "人家会", "让人家", "让物业", "叫物业", "物业会", "让社区", "社区会", "让居委会", "居委会会", "让房东", "让业主", "让楼上", "让邻居"}

// takenOn reports whether the remedy hit h is one the trainee takes on.
func takenOn(h Hit, runes []rune) bool {
	said := Normalize(string(runes[h.Start:h.End])).String()
	if h.Intent == "hold" && strings.Trim(said, bareWait) == "" {
		return false
	}
	cs := h.Start
	for cs > 0 && !unicode.IsPunct(runes[cs-1]) && !unicode.IsSpace(runes[cs-1]) {
		cs--
	}
	before := Normalize(string(runes[cs:h.Start])).String()
	return !slices.ContainsFunc(othersDo, func(w string) bool { return strings.Contains(before, w) })
}

// markTerms finds the reply's occurrences of terms that some wording has
// and marks those terms.
func (m *Matcher) markTerms(sc *scratch, texts ...string) {
	for k, s := range texts {
		m.analyze(s, func(term []byte, pos int) {
			if id, ok := m.termIDs[string(term)]; ok {
				sc.grams = append(sc.grams, gram{id, int32(pos)}) // #nosec G115 -- match reads at most maxMatchBytes
				if k == 0 {
					sc.inFirst[id] = sc.epoch
				}
			}
		})
	}
	slices.SortFunc(sc.grams, func(a, b gram) int {
		if a.id != b.id {
			return int(a.id - b.id)
		}
		return int(a.pos - b.pos)
	})
	for k, g := range sc.grams {
		if sc.termSeen[g.id] != sc.epoch {
			sc.termSeen[g.id] = sc.epoch
			sc.termAt[g.id] = int32(k)
			sc.terms = append(sc.terms, g.id)
		}
	}
}

// joined reports whether leaving the reply's fillers out joins one of form
// fi's terms that the reply as said does not have (报修单|这边|登记 joins 单登):
// only then can the wording match the reply without fillers where it did
// not match the reply as said.
func (m *Matcher) joined(sc *scratch, fi int32) bool {
	s := &m.screens[fi]
	for _, t := range m.screenTerms[s.termsLo:s.termsHi] {
		if sc.termSeen[t] == sc.epoch && sc.inFirst[t] != sc.epoch {
			return true
		}
	}
	return false
}

// aligned reports whether at least need of the wording's grams occur in
// the reply in the places a match within budget half edits leaves them.
// Each half edit breaks at most two grams, and a character added or left
// out moves the grams after it by one, so the grams that survive a match
// lie on diagonals (reply offset minus wording offset) that differ by at
// most budget. Counting the same terms wherever they are lets through
// most wordings of common words in a long reply; this test does not.
func (sc *scratch) aligned(grams []gram, need, budget int) bool {
	if need <= 0 {
		return true
	}
	ds := sc.diags[:0]
	for k, g := range grams {
		if sc.termSeen[g.id] != sc.epoch {
			continue
		}
		for o := sc.termAt[g.id]; int(o) < len(sc.grams) && sc.grams[o].id == g.id; o++ {
			ds = append(ds, diag{sc.grams[o].pos - g.pos, int32(k)})
		}
	}
	sc.diags = ds
	if len(ds) < need {
		return false
	}
	slices.SortFunc(ds, func(a, b diag) int { return int(a.d - b.d) })
	// Slide a window of width budget over the diagonals, counting the
	// distinct grams inside it.
	if cap(sc.inWindow) < len(grams) {
		sc.inWindow = make([]int32, len(grams))
	}
	in := sc.inWindow[:len(grams)]
	clear(in)
	distinct, lo := 0, 0
	for _, x := range ds {
		if in[x.k] == 0 {
			distinct++
		}
		in[x.k]++
		for x.d-ds[lo].d > int32(budget) { // #nosec G115 -- a budget is a fraction of a wording of at most MaxFormRunes
			in[ds[lo].k]--
			if in[ds[lo].k] == 0 {
				distinct--
			}
			lo++
		}
		if distinct >= need {
			return true
		}
	}
	return false
}

// candidates lists in sc.cands the wordings worth verifying: those whose
// signature shares a term with the reply, read from the index's posting
// lists, plus the wordings checked every time.
//
// The posting lists are read straight from the segments of the index
// snapshot, without bleve's query, scoring and top-N collection:
// verification needs the wordings, not a ranking of them. Every candidate
// that passes its screen is verified, which is far cheaper than the
// scoring it replaces, and finds the hits a top-N cut can drop.
func (m *Matcher) candidates(sc *scratch, st *matchStats) {
	m.alwaysCandidates(sc)
	// Look up the reply's rarest terms first, up to maxPostings postings
	// in all: that bounds the work of one reply however long or common it
	// is. A wording found only through the commonest terms of a long reply
	// can be missed; the benchmark's hits/op shows how often.
	for _, id := range sc.terms {
		if m.sigDF[id] > 0 {
			sc.lookup = append(sc.lookup, id)
		}
	}
	slices.SortFunc(sc.lookup, func(a, b int32) int {
		if d := m.sigDF[a] - m.sigDF[b]; d != 0 {
			return int(d)
		}
		return bytes.Compare(m.termBytes[a], m.termBytes[b])
	})
	postings, looked := 0, 0
	for _, id := range sc.lookup {
		if postings+int(m.sigDF[id]) > maxPostings && looked > 0 {
			break
		}
		looked++
		n, err := m.readPostings(sc, id)
		postings += n
		if err != nil {
			// The index is in memory and the term well formed: a failure
			// here is a bug, and the candidates found so far still give
			// the best answer available rather than none.
			break
		}
	}
	if st != nil {
		st.Terms += len(sc.terms)
		st.Looked += looked
		st.Postings += postings
	}
}

// alwaysCandidates adds to sc.cands, in their order, the forms checked on
// every reply that the reply has a key of: the others would fail their
// screens.
func (m *Matcher) alwaysCandidates(sc *scratch) {
	tried := sc.tried
	copy(tried, m.unkeyed)
	if m.screensOff || m.keysOff {
		for p := range m.always {
			tried[p/64] |= 1 << (p % 64)
		}
	} else {
		for w, word := range sc.filter {
			for ; word != 0; word &= word - 1 {
				k := w*64 + bits.TrailingZeros64(word)
				for _, p := range m.keyForms[m.keyStart[k]:m.keyStart[k+1]] {
					tried[p/64] |= 1 << (p % 64)
				}
			}
		}
	}
	for w, word := range tried {
		for ; word != 0; word &= word - 1 {
			fi := m.always[w*64+bits.TrailingZeros64(word)]
			sc.formSeen[fi] = sc.epoch
			sc.cands = append(sc.cands, fi)
		}
	}
}

// keyAlways indexes the forms of always by their keys (see keyStart). A
// pattern's keys are the slots of the beginnings of one part it must say;
// a wording's are those of budget+1 of its characters, since a match
// within budget lacks at most budget of them. Where there is a choice,
// the slots the book's wordings set least often are taken, as those that
// replies, which say much the same, set least often too. A form with
// nothing its screen requires has no key.
func (m *Matcher) keyAlways() {
	// common[k] counts the wordings that set slot k.
	common := make([]int32, filterSlots)
	counted := make([]int, filterSlots) // the last wording counted, plus one
	for i := range m.forms {
		count := func(k uint32) {
			if counted[k] != i+1 {
				counted[k] = i + 1
				common[k]++
			}
		}
		rs := m.forms[i].runes
		for j, r := range rs {
			count(runeSlot(r))
			if j > 0 {
				count(pairSlot(rs[j-1], r))
			}
		}
	}
	byCommon := func(a, b uint32) int {
		if common[a] != common[b] {
			return int(common[a] - common[b])
		}
		return int(a) - int(b)
	}
	keys := make([][]uint32, len(m.always))
	m.unkeyed = make([]uint64, (len(m.always)+63)/64)
	m.keyStart = make([]int32, filterSlots+1)
	for p, fi := range m.always {
		f, s := &m.forms[fi], &m.screens[fi]
		var ks []uint32
		switch {
		case f.pat != nil:
			// The part whose beginnings are least common in all.
			best := -1
			for _, set := range f.need {
				n := 0
				for _, k := range set {
					n += int(common[k]) + 1
				}
				if best < 0 || n < best {
					best, ks = n, slices.Clone(set)
				}
			}
		case s.needRunes > 0:
			runes := m.screenRunes[s.runesLo:s.runesHi]
			for _, r := range runes {
				ks = append(ks, runeSlot(r))
			}
			slices.SortFunc(ks, byCommon)
			ks = ks[:len(runes)-int(s.needRunes)+1]
		}
		slices.Sort(ks)
		keys[p] = slices.Compact(ks)
		if len(keys[p]) == 0 {
			m.unkeyed[p/64] |= 1 << (p % 64)
		}
		for _, k := range keys[p] {
			m.keyStart[k+1]++
		}
	}
	for k := range filterSlots {
		m.keyStart[k+1] += m.keyStart[k]
	}
	m.keyForms = make([]int32, m.keyStart[filterSlots])
	next := slices.Clone(m.keyStart[:filterSlots])
	for p, ks := range keys {
		for _, k := range ks {
			m.keyForms[next[k]] = int32(p) // #nosec G115 -- bounded by maxBookRunes
			next[k]++
		}
	}
}

// readPostings adds the wordings in term id's posting list to sc.cands and
// returns how many postings it read.
func (m *Matcher) readPostings(sc *scratch, id int32) (int, error) {
	n := 0
	for k := range m.segs {
		seg := &m.segs[k]
		if sc.dicts[k] == nil {
			d, err := seg.snap.Segment().Dictionary(sigField)
			if err != nil {
				return n, fmt.Errorf("open term dictionary: %w", err)
			}
			sc.dicts[k] = d
		}
		pl, err := sc.dicts[k].PostingsList(m.termBytes[id], seg.snap.Deleted(), sc.lists[k])
		if err != nil {
			return n, fmt.Errorf("read postings of %q: %w", m.termBytes[id], err)
		}
		sc.lists[k] = pl
		// Frequencies, norms and locations are not read: they only feed
		// scoring.
		it := pl.Iterator(false, false, false, sc.iters[k])
		sc.iters[k] = it
		for {
			p, err := it.Next()
			if err != nil {
				return n, fmt.Errorf("read postings of %q: %w", m.termBytes[id], err)
			}
			if p == nil {
				break
			}
			n++
			num := p.Number()
			if num >= uint64(len(seg.formAt)) {
				continue
			}
			fi := seg.formAt[num]
			if fi >= 0 && sc.formSeen[fi] != sc.epoch {
				sc.formSeen[fi] = sc.epoch
				sc.cands = append(sc.cands, fi)
			}
		}
	}
	return n, nil
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

// found is a hit and whether its entry is a scenario's own key point,
// and whether a pattern made it.
type found struct {
	Hit
	entry   int
	scoped  bool
	pattern bool
}

// dedupe sorts hits by position after dropping those a better hit shadows:
//   - a hit overlapping a better hit of the same intent, so that one phrase
//     reports once however many wordings of it matched; a scenario's own key
//     point is never shadowed by a shared entry, since the scenario grades it,
//     and a forbidden one shadows the shared entries it overlaps (one offence
//     is penalised once);
//   - a near match overlapping an exact match of another intent: 请问有什么
//     可以帮您 offers help, though it is one character from 还有什么可以帮您.
//     A pattern's hit is not near but precise: one sentence can carry
//     several intents (名字和手机号报一下 asks for a name and a phone).
func dedupe(hits []found) []Hit {
	sort.Slice(hits, func(i, j int) bool {
		if fi, fj := hits[i].Kind == Forbidden, hits[j].Kind == Forbidden; fi != fj {
			return fi
		} else if fi && hits[i].scoped != hits[j].scoped {
			// One forbidden phrase is one offence: the scenario's own
			// entry, which the caller reacts to, reports it.
			return hits[i].scoped
		}
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
			sameIntent := k.Intent == h.Intent && (keptScoped[i] || !h.scoped || h.Kind == Forbidden)
			if sameIntent || (k.Intent != h.Intent && k.Score == 1 && h.Score < 1 && !h.pattern) {
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
	n      Normalized
	orig   string
	runes  []rune
	sounds []sound
	text   string
	// byteAt[i] is the byte offset of rune i in text.
	byteAt []int
	// filler marks the runes of filler words; srunes are the others, at
	// sat in runes, with their ssounds.
	filler  []bool
	srunes  []rune
	sat     []int
	ssounds []sound
	// quotes are the spans of the reply as typed that are in quotation
	// marks, found when a forbidden hit needs them.
	quotes []phrase.Span
	// pause marks the runes a pause comes before (phrase.Pauses), found
	// when a pattern or a clause needs them.
	pause []bool
	// values and input are read when a pattern or commitment needs them.
	values []phrase.ValueSpan
	read   bool
	input  *phrase.Input
}

func newUtterance(n Normalized, orig string) *utterance {
	u := &utterance{n: n, orig: orig, runes: n.Runes, sounds: soundsOf(n.Runes), byteAt: make([]int, len(n.Runes)+1)}
	var b strings.Builder
	for i, r := range n.Runes {
		u.byteAt[i] = b.Len()
		b.WriteRune(r)
	}
	u.byteAt[len(n.Runes)] = b.Len()
	u.text = b.String()
	u.filler = phrase.FillerMask(n.Runes)
	if slices.Contains(u.filler, true) {
		u.srunes, u.sat = phrase.Strip(n.Runes, u.filler)
		u.ssounds = soundsOf(u.srunes)
	}
	return u
}

// stripped reports whether the reply has filler words to leave out.
func (u *utterance) stripped() bool { return u.sat != nil }

// valueSpans returns the reply's typed values.
func (u *utterance) valueSpans() []phrase.ValueSpan {
	if !u.read {
		u.values, u.read = phrase.Values(u.n, u.orig), true
	}
	return u.values
}

// findPattern matches a pattern form, skipping matches inside exceptions.
func (u *utterance) findPattern(f *form) (start, end int, score float64, value *phrase.Value, ok bool) {
	if u.input == nil {
		u.input = phrase.NewInput(u.runes, u.filler, u.valueSpans())
		u.input.Pause = u.pauses()
		table := soundTable()
		u.input.Alike = func(a, b rune) bool { return table[a].alike(table[b]) }
	}
	for from := 0; from < len(u.runes); {
		pm, ok := f.pat.FindFrom(u.input, f.gap, from)
		if !ok {
			return 0, 0, 0, nil, false
		}
		if !u.vetoed(f, pm.Start, pm.End) {
			return pm.Start, pm.End, round3(0.95 - 0.01*float64(pm.Skipped) - 0.02*float64(pm.Slips)), pm.Value, true
		}
		from = pm.Start + 1
	}
	return 0, 0, 0, nil, false
}

// valueNear returns the value said with a hit of intent i at [start,
// end): one that overlaps it, or the nearest within a few characters before
// or after. A commitment or a promised call back carries its time, an
// explanation the amount it names; other intents carry no value.
func (u *utterance) valueNear(i Intent, start, end int) *phrase.Value {
	var fits func(phrase.ValueType) bool
	switch i {
	case "commit", "follow-up":
		fits = phrase.ValueType.IsTime
	case "explain":
		fits = func(t phrase.ValueType) bool { return t == phrase.Amount }
	default:
		return nil
	}
	const reach = 8
	var best *phrase.Value
	bestDist := reach + 1
	for _, v := range u.valueSpans() {
		if !fits(v.Value.Type) {
			continue
		}
		d := 0
		switch {
		case v.End <= start:
			d = start - v.End
		case v.Start >= end:
			d = v.Start - end
		}
		if d < bestDist {
			val := v.Value
			best, bestDist = &val, d
		}
	}
	return best
}

// quoted reports whether span, rune offsets of the reply as typed, lies
// inside quotation marks: “…”, ‘…’, 「…」, 『…』 or a pair of ".
func (u *utterance) quoted(span phrase.Span) bool {
	if u.quotes == nil {
		u.quotes = quotedSpans(u.orig)
	}
	for _, q := range u.quotes {
		if q.Start <= span.Start && span.End <= q.End {
			return true
		}
	}
	return false
}

// quotedSpans returns the runs of text between quotation marks, as rune
// offsets, never nil.
func quotedSpans(s string) []phrase.Span {
	closer := map[rune]rune{'“': '”', '‘': '’', '「': '」', '『': '』', '"': '"'}
	out := []phrase.Span{}
	var want rune
	open := -1
	i := 0
	for _, r := range s {
		switch {
		case open >= 0 && r == want:
			out = append(out, phrase.Span{Start: open, End: i})
			open = -1
		case open < 0 && closer[r] != 0:
			open, want = i+1, closer[r]
		}
		i++
	}
	return out
}

// promiseTime returns the time an over-promise at [start, end) names: its
// own value, or a time said inside it or right next to it.
func (u *utterance) promiseTime(own *phrase.Value, start, end int) *phrase.Value {
	if own != nil && own.Type.IsTime() {
		return own
	}
	const reach = 2
	for _, v := range u.valueSpans() {
		if v.Value.Type.IsTime() && v.Start < end+reach && start-reach < v.End {
			val := v.Value
			return &val
		}
	}
	return nil
}

// runeIndex converts a byte offset of text into a rune offset.
func (u *utterance) runeIndex(b int) int {
	i, _ := slices.BinarySearch(u.byteAt, b)
	return i
}

// find verifies one wording against the utterance and returns the span of
// normalised runes it matched and a score in (0, 1].
func (u *utterance) find(f *form, joined bool) (start, end int, score float64, ok bool) {
	if f.budget == 0 {
		return u.exact(f)
	}
	if f.homophones {
		if s, e, sc, ok := u.exact(f); ok {
			return s, e, sc, true
		}
		// Only a character that sounds the same costs no more than the
		// budget of one half edit.
		d, s, e := fuzzy(f.runes, f.sounds, u.runes, u.sounds, costOther, f.budget)
		if d > f.budget || u.vetoed(f, s, e) {
			return 0, 0, 0, false
		}
		return s, e, round3(1 - float64(d)/float64(2*len(f.runes))), true
	}
	extra := costExtra
	if len(f.runes) < 4 {
		// In a two- or three-character wording an added character
		// changes the word (您好 → 您不好).
		extra = costOther
	}
	d, s, e := fuzzy(f.runes, f.sounds, u.runes, u.sounds, extra, f.budget)
	if d <= f.budget {
		return s, e, round3(1 - float64(d)/float64(2*len(f.runes))), true
	}
	if f.srunes == nil || !u.stripped() || !joined {
		return 0, 0, 0, false
	}
	// The wording again, it and the reply without filler words (这边,
	// 帮您, 了…), as long as the reply inserted at most gap of them.
	budget := budgetFor(len(f.srunes))
	d, s, e = fuzzy(f.srunes, f.ssounds, u.srunes, u.ssounds, extra, budget)
	if d > budget || e <= s {
		return 0, 0, 0, false
	}
	start, end = u.sat[s], u.sat[e-1]+1
	inserted := 0
	for k := start; k < end; k++ {
		if u.filler[k] {
			inserted++
		}
	}
	if inserted > f.gap {
		return 0, 0, 0, false
	}
	// Each filler costs a little, so the wording said as written ranks first.
	return start, end, round3(1 - float64(d)/float64(2*len(f.srunes)) - 0.01*float64(inserted)), true
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
		if !u.vetoed(f, s, e) {
			return s, e, 1, true
		}
		from = b + len(string(f.runes[0]))
	}
	return 0, 0, 0, false
}

// vetoed reports whether a hit of f at [s, e) is cancelled by its
// exceptions, a word before it or a word anywhere in the reply.
func (u *utterance) vetoed(f *form, s, e int) bool {
	return u.excepted(f.except, s, e) || u.cancelled(f.notAfter, s) || u.saidAnywhere(f.unless) ||
		len(f.unlessClause) > 0 && u.saidInClause(f.unlessClause, s, e)
}

// clause returns the runes from the pause before s to the pause after e:
// the clause (or clauses) a hit at [s, e) is said in.
func (u *utterance) clause(s, e int) (cs, ce int) {
	pause := u.pauses()
	cs, ce = s, e
	for cs > 0 && !(cs < len(pause) && pause[cs]) {
		cs--
	}
	for ce < len(u.runes) && !(ce < len(pause) && pause[ce]) {
		ce++
	}
	return cs, ce
}

// pauses returns the runes a pause comes before, found the first time a
// pattern or a clause needs them.
func (u *utterance) pauses() []bool {
	if u.pause == nil {
		u.pause = phrase.Pauses(u.n, u.orig)
	}
	return u.pause
}

// saidInClause reports whether one of words is said in the clause of a
// hit at [s, e), or is a condition said in the clause before it: 如果…，
// 那就… makes the clause after it the condition's consequent.
func (u *utterance) saidInClause(words [][]rune, s, e int) bool {
	cs, ce := u.clause(s, e)
	if u.saidIn(words, cs, ce) {
		return true
	}
	if cs == 0 {
		return false
	}
	ps, _ := u.clause(cs-1, cs-1)
	for _, w := range words {
		if slices.Contains(conditions, string(w)) && u.saidIn([][]rune{w}, ps, cs) {
			return true
		}
	}
	return false
}

// conditions are the words of a condition, which hedges the clause after
// its own as well.
var conditions = []string{"如果", "要是", "的话", "假如", "万一", "若是"}

// saidIn reports whether one of words is said within runes [s, e).
func (u *utterance) saidIn(words [][]rune, s, e int) bool {
	for _, w := range words {
		for i := s; i+len(w) <= e; i++ {
			if slices.Equal(u.runes[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// saidAnywhere reports whether one of words is said anywhere in the reply.
func (u *utterance) saidAnywhere(words [][]rune) bool {
	return u.saidIn(words, 0, len(u.runes))
}

// cancelled reports whether one of words ends right before rune start,
// filler words aside (不能给您保证).
func (u *utterance) cancelled(words [][]rune, start int) bool {
	for _, w := range words {
		end := start
		for end > 0 && u.filler[end-1] && start-end < 4 {
			end--
		}
		for _, e := range []int{start, end} {
			if e >= len(w) && slices.Equal(u.runes[e-len(w):e], w) {
				return true
			}
		}
	}
	return false
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

// maxPostings bounds the postings one query may walk.
const maxPostings = 1500
