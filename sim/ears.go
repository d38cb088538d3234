package sim

import (
	"regexp"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// The caller's ears: what a turn asks of the caller. The matcher's hits
// come first; these cues catch the plain ways people ask for a detail or
// close a call that the phrasebook may not list yet ("电话多少？", "地址呢？",
// "还有别的事吗？"), so that the caller answers what was asked. They only
// steer the caller's reply: grading stays with the matcher.
var (
	factCues = map[string]*regexp.Regexp{
		scenarios.PoolNames:     regexp.MustCompile(`称呼|贵姓|姓名|名字|叫什么|怎么叫|姓什么`),
		scenarios.PoolPhones:    regexp.MustCompile(`电话|号码|手机|联系方式`),
		scenarios.PoolAddresses: regexp.MustCompile(`地址|住址|住哪|住在哪|哪个小区|几号楼|几栋|哪栋|哪户|几单元|哪个单元|几零几|门牌|房号|楼号`),
		scenarios.PoolAccounts:  regexp.MustCompile(`户号|用户编号|编号|账号|户头`),
	}
	// askCue marks a clause that asks or requests: a question, or a verb
	// of telling.
	askCue = regexp.MustCompile(`[？?]|吗|呢|多少|什么|哪|几|说下|说1下|说说|讲1下|留|告诉|报1下|提供|麻烦|说1声|也说|你说|说吧|您说`)
	// clauseEnd splits a reply into clauses, sentenceEnd into sentences.
	clauseEnd   = regexp.MustCompile(`[，,。.！!；;？?]+`)
	sentenceEnd = regexp.MustCompile(`[。.！!；;？?]+`)
	elseCue     = regexp.MustCompile(`还有(别的|其他|其它|什么)|还有.{0,3}(事|需要|问题)|别的事|其他事|还需要.*帮`)
	elseAsk     = regexp.MustCompile(`吗|[？?]|没有|不$|么`)
	closeCue    = regexp.MustCompile(`再见|拜拜|感谢.*来电|谢谢.*来电`)
	// promiseCue marks a turn that promises someone or something comes by
	// a time (not a call back), when the matcher has no commitment in it.
	promiseCue = regexp.MustCompile(`上门|到您家|赶到|过去|过来|来人|恢复|来水|来电|修好|到达|能到|就到|内到|会到`)
	// notAsking are mentions of a phone that do not ask for its number.
	notAsking = regexp.MustCompile(`打.{0,2}电话|回.{0,2}电话|来电话|电话联系|电话通知|电话里`)
)

// clauses splits text into its clauses, each with its question mark kept
// (the mark is part of what it asks).
func clauses(text string) []string { return splitAfter(text, clauseEnd) }

// sentences splits text into its sentences, each with its end mark.
func sentences(text string) []string { return splitAfter(text, sentenceEnd) }

func splitAfter(text string, sep *regexp.Regexp) []string {
	var out []string
	rest := text
	for rest != "" {
		loc := sep.FindStringIndex(rest)
		if loc == nil {
			out = append(out, rest)
			break
		}
		out = append(out, rest[:loc[1]])
		rest = rest[loc[1]:]
	}
	return out
}

// asksFor reports whether the turn asks for the fact: the matcher heard
// the fact's ask, or a clause names the detail and asks for it, and the
// turn does not just read the right value back.
func (c *Call) asksFor(t *turn, f *callFact) bool { return asks(c.sc, t.hits, t.text, f) }

// asks is asksFor on a turn's hits and text, for the coherence check too.
func asks(sc *scenarios.Scenario, hits []phrase.Hit, text string, f *callFact) bool {
	if restates(fold(text), f.forms) {
		return false // reading the value back is not asking for it
	}
	if _, ok := findRef(sc, hits, f.Ask); ok {
		return true
	}
	cue, ok := factCues[f.PoolOf()]
	if !ok {
		return false
	}
	for _, cl := range sentences(text) {
		n := notAsking.ReplaceAllString(phrase.Normalize(cl).String(), "")
		if cue.MatchString(n) && askCue.MatchString(strings.ReplaceAll(cl, "一", "1")+n) {
			return true
		}
	}
	return false
}

// asksAnythingElse reports the closing question "anything else?".
func asksAnythingElse(sc *scenarios.Scenario, hits []phrase.Hit, text string) bool {
	if _, ok := findRef(sc, hits, "anything-else"); ok {
		return true
	}
	for _, sen := range sentences(text) {
		if elseCue.MatchString(phrase.Normalize(sen).String()) && elseAsk.MatchString(sen) {
			return true
		}
	}
	return false
}

// closes reports a turn that ends on thanks or a goodbye: the matcher's
// last hit, or a goodbye in a turn that does not end on a question.
func closes(hits []phrase.Hit, text string) bool {
	if closingTurn(hits) {
		return true
	}
	return closeCue.MatchString(text) && !endsAsking(text)
}

// endsAsking reports a line whose last clause is a question: the caller's
// own question, which goes after its answers.
func endsAsking(line string) bool {
	cls := clauses(strings.TrimSpace(line))
	return len(cls) > 0 && scenarios.IsQuestion(cls[len(cls)-1])
}
