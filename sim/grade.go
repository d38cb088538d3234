package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// gradeForbidden records every forbidden hit of the turn. A hard-of-hearing
// caller may miss it, but the trainee still said it.
func (c *Call) gradeForbidden(t *turn) []Event {
	var evs []Event
	runes := []rune(t.text)
	per := c.sc.Penalties.ForbiddenPenalty()
	for _, h := range t.hits {
		if h.Kind != phrase.Forbidden {
			continue
		}
		said := ""
		if h.Start >= 0 && h.End <= len(runes) && h.Start < h.End {
			said = string(runes[h.Start:h.End])
		}
		wording, norm, suggestion := h.ID, "", h.Suggestion
		if e, ok := c.entry(h.ID); ok {
			wording, norm = e.Text, e.Source
			if suggestion == "" {
				suggestion = e.Suggestion
			}
		}
		title := string(h.Intent)
		if info, ok := phrase.LookupIntent(h.Intent); ok {
			title = info.Title
		}
		explain := fmt.Sprintf("「%s」属于%s，服务规范明令禁止；规范的说法是「%s」。", said, title, suggestion)
		rewrite := c.rewrite(h.Intent)
		c.forbidden = append(c.forbidden, ForbiddenEntry{
			Turn: t.idx, At: t.at, ID: h.ID, Intent: h.Intent, Phrase: wording, Said: said,
			Suggestion: suggestion, Rewrite: rewrite, Penalty: per, Norm: norm, Explain: explain,
		})
		evs = append(evs, c.hint(t.at, fmt.Sprintf("别说「%s」。可以这样说：%s", said, rewrite), string(h.Intent))...)
	}
	return evs
}

// entry looks up a hit's entry: a scenario's local entries are in the book
// when the caller built it as documented, else in the scenario itself.
func (c *Call) entry(id string) (*phrase.Entry, bool) {
	if e, ok := c.book.Entry(id); ok {
		return e, true
	}
	if short, ok := strings.CutPrefix(id, c.sc.ID+"/"); ok {
		return c.sc.Phrase(short)
	}
	return nil, false
}

// gradeSaid marks the checklist items this heard turn satisfies.
func (c *Call) gradeSaid(t *turn, first bool) {
	folded := fold(t.text)
	// What is said in a forbidden way earns no credit: 保证十分钟就来电
	// is an over-promise, not the restore time the item asks for.
	credited := creditable(t.hits)
	for i := range c.sc.Checklist {
		it := &c.sc.Checklist[i]
		st := &c.items[i]
		if st.done || st.missedAt > 0 {
			continue
		}
		pos := -1
		switch {
		case it.Fact != "":
			from, given := c.given[it.Fact]
			if !given || from > t.idx {
				continue
			}
			if f, ok := c.persona.fact(it.Fact); ok && restates(folded, f.forms) {
				pos = 0
			}
		case it.Rule != "":
			continue
		case it.Value != nil:
			pos = c.gradeValue(credited, it, st)
		default:
			for _, ref := range it.Refs() {
				if h, ok := findRef(c.sc, credited, ref); ok && (pos < 0 || h.Start < pos) {
					pos = h.Start
				}
			}
		}
		if it.First && !first {
			continue
		}
		if pos < 0 {
			if it.First {
				st.missedAt = c.traineeSaid
			}
			continue
		}
		if it.Within > 0 && t.at > it.Within {
			if st.late == 0 {
				st.late = t.at
			}
			continue
		}
		st.done, st.turn, st.pos, st.at = true, t.idx, pos, t.at
	}
}

// gradeValue finds in the turn a hit of the item's refs whose promised time
// meets the item's value rule and returns where it starts, or -1. What was
// understood, or why a promise fell short, is kept for the scorecard.
func (c *Call) gradeValue(hits []phrase.Hit, it *scenarios.Item, st *itemState) int {
	for _, h := range hits {
		if !slices.ContainsFunc(it.Refs(), func(ref string) bool { return hitIs(c.sc, h, ref) }) {
			continue
		}
		ok, understood, why := it.Value.Check(h.Value)
		if ok {
			st.understood, st.short = understood, ""
			return h.Start
		}
		if understood != "" || st.short == "" {
			st.understood, st.short = understood, why
		}
	}
	return -1
}

// creditable returns the hits that may earn checklist credit: those that
// do not overlap a forbidden hit of the same turn.
func creditable(hits []phrase.Hit) []phrase.Hit {
	var out []phrase.Hit
	for _, h := range hits {
		if h.Kind != phrase.Forbidden && slices.ContainsFunc(hits, func(f phrase.Hit) bool {
			return f.Kind == phrase.Forbidden && f.Start < h.End && h.Start < f.End
		}) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// practiceHints point at what the trainee is missing right now.
func (c *Call) practiceHints(t *turn, first bool) []Event {
	if c.mode != domain.Practice {
		return nil
	}
	var evs []Event
	for i := range c.sc.Checklist {
		it := &c.sc.Checklist[i]
		st := &c.items[i]
		switch {
		case first && it.First && !st.done:
			evs = append(evs, c.hintOnce(t.at, "item:"+it.ID, c.persona.fill(itemHint(it)), itemIntent(c.sc, it))...)
		case it.Fact != "" && !st.done:
			// The caller gave it in reply to the previous turn and this
			// turn did not repeat it.
			if from, ok := c.given[it.Fact]; ok && from < t.idx {
				evs = append(evs, c.hintOnce(t.at, "item:"+it.ID, c.persona.fill(itemHint(it)), "restate")...)
			}
		}
	}
	return evs
}

// grade builds the scorecard of the ended call.
func (c *Call) grade() *Scorecard {
	sc := c.sc
	card := &Scorecard{
		Scenario: sc.ID, Title: sc.Title, Mode: c.mode, Seed: c.seed,
		PassMark: sc.PassMark, Outcome: c.outcome, Duration: c.endAt,
		AnsweredRing: c.answerRing,
		Mood:         MoodSummary{Start: sc.Persona.Mood, End: c.mood, Max: c.moodMax, Hangup: sc.Persona.HangupMood},
		Reasons:      []string{},
		Checklist:    make([]ItemResult, 0, len(sc.Checklist)),
		Forbidden:    c.forbidden,
		Turns:        c.turns,
		Facts:        c.persona.factValues(),
		Caller:       c.persona.name,
	}
	if card.Forbidden == nil {
		card.Forbidden = []ForbiddenEntry{}
	}
	if card.Turns == nil {
		card.Turns = []Turn{}
	}
	card.OutcomeNote = c.outcomeNote()

	for i := range sc.Checklist {
		card.Checklist = append(card.Checklist, c.itemResult(i))
	}
	card.Penalty = len(c.forbidden) * sc.Penalties.ForbiddenPenalty()
	settle(card)
	return card
}

// The reasons a call fails for that the checklist does not show.
const (
	reasonUnanswered = "电话一直没有接起。"
	reasonAngry      = "客户被激怒后挂断了电话。"
)

// settle works out a scorecard's points, score, reasons and verdict from its
// checklist, penalty and how the call went (Answered, AngryHangup). It is
// the one place the scoring rules live, for the engine's grading and for a
// trainer's override alike.
func settle(card *Scorecard) {
	card.Points, card.MaxPoints = 0, 0
	var missedCritical []string
	for _, r := range card.Checklist {
		card.MaxPoints += r.Points
		card.Points += r.Earned
		if r.Critical && !r.Done {
			missedCritical = append(missedCritical, r.Title)
		}
	}
	raw := 0
	if card.MaxPoints > 0 {
		raw = int(math.Round(float64(card.Points) * 100 / float64(card.MaxPoints)))
	}
	card.Score = min(max(raw-card.Penalty, 0), 100)

	card.Reasons = []string{}
	if !card.Answered() {
		card.Reasons = append(card.Reasons, reasonUnanswered)
	}
	if card.AngryHangup() {
		card.Reasons = append(card.Reasons, reasonAngry)
	}
	for _, t := range missedCritical {
		card.Reasons = append(card.Reasons, fmt.Sprintf("关键项「%s」没有做到，无论得分多少都不能通过。", t))
	}
	if card.Score < card.PassMark {
		card.Reasons = append(card.Reasons, fmt.Sprintf("得分 %d 低于及格线 %d。", card.Score, card.PassMark))
	}
	card.Passed = len(card.Reasons) == 0
}

func (c *Call) outcomeNote() string {
	switch {
	case c.outcome == Completed:
		return "客户道别后先挂断，通话正常结束。"
	case c.outcome == TraineeHungUp && !c.answered:
		return "电话没接就挂断了。"
	case c.outcome == TraineeHungUp:
		return "学员在客户之前挂断了电话。"
	case c.outcome == TimedOut:
		return fmt.Sprintf("通话超过了 %.0f 秒的时限。", c.sc.MaxDuration)
	case c.angry:
		return "客户情绪越来越差，最后生气挂断了电话。"
	case c.silentUp:
		return "电话里长时间没有声音，客户挂断了。"
	case !c.answered:
		return fmt.Sprintf("铃响了 %d 声没人接，客户挂断了。", c.rings)
	}
	return "客户挂断了电话。"
}

func (c *Call) itemResult(i int) ItemResult {
	it := &c.sc.Checklist[i]
	st := c.items[i]
	r := ItemResult{ID: it.ID, Title: it.Title, Points: it.Points, Critical: it.Critical, Norm: it.Norm, Explain: c.persona.fill(it.Explain), Model: c.persona.fill(it.Model)}
	done, note := st.done, ""
	turn := st.turn
	switch it.Rule {
	case scenarios.RuleAnsweredInTime:
		done, note, turn = c.answeredInTime()
	case scenarios.RuleCallerHungUpFirst:
		done = c.answered && (c.outcome == Completed || c.outcome == CustomerHungUp)
		switch {
		case done:
			note = "学员没有抢先挂机。"
		case c.outcome == TraineeHungUp:
			note = "学员先挂断了电话，客户可能还有话要说。"
		case c.outcome == TimedOut:
			note = "通话超时，没有等到客户挂机。"
		default:
			note = "电话没有接通。"
		}
	case scenarios.RuleHoldAsked:
		done, note = c.holdAsked()
	case scenarios.RuleNoForbidden:
		done = c.answered && len(c.forbidden) == 0
		switch {
		case !c.answered:
			note = "电话没有接通。"
		case done:
			note = "整通电话没有说忌语。"
		default:
			note = fmt.Sprintf("说了 %d 次忌语，第一次是「%s」。", len(c.forbidden), c.forbidden[0].Said)
		}
	case "":
		note = c.saidNote(it, &st)
		if done && it.Before != "" {
			if bt, bpos, ok := c.beforeMark(it.Before); ok && (bt < st.turn || (bt == st.turn && bpos < st.pos)) {
				done = false
				note = fmt.Sprintf("做到了，但在「%s」之后才说，顺序不对。", c.beforeTitle(it.Before))
			}
		}
	}
	r.Done = done
	if done {
		r.Earned = it.Points
		t := turn
		r.Turn = &t
	}
	r.Note = note
	if it.Value != nil {
		r.Understood = st.understood
	}
	return r
}

func (c *Call) saidNote(it *scenarios.Item, st *itemState) string {
	switch {
	case st.done && st.understood != "":
		return fmt.Sprintf("在第 %.0f 秒做到了，理解为：%s。", st.at, st.understood)
	case st.done:
		return fmt.Sprintf("在第 %.0f 秒做到了。", st.at)
	case st.short != "" && st.understood != "":
		return fmt.Sprintf("理解为：%s，%s。", st.understood, st.short)
	case st.short != "":
		return fmt.Sprintf("说了承诺，但%s。", st.short)
	case st.missedAt > 0:
		return "第一句话里没有做到。"
	case st.late > 0:
		return fmt.Sprintf("第 %.0f 秒才做到，超过了 %.0f 秒的时限。", st.late, it.Within)
	case it.Fact != "":
		if _, ok := c.given[it.Fact]; !ok {
			return "没有问到这一项，也就无从复述。"
		}
		return "客户说了，但没有复述确认。"
	}
	return "整通电话没有做到。"
}

func (c *Call) answeredInTime() (bool, string, int) {
	if !c.answered {
		return false, "电话没有接起。", 0
	}
	first := c.firstTrainee()
	if c.answerRing <= c.sc.Rings.AnswerWithin {
		return true, fmt.Sprintf("第 %d 声铃内接起。", c.answerRing), first
	}
	if first >= 0 && !c.turns[first].Misheard {
		if _, ok := findRef(c.sc, c.turns[first].Hits, "apology"); ok {
			return true, fmt.Sprintf("第 %d 声铃才接起，但第一句先致了歉。", c.answerRing), first
		}
	}
	return false, fmt.Sprintf("第 %d 声铃才接起，超过 %d 声，第一句也没有致歉。", c.answerRing, c.sc.Rings.AnswerWithin), first
}

func (c *Call) holdAsked() (bool, string) {
	if !c.answered {
		return false, "电话没有接通。"
	}
	if len(c.silences) == 0 {
		return true, "没有让客户在无声中干等。"
	}
	// The first silence is the one reported.
	s := c.silences[0]
	gap := s.at - s.from
	if s.held {
		return false, fmt.Sprintf("第 %.0f 秒请客户稍等后，让客户等了超过 %.0f 秒。", s.from, gap)
	}
	return false, fmt.Sprintf("第 %.0f 秒起冷场 %.0f 秒，事先没有请客户稍等。", s.from, gap)
}

func (c *Call) firstTrainee() int {
	for i, t := range c.turns {
		if t.Speaker == Trainee {
			return i
		}
	}
	return -1
}

// beforeMark is where the item's Before happened: another checklist item,
// or the first heard turn with the intent or phrase.
func (c *Call) beforeMark(ref string) (int, int, bool) {
	for i, it := range c.sc.Checklist {
		if it.ID == ref {
			st := c.items[i]
			return st.turn, st.pos, st.done
		}
	}
	for i, t := range c.turns {
		if t.Speaker != Trainee || t.Misheard {
			continue
		}
		if h, ok := findRef(c.sc, t.Hits, ref); ok {
			return i, h.Start, true
		}
	}
	return 0, 0, false
}

func (c *Call) beforeTitle(ref string) string {
	for _, it := range c.sc.Checklist {
		if it.ID == ref {
			return it.Title
		}
	}
	if info, ok := phrase.LookupIntent(phrase.Intent(ref)); ok {
		return info.Title
	}
	return ref
}

// defaultRewrites are whole sentences for a forbidden intent when the
// scenario has none of its own.
var defaultRewrites = map[phrase.Intent]string{
	"deflect":      "您反映的情况我先为您记录下来，马上帮您联系负责的同事处理，有结果第一时间给您回电话。",
	"rude":         "请您别着急，您慢慢说，我们一定尽快帮您把问题解决好。",
	"argue":        "您说的情况我都记下了，我们先安排人员查明原因，尽快帮您处理好。",
	"over-promise": "我马上为您登记，按规定的时限安排人员处理，有进展第一时间告诉您。",
	"private":      "不好意思，这个不方便透露，咱们先把您反映的问题处理好。",
}

// rewrite is the whole sentence to say instead of a forbidden reply.
func (c *Call) rewrite(intent phrase.Intent) string {
	if l, ok := c.sc.Rewrites[string(intent)]; ok {
		return c.persona.fill(l)
	}
	return defaultRewrites[intent]
}
