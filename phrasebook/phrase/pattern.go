package phrase

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// A Pattern is a wording with choices, written by trainers in a
// phrasebook or scenario file (docs/phrasebook-format.md), such as
// "[登记|记录|建] … (工单|报修单|单子)":
//
//   - (a|b) and [a|b] are alternatives, one of which must be said; an
//     alternative may itself be a sequence with groups;
//   - ? after a character or group makes it optional: 帮您?登记, (已经)?;
//   - … (or ...) lets the next part start within the entry's window of
//     characters (default 8); …12 sets the window for this gap;
//   - $ is a pause: the start or end of the reply, or a punctuation mark
//     or space between, so that 您说 $ offers the floor (您说，我听着)
//     and does not begin a restatement (您说水从接口往外呲);
//   - {duration}, {time}, {date}, {amount}, {phone}, {count} and {when}
//     (a duration, time or date) are typed slots: a value of that type,
//     which the hit then carries; a time slot may carry a bound,
//     {when<=10m}, met only by a time known to end within it; {number}
//     is any number (702那户), and carries no value;
//   - spaces separate parts; everything else is literal text, normalised
//     as replies are (Traditional script, numerals and width do not matter).
//
// Between two adjacent parts, the filler words people insert (为您, 给您,
// 这边, 一下, 了, 啊…) are skipped, up to the entry's gap in characters.
type Pattern struct {
	src   string
	nodes []pnode
	// starts are the characters a match can start with, nil when the
	// first part is not a literal that must be said; slotFirst is set
	// when every match starts with a value.
	starts    []rune
	slotFirst bool
	// need lists, for each part that must be said, the beginnings (one
	// or two characters) one of which a reply must have for the pattern
	// to match in it.
	need [][]string
}

type pkind uint8

const (
	pLit pkind = iota
	pAlt
	pSlot
	pNear
	// pPause is $: it consumes nothing and holds where a pause is.
	pPause
)

type pnode struct {
	kind pkind
	lit  []rune
	alts [][]pnode
	slot string
	// max bounds a slot's time value in seconds (0: none): {when<=30m}.
	max    int64
	opt    bool
	window int
}

// Slots lists the typed slot names a pattern may use.
func Slots() []string {
	return []string{"duration", "time", "date", "amount", "phone", "count", "when", "number"}
}

// DefaultWindow is how far apart two parts joined by … may be.
const DefaultWindow = 8

// MaxPatternRunes bounds a pattern's source.
const MaxPatternRunes = 300

// PatternError is a syntax error at a character of a pattern.
type PatternError struct {
	// Col is the 1-based character position in the pattern.
	Col int
	Msg string
}

func (e *PatternError) Error() string { return fmt.Sprintf("character %d: %s", e.Col, e.Msg) }

// CompilePattern parses src. window is the default distance of …, or 0
// for DefaultWindow.
func CompilePattern(src string, window int) (*Pattern, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	rs := []rune(src)
	if len(rs) > MaxPatternRunes {
		return nil, &PatternError{1, fmt.Sprintf("a pattern has at most %d characters", MaxPatternRunes)}
	}
	p := &parser{rs: rs, window: window}
	nodes, err := p.seq(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(rs) {
		return nil, p.errf("unexpected %q", string(rs[p.i]))
	}
	if !hasRequired(nodes) {
		return nil, &PatternError{1, "everything in the pattern is optional: it would match any reply"}
	}
	if len(nodes) > 0 && (nodes[0].kind == pNear || nodes[len(nodes)-1].kind == pNear) {
		return nil, &PatternError{1, "… joins two parts; it cannot start or end a pattern"}
	}
	pat := &Pattern{src: src, nodes: nodes}
	for _, n := range nodes {
		if n.opt || n.kind == pNear || n.kind == pPause {
			continue
		}
		if set := prefixes(n); set != nil {
			pat.need = append(pat.need, set)
		}
	}
	pat.starts = seqFirstRunes(nodes)
	if k := slices.IndexFunc(nodes, func(n pnode) bool { return n.kind != pPause }); k >= 0 && !nodes[k].opt {
		pat.slotFirst = nodes[k].kind == pSlot && nodes[k].slot != "number"
	}
	return pat, nil
}

// seqFirstRunes returns the characters a match of a sequence can start
// with: those of its first part, and while that part is optional those of
// the next, so that (先)? 穿 … is tried only where 先 or 穿 is said; nil
// when that is not a short list of characters.
func seqFirstRunes(nodes []pnode) []rune {
	var out []rune
	for _, n := range nodes {
		if n.kind == pNear {
			return nil
		}
		if n.kind == pPause {
			continue
		}
		set := firstRunes(n)
		if set == nil {
			return nil
		}
		out = union(out, set)
		if !n.opt {
			return out
		}
	}
	return nil
}

// firstRunes returns the characters a part can start with, or nil when
// that is not a short list of characters (a slot, or an alternative that
// starts with one).
func firstRunes(n pnode) []rune {
	switch n.kind {
	case pLit:
		return []rune{n.lit[0]}
	case pAlt:
		var out []rune
		for _, alt := range n.alts {
			set := seqFirstRunes(alt)
			if set == nil {
				return nil
			}
			out = union(out, set)
		}
		return out
	}
	return nil
}

// union adds to out the runes of set it lacks.
func union(out, set []rune) []rune {
	for _, r := range set {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// prefixes returns how a part can begin: the first two characters of each
// literal it can start with (one when the literal has one), or nil when
// that is not a short list (a slot, or an optional start).
func prefixes(n pnode) []string {
	switch n.kind {
	case pLit:
		return []string{string(n.lit[:min(2, len(n.lit))])}
	case pAlt:
		var out []string
		for _, alt := range n.alts {
			if len(alt) == 0 || alt[0].opt {
				return nil
			}
			set := prefixes(alt[0])
			if set == nil {
				return nil
			}
			if len(alt[0].lit) == 1 && alt[0].kind == pLit {
				// A one-character literal followed by more: only its
				// first character is sure to be said next to nothing.
				set = []string{string(alt[0].lit)}
			}
			for _, x := range set {
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			}
		}
		return out
	}
	return nil
}

// Need returns, for each part of the pattern that must be said and starts
// with a known literal, its beginnings (one or two characters), one of
// which a reply must have: a cheap test that turns most replies away
// before matching. Literals are said as written but for a slip after their
// second character, so their first two characters are sure.
func (p *Pattern) Need() [][]string { return p.need }

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

type parser struct {
	rs     []rune
	i      int
	window int
	// class is the word class whose member is parsed, "" in a pattern.
	class string
}

// classNode compiles the word class name into one group of alternatives.
func classNode(name string) (pnode, error) {
	words, ok := wordClasses[name]
	if !ok {
		return pnode{}, fmt.Errorf("unknown word class <%s> (%s)", name, strings.Join(Classes(), ", "))
	}
	n := pnode{kind: pAlt}
	for _, w := range words {
		p := &parser{rs: []rune(w), class: name}
		alt, err := p.seq(1)
		if err == nil && p.i < len(p.rs) {
			err = p.errf("unexpected %q", string(p.rs[p.i]))
		}
		if err == nil && !hasRequired(alt) {
			err = p.errf("everything is optional")
		}
		if err == nil && (alt[0].kind == pNear || alt[len(alt)-1].kind == pNear) {
			err = p.errf("… joins two parts; it cannot start or end a word")
		}
		if err != nil {
			return pnode{}, fmt.Errorf("word class <%s>, %q: %v", name, w, err)
		}
		n.alts = append(n.alts, alt)
	}
	return n, nil
}

func (p *parser) errf(format string, args ...any) error {
	return &PatternError{p.i + 1, fmt.Sprintf(format, args...)}
}

// seq parses parts up to a closing bracket, | or the end.
func (p *parser) seq(depth int) ([]pnode, error) {
	var out []pnode
	for p.i < len(p.rs) {
		r := p.rs[p.i]
		switch {
		case unicode.IsSpace(r):
			p.i++
		case r == ')' || r == ']' || r == '|':
			if depth == 0 {
				return nil, p.errf("%q without an opening bracket", string(r))
			}
			return out, nil
		case r == '(' || r == '[':
			if depth >= 4 {
				return nil, p.errf("groups nest at most 4 deep")
			}
			open := p.i
			close := map[rune]rune{'(': ')', '[': ']'}[r]
			p.i++
			var alts [][]pnode
			for {
				alt, err := p.seq(depth + 1)
				if err != nil {
					return nil, err
				}
				if !hasRequired(alt) {
					return nil, p.errf("an empty alternative; mark the group optional with ? instead")
				}
				alts = append(alts, alt)
				if p.i >= len(p.rs) {
					p.i = open
					return nil, p.errf("%q is never closed", string(r))
				}
				if p.rs[p.i] == '|' {
					p.i++
					continue
				}
				if p.rs[p.i] != close {
					return nil, p.errf("%q closes %q", string(p.rs[p.i]), string(r))
				}
				p.i++
				break
			}
			out = append(out, pnode{kind: pAlt, alts: alts})
		case r == '{':
			end := slices.Index(p.rs[p.i:], '}')
			if end < 0 {
				return nil, p.errf("{ is never closed")
			}
			name := strings.TrimSpace(string(p.rs[p.i+1 : p.i+end]))
			var max int64
			if k := strings.Index(name, "<="); k >= 0 {
				var err error
				if max, err = ParseBound(name[k+2:]); err != nil {
					return nil, p.errf("slot bound: %v", err)
				}
				name = strings.TrimSpace(name[:k])
				if name != "duration" && name != "when" && name != "time" && name != "date" {
					return nil, p.errf("only time slots take a bound")
				}
			}
			if !slices.Contains(Slots(), name) {
				return nil, p.errf("unknown slot {%s} (%s)", name, strings.Join(Slots(), ", "))
			}
			out = append(out, pnode{kind: pSlot, slot: name, max: max})
			p.i += end + 1
		case r == '?':
			if len(out) == 0 || out[len(out)-1].kind == pNear {
				return nil, p.errf("? must follow a character or group")
			}
			last := &out[len(out)-1]
			if last.opt {
				return nil, p.errf("?? is one ? too many")
			}
			if last.kind == pLit && len(last.lit) > 1 {
				// ? applies to the last character only, as in regular
				// expressions: split it off.
				head := pnode{kind: pLit, lit: last.lit[:len(last.lit)-1]}
				tail := pnode{kind: pLit, lit: last.lit[len(last.lit)-1:], opt: true}
				out = append(out[:len(out)-1], head, tail)
			} else {
				last.opt = true
			}
			p.i++
		case r == '…' || r == '.' && p.i+2 < len(p.rs) && p.rs[p.i+1] == '.' && p.rs[p.i+2] == '.':
			if r == '…' {
				p.i++
				for p.i < len(p.rs) && p.rs[p.i] == '…' {
					p.i++
				}
			} else {
				p.i += 3
			}
			w := p.window
			j := p.i
			for j < len(p.rs) && p.rs[j] >= '0' && p.rs[j] <= '9' {
				j++
			}
			if j > p.i {
				n, err := strconv.Atoi(string(p.rs[p.i:j]))
				if err != nil || n < 1 || n > 40 {
					return nil, p.errf("a window of 1 to 40 characters")
				}
				w, p.i = n, j
			}
			if len(out) > 0 && out[len(out)-1].kind == pNear {
				return nil, p.errf("two … in a row")
			}
			out = append(out, pnode{kind: pNear, window: w})
		case r == '$':
			if len(out) > 0 && out[len(out)-1].kind == pPause {
				return nil, p.errf("two $ in a row")
			}
			out = append(out, pnode{kind: pPause})
			p.i++
		case r == '<':
			if p.class != "" {
				return nil, p.errf("a word class cannot refer to another")
			}
			end := slices.Index(p.rs[p.i:], '>')
			if end < 0 {
				return nil, p.errf("< is never closed")
			}
			name := strings.TrimSpace(string(p.rs[p.i+1 : p.i+end]))
			alt, err := classNode(name)
			if err != nil {
				return nil, p.errf("%v", err)
			}
			out = append(out, alt)
			p.i += end + 1
		case r == '}':
			return nil, p.errf("} without {")
		case r == '>':
			return nil, p.errf("> without <")
		default:
			j := p.i
			for j < len(p.rs) && !strings.ContainsRune("()[]{}<>|?…$", p.rs[j]) && !unicode.IsSpace(p.rs[j]) &&
				!(p.rs[j] == '.' && j+2 < len(p.rs) && p.rs[j+1] == '.' && p.rs[j+2] == '.') {
				j++
			}
			// A space ends a part: fillers may come between 报修单 登记,
			// not inside 报修单登记.
			if lit := Normalize(string(p.rs[p.i:j])).Runes; len(lit) > 0 {
				out = append(out, pnode{kind: pLit, lit: lit})
			}
			p.i = j
		}
	}
	return out, nil
}

// hasRequired reports whether a sequence must consume something.
func hasRequired(nodes []pnode) bool {
	for _, n := range nodes {
		if n.kind != pNear && n.kind != pPause && !n.opt {
			return true
		}
	}
	return false
}

// Anchors returns bigrams of Han characters, one of which every match of
// the pattern contains, or nil when there is no such set (then the pattern
// must be tried on every reply).
func (p *Pattern) Anchors() []string { return anchorSeq(p.nodes) }

func anchorSeq(nodes []pnode) []string {
	var best []string
	for _, n := range nodes {
		if n.opt {
			continue
		}
		var a []string
		switch n.kind {
		case pLit:
			a = litAnchor(n.lit)
		case pAlt:
			for _, alt := range n.alts {
				x := anchorSeq(alt)
				if x == nil {
					a = nil
					break
				}
				for _, s := range x {
					if !slices.Contains(a, s) {
						a = append(a, s)
					}
				}
			}
		}
		if a != nil && (best == nil || len(a) < len(best)) {
			best = a
		}
	}
	return best
}

// litAnchor picks a bigram of two Han characters from a literal: the
// last, which is usually the head of the word (工单, 报修单).
func litAnchor(lit []rune) []string {
	for i := len(lit) - 2; i >= 0; i-- {
		if isBasicHan(lit[i]) && isBasicHan(lit[i+1]) {
			return []string{string(lit[i : i+2])}
		}
	}
	return nil
}

func isBasicHan(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }

// Input is a normalised reply prepared for patterns: its runes, which of
// them are filler words, and its typed values.
type Input struct {
	Runes  []rune
	Filler []bool
	Values []ValueSpan
	// Alike, when set, tells characters that sound the same: a literal
	// of three characters or more may have one of them, after its second,
	// written as another that sounds the same (a dictation slip).
	Alike func(a, b rune) bool
	// Pause[i], when set, tells that a pause (punctuation or a space)
	// was dropped before rune i; $ matches there, at 0 and at the end.
	Pause []bool
	// valueAt[i] is the index in Values of the value starting at rune i, or -1.
	valueAt []int
}

// NewInput prepares normalised runes for patterns, with their filler mask
// (FillerMask(rs), or nil to compute it) and typed values.
func NewInput(rs []rune, filler []bool, values []ValueSpan) *Input {
	if filler == nil {
		filler = FillerMask(rs)
	}
	in := &Input{Runes: rs, Filler: filler, Values: values, valueAt: make([]int, len(rs)+1)}
	for i := range in.valueAt {
		in.valueAt[i] = -1
	}
	for k, v := range values {
		in.valueAt[v.Start] = k
	}
	return in
}

// PatternMatch is where a pattern matched and what it read.
type PatternMatch struct {
	Start, End int
	// Skipped counts filler characters skipped inside the match, Slips
	// the characters that only sound right.
	Skipped, Slips int
	// Value is the first typed slot's value, or nil.
	Value *Value
}

// maxSteps bounds the work of one pattern on one reply.
const maxSteps = 20000

type pmatcher struct {
	in    *Input
	gap   int
	steps int
}

type pstate struct{ skipped, val, slips int }

type pcont func(pos int, st pstate) bool

// Find returns the leftmost match of p in in, skipping at most gap filler
// characters between adjacent parts.
func (p *Pattern) Find(in *Input, gap int) (PatternMatch, bool) {
	return p.FindFrom(in, gap, 0)
}

// FindFrom is Find for matches starting at or after from.
func (p *Pattern) FindFrom(in *Input, gap, from int) (PatternMatch, bool) {
	m := &pmatcher{in: in, gap: gap}
	for start := from; start < len(in.Runes); start++ {
		if p.starts != nil && !slices.Contains(p.starts, in.Runes[start]) || p.slotFirst && in.valueAt[start] < 0 {
			continue
		}
		var res PatternMatch
		ok := m.seq(p.nodes, 0, start, pstate{val: -1}, func(end int, st pstate) bool {
			if end <= start {
				return false
			}
			res = PatternMatch{Start: start, End: end, Skipped: st.skipped, Slips: st.slips}
			if st.val >= 0 {
				v := in.Values[st.val].Value
				res.Value = &v
			}
			return true
		})
		if ok {
			return res, true
		}
		if m.steps > maxSteps {
			break
		}
	}
	return PatternMatch{}, false
}

func (m *pmatcher) seq(nodes []pnode, i, pos int, st pstate, k pcont) bool {
	if i == len(nodes) {
		return k(pos, st)
	}
	if m.steps++; m.steps > maxSteps {
		return false
	}
	n := &nodes[i]
	if n.kind == pPause {
		return m.in.pauseAt(pos) && m.seq(nodes, i+1, pos, st, k)
	}
	if n.kind == pNear {
		hi := min(pos+n.window, len(m.in.Runes))
		for p := pos; p <= hi; p++ {
			if m.seq(nodes, i+1, p, st, k) {
				return true
			}
		}
		return false
	}
	next := func(end int, st pstate) bool {
		if m.seq(nodes, i+1, end, st, k) {
			return true
		}
		if i+1 == len(nodes) || nodes[i+1].kind == pNear {
			return false
		}
		for p := end; p < len(m.in.Runes) && m.in.Filler[p] && st.skipped < m.gap; p++ {
			st.skipped++
			if m.seq(nodes, i+1, p+1, st, k) {
				return true
			}
		}
		return false
	}
	if m.one(n, pos, st, next) {
		return true
	}
	return n.opt && m.seq(nodes, i+1, pos, st, k)
}

func (m *pmatcher) one(n *pnode, pos int, st pstate, k pcont) bool {
	rs := m.in.Runes
	switch n.kind {
	case pLit:
		if pos+len(n.lit) > len(rs) || rs[pos] != n.lit[0] {
			return false
		}
		slip := -1
		for i := 1; i < len(n.lit); i++ {
			if rs[pos+i] == n.lit[i] {
				continue
			}
			if i < 2 || slip >= 0 || st.slips > 0 || m.in.Alike == nil || !m.in.Alike(rs[pos+i], n.lit[i]) {
				return false
			}
			slip = i
		}
		if slip >= 0 {
			st.slips++
		}
		return k(pos+len(n.lit), st)
	case pAlt:
		for _, alt := range n.alts {
			if m.seq(alt, 0, pos, st, k) {
				return true
			}
		}
	case pSlot:
		if n.slot == "number" {
			end := pos
			for end < len(rs) && isDigit(rs[end]) {
				end++
			}
			return end > pos && (pos == 0 || !isDigit(rs[pos-1])) && k(end, st)
		}
		if pos < len(m.in.valueAt) {
			if vi := m.in.valueAt[pos]; vi >= 0 && slotFits(n.slot, m.in.Values[vi].Value.Type) && withinMax(m.in.Values[vi].Value, n.max) {
				if st.val < 0 {
					st.val = vi
				}
				return k(m.in.Values[vi].End, st)
			}
		}
	}
	return false
}

// pauseAt reports whether a pause is at rune position pos.
func (in *Input) pauseAt(pos int) bool {
	return pos == 0 || pos >= len(in.Runes) || pos < len(in.Pause) && in.Pause[pos]
}

// Pauses marks the runes of n, normalised from orig, before which a
// pause was dropped: a punctuation mark or a space between them in the
// text as typed. Quotation marks alone are no pause: 您说“没人管” goes
// on speaking.
func Pauses(n Normalized, orig string) []bool {
	out := make([]bool, len(n.Runes))
	rs := []rune(orig)
	for i := 1; i < len(n.Orig); i++ {
		from, to := min(n.Orig[i-1].End, len(rs)), min(n.Orig[i].Start, len(rs))
		if from >= to {
			continue
		}
		for _, r := range rs[from:to] {
			if !strings.ContainsRune(quoteMarks, r) {
				out[i] = true
				break
			}
		}
	}
	return out
}

// quoteMarks open or close a quotation.
const quoteMarks = "\"'“”‘’「」『』＂＇"

// withinMax reports whether a time value is known to end within max
// seconds; max 0 bounds nothing.
func withinMax(v Value, max int64) bool {
	if max == 0 {
		return true
	}
	b, ok := v.Bound(-1)
	return ok && b <= max
}

func slotFits(slot string, t ValueType) bool {
	if slot == "when" {
		return t.IsTime()
	}
	return string(t) == slot
}

// fillerWords are the words people insert into a wording without changing
// what it says, normalised (一下 is 1下).
var fillerWords = []string{"为您", "给您", "帮您", "替您", "这边", "1下", "那个", "了", "哈", "呢", "啊", "吧", "呀", "啦", "嘛", "哦", "嗯", "喔", "唷", "咧", "喽", "啰", "咯", "呗", "嘞", "哟", "耶", "欸", "诶", "齁"}

// fillerStarts are the first characters of the filler words.
const fillerStarts = "为给帮替这1那了哈呢啊吧呀啦嘛哦嗯喔唷咧喽啰咯呗嘞哟耶欸诶齁"

// FillerMask marks the runes of rs that belong to filler words. 了 is not
// a filler in 了解, 为了, 除了 or 不了 (管不了), nor 1下 in 1下午.
func FillerMask(rs []rune) []bool {
	mask := make([]bool, len(rs))
	for i := 0; i < len(rs); {
		if !strings.ContainsRune(fillerStarts, rs[i]) {
			i++
			continue
		}
		w, end, ok := longestAt(rs, i, fillerWords)
		if !ok {
			i++
			continue
		}
		switch w {
		case "了":
			if end < len(rs) && strings.ContainsRune("解结却", rs[end]) || i > 0 && strings.ContainsRune("为除不得罢", rs[i-1]) {
				i++
				continue
			}
		case "1下":
			if end < len(rs) && strings.ContainsRune("午子", rs[end]) || i > 0 && isDigit(rs[i-1]) {
				i++
				continue
			}
		case "那个":
			if end < len(rs) && (rs[end] == '人' || rs[end] == '户') {
				i++
				continue
			}
		}
		for k := i; k < end; k++ {
			mask[k] = true
		}
		i = end
	}
	return mask
}

// Strip returns rs without its filler runes and, for each kept rune, its
// index in rs.
func Strip(rs []rune, mask []bool) ([]rune, []int) {
	out := make([]rune, 0, len(rs))
	at := make([]int, 0, len(rs))
	for i, r := range rs {
		if !mask[i] {
			out = append(out, r)
			at = append(at, i)
		}
	}
	return out, at
}
