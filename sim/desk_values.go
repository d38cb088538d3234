package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// DeskValues reads the typed values the desk grades: the time bound of a
// work order's promise, and the amounts and clock times a trainee quotes
// from the service system. The phrasebook's typed values (phrasebook/phrase,
// being added by the scoring work) are to serve it once they land; until
// then the engine reads them with PlainValues.
type DeskValues interface {
	// Bound is the latest moment a promise allows, in seconds from when
	// it is made (2到4小时内上门: 14400); ok is false when it names none.
	Bound(text string) (secs int64, ok bool)
	// Amounts are the quantities said, each with its unit (元, 吨, 度).
	Amounts(text string) []Amount
	// Clocks are the clock times said, as HH:MM.
	Clocks(text string) []string
}

// Amount is a quantity said with its unit; money is in 元.
type Amount struct {
	Value float64
	Unit  string
}

// PlainValues reads durations, amounts and clock times with a few patterns
// over the matcher's normalised text (numbers in digits, 两到四 as 2到4).
type PlainValues struct{}

var (
	spanRe   = regexp.MustCompile(`(\d+(?:点\d+)?)(?:到(\d+(?:点\d+)?))?个?(半)?个?(小时|钟头|分钟|分|天|日|周|星期|礼拜)`)
	halfRe   = regexp.MustCompile(`半个?(小时|钟头|天)`)
	amountRe = regexp.MustCompile(`(\d+(?:点\d+)?)(元|块钱|块|吨|度|立方米|立方|方)(\d)?(角|毛)?`)
	clockRe  = regexp.MustCompile(`(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?(\d{1,2})点(半|(\d{1,2})分?)?`)
	colonRe  = regexp.MustCompile(`(\d{1,2}):(\d{2})`)
)

var unitSeconds = map[string]int64{
	"分钟": 60, "分": 60, "小时": 3600, "钟头": 3600, "天": 86400, "日": 86400,
	"周": 7 * 86400, "星期": 7 * 86400, "礼拜": 7 * 86400,
}

func number(s string) float64 {
	f, _ := strconv.ParseFloat(strings.Replace(s, "点", ".", 1), 64)
	return f
}

// Bound implements DeskValues: the largest span named (2到4小时 is 4
// hours; 一个半小时 is 1.5).
func (PlainValues) Bound(text string) (int64, bool) {
	n := fold(text)
	var best int64
	for _, m := range spanRe.FindAllStringSubmatch(n, -1) {
		v := number(m[1])
		if m[2] != "" {
			v = number(m[2])
		}
		if m[3] != "" {
			v += 0.5
		}
		if s := int64(v * float64(unitSeconds[m[4]])); s > best {
			best = s
		}
	}
	for _, m := range halfRe.FindAllStringSubmatch(n, -1) {
		if s := unitSeconds[m[1]] / 2; s > best {
			best = s
		}
	}
	return best, best > 0
}

// Amounts implements DeskValues. 86块4 and 八十六元四角 are 86.4 元.
func (PlainValues) Amounts(text string) []Amount {
	n := fold(text)
	var out []Amount
	for _, m := range amountRe.FindAllStringSubmatchIndex(n, -1) {
		sub := func(g int) string {
			if m[2*g] < 0 {
				return ""
			}
			return n[m[2*g]:m[2*g+1]]
		}
		v, unit := number(sub(1)), sub(2)
		switch unit {
		case "块", "块钱":
			unit = "元"
		case "立方", "方":
			unit = "立方米"
		}
		// A digit after 元 or 块 is 角 when 角 follows it or nothing
		// numeric does (86块4, not 2680元24小时).
		if d := sub(3); d != "" && unit == "元" && (sub(4) != "" || m[1] == len(n) || !isDigitByte(n[m[1]])) && !strings.HasPrefix(n[m[1]:], "小时") && !strings.HasPrefix(n[m[1]:], "个") {
			v += number(d) / 10
		}
		out = append(out, Amount{Value: v, Unit: unit})
	}
	return out
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// halfWidth writes full-width digits and colons half width.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '：':
			return ':'
		}
		return r
	}, s)
}

// Clocks implements DeskValues.
func (PlainValues) Clocks(text string) []string {
	var out []string
	for _, m := range colonRe.FindAllStringSubmatch(halfWidth(text), -1) {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		if h < 24 && mi < 60 {
			out = append(out, fmt.Sprintf("%02d:%02d", h, mi))
		}
	}
	for _, m := range clockRe.FindAllStringSubmatch(fold(text), -1) {
		h, _ := strconv.Atoi(m[2])
		mi := 0
		switch {
		case m[3] == "半":
			mi = 30
		case m[4] != "":
			mi, _ = strconv.Atoi(m[4])
		}
		switch m[1] {
		case "下午", "傍晚", "晚上":
			if h < 12 {
				h += 12
			}
		case "中午":
			if h < 6 {
				h += 12
			}
		case "夜里":
			if h >= 7 && h < 12 {
				h += 12
			}
		}
		if h < 24 && mi < 60 {
			out = append(out, fmt.Sprintf("%02d:%02d", h, mi))
		}
	}
	return out
}
