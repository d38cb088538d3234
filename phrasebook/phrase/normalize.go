package phrase

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

//go:generate go run ../internal/gent2s
//go:generate go run ../internal/gent2s -phrases -o t2s_phrases.go

// Normalized is an utterance prepared for matching. The same function
// prepares phrasebook wordings for the index and replies for querying, so a
// match on Runes means the two were written alike up to script, width, case,
// punctuation and the way numbers are spelled.
type Normalized struct {
	// Runes is the normalised text.
	Runes []rune
	// Orig[i] is the span of rune offsets in the original text that
	// produced Runes[i]. Spans never decrease: Orig[i] either equals
	// Orig[i-1] (several runes from one source, like the digits of 三百零五)
	// or starts at or after Orig[i-1].End.
	Orig []Span
}

// Span is a half-open range [Start, End) of rune offsets.
type Span struct{ Start, End int }

// String returns the normalised text.
func (n Normalized) String() string { return string(n.Runes) }

// OrigSpan maps a half-open range [i, j) of normalised runes back to rune
// offsets in the original text: from the start of the first rune's source
// to the end of the last one's, so punctuation dropped inside the range is
// covered and punctuation at its edges is not. Out-of-range bounds are
// clamped rather than panicking, because the result ends up in a report
// shown to a user; an empty range maps to an empty span where it sits.
func (n Normalized) OrigSpan(i, j int) Span {
	i = min(max(i, 0), len(n.Orig))
	j = min(max(j, i), len(n.Orig))
	switch {
	case i < j:
		return Span{n.Orig[i].Start, n.Orig[j-1].End}
	case i < len(n.Orig):
		return Span{n.Orig[i].Start, n.Orig[i].Start}
	case i > 0:
		return Span{n.Orig[i-1].End, n.Orig[i-1].End}
	}
	return Span{}
}

// Normalize prepares s for matching. It is deterministic and idempotent:
// Normalize(Normalize(s).String()) has the same Runes as Normalize(s).
//
// Rune by rune, full-width forms become half-width, Traditional characters
// become Simplified (OpenCC's character table, see t2s_table.go, after the
// phrases of t2s_phrases.go that convert otherwise: 瞭解 → 了解, and the
// Taiwan 著 → 着 except in the phrases that keep it, such as 著名), letters
// are lower-cased, and punctuation, symbols, spaces and control
// characters are dropped. Letters, marks and numbers of any script stay.
//
// Numbers are then spelled one way, so a phrase written with digits matches
// a reply spoken in Chinese numerals and the reverse:
//
//   - a run of digits and the numerals 零〇一二两三四五六七八九十百千幺
//     becomes Arabic digits: 十五 → 15, 二十四 → 24, 三百零五 → 305, 一百二 → 120;
//     numerals without 十百千 are read digit by digit, as phone numbers are
//     dictated: 幺三八五零一 → 138501. Every such numeral is converted, also
//     inside words (一下 → 1下, 统一 → 统1, 十分 → 10分): the phrase and the
//     reply go through the same function, so this is consistent, and no
//     word list has to guess when 一 is a number. 万 and larger units stay
//     as they are (两万 → 2万).
//   - between two numbers, -, ~, ～, 〜, —, –, 至 and 到 become 到, so 2-4小时,
//     2~4小时 and 两到四小时 all read 2到4小时. A dash counts as a range only
//     between two numbers of at most four digits that are not part of a
//     longer dashed chain, so 138-1234-5678 and 0471-12345678 stay phone
//     numbers (13812345678). 至 and 到 elsewhere are ordinary characters.
//   - a single . between two numbers becomes 点, as 1.5 is read 一点五: both
//     give 1点5.
//   - any other punctuation between numbers is dropped and the numbers run
//     together (1，2 → 12), as a dictated number would.
//
// Every output rune records the span of the original runes it came from; the
// digits of a converted numeral all carry the whole numeral's span.
func Normalize(s string) Normalized {
	// Replies are short: keep their tokens on the stack.
	var buf [128]token
	toks := buf[:0]
	if c := utf8.RuneCountInString(s); c > len(buf) {
		toks = make([]token, 0, c)
	}
	pos := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isHan(r) && t2s.startsPhrase(r) {
			if trad, simp := t2s.phraseAt(s[i:]); simp != nil {
				// A phrase converts as a whole (瞭解 → 了解, 著名 stays),
				// character for character, so every character keeps its
				// own offset.
				for k, sr := range simp {
					t := classifyHan(sr)
					t.pos = pos + k
					toks = append(toks, t)
				}
				pos += len(simp)
				i += len(trad)
				continue
			}
		}
		if t, ok := classify(r); ok {
			t.pos = pos
			toks = append(toks, t)
		}
		pos++
		i += size
	}
	return assemble(toks)
}

// tokenClass says what a kept rune can take part in.
type tokenClass uint8

const (
	clsOther tokenClass = iota
	clsDigit            // 0-9 and the Chinese digits; val is the digit
	clsUnit             // 十百千; val is 10, 100 or 1000
	clsDash             // a punctuation range separator
	clsDot              // a decimal point
	clsTo               // 至 or 到
)

// token is one rune after the per-rune mapping, with its original offset.
type token struct {
	r   rune
	pos int
	val int
	cls tokenClass
}

// classify maps one rune and reports whether it is kept.
func classify(r rune) (token, bool) {
	if r < utf8.RuneSelf {
		return classifyASCII(r)
	}
	if isHan(r) {
		return classifyHan(t2sLookup(r)), true
	}
	if f := width.LookupRune(r).Folded(); f != 0 {
		r = f
		if r < utf8.RuneSelf {
			return classifyASCII(r)
		}
	}
	switch r {
	case '〇':
		// The ideographic zero sits outside the Han blocks.
		return classifyHan(r), true
	case '〜', '—', '–', '‐', '‑', '‒', '―', '−', '﹣':
		return token{r: r, cls: clsDash}, true
	}
	switch {
	case unicode.IsLetter(r):
		return token{r: unicode.ToLower(r)}, true
	case unicode.IsNumber(r):
		return token{r: r}, true
	case unicode.In(r, unicode.Mn, unicode.Mc) && !unicode.Is(unicode.Variation_Selector, r):
		// Marks belong to the letters before them (Thai, Devanagari,
		// decomposed accents); variation selectors only style symbols that
		// are dropped anyway.
		return token{r: r}, true
	}
	return token{}, false
}

func classifyASCII(r rune) (token, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return token{r: r}, true
	case r >= 'A' && r <= 'Z':
		return token{r: r + ('a' - 'A')}, true
	case r >= '0' && r <= '9':
		return token{r: r, cls: clsDigit, val: int(r - '0')}, true
	case r == '-' || r == '~':
		return token{r: r, cls: clsDash}, true
	case r == '.':
		return token{r: r, cls: clsDot}, true
	}
	return token{}, false
}

// classifyHan classifies a Simplified Han character.
func classifyHan(r rune) token {
	if d := hanDigit(r); d >= 0 {
		return token{r: r, cls: clsDigit, val: d}
	}
	switch r {
	case '十':
		return token{r: r, cls: clsUnit, val: 10}
	case '百':
		return token{r: r, cls: clsUnit, val: 100}
	case '千':
		return token{r: r, cls: clsUnit, val: 1000}
	case '至', '到':
		return token{r: r, cls: clsTo}
	}
	return token{r: r}
}

// hanDigit returns the value of a Chinese digit, or -1. 幺 is how 一 is
// said in dictated numbers; it is a digit everywhere, because whether a
// lone 幺 is a digit must not depend on its neighbours, which punctuation
// dropped in a first pass can change.
func hanDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一', '幺':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// isHan reports whether r lies in the CJK Unified Ideographs, Extension A,
// or the supplementary ideographic planes: where every key of the
// Traditional → Simplified table and every numeral but 〇 lives, and where
// width folding and case do not apply.
func isHan(r rune) bool {
	return r >= 0x3400 && r <= 0x9fff || r >= 0x20000 && r <= 0x3ffff
}

// group is what a token takes part in once runs are formed.
type group uint8

const (
	groupOther  group = iota // an ordinary token, alone
	groupNumber              // a run of digits and units
	groupJoin                // a run of dashes, dots and 至/到
)

func (c tokenClass) group() group {
	switch c {
	case clsDigit, clsUnit:
		return groupNumber
	case clsDash, clsDot, clsTo:
		return groupJoin
	}
	return groupOther
}

// runEnd returns the end of the run that starts at toks[i].
func runEnd(toks []token, i int) int {
	g := toks[i].cls.group()
	if g == groupOther {
		return i + 1
	}
	j := i + 1
	for j < len(toks) && toks[j].cls.group() == g {
		j++
	}
	return j
}

// runStart returns the start of the run that ends just before toks[j].
func runStart(toks []token, j int) int {
	g := toks[j-1].cls.group()
	if g == groupOther {
		return j - 1
	}
	i := j - 1
	for i > 0 && toks[i-1].cls.group() == g {
		i--
	}
	return i
}

// assemble turns mapped tokens into the normalised text: numbers converted,
// range and decimal separators between numbers kept in their one spelling,
// the rest of the separators dropped.
func assemble(toks []token) Normalized {
	n := Normalized{
		Runes: make([]rune, 0, len(toks)+8),
		Orig:  make([]Span, 0, len(toks)+8),
	}
	for i := 0; i < len(toks); {
		j := runEnd(toks, i)
		switch toks[i].cls.group() {
		case groupOther:
			n.emit(toks[i].r, Span{toks[i].pos, toks[i].pos + 1})
		case groupNumber:
			n.appendNumber(toks[i:j])
		case groupJoin:
			n.appendJoin(toks, i, j)
		}
		i = j
	}
	return n
}

func (n *Normalized) emit(r rune, span Span) {
	n.Runes = append(n.Runes, r)
	n.Orig = append(n.Orig, span)
}

// appendJoin writes the join toks[i:j]. Between two numbers it becomes 到
// (any 至/到 in it, or a range dash) or 点 (a lone dot) or nothing, so the
// numbers run together; elsewhere 至 and 到 are ordinary characters and the
// punctuation is dropped.
func (n *Normalized) appendJoin(toks []token, i, j int) {
	if i == 0 || j == len(toks) || toks[i-1].cls.group() != groupNumber || toks[j].cls.group() != groupNumber {
		for _, t := range toks[i:j] {
			if t.cls == clsTo {
				n.emit(t.r, Span{t.pos, t.pos + 1})
			}
		}
		return
	}
	span := Span{toks[i].pos, toks[j-1].pos + 1}
	dashes, dots, tos := countJoin(toks[i:j])
	switch {
	case tos > 0:
		n.emit('到', span)
	case dots == 1 && dashes == 0:
		n.emit('点', span)
	case dots == 0 && isRangeDash(toks, i, j):
		n.emit('到', span)
	}
}

func countJoin(join []token) (dashes, dots, tos int) {
	for _, t := range join {
		switch t.cls {
		case clsDash:
			dashes++
		case clsDot:
			dots++
		case clsTo:
			tos++
		}
	}
	return dashes, dots, tos
}

// isDashJoin reports whether toks[i:j] is a join of dashes alone.
func isDashJoin(join []token) bool {
	dashes, dots, tos := countJoin(join)
	return dashes > 0 && dots == 0 && tos == 0
}

// isRangeDash reports whether the dash join toks[i:j], which sits between
// two numbers, means a range (2-4小时) rather than the grouping of a phone
// or account number (138-1234-5678, 0471-12345678): both numbers have at
// most four digits and no dash-number continues the chain on either side.
func isRangeDash(toks []token, i, j int) bool {
	ls, re := runStart(toks, i), runEnd(toks, j)
	if numberLen(toks[ls:i]) > 4 || numberLen(toks[j:re]) > 4 {
		return false
	}
	if ls > 0 {
		js := runStart(toks, ls)
		if js > 0 && toks[js].cls.group() == groupJoin && isDashJoin(toks[js:ls]) && toks[js-1].cls.group() == groupNumber {
			return false
		}
	}
	if re < len(toks) {
		je := runEnd(toks, re)
		if je < len(toks) && toks[re].cls.group() == groupJoin && isDashJoin(toks[re:je]) && toks[je].cls.group() == groupNumber {
			return false
		}
	}
	return true
}

// appendNumber converts one run of digits and units to Arabic digits.
// Where the run reads as a number with units (二十四, 三百零五) it becomes
// that number and every digit carries the span of the whole numeral;
// elsewhere each digit stands for itself.
func (n *Normalized) appendNumber(run []token) {
	for p := 0; p < len(run); {
		v, end, ok := parseUnits(run, p)
		if !ok {
			n.emit('0'+rune(run[p].val), Span{run[p].pos, run[p].pos + 1}) // #nosec G115 -- val is a digit or a unit, at most 1000
			p++
			continue
		}
		span := Span{run[p].pos, run[end-1].pos + 1}
		var buf [8]byte
		for _, c := range strconv.AppendInt(buf[:0], int64(v), 10) {
			n.emit(rune(c), span)
		}
		p = end
	}
}

// numberLen returns how many digits appendNumber writes for run.
func numberLen(run []token) int {
	count := 0
	for p := 0; p < len(run); {
		v, end, ok := parseUnits(run, p)
		if !ok {
			count++
			p++
			continue
		}
		for ; v > 0; v /= 10 {
			count++
		}
		p = end
	}
	return count
}

// parseUnits reads a number written with units (十百千) from run[p:]:
// units in decreasing order, each with an optional digit before it (十五,
// 一百), 零 marking a skipped place (三百零五), and a final digit that is
// the ones (二十四, 三百零五) or, right after 百 or 千, the next place down
// (一百二 = 120, 三千五 = 3500). ok is false when no unit follows the digit
// at p. The value never exceeds 9999.
func parseUnits(run []token, p int) (value, end int, ok bool) {
	last := 10000
	zero := false
	i := p
	for i < len(run) {
		t := run[i]
		if t.cls == clsDigit && t.val == 0 {
			if !ok {
				break
			}
			zero = true
			i++
			continue
		}
		d, k := -1, i
		if t.cls == clsDigit {
			d, k = t.val, i+1
		}
		if k < len(run) && run[k].cls == clsUnit && run[k].val < last {
			if d < 0 {
				if ok && !zero {
					break
				}
				d = 1
			}
			value += d * run[k].val
			last = run[k].val
			i, zero, ok = k+1, false, true
			continue
		}
		if d >= 0 && ok {
			if zero || last == 10 {
				value += d
			} else {
				value += d * last / 10
			}
			i = k
		}
		break
	}
	return value, i, ok
}

// t2sTable is the Traditional → Simplified character table in a form that
// answers in constant time for the Basic Multilingual Plane, where almost
// every character of a reply lives, and the phrases that convert otherwise
// than their characters.
type t2sTable struct {
	lo    rune
	dense []rune // dense[r-lo] is the Simplified form of r, or 0
	// Keys beyond the BMP, sorted, and their Simplified forms.
	supKeys, supVals []rune
	// phrases maps a phrase to its Simplified form, rune for rune; starts
	// has bit r set for every first rune r of a phrase (all in the BMP),
	// and longest is their greatest length in runes.
	phrases map[string][]rune
	starts  []uint64
	longest int
}

// newT2STable decodes the generated pairs, variants (pairs applied after
// them) and phrases. The table is built once, when the package is
// initialised, and never written afterwards.
func newT2STable(pairs, variants, phrases string) t2sTable {
	var keys, vals []rune
	decode := func(pairs string) {
		for i := 0; i < len(pairs); {
			k, n := utf8.DecodeRuneInString(pairs[i:])
			i += n
			v, n := utf8.DecodeRuneInString(pairs[i:])
			i += n
			keys, vals = append(keys, k), append(vals, v)
		}
	}
	decode(pairs)
	chars := len(keys)
	decode(variants)
	// A variant's Simplified form may itself be the result of a pair.
	for i := chars; i < len(keys); i++ {
		for j := range chars {
			if vals[j] == keys[i] {
				vals[j] = vals[i]
			}
		}
	}
	var t t2sTable
	lo, hi := rune(-1), rune(-1)
	for _, k := range keys {
		if k > 0xffff {
			continue
		}
		if lo < 0 || k < lo {
			lo = k
		}
		hi = max(hi, k)
	}
	if lo >= 0 {
		t.lo = lo
		t.dense = make([]rune, hi-lo+1)
	}
	for i, k := range keys {
		if k > 0xffff {
			t.supKeys, t.supVals = append(t.supKeys, k), append(t.supVals, vals[i])
		} else {
			t.dense[k-lo] = vals[i]
		}
	}
	t.phrases = map[string][]rune{}
	t.starts = make([]uint64, 0x10000/64)
	for line := range strings.Lines(phrases) {
		trad, simp, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		first, _ := utf8.DecodeRuneInString(trad)
		if first > 0xffff {
			// startsPhrase looks in the BMP only; TestT2SPhrases
			// shows that every phrase can be found.
			continue
		}
		t.phrases[trad] = []rune(simp)
		t.starts[first/64] |= 1 << (first % 64)
		t.longest = max(t.longest, utf8.RuneCountInString(trad))
	}
	return t
}

// startsPhrase reports whether some phrase starts with r.
func (t *t2sTable) startsPhrase(r rune) bool {
	return r <= 0xffff && t.starts[r/64]&(1<<(r%64)) != 0
}

// phraseAt returns the longest phrase s starts with and its Simplified
// form, or a nil form when there is none.
func (t *t2sTable) phraseAt(s string) (trad string, simp []rune) {
	// Cut s after each of its first longest runes, longest first.
	var ends [16]int
	n := 0
	for i := range s {
		if i > 0 {
			ends[n] = i
			n++
		}
		if n == len(ends) || n == t.longest {
			break
		}
	}
	if n < len(ends) && n < t.longest {
		ends[n] = len(s)
		n++
	}
	for k := n - 1; k >= 1; k-- {
		if simp, ok := t.phrases[s[:ends[k]]]; ok {
			return s[:ends[k]], simp
		}
	}
	return "", nil
}

// lookup returns the Simplified form of r, or r itself.
func (t *t2sTable) lookup(r rune) rune {
	if r <= 0xffff {
		if i := int(r - t.lo); i >= 0 && i < len(t.dense) && t.dense[i] != 0 {
			return t.dense[i]
		}
		return r
	}
	if i, ok := slices.BinarySearch(t.supKeys, r); ok {
		return t.supVals[i]
	}
	return r
}

// spokenVariants are characters that Traditional-script writers use where
// Simplified writes another, which OpenCC's t2s keeps because they are
// also (rare) Simplified characters, each followed by the character meant:
// the Taiwan feminine 妳 is the 你 of every wording, and 衹 and 祇 are 只.
const spokenVariants = "妳你衹只祇只"

// spokenPhrases are phrases OpenCC's t2s leaves that mean a common word,
// each with the word, as t2sPhrases lists them: 甚麼 is 什么 to its
// writers, though t2s keeps it as 甚么, character by character; and the
// Taiwan words for a hotline's contact and messages (聯絡, 資訊, 簡訊,
// from OpenCC's TWPhrasesRev) are the 联系, 信息 and 短信 of the wordings.
const spokenPhrases = "甚麼\t什么\n甚麽\t什么\n甚么\t什么\n" +
	"聯絡\t联系\n联络\t联系\n資訊\t信息\n资讯\t信息\n簡訊\t短信\n简讯\t短信\n"

// dictationSlips are what speech-to-text writes for the words of a work
// order and a visit, with the words: the homophones 公单 and 攻单 are no
// words but 工单, 等级了 is 登记了, 侧温 is 测温, a 回放电话 is a 回访电话,
// and the 师父 of a repair call is its 师傅. A pattern's literal tolerates
// a slip only after its second character, so these are read as meant
// before matching.
const dictationSlips = "公单\t工单\n攻单\t工单\n等级了\t登记了\n等级上\t登记上\n侧温\t测温\n回放电话\t回访电话\n师父\t师傅\n"

// t2s is built from the generated tables, the spoken variants and the
// dictation slips; read-only after initialisation.
var t2s = newT2STable(t2sPairs, t2sVariants+spokenVariants, t2sPhrases+spokenPhrases+dictationSlips)

func t2sLookup(r rune) rune { return t2s.lookup(r) }
