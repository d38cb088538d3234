package sim

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Value is a typed value the trainee said: a duration, a clock time or an
// amount. The caller echoes Text, the trainee's own words, and weighs
// Seconds against the scenario's promise norm.
type Value struct {
	// Type is "duration", "time" or "amount".
	Type string
	// Text is the value as the trainee said it (两到四个小时, 下午五点前).
	Text string
	// Seconds is a duration's upper bound (2到4小时: 4h).
	Seconds float64
	// Amount and Unit are an amount's number and unit (元, 吨, 度).
	Amount float64
	Unit   string
}

// Valuer reads the typed values of a reply. The phrasebook's typed slots
// are to supply them with each hit; until the Book is given one, sim reads
// them with SpokenValues.
type Valuer interface {
	Values(text string) []Value
}

// SpokenValues reads durations, clock times and amounts from a reply with
// a few patterns over the matcher's normalised text (numbers in digits,
// ranges joined by 到), and takes the words from the reply as said.
type SpokenValues struct{}

var (
	durationRe = regexp.MustCompile(`(\d+(?:点\d+)?)(?:到(\d+(?:点\d+)?))?(个)?(半)?(个)?(小时|钟头|分钟|刻钟|天|日|周|礼拜|星期)(?:之内|以内|内)?|半(个)?(小时|钟头|天)(?:之内|以内|内)?`)
	clockRe    = regexp.MustCompile(`(今天|明天|后天|今晚|明早|明晚)?(凌晨|早上|上午|中午|下午|傍晚|晚上)?(\d{1,2})点(半|\d{1,2}分?)?(?:到(\d{1,2})点(半|\d{1,2}分?)?(?:之间)?)?(?:左右)?(之前|以前|前)?`)
	amountRe   = regexp.MustCompile(`(\d+(?:点\d+)?)(元|块钱|块|吨|度)(\d)?(角|毛)?`)
)

// Values implements Valuer.
func (SpokenValues) Values(text string) []Value {
	n := phrase.Normalize(text)
	norm := n.String()
	runes := []rune(text)
	said := func(loc []int) string {
		// loc is in bytes of norm; map to runes, then to the original.
		i := len([]rune(norm[:loc[0]]))
		j := i + len([]rune(norm[loc[0]:loc[1]]))
		sp := n.OrigSpan(i, j)
		return simplified(runes[sp.Start:sp.End])
	}
	var out []Value
	taken := make([]bool, len(norm))
	claim := func(loc []int) bool {
		for k := loc[0]; k < loc[1]; k++ {
			if taken[k] {
				return false
			}
		}
		for k := loc[0]; k < loc[1]; k++ {
			taken[k] = true
		}
		return true
	}
	for _, m := range clockRe.FindAllStringSubmatchIndex(norm, -1) {
		if !claim(m[:2]) {
			continue
		}
		out = append(out, Value{Type: "time", Text: said(m[:2])})
	}
	for _, m := range durationRe.FindAllStringSubmatchIndex(norm, -1) {
		if !claim(m[:2]) {
			continue
		}
		sub := func(g int) string {
			if m[2*g] < 0 {
				return ""
			}
			return norm[m[2*g]:m[2*g+1]]
		}
		var num float64
		var unit string
		if sub(1) == "" { // 半小时
			num, unit = 0.5, sub(8)
		} else {
			num = number(sub(1))
			if sub(2) != "" {
				num = number(sub(2))
			}
			if sub(4) != "" {
				num += 0.5
			}
			unit = sub(6)
		}
		text := said(m[:2])
		for _, suffix := range []string{"之内", "以内", "内"} {
			if t, ok := strings.CutSuffix(text, suffix); ok {
				text = t
				break
			}
		}
		out = append(out, Value{Type: "duration", Text: text, Seconds: num * unitSeconds(unit)})
	}
	for _, m := range amountRe.FindAllStringSubmatchIndex(norm, -1) {
		if !claim(m[:2]) {
			continue
		}
		amt := number(norm[m[2]:m[3]])
		if m[6] >= 0 {
			amt += number(norm[m[6]:m[7]]) / 10
		}
		unit := norm[m[4]:m[5]]
		if unit == "块" || unit == "块钱" {
			unit = "元"
		}
		out = append(out, Value{Type: "amount", Text: said(m[:2]), Amount: amt, Unit: unit})
	}
	return out
}

func number(s string) float64 {
	f, _ := strconv.ParseFloat(strings.Replace(s, "点", ".", 1), 64)
	return f
}

func unitSeconds(u string) float64 {
	switch u {
	case "分钟":
		return 60
	case "刻钟":
		return 900
	case "小时", "钟头":
		return 3600
	case "天", "日":
		return 86400
	}
	return 7 * 86400
}

// simplified writes a span of the reply in Simplified script, rune by
// rune, keeping numerals as the trainee said them: the caller echoes the
// trainee's words in its own script.
func simplified(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		n := phrase.Normalize(string(r)).Runes
		if len(n) == 1 && !unicode.IsDigit(n[0]) {
			r = n[0]
		}
		b.WriteRune(r)
	}
	return b.String()
}
