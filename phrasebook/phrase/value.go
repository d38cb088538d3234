package phrase

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueType names the kind of a typed value (docs/contracts.md, `coach match`).
type ValueType string

// The value types.
const (
	// Duration is a span of time, usually a deadline: 2到4小时内, 1个半钟头.
	Duration ValueType = "duration"
	// Time is a clock time, perhaps on another day: 今天下午5点前, 后天中午.
	Time ValueType = "time"
	// Date is a day without a clock time: 明天, 周5前.
	Date ValueType = "date"
	// Amount is money or a metered quantity: 86.4元, 21吨, 300度.
	Amount ValueType = "amount"
	// Phone is a telephone number.
	Phone ValueType = "phone"
	// Count is a number of things: 3户, 2位.
	Count ValueType = "count"
)

// IsTime reports whether t says when something happens: a duration, a
// clock time or a date.
func (t ValueType) IsTime() bool { return t == Duration || t == Time || t == Date }

// Value is a typed value read from an utterance, normalised. Seconds is a
// duration's or deadline's upper bound (2到4小时 → 14400); it is zero when
// the value alone does not fix it (a clock time needs the time of the call).
type Value struct {
	Type ValueType `json:"type"`
	// Seconds is the upper bound of a duration, or of a relative time
	// (明天这个时候 → 86400).
	Seconds int64 `json:"seconds,omitempty"`
	// At is a clock time, "HH:MM".
	At string `json:"at,omitempty"`
	// DayOffset is the day of a time or date: 0 today, 1 tomorrow.
	DayOffset *int `json:"day_offset,omitempty"`
	// Weekday is a date given as a day of the week, 1 (Monday) to 7.
	Weekday int `json:"weekday,omitempty"`
	// Within is set when the value is a limit (内, 以内, 前, 之前, 最迟).
	Within bool `json:"within,omitempty"`
	// Amount and Unit are an amount's number and its unit (元, 吨, 度, 立方米).
	Amount float64 `json:"amount,omitempty"`
	Unit   string  `json:"unit,omitempty"`
	// Digits are a phone number's digits.
	Digits string `json:"digits,omitempty"`
	// Count is a count's number.
	Count int `json:"count,omitempty"`
	// Text says in words what was understood: 1.5 小时内, 后天 12:00 前.
	Text string `json:"text"`
}

// Bound returns the latest moment the value allows, in seconds after now,
// where now is the time of day of the call in seconds since midnight (or
// negative when unknown). ok is false when the value gives no bound.
func (v Value) Bound(now int) (int64, bool) {
	switch v.Type {
	case Duration:
		return v.Seconds, v.Seconds > 0
	case Time:
		if v.Seconds > 0 {
			return v.Seconds, true
		}
		if v.At == "" {
			return 0, false
		}
		h, m := 0, 0
		if _, err := fmt.Sscanf(v.At, "%d:%d", &h, &m); err != nil {
			return 0, false
		}
		day := 0
		if v.DayOffset != nil {
			day = *v.DayOffset
		}
		// Without the time of the call, the latest it can be is midnight
		// this morning: the bound is then an upper bound.
		s := int64(day*86400 + h*3600 + m*60 - max(now, 0))
		return s, s > 0
	case Date:
		if v.DayOffset == nil {
			if v.Weekday > 0 {
				// Some day within the coming week.
				return 7 * 86400, true
			}
			return 0, false
		}
		// The end of that day: at most a whole day more than its offset.
		end := int64((*v.DayOffset + 1) * 86400)
		if now >= 0 {
			end -= int64(now)
		}
		return end, true
	}
	return 0, false
}

// ValueSpan is a value and the normalised runes [Start, End) it was read from.
type ValueSpan struct {
	Start, End int
	Value      Value
}

// Values reads the typed values of a normalised utterance: durations,
// clock times and dates, amounts, phone numbers and counts. orig is the
// text n was normalised from; it tells 一两天 (one or two days) from 十二天
// (twelve), which normalise alike. Values do not overlap; they are in order.
func Values(n Normalized, orig string) []ValueSpan {
	var out []ValueSpan
	rs := n.Runes
	var origRunes []rune
	// A number does not run on across dropped punctuation (编号50602，5
	// 个工作日) except in a phone number, which people dictate in groups.
	gap := make([]bool, len(rs)+1)
	colon := make([]bool, len(rs)+1)
	for i := 1; i < len(rs) && i < len(n.Orig); i++ {
		gap[i] = n.Orig[i].Start > n.Orig[i-1].End
		if gap[i] && isDigit(rs[i]) && isDigit(rs[i-1]) {
			if origRunes == nil {
				origRunes = []rune(orig)
			}
			if between := origRunes[min(n.Orig[i-1].End, len(origRunes)):min(n.Orig[i].Start, len(origRunes))]; strings.Trim(string(between), ":：") == "" {
				// 12:00 is a clock time.
				colon[i] = true
				gap[i] = false
			}
		}
	}
	for i := 0; i < len(rs); {
		if i > 0 && isDigit(rs[i]) && isDigit(rs[i-1]) && !gap[i] || !isDigit(rs[i]) && !strings.ContainsRune(valueStarts, rs[i]) {
			i++
			continue
		}
		v, end, ok := readValue(rs[:numberEnd(rs, i, gap)], i, func(s, e int) bool {
			if origRunes == nil {
				origRunes = []rune(orig)
			}
			return approxPair(n, origRunes, s, e)
		}, colon)
		if ok && end > i {
			out = append(out, ValueSpan{Start: i, End: end, Value: v})
			i = end
			continue
		}
		i++
	}
	return out
}

// valueStarts are the characters other than digits a value can start
// with: numerals left as characters, lead words, days, weeks and periods.
const valueStarts = "俩仨半不最顶至今明后大当周星礼凌早上中下傍晚夜白"

// numberEnd returns where the text a value starting at i may read ends:
// at the first dropped punctuation inside a run of digits starting at i,
// unless the whole run is a phone number.
func numberEnd(rs []rune, i int, gap []bool) int {
	if i >= len(rs) || !isDigit(rs[i]) {
		return len(rs)
	}
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		j++
	}
	if _, _, phone := readPhone(rs[:j], i); phone {
		return len(rs)
	}
	for k := i + 1; k < j; k++ {
		if gap[k] {
			return k
		}
	}
	return len(rs)
}

// approxPair reports whether the two digits at [s, e) of n were spoken as
// an approximate pair of numerals, 两三 or 一两, rather than as 十二 or 23.
func approxPair(n Normalized, orig []rune, s, e int) bool {
	if e-s != 2 || e > len(n.Orig) || n.Runes[s+1] != n.Runes[s]+1 {
		return false
	}
	a, b := n.Orig[s], n.Orig[s+1]
	if a.Start >= b.End || b.End > len(orig) || b.End-a.Start != 2 {
		return false
	}
	for _, r := range orig[a.Start:b.End] {
		if hanDigit(r) < 0 || r == '十' || r == '拾' {
			return false
		}
	}
	return true
}

// readValue reads the value starting at rs[i], if any.
func readValue(rs []rune, i int, approx func(s, e int) bool, colon []bool) (Value, int, bool) {
	if v, end, ok := readPhone(rs, i); ok {
		return v, end, true
	}
	if v, end, ok := readQuantity(rs, i, approx); ok {
		return v, end, true
	}
	if v, end, ok := readWhen(rs, i, colon); ok {
		return v, end, true
	}
	return Value{}, i, false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// hasAt reports whether rs has word at i.
func hasAt(rs []rune, i int, word string) bool {
	for _, w := range word {
		if i >= len(rs) || rs[i] != w {
			return false
		}
		i++
	}
	return true
}

// longestAt returns the longest of words at rs[i] and where it ends.
func longestAt(rs []rune, i int, words []string) (string, int, bool) {
	best, end := "", i
	for _, w := range words {
		if hasAt(rs, i, w) && i+len([]rune(w)) > end {
			best, end = w, i+len([]rune(w))
		}
	}
	return best, end, best != ""
}

// readPhone reads a mobile (11 digits from 1) or landline number.
func readPhone(rs []rune, i int) (Value, int, bool) {
	if i > 0 && isDigit(rs[i-1]) {
		return Value{}, i, false
	}
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		j++
	}
	d := string(rs[i:j])
	switch n := j - i; {
	case n == 11 && d[0] == '1', n >= 10 && n <= 12 && d[0] == '0', (n == 7 || n == 8) && !unitFollows(rs, j):
		return Value{Type: Phone, Digits: d, Text: "电话 " + d}, j, true
	}
	return Value{}, i, false
}

// unitFollows reports whether a unit of some quantity follows a number.
func unitFollows(rs []rune, j int) bool {
	if j >= len(rs) {
		return false
	}
	_, _, ok := longestAt(rs, j, quantityUnits)
	return ok || rs[j] == '点' || rs[j] == '号' || rs[j] == '元'
}

// readNumber reads a number: digits, 俩, 仨, or 半 (as 0.5), with a
// fraction (1点5, 1个半, 3块5 is left to the unit). approx reports digit
// pairs spoken as 两三; hi is then the larger.
func readNumber(rs []rune, i int) (v float64, end int, ok bool) {
	if i >= len(rs) {
		return 0, i, false
	}
	switch rs[i] {
	case '俩':
		return 2, i + 1, true
	case '仨':
		return 3, i + 1, true
	case '半':
		return 0.5, i + 1, true
	case '几':
		return 0, i, false
	}
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		j++
	}
	if j == i || j-i > 6 {
		return 0, i, false
	}
	n, _ := strconv.Atoi(string(rs[i:j]))
	return float64(n), j, true
}

// durationUnits are the spoken units of time, longest first where one is
// a prefix of another, with their seconds.
var durationUnits = []struct {
	word string
	secs int64
	name string
}{
	{"个工作日", 86400, "个工作日"}, {"工作日", 86400, "个工作日"},
	{"个钟头", 3600, "小时"}, {"钟头", 3600, "小时"}, {"个小时", 3600, "小时"}, {"小时", 3600, "小时"}, {"个钟", 3600, "小时"},
	{"分钟", 60, "分钟"}, {"分中", 60, "分钟"}, {"分", 60, "分钟"}, {"刻钟", 900, "刻钟"},
	{"秒钟", 1, "秒"}, {"秒", 1, "秒"},
	{"天", 86400, "天"}, {"日", 86400, "天"},
	{"个星期", 7 * 86400, "周"}, {"星期", 7 * 86400, "周"}, {"个礼拜", 7 * 86400, "周"}, {"礼拜", 7 * 86400, "周"}, {"周", 7 * 86400, "周"},
	{"个月", 30 * 86400, "个月"}, {"月", 30 * 86400, "个月"},
}

// quantityUnits are the words after a number that make it a duration,
// amount or count; readPhone uses them to tell 1234567吨 from a number.
var quantityUnits = []string{
	"个工作日", "工作日", "个钟头", "钟头", "个小时", "小时", "个钟", "分钟", "分中", "刻钟", "秒", "天", "日", "个星期", "个礼拜", "个月",
	"块钱", "块", "元", "毛", "角", "吨", "度", "立方米", "立方", "方", "千瓦时",
	"个", "位", "户", "次", "台", "家", "人", "口", "件", "处", "遍",
}

// amountUnits map spoken units of money and metering to the unit reported.
var amountUnits = []struct{ word, unit string }{
	{"块钱", "元"}, {"块", "元"}, {"元", "元"}, {"毛", "元"}, {"角", "元"},
	{"吨", "吨"}, {"千瓦时", "度"}, {"度", "度"}, {"立方米", "立方米"}, {"立方", "立方米"}, {"方", "立方米"},
}

var countUnits = []string{"个", "位", "户", "次", "台", "家", "人", "口", "件", "处", "遍"}

// limitWords after a value make it a limit; leadWords before one do.
var (
	limitWords = []string{"以内", "之内", "内", "以前", "之前", "前", "为止", "左右"}
	leadWords  = []string{"不超过", "不会超过", "最多", "最迟", "最晚", "顶多", "至多", "最长"}
)

// readQuantity reads a duration, amount or count starting at rs[i]: a
// number or range of numbers and its unit.
func readQuantity(rs []rune, i int, approx func(s, e int) bool) (Value, int, bool) {
	within := false
	start := i
	if _, e, ok := longestAt(rs, i, leadWords); ok {
		within, i = true, e
	}
	lo, j, ok := readNumber(rs, i)
	if !ok {
		return Value{}, start, false
	}
	hi := lo
	if j-i == 2 && isDigit(rs[i]) && approx(i, j) {
		// 两三个小时, 一两天: the larger bounds it.
		lo, hi = float64(rs[i]-'0'), float64(rs[i+1]-'0')
	}
	// A range: 2到4小时, 3至5天.
	if j < len(rs) && (rs[j] == '到' || rs[j] == '至') {
		if h, k, ok := readNumber(rs, j+1); ok && h >= lo {
			hi, j = h, k
		}
	}
	// Fractions spoken before the unit: 1点5小时, 1个半小时, 10几分钟.
	frac := 0.0
	switch {
	case hasAt(rs, j, "点") && j+1 < len(rs) && isDigit(rs[j+1]):
		k := j + 1
		for k < len(rs) && isDigit(rs[k]) {
			k++
		}
		f, _ := strconv.ParseFloat("0."+string(rs[j+1:k]), 64)
		if _, _, unit := longestDuration(rs, k); unit || isAmountAt(rs, k) {
			frac, j = f, k
		}
	case hasAt(rs, j, "个半"):
		if _, _, unit := longestDuration(rs, j+2); unit {
			frac, j = 0.5, j+2
		}
	case hasAt(rs, j, "几"):
		// 10几分钟: up to 19.
		if hi >= 10 && int(hi)%10 == 0 {
			hi += 9
			j++
		}
	}
	hi += frac
	if lo == 0.5 && hasAt(rs, j, "个") {
		// 半个小时, 半个钟头, 半个月.
		if _, _, unit := longestDuration(rs, j); !unit {
			j++
		}
	}
	if u, secs, ok := longestDuration(rs, j); ok {
		k := j + len([]rune(u.word))
		total := hi * float64(secs)
		// 3天半, 2小时半.
		if hasAt(rs, k, "半") {
			total += 0.5 * float64(secs)
			k++
		}
		if _, e, ok := longestAt(rs, k, limitWords); ok {
			within, k = true, e
		}
		if total <= 0 {
			return Value{}, start, false
		}
		v := Value{Type: Duration, Seconds: int64(math.Round(total)), Within: within}
		v.Text = durationText(total, u.name, within)
		return v, k, true
	}
	if u, k, ok := amountAt(rs, j); ok {
		amt := hi
		if u.word == "毛" || u.word == "角" {
			amt /= 10
		} else if k < len(rs) && isDigit(rs[k]) && (u.word == "块" || u.word == "元") {
			// 3块5: three and a half yuan.
			amt += float64(rs[k]-'0') / 10
			k++
			if hasAt(rs, k, "毛") || hasAt(rs, k, "角") {
				k++
			}
		}
		amt = math.Round(amt*100) / 100
		return Value{Type: Amount, Amount: amt, Unit: u.unit, Text: trimFloat(amt) + " " + u.unit}, k, true
	}
	if lo == hi && lo >= 1 && lo == math.Trunc(lo) {
		if w, k, ok := longestAt(rs, j, countUnits); ok {
			// 2个小时 is a duration, read above; 12号楼 is an address.
			return Value{Type: Count, Count: int(lo), Text: trimFloat(lo) + " " + w}, k, true
		}
	}
	return Value{}, start, false
}

func isAmountAt(rs []rune, i int) bool {
	_, _, ok := amountAt(rs, i)
	return ok
}

func amountAt(rs []rune, i int) (struct{ word, unit string }, int, bool) {
	best, end := struct{ word, unit string }{}, i
	for _, u := range amountUnits {
		if hasAt(rs, i, u.word) && i+len([]rune(u.word)) > end {
			best, end = u, i+len([]rune(u.word))
		}
	}
	return best, end, end > i
}

// longestDuration returns the unit of time at rs[i]. 分 alone is a unit
// only before 钟 or a limit word (3分 is also a score).
func longestDuration(rs []rune, i int) (u struct {
	word string
	secs int64
	name string
}, secs int64, ok bool) {
	n := 0
	for _, d := range durationUnits {
		if l := len([]rune(d.word)); l > n && hasAt(rs, i, d.word) {
			if d.word == "分" {
				if _, _, lim := longestAt(rs, i+1, limitWords); !lim {
					continue
				}
			}
			if d.word == "日" && hasAt(rs, i+1, "前") {
				// 5日前 is a date in the past, 5日内 a deadline.
				continue
			}
			u, n = d, l
		}
	}
	return u, u.secs, n > 0
}

func trimFloat(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// durationText writes a duration for people in the unit it was spoken
// in: 1.5 小时内, 48 小时, 3 个工作日.
func durationText(secs float64, unit string, within bool) string {
	per := map[string]float64{"个工作日": 86400, "天": 86400, "小时": 3600, "分钟": 60, "刻钟": 60, "秒": 1, "周": 7 * 86400, "个月": 30 * 86400}[unit]
	if unit == "刻钟" {
		unit = "分钟"
	}
	if per == 0 {
		switch {
		case int64(secs)%86400 == 0 && secs >= 86400:
			per, unit = 86400, "天"
		case secs >= 3600:
			per, unit = 3600, "小时"
		case secs >= 60:
			per, unit = 60, "分钟"
		default:
			per, unit = 1, "秒"
		}
	}
	s := trimFloat(math.Round(secs/per*10)/10) + " " + unit
	if within {
		s += "内"
	}
	return s
}

// dayWords name days relative to today.
var dayWords = []struct {
	word string
	day  int
	// period is the part of the day the word implies (今晚).
	period string
}{
	{"今天", 0, ""}, {"今日", 0, ""}, {"今儿", 0, ""}, {"当天", 0, ""}, {"今晚", 0, "晚上"}, {"今早", 0, "早上"}, {"今天晚上", 0, "晚上"},
	{"明天", 1, ""}, {"明日", 1, ""}, {"明儿", 1, ""}, {"明早", 1, "早上"}, {"明晚", 1, "晚上"}, {"明天早上", 1, "早上"},
	{"后天", 2, ""}, {"大后天", 3, ""},
}

// periods of the day and the clock time each implies alone, and how a
// clock hour in it reads (下午5点 is 17:00).
var periods = []struct {
	word   string
	at     int // minutes since midnight when said alone; -1 for none
	offset int // hours added to a clock hour below 12
}{
	{"凌晨", -1, 0}, {"早上", -1, 0}, {"早晨", -1, 0}, {"上午", -1, 0}, {"中午", 12 * 60, 0},
	{"下午", -1, 12}, {"傍晚", 18 * 60, 12}, {"晚上", -1, 12}, {"夜里", -1, 12}, {"白天", -1, 0},
}

var weekdays = map[rune]int{'1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '日': 7, '天': 7}

// readWhen reads a clock time or a date: 今天下午5点前, 后天中午, 明天这个时候,
// 周5前, 12点半.
func readWhen(rs []rune, i int, colon []bool) (Value, int, bool) {
	start := i
	within := false
	if _, e, ok := longestAt(rs, i, leadWords); ok {
		within, i = true, e
	}
	day, hasDay, period := 0, false, ""
	best := 0
	for _, d := range dayWords {
		if l := len([]rune(d.word)); l > best && hasAt(rs, i, d.word) {
			day, hasDay, period, best = d.day, true, d.period, l
		}
	}
	i += best
	weekday := 0
	if !hasDay {
		for _, w := range []string{"周", "星期", "礼拜"} {
			if hasAt(rs, i, w) {
				k := i + len([]rune(w))
				if k < len(rs) {
					if wd, ok := weekdays[rs[k]]; ok && !(k+1 < len(rs) && isDigit(rs[k+1])) {
						weekday, i = wd, k+1
					}
				}
				break
			}
		}
	}
	if hasDay && hasAt(rs, i, "这个时候") {
		i += 4
		v := Value{Type: Time, Seconds: int64(day) * 86400, DayOffset: &day, Within: within}
		v.Text = dayName(day) + "这个时候"
		if k, ok := limitAt(rs, i); ok {
			v.Within, i = true, k
			v.Text += "前"
		}
		return v, i, true
	}
	hourOffset, periodAt := 0, -1
	hasPeriod := false
	if period == "" {
		for _, p := range periods {
			if hasAt(rs, i, p.word) {
				period = p.word
				i += len([]rune(p.word))
				break
			}
		}
	}
	for _, p := range periods {
		if p.word == period {
			hasPeriod, hourOffset, periodAt = true, p.offset, p.at
		}
	}
	// A clock time written 17:30.
	if k := i + 1; k < len(rs) && isDigit(rs[i]) {
		if !colon[k] && k+1 < len(rs) && isDigit(rs[k]) {
			k++
		}
		if colon[k] && k+2 <= len(rs) && isDigit(rs[k]) && isDigit(rs[k+1]) && (k+2 == len(rs) || !isDigit(rs[k+2])) {
			hour, _ := strconv.Atoi(string(rs[i:k]))
			minute, _ := strconv.Atoi(string(rs[k : k+2]))
			if hour <= 24 && minute < 60 {
				if hour < 12 && hourOffset > 0 {
					hour += hourOffset
				}
				v := Value{Type: Time, At: fmt.Sprintf("%02d:%02d", hour, minute), DayOffset: &day, Within: within}
				end := k + 2
				if e, ok := limitAt(rs, end); ok {
					v.Within, end = true, e
				}
				v.Text = clockText(day, v.At, v.Within)
				return v, end, true
			}
		}
	}
	// A clock time: 5点, 5点半, 5点30, 5点钟, 17时; not a decimal said
	// with its unit (1点5米 is 1.5 m).
	if h, k, ok := readNumber(rs, i); ok && h == math.Trunc(h) && h <= 24 && k < len(rs) && (rs[k] == '点' || rs[k] == '时') && !(k+1 < len(rs) && hasAt(rs, k, "时候")) && !decimalAt(rs, k) {
		hour, minute := int(h), 0
		k++
		switch {
		case hasAt(rs, k, "钟"):
			k++
		case hasAt(rs, k, "半"):
			minute, k = 30, k+1
		case hasAt(rs, k, "1刻"):
			minute, k = 15, k+2
		case hasAt(rs, k, "3刻"):
			minute, k = 45, k+2
		default:
			if m, e, ok := readNumber(rs, k); ok && m < 60 && m == math.Trunc(m) && e-k <= 2 {
				minute, k = int(m), e
				if hasAt(rs, k, "分") {
					k++
				}
			}
		}
		if hour < 12 && hourOffset > 0 && !(period == "晚上" && hour <= 4) {
			hour += hourOffset
		}
		// A range of clock times (9点到12点) is bounded by its end.
		if hasAt(rs, k, "到") || hasAt(rs, k, "至") {
			if v, e, ok := readWhen(rs, k+1, colon); ok && v.Type == Time && v.At != "" {
				if _, e2, ok := longestAt(rs, e, []string{"之间", "中间"}); ok {
					e = e2
				}
				v.DayOffset = &day
				v.Within = true
				v.Text = dayName(day) + " " + v.At + " 前"
				return v, e, true
			}
		}
		v := Value{Type: Time, At: fmt.Sprintf("%02d:%02d", hour, minute), DayOffset: &day, Within: within}
		if k2, ok := limitAt(rs, k); ok {
			v.Within, k = true, k2
		}
		v.Text = clockText(day, v.At, v.Within)
		return v, k, true
	}
	if hasPeriod && periodAt >= 0 && (hasDay || hasLimit(rs, i)) {
		v := Value{Type: Time, At: fmt.Sprintf("%02d:%02d", periodAt/60, periodAt%60), DayOffset: &day, Within: within}
		if k, ok := limitAt(rs, i); ok {
			v.Within, i = true, k
		}
		v.Text = clockText(day, v.At, v.Within)
		return v, i, true
	}
	if hasDay || weekday > 0 {
		v := Value{Type: Date, Within: within}
		if hasDay {
			v.DayOffset = &day
			v.Text = dayName(day)
		} else {
			v.Weekday = weekday
			v.Text = "周" + string([]rune("一二三四五六日")[(weekday-1)%7])
		}
		if hasPeriod {
			v.Text += period
		}
		if k, ok := limitAt(rs, i); ok {
			v.Within, i = true, k
			v.Text += "前"
		} else if hasAt(rs, i, "之内") || hasAt(rs, i, "以内") {
			v.Within, i = true, i+2
			v.Text += "内"
		}
		return v, i, true
	}
	return Value{}, start, false
}

// decimalUnits are units a decimal number is said with (1点5米, 18点5度),
// none of them a unit of time.
const decimalUnits = "米度元吨块倍斤克升立平方厘毫万亿%"

// decimalAt reports whether rs[k], a 点, is the point of a decimal number
// said with one of decimalUnits.
func decimalAt(rs []rune, k int) bool {
	e := k + 1
	for e < len(rs) && isDigit(rs[e]) {
		e++
	}
	return e > k+1 && e < len(rs) && strings.ContainsRune(decimalUnits, rs[e])
}

func hasLimit(rs []rune, i int) bool {
	_, ok := limitAt(rs, i)
	return ok
}

// limitAt reads a word that makes a time a deadline (前, 之前, 以前, 为止).
func limitAt(rs []rune, i int) (int, bool) {
	if _, e, ok := longestAt(rs, i, []string{"之前", "以前", "前", "为止"}); ok {
		return e, true
	}
	return i, false
}

func dayName(day int) string {
	switch day {
	case 0:
		return "今天"
	case 1:
		return "明天"
	case 2:
		return "后天"
	case 3:
		return "大后天"
	}
	return strconv.Itoa(day) + " 天后"
}

func clockText(day int, at string, within bool) string {
	s := dayName(day) + " " + at
	if within {
		s += " 前"
	}
	return s
}

// ParseBound reads a bound written in a scenario: 4h, 90m, 2d, 30s, or a
// combination (1h30m). It returns seconds.
func ParseBound(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total int64
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9' || r == '.':
			num += string(r)
		default:
			mult := map[rune]int64{'s': 1, 'm': 60, 'h': 3600, 'd': 86400}[r]
			if mult == 0 || num == "" {
				return 0, fmt.Errorf("%q is not a duration such as 4h, 30m or 2d", s)
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not a duration such as 4h, 30m or 2d", s)
			}
			total += int64(math.Round(f * float64(mult)))
			num = ""
		}
	}
	if num != "" || total <= 0 {
		return 0, fmt.Errorf("%q is not a duration such as 4h, 30m or 2d", s)
	}
	return total, nil
}

// ParseClock reads a time of day written as "HH:MM" and returns seconds
// since midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day such as 09:30", s)
	}
	return h*3600 + m*60, nil
}

// BoundText writes seconds for people: 4 小时, 90 分钟, 5 天.
func BoundText(secs int64) string {
	return durationText(float64(secs), "", false)
}
