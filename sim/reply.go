package sim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// Lines every caller has when the scenario's own have all been said: no
// line is said twice in a call.
var (
	genericAcks    = []string{"嗯。", "好。", "行。", "嗯，好的。", "哦，好。", "知道了。", "嗯嗯。", "好的好的。", "行，你说。", "嗯，我听着呢。", "哦。", "明白。"}
	genericChecks  = []string{"喂？", "喂，还在吗？", "喂？听得见吗？", "人呢？"}
	genericPardons = []string{"啊？", "你说啥？", "听不清，你慢点说。", "啥？再说一遍。", "哎呀，没听清。"}
	genericUpset   = []string{"你这话说的……", "你这是什么态度。", "这么说我可不爱听。", "哪有你这么说话的。"}
	genericElse    = []string{"没有了，就这些。", "真没别的了。", "没了。"}
	confirms       = []string{"对。", "对，没错。", "嗯，对。", "是，没错。", "对对。", "没错。"}
	// againPrefixes grow more impatient each time a fact is asked again.
	againPrefixes = []string{"我再说一遍，", "刚才说了，", "不是说过了嘛，", "都说了好几遍了，"}
)

// reply is the caller's answer to one heard turn.
type reply struct {
	line string
	end  bool
	mood int
}

// compose chooses the caller's answer to a heard turn. worst is the turn's
// reaction with the largest mood change, if any.
//
// A forbidden intent's reaction is the whole answer (the worst one
// chooses the line). Otherwise the answer gathers, in order: the opening
// on the first turn, corrections of wrong restatements (or a short
// confirmation of right ones), every fact asked for, and then the closing
// answer to a closing question, or the promise the caller weighs, or the
// script steps the turn set off. A turn that brought none of these gets a
// calm reaction, the caller's own next question, or an acknowledgement.
func (c *Call) compose(t *turn, first bool, worst *scenarios.Reaction) reply {
	heard := c.book.values.Values(t.text)
	vars := c.turnVars(heard)
	var parts []string
	if first {
		parts = append(parts, c.persona.opening)
	}
	closing := !first && closes(t.hits, t.text)
	asksElse := !first && asksAnythingElse(c.sc, t.hits, t.text)
	if worst != nil && c.isNegative(t, worst) && !closing {
		line := c.fresh(worst.Say, vars, genericUpset)
		if worst.On == "over-promise" && vars[scenarios.VarTime] != "" {
			c.heldTo = vars[scenarios.VarTime]
		}
		return reply{line: c.unique(strings.Join(append(parts, line), ""))}
	}

	substantive := first
	corr, corrected := c.corrections(t)
	parts = append(parts, corr...)
	if len(corr) > 0 {
		substantive = true
	}
	confirm := len(corr) == 0 && !first && c.restatedNow(t) && confirmAsked.MatchString(fold(t.text))
	if confirm {
		parts = append(parts, "") // the confirmation's place, filled below
	}
	// The facts go after the caller's answers to what the trainee said
	// and before the caller's own questions.
	facts := c.factsLine(t, corrected)
	var asks []string
	stepped := false
	r := reply{}
	if closing || asksElse {
		if facts != "" {
			parts = append(parts, facts)
			substantive = true
			facts = ""
		}
	}
	switch {
	case closing:
		bye := c.persona.fill(c.sc.Closing.Goodbye)
		if c.heldTo != "" && c.sc.Promise != nil && c.sc.Promise.Remind != "" {
			if remind, ok := scenarios.Fill(c.sc.Promise.Remind, c.withTime(c.heldTo)); ok {
				bye = remind + bye
			}
		}
		parts = append(parts, bye)
		r.end, substantive = true, true
	case asksElse:
		parts = append(parts, c.fresh([]string{c.sc.Closing.AnythingElse}, vars, genericElse))
		substantive = true
	default:
		// A promise outside the norm is answered by the promise line, in
		// place of the steps that answer a commitment.
		promise, outside := c.promiseLine(t, heard, vars)
		for _, st := range c.sc.Script {
			if c.fired[st.ID] || !c.afterDone(st) || c.blocked(st) || !(slices.ContainsFunc(st.When, t.has) || (st.WhenHeard != "" && vars[st.WhenHeard] != "")) {
				continue
			}
			if outside && c.answersCommitment(st) {
				continue
			}
			c.fired[st.ID] = true
			// A gated step that asks is the caller's own question (when will
			// someone come?): it goes after the answers.
			if line := c.fresh(st.Say, vars, nil); len(st.Unless) > 0 && scenarios.IsQuestion(line) {
				asks = append(asks, line)
			} else {
				parts = append(parts, line)
				stepped = true
			}
			r.mood += st.Mood
			r.end = r.end || st.End
			substantive = true
		}
		switch {
		case outside:
			parts = append(parts, promise)
			substantive = true
		case !stepped && promise != "":
			c.said[promise] = true
			parts = append(parts, promise)
			substantive = true
		}
	}
	if facts != "" {
		parts = append(parts, facts)
		substantive = true
	}
	parts = append(parts, asks...)
	if confirm {
		// A step that answers the turn confirms it already.
		if !stepped {
			parts[slices.Index(parts, "")] = c.fresh(confirms, nil, nil)
		}
	}
	if !substantive && worst != nil {
		if line := c.fresh(worst.Say, vars, nil); line != "" {
			parts = append(parts, line)
			substantive = true
		}
	}
	if !substantive {
		// The caller's own initiative: a step without when whose turn has come.
		for _, st := range c.sc.Script {
			if c.fired[st.ID] || len(st.When) > 0 || st.WhenHeard != "" || !c.afterDone(st) || c.blocked(st) {
				continue
			}
			c.fired[st.ID] = true
			parts = append(parts, c.fresh(st.Say, vars, nil))
			r.mood += st.Mood
			r.end = st.End
			substantive = true
			break
		}
	}
	if !substantive && len(parts) == 0 {
		parts = append(parts, c.fresh(c.sc.Fallback, vars, genericAcks))
	}
	r.line = c.unique(strings.Join(parts, ""))
	if r.end && scenarios.IsQuestion(r.line) {
		// A question deserves an answer: the caller stays on the line.
		r.end = false
	}
	return r
}

// unique keeps a line the caller said before from being said again.
func (c *Call) unique(line string) string {
	if line != "" && !c.spoken[line] {
		return line
	}
	return c.fresh(nil, nil, genericAcks)
}

// fresh picks a line of pool (placeholders filled from vars) the caller
// has not said yet, else one of fallback. When all are spent it repeats
// the first fallback rather than leave the trainee in silence; without a
// fallback it returns "".
func (c *Call) fresh(pool []string, vars map[string]string, fallback []string) string {
	if vars == nil {
		vars = c.persona.vars
	}
	for _, list := range [][]string{pool, fallback} {
		// A line that echoes what the trainee said comes first.
		var cands, echoes []string
		for _, l := range list {
			filled, ok := scenarios.Fill(l, vars)
			if !ok || filled == "" || c.said[filled] {
				continue
			}
			cands = append(cands, filled)
			if filled != l && scenarios.Echoes(l) {
				echoes = append(echoes, filled)
			}
		}
		if len(echoes) > 0 {
			cands = echoes
		}
		if len(cands) > 0 {
			line := cands[c.rng.IntN(len(cands))]
			c.said[line] = true
			return line
		}
	}
	if len(fallback) > 0 {
		// Every line is spent: a short one again rather than silence.
		return fallback[0]
	}
	return ""
}

// turnVars are the persona's placeholders plus the time and amount the
// trainee gave in this turn.
func (c *Call) turnVars(heard []Value) map[string]string {
	vars := maps.Clone(c.persona.vars)
	for _, v := range heard {
		switch {
		case (v.Type == "duration" || v.Type == "time") && vars[scenarios.VarTime] == "":
			vars[scenarios.VarTime] = v.Text
		case v.Type == "amount" && vars[scenarios.VarAmount] == "":
			vars[scenarios.VarAmount] = v.Text
		}
	}
	return vars
}

func (c *Call) withTime(t string) map[string]string {
	vars := maps.Clone(c.persona.vars)
	vars[scenarios.VarTime] = t
	return vars
}

func (c *Call) angryLine() string { return c.persona.fill(c.sc.Closing.Angry) }

// isNegative reports a reaction to something forbidden the trainee said.
func (c *Call) isNegative(t *turn, r *scenarios.Reaction) bool {
	h, ok := t.find(r.On)
	return ok && h.Kind == phrase.Forbidden
}

// blocked reports a step that what has happened has made pointless.
func (c *Call) blocked(st scenarios.Step) bool {
	for _, u := range st.Unless {
		if c.fired[u] {
			return true
		}
		if _, ok := findRef(c.sc, c.heardHits, u); ok {
			return true
		}
	}
	return false
}

// promiseLine weighs a commitment with a duration against the scenario's
// norm: a promise sooner than the norm allows is taken at its word (and
// held to at the goodbye), a later one complained about; outside says the
// line answers a promise outside the norm and goes before any step. A
// promise within the norm gets a kept line, which a script step answering
// the same turn takes precedence over; the line is picked only when used.
func (c *Call) promiseLine(t *turn, heard []Value, vars map[string]string) (line string, outside bool) {
	pr := c.sc.Promise
	if pr == nil || !(t.has("commit") || promiseCue.MatchString(fold(t.text))) {
		return "", false
	}
	i := slices.IndexFunc(heard, func(v Value) bool { return v.Type == "duration" || v.Type == "time" })
	if i < 0 {
		return "", false
	}
	v := heard[i]
	c.fired[scenarios.Promised] = true
	vars = maps.Clone(vars)
	vars[scenarios.VarTime] = v.Text
	if v.Type != "duration" {
		return c.peek(pr.Kept, vars), false
	}
	span := time.Duration(v.Seconds * float64(time.Second))
	minSpan, maxSpan := pr.Bounds(c.sc)
	if lo, err := scenarios.ParseSpan(minSpan); err == nil && span < lo && len(pr.Early) > 0 {
		if line := c.fresh(pr.Early, vars, nil); line != "" {
			c.heldTo = v.Text
			return line, true
		}
	}
	if hi, err := scenarios.ParseSpan(maxSpan); err == nil && span > hi && len(pr.Late) > 0 {
		if line := c.fresh(pr.Late, vars, nil); line != "" {
			return line, true
		}
	}
	return c.peek(pr.Kept, vars), false
}

// answersCommitment reports a step set off by a commitment: the intent
// commit, or a phrase of that intent.
func (c *Call) answersCommitment(st scenarios.Step) bool {
	for _, w := range st.When {
		if w == "commit" {
			return true
		}
		if p, ok := c.sc.Phrase(w); ok && p.Intent == "commit" {
			return true
		}
		if e, ok := c.book.Entry(w); ok && e.Intent == "commit" {
			return true
		}
	}
	return false
}

// peek is fresh without using the line up: the caller may not say it.
func (c *Call) peek(pool []string, vars map[string]string) string {
	line := c.fresh(pool, vars, nil)
	delete(c.said, line)
	return line
}

// factsLine gives every fact the turn asks for, in one line: the new ones
// as the caller says them, the ones asked again shortly and a little
// impatiently.
func (c *Call) factsLine(t *turn, corrected map[string]bool) string {
	var fresh, again []string
	for i := range c.persona.facts {
		f := &c.persona.facts[i]
		if corrected[f.Key] || !c.asksFor(t, f) {
			continue
		}
		if _, given := c.given[f.Key]; given {
			again = append(again, f.display)
			continue
		}
		c.given[f.Key] = len(c.turns)
		fresh = append(fresh, f.say)
	}
	var b strings.Builder
	if len(again) > 0 {
		// Each time more impatient: the next prefix not said yet.
		n := min(c.askedAgain, len(againPrefixes)-1)
		c.askedAgain++
		prefix := fmt.Sprintf("这都第%d遍了，", c.askedAgain+1)
		for _, p := range slices.Concat(againPrefixes[n:], againPrefixes[:n]) {
			if !c.said[p] {
				prefix = p
				break
			}
		}
		c.said[prefix] = true
		b.WriteString(prefix)
		b.WriteString(strings.Join(again, "，"))
		b.WriteString("。")
	}
	for _, s := range fresh {
		b.WriteString(s)
	}
	return b.String()
}

// restatedNow reports a turn that restates a fact the caller gave.
func (c *Call) restatedNow(t *turn) bool {
	folded := fold(t.text)
	for _, f := range c.persona.facts {
		if from, ok := c.given[f.Key]; ok && from < t.idx && restates(folded, f.forms) {
			return true
		}
	}
	return false
}

func restates(folded string, forms []string) bool {
	digits := ""
	for _, form := range forms {
		ff := fold(form)
		if ff != "" && strings.Contains(folded, ff) {
			return true
		}
		// A long number is restated however it is broken up (8523-6047
		// reads as a range to the normaliser).
		if len(ff) >= 7 && strings.Trim(ff, "0123456789") == "" {
			if digits == "" {
				digits = strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, folded)
			}
			if strings.Contains(digits, ff) {
				return true
			}
		}
	}
	return false
}

var (
	// titleRe finds a surname and title where the caller is addressed: at
	// the start of a clause or after 好, 是 (两到四小时师傅上门 and 楼上的王女士
	// are not).
	titleRe = regexp.MustCompile(`(?:^|[^\p{Han}]|[是好喂])(\p{Han})(先生|女士|小姐|阿姨|师傅|大哥|大爷|奶奶|大妈|姐|叔)`)
	// surnames are the common single-character surnames: a title after
	// anything else is not someone's name.
	surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
	digitRe  = regexp.MustCompile(`\d+`)
	// confirmAsked marks a turn that asks the caller to confirm.
	confirmAsked = regexp.MustCompile(`对吧|对吗|对不对|对么|吗|是吧|没错吧|是不是|确认|核对|记下|记好|登记`)
	// unitAfter marks a number that is not part of an address or phone.
	unitAfter = regexp.MustCompile(`^(?:到|个|小时|钟头|分|点|元|块|天|度|吨|号[^楼]|号$|月|年|日|周|秒|岁|人|次|遍|趟)`)
)

// corrections are the caller's corrections of facts the turn restates
// wrongly (不对，是1103，不是1013), and the keys of the facts corrected.
func (c *Call) corrections(t *turn) ([]string, map[string]bool) {
	folded := fold(t.text)
	var out []string
	keys := map[string]bool{}
	for _, f := range c.persona.facts {
		from, given := c.given[f.Key]
		if !given || from > t.idx || restates(folded, f.forms) {
			continue
		}
		var line string
		if f.PoolOf() == scenarios.PoolNames {
			line = c.nameCorrection(simplified([]rune(t.text)))
		} else {
			line = c.digitCorrection(t.text, f)
		}
		if line != "" {
			out = append(out, line)
			keys[f.Key] = true
		}
	}
	return out, keys
}

func (c *Call) nameCorrection(text string) string {
	p := c.persona
	for _, m := range titleRe.FindAllStringSubmatch(text, -1) {
		x, title := m[1], m[2]
		if !strings.Contains(surnames, x) {
			continue // 上门前师傅 is not a name
		}
		if x != p.surname && !strings.HasSuffix(p.surname, x) {
			return c.fresh([]string{
				fmt.Sprintf("我姓%s，不姓%s。", p.surname, x),
				fmt.Sprintf("不是%s，我姓%s。", x, p.surname),
			}, nil, nil)
		}
		female := slices.Contains(femaleTitles, title)
		male := slices.Contains(maleTitles, title)
		if p.gender == "male" && female && !male {
			return c.fresh([]string{fmt.Sprintf("我是男的，叫我%s先生就行。", p.surname)}, nil, nil)
		}
		if p.gender == "female" && male && !female {
			return c.fresh([]string{fmt.Sprintf("我是女的，叫我%s女士就行。", p.surname)}, nil, nil)
		}
	}
	return ""
}

func (c *Call) digitCorrection(text string, f callFact) string {
	want := numberRuns(fold(f.value))
	if len(want) == 0 {
		return ""
	}
	known := map[string]bool{}
	for _, o := range c.persona.facts {
		for _, r := range numberRuns(fold(o.value)) {
			known[r.digits] = true
		}
	}
	// A number is taken for a restatement in a sentence that confirms or
	// records it, not in talk of someone else's (楼上1204的).
	var runs []numberRun
	for _, sen := range sentences(text) {
		if sen := fold(sen); confirmAsked.MatchString(sen) {
			runs = append(runs, numberRuns(sen)...)
		}
	}
	for _, got := range runs {
		if known[got.digits] {
			continue
		}
		for _, w := range want {
			if !nearMiss(w.digits, got.digits) || (got.unit != "" && w.unit != "" && got.unit != w.unit) {
				continue
			}
			right, wrong := groupDigits(w.digits)+w.unit, groupDigits(got.digits)+got.unit
			return c.fresh([]string{
				fmt.Sprintf("不对，是%s，不是%s。", right, wrong),
				fmt.Sprintf("不是%s，是%s。", wrong, right),
				fmt.Sprintf("你记错了，是%s。", right),
			}, nil, nil)
		}
	}
	return ""
}

// numberRun is a number in an address, phone or account, with the word
// that follows it in an address (号楼, 栋, 单元).
type numberRun struct{ digits, unit string }

// addressUnits are the words after a number that make it part of an
// address however short it is.
var addressUnits = []string{"号楼", "栋", "幢", "单元"}

// numberRuns are the numbers of a folded text that could be part of an
// address, phone or account: three digits or more, or fewer before 号楼,
// 栋 or 单元; not a time, an amount or a count.
func numberRuns(folded string) []numberRun {
	var out []numberRun
	for _, loc := range digitRe.FindAllStringIndex(folded, -1) {
		run, rest := folded[loc[0]:loc[1]], folded[loc[1]:]
		if unitAfter.MatchString(rest) {
			continue
		}
		unit := ""
		for _, u := range addressUnits {
			if strings.HasPrefix(rest, u) {
				unit = u
			}
		}
		if len(run) < 3 && unit == "" {
			continue
		}
		out = append(out, numberRun{run, unit})
	}
	return out
}

// nearMiss reports a number that is close to the right one without being
// it: the same length with at most two digits wrong, or one digit missing
// or extra in a long number.
func nearMiss(want, got string) bool {
	if want == got {
		return false
	}
	if len(want) == len(got) {
		diff := 0
		for i := range want {
			if want[i] != got[i] {
				diff++
			}
		}
		return diff <= 2 && (diff < len(want) || len(want) <= 2)
	}
	if len(want) < 7 || (len(want)-len(got))*(len(want)-len(got)) != 1 {
		return false
	}
	long, short := want, got
	if len(short) > len(long) {
		long, short = short, long
	}
	for i := range long {
		if long[:i]+long[i+1:] == short {
			return true
		}
	}
	return false
}
