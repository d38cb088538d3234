package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// Options are the per-call settings.
type Options struct {
	// Mode is Practice (the default) or Exam.
	Mode domain.Mode
	// Seed picks among the caller's alternative lines and draws the
	// caller from the scenario's pools.
	Seed uint64
	// Desk says the trainee works at the agent's desk: lookups and work
	// orders are heard, the scenario's desk items graded, and a wrap-up
	// follows the conversation. A call without it (a client that cannot
	// look up or submit work orders) leaves desk items out of the checklist.
	Desk bool
	// Values reads the promise, amounts and clock times the desk grades;
	// nil means PhraseValues.
	Values DeskValues
	// BasePersona meets the scenario's base persona, its facts as written,
	// instead of drawing one with Seed: a transcript without a seed.
	BasePersona bool
}

// defaultMood is how the caller's anger moves when the scenario has no
// reaction of its own to these intents: deflection, arguing and rudeness
// anger, empathy, apology and a concrete commitment calm.
var defaultMood = []struct {
	intent phrase.Intent
	delta  int
}{
	{"deflect", 20}, {"argue", 20}, {"rude", 20},
	{"empathy", -10}, {"apology", -5}, {"commit", -10},
}

// Call is one simulated call. It is not safe for concurrent use; each
// method takes the time of the event in seconds since ringing began, and a
// time earlier than the last one is taken as the last one.
type Call struct {
	sc     *scenarios.Scenario
	book   *Book
	mode   domain.Mode
	seed   uint64
	rng    *rand.Rand
	filter phrase.Filter
	desk   *desk
	values DeskValues

	now     float64
	started bool
	rings   int

	answered    bool
	answerRing  int
	traineeSaid int // trainee turns so far

	// ended says the conversation is over; final that the wrap-up is
	// over too and the scorecard is final.
	ended    bool
	final    bool
	outcome  Outcome
	endAt    float64
	angry    bool
	silentUp bool // hung up on a silent line
	card     *Scorecard

	mood, moodMax int

	turns []Turn

	// Silence: lastActivity is the last trainee turn; held says that turn
	// asked the caller to hold; checks counts the caller's "还在吗?".
	lastActivity float64
	held         bool
	checks       int
	lastCheck    float64
	silences     []silence

	fired     map[string]bool // step ids
	given     map[string]int  // fact key → index of the caller's turn that gave it
	items     []itemState
	forbidden []ForbiddenEntry
	hinted    map[string]bool
	// shownDone counts the checklist items the last checklist event
	// gave as done.
	shownDone int

	// persona is this call's caller.
	persona *persona
	// said holds every variant the caller has used and spoken every line
	// it has said, so that none is said twice; heardHits every hit of the turns the caller heard, for
	// steps that wait on what has happened.
	said      map[string]bool
	spoken    map[string]bool
	heardHits []phrase.Hit
	// askedAgain counts the facts asked for again, for the caller's
	// growing impatience; heldTo is a promise outside the norm the caller
	// holds the trainee to.
	askedAgain int
	heldTo     string
}

type silence struct {
	from, at float64
	held     bool
}

type itemState struct {
	done     bool
	turn     int // index in turns
	pos      int // rune offset of the hit in that turn
	at       float64
	late     float64 // time of a hit past the deadline; 0 if none
	missedAt int     // trainee turn number where a first item was missed
	// understood is the promised time read for an item with a value rule;
	// short says why the last promise heard fell short of it.
	understood, short string
}

// NewCall starts a call to the scenario. Ringing begins at time 0.
func NewCall(sc *scenarios.Scenario, book *Book, opt Options) *Call {
	mode := opt.Mode
	if !mode.Valid() {
		mode = domain.Practice
	}
	values := opt.Values
	if values == nil {
		values = PhraseValues{}
	}
	p := drawPersona(sc, opt.Seed, opt.BasePersona)
	return &Call{
		sc:      sc,
		book:    book,
		mode:    mode,
		seed:    opt.Seed,
		rng:     rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15)), // #nosec G404 -- a replayable call needs a seeded, deterministic generator
		filter:  sc.Filter(),
		mood:    sc.Persona.Mood,
		moodMax: sc.Persona.Mood,
		fired:   map[string]bool{},
		given:   map[string]int{},
		items:   make([]itemState, len(sc.Checklist)),
		hinted:  map[string]bool{},
		persona: p,
		said:    map[string]bool{},
		spoken:  map[string]bool{},
		desk:    newDesk(sc, opt, p),
		values:  values,
	}
}

// Ended reports whether the call is over and its scorecard final: the
// conversation has ended and so has the wrap-up after it.
func (c *Call) Ended() bool { return c.final }

// Over reports whether the conversation has ended; the wrap-up may still
// be running (WrapUntil).
func (c *Call) Over() bool { return c.ended }

// WrapUntil is when the wrap-up ends, once the conversation is over and
// the call has a desk; 0 otherwise.
func (c *Call) WrapUntil() float64 {
	if c.desk == nil || !c.ended || c.final {
		return 0
	}
	return c.desk.wrapUntil
}

// Now is the time of the last event.
func (c *Call) Now() float64 { return c.now }

// Scorecard returns the graded call once it has ended, else nil.
func (c *Call) Scorecard() *Scorecard { return c.card }

// Abandon ends a call that never started ringing as timed out: its line
// was never picked up, so there is nothing to grade but the outcome. A
// call that started or ended is left as it is and Abandon returns nil.
func (c *Call) Abandon() []Event {
	if c.started || c.ended {
		return nil
	}
	return c.end(0, TimedOut)
}

// Mood is the caller's current anger, 0-100.
func (c *Call) Mood() int { return c.mood }

// Advance lets time pass until at: rings while unanswered, the caller
// checking a silent line and giving up on it, the call timing out.
func (c *Call) Advance(at float64) []Event { return c.advance(at, false) }

// advance lets time pass until at. A trainee event at at (speaks) comes
// before the caller checking the silent line at that very moment: the line
// was not silent.
func (c *Call) advance(at float64, speaks bool) []Event {
	if c.final {
		return nil
	}
	at = c.clamp(at)
	var evs []Event
	if !c.started {
		c.started = true
		c.rings = 1
		evs = append(evs, Event{Type: EventRing, At: 0, N: 1}, Event{Type: EventMood, At: 0, Value: c.mood})
	}
	for !c.final {
		t, kind := c.nextDue()
		if t > at || (t == at && speaks && kind == dueSilence) {
			break
		}
		c.now = t
		evs = append(evs, c.fire(t, kind)...)
	}
	if !c.final {
		c.now = at
	}
	return evs
}

type dueKind int

const (
	dueNone dueKind = iota
	dueRing
	dueGiveUp
	dueSilence
	dueTimeout
	dueDeadline
	dueWrapUp
	dueTicketLate
)

// nextDue is the earliest thing that happens by itself.
func (c *Call) nextDue() (float64, dueKind) {
	if c.ended {
		return c.deskDue()
	}
	best, kind := c.sc.MaxDuration, dueTimeout
	consider := func(t float64, k dueKind) {
		if t < best || (t == best && k < kind) {
			best, kind = t, k
		}
	}
	iv := c.sc.Rings.Interval
	if !c.answered {
		if c.rings < c.sc.Rings.GiveUp {
			consider(float64(c.rings)*iv, dueRing)
		} else {
			consider(float64(c.rings)*iv, dueGiveUp)
		}
	} else {
		consider(c.nextSilence(), dueSilence)
	}
	if c.mode == domain.Practice && c.answered {
		for i, it := range c.sc.Checklist {
			if it.Within > 0 && !c.items[i].done && !c.hinted["within:"+it.ID] && it.Within >= c.now {
				consider(it.Within, dueDeadline)
			}
		}
	}
	if t, k := c.deskDue(); k != dueNone {
		consider(t, k)
	}
	return best, kind
}

func (c *Call) nextSilence() float64 {
	if c.checks > 0 {
		return c.lastCheck + c.sc.Silence.After
	}
	if c.held {
		return c.lastActivity + c.sc.Silence.HoldFor
	}
	return c.lastActivity + c.sc.Silence.After
}

func (c *Call) fire(t float64, kind dueKind) []Event {
	switch kind {
	case dueRing:
		c.rings++
		return []Event{{Type: EventRing, At: t, N: c.rings}}
	case dueGiveUp:
		return c.end(t, CustomerHungUp)
	case dueTimeout:
		return c.end(t, TimedOut)
	case dueWrapUp:
		return c.finish(t)
	case dueTicketLate:
		from, _ := c.detailsAt()
		return c.hintOnce(t, "desk:late", fmt.Sprintf("还没有建单：客户报完信息已经 %.0f 秒了，规范要求 %.0f 秒内在系统里建单。", t-from, c.desk.d.Order.SubmitWithin), "ticket")
	case dueDeadline:
		var evs []Event
		for i, it := range c.sc.Checklist {
			if it.Within == t && !c.items[i].done && !c.hinted["within:"+it.ID] {
				c.hinted["within:"+it.ID] = true
				evs = append(evs, c.hint(t, c.persona.fill(itemHint(&it)), itemIntent(c.sc, &it))...)
			}
		}
		return evs
	}
	// A silence check.
	if c.checks >= c.sc.Silence.HangupAfter {
		c.silentUp = true
		evs := c.customer(t, c.persona.fill(c.sc.Silence.GiveUp))
		return append(evs, c.end(t, CustomerHungUp)...)
	}
	var evs []Event
	if c.checks == 0 {
		c.silences = append(c.silences, silence{from: c.lastActivity, at: t, held: c.held})
		if !c.held {
			evs = append(evs, c.hintOnce(t, "silence", "让用户等之前先说一句\"请您稍等\"，别让电话里没有声音。", "hold")...)
		}
	}
	line := c.fresh(c.sc.Silence.Say, nil, genericChecks)
	c.checks++
	c.lastCheck = t
	return append(c.customer(t, line), evs...)
}

func (c *Call) clamp(at float64) float64 {
	if math.IsNaN(at) || at < c.now {
		return c.now
	}
	return at
}

// Apply lets the call hear one of the trainee's events: open lets the
// ringing begin, say and hangup are Say and Hangup, lookup and submit are
// Lookup and Ticket. Replaying a call's stored events, or a transcript, is
// a loop over Apply.
func (c *Call) Apply(e TraineeEvent) ([]Event, error) {
	switch e.Type {
	case EventOpen:
		return c.Advance(0), nil
	case EventSay:
		return c.Say(e.At, e.Text), nil
	case EventHangup:
		return c.Hangup(e.At), nil
	case EventLookup:
		return c.Lookup(e.At, e.By, e.Value), nil
	case EventSubmit:
		if e.Ticket == nil {
			return nil, fmt.Errorf("a work order submitted without its fields")
		}
		return c.Ticket(e.At, *e.Ticket), nil
	}
	return nil, fmt.Errorf("%q is not a trainee event", e.Type)
}

// Hangup is the trainee hanging up; in the wrap-up it closes the wrap-up,
// making the scorecard final.
func (c *Call) Hangup(at float64) []Event {
	evs := c.advance(at, true)
	if c.final {
		return evs
	}
	if c.ended {
		return append(evs, c.finish(c.now)...)
	}
	return append(evs, c.end(c.now, TraineeHungUp)...)
}

// Say is a trainee reply; the first one answers the ringing call. The
// caller answers every reply, or ends the call.
func (c *Call) Say(at float64, text string) []Event {
	evs := c.advance(at, true)
	if c.ended {
		return evs
	}
	at = c.now
	if !c.answered {
		c.answered = true
		c.answerRing = c.rings
	}
	hits := c.book.matcher.Match(text, c.filter)
	slices.SortStableFunc(hits, func(a, b phrase.Hit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	if hits == nil {
		hits = []phrase.Hit{}
	}
	c.traineeSaid++
	first := c.traineeSaid == 1
	heard := !(c.sc.Persona.Has(scenarios.NeedHardOfHearing) && len([]rune(fold(text))) > c.sc.Persona.HearingLimit)
	idx := len(c.turns)
	c.turns = append(c.turns, Turn{Speaker: Trainee, At: at, Text: text, Hits: hits, Misheard: !heard})
	c.lastActivity, c.checks, c.held = at, 0, false

	t := &turn{c: c, idx: idx, at: at, text: text, hits: hits}
	evs = append(evs, c.gradeForbidden(t)...)
	if !heard {
		lines := []string{}
		if first {
			lines = append(lines, c.persona.opening)
		}
		lines = append(lines, c.fresh(c.sc.Persona.Pardon, nil, genericPardons))
		evs = append(evs, c.hintOnce(at, "hearing", "老人家听不清长句子：一句话说短一点、慢一点，一次只问一件事。", "")...)
		reply := c.unique(strings.Join(lines, ""))
		c.lastActivity = at + speakingTime(reply)
		return append(evs, c.customer(at, reply)...)
	}
	c.held = t.has("hold")
	c.gradeSaid(t, first)
	c.gradeQuotes(t)
	evs = append(evs, c.progress(at)...)
	c.heardHits = append(c.heardHits, hits...)

	// Mood takes every intent of the turn; the worst one chooses the line.
	delta := 0
	var worst *scenarios.Reaction
	for i := range c.sc.Reactions {
		r := &c.sc.Reactions[i]
		if !t.has(r.On) {
			continue
		}
		delta += r.Mood
		if worst == nil || r.Mood > worst.Mood {
			worst = r
		}
	}
	for _, d := range defaultMood {
		if t.has(string(d.intent)) && !slices.ContainsFunc(c.sc.Reactions, func(r scenarios.Reaction) bool { return r.On == string(d.intent) }) {
			delta += d.delta
		}
	}
	if worst != nil && worst.Hint != "" {
		evs = append(evs, c.hint(at, worst.Hint, worst.On)...)
	}
	evs = append(evs, c.moveMood(at, delta)...)
	if c.mood >= c.sc.Persona.HangupMood {
		c.angry = true
		evs = append(evs, c.customer(at, c.angryLine())...)
		return append(evs, c.end(at, CustomerHungUp)...)
	}

	r := c.compose(t, first, worst)
	evs = append(evs, c.moveMood(at, r.mood)...)
	evs = append(evs, c.customer(at, r.line)...)
	c.lastActivity = at + speakingTime(r.line)
	evs = append(evs, c.practiceHints(t, first)...)
	evs = append(evs, c.deskHints(t)...)
	switch {
	case c.mood >= c.sc.Persona.HangupMood:
		c.angry = true
		evs = append(evs, c.customer(at, c.angryLine())...)
		evs = append(evs, c.end(at, CustomerHungUp)...)
	case r.end:
		evs = append(evs, c.end(at, Completed)...)
	}
	return evs
}

// closingScore is how sure a goodbye must be before the caller hangs up on
// it: ending the call on a near miss (慢慢 for 慢走) would cut the trainee off.
const closingScore = 0.85

// charsPerSecond is how fast the caller talks; the trainee's silence is
// counted from when the caller has finished.
const charsPerSecond = 4

func speakingTime(line string) float64 {
	return float64(len([]rune(fold(line)))) / charsPerSecond
}

func (c *Call) afterDone(st scenarios.Step) bool {
	for _, a := range st.After {
		if !c.fired[a] {
			return false
		}
	}
	return true
}

func (c *Call) moveMood(at float64, delta int) []Event {
	if delta == 0 {
		return nil
	}
	m := min(max(c.mood+delta, 0), 100)
	if m == c.mood {
		return nil
	}
	c.mood = m
	c.moodMax = max(c.moodMax, m)
	return []Event{{Type: EventMood, At: at, Value: m}}
}

func (c *Call) customer(at float64, text string) []Event {
	c.spoken[text] = true
	c.said[text] = true
	c.turns = append(c.turns, Turn{Speaker: Customer, At: at, Text: text, Hits: []phrase.Hit{}})
	return []Event{{Type: EventCustomer, At: at, Text: text}}
}

func (c *Call) hint(at float64, text, intent string) []Event {
	if c.mode != domain.Practice || text == "" {
		return nil
	}
	return []Event{{Type: EventHint, At: at, Text: text, Intent: intent}}
}

// progress is the practice-mode checklist event: the ids of the items
// graded on what is said that are done so far, sent whenever one more is
// done. Items graded by rule are settled when the call ends.
func (c *Call) progress(at float64) []Event {
	if c.mode != domain.Practice {
		return nil
	}
	done := []string{}
	for i, it := range c.sc.Checklist {
		if it.Rule == "" && c.items[i].done {
			done = append(done, it.ID)
		}
	}
	if len(done) == c.shownDone {
		return nil
	}
	c.shownDone = len(done)
	return []Event{{Type: EventChecklist, At: at, Done: done}}
}

func (c *Call) hintOnce(at float64, key, text, intent string) []Event {
	if c.hinted[key] {
		return nil
	}
	c.hinted[key] = true
	return c.hint(at, text, intent)
}

// end ends the conversation. With a desk, the wrap-up follows (the
// trainee may still submit the work order); otherwise the call is over.
func (c *Call) end(at float64, o Outcome) []Event {
	c.ended, c.outcome, c.endAt, c.now = true, o, at, at
	if c.desk == nil || !c.answered || c.desk.d.WrapUp <= 0 {
		return c.finish(at)
	}
	c.desk.wrapUntil = at + c.desk.d.WrapUp
	evs := []Event{{Type: EventWrapUp, At: at, Outcome: o, Until: c.desk.wrapUntil}}
	if c.desk.ticket == nil {
		evs = append(evs, c.hintOnce(at, "desk:wrap-up", fmt.Sprintf("还没有建单：通话已结束，请在 %.0f 秒的话后处理时间内提交工单。", c.desk.d.WrapUp), "ticket")...)
	}
	return evs
}

// finish closes the call and grades it.
func (c *Call) finish(at float64) []Event {
	c.final, c.now = true, max(at, c.now)
	c.card = c.grade()
	return []Event{{Type: EventEnd, At: c.now, Outcome: c.outcome, Scorecard: c.card}}
}

// turn is one trainee reply being handled.
type turn struct {
	c    *Call
	idx  int
	at   float64
	text string
	hits []phrase.Hit
}

// find returns the first hit of ref: an intent, a local phrase id, or a
// shared phrase id.
func (t *turn) find(ref string) (phrase.Hit, bool) {
	return findRef(t.c.sc, t.hits, ref)
}

func (t *turn) has(ref string) bool {
	_, ok := t.find(ref)
	return ok
}

func findRef(sc *scenarios.Scenario, hits []phrase.Hit, ref string) (phrase.Hit, bool) {
	for _, h := range hits {
		if hitIs(sc, h, ref) {
			return h, true
		}
	}
	return phrase.Hit{}, false
}

// hitIs reports whether h is of the intent, shared phrase or the
// scenario's local phrase that ref names.
func hitIs(sc *scenarios.Scenario, h phrase.Hit, ref string) bool {
	if string(h.Intent) == ref || h.ID == ref {
		return true
	}
	_, local := sc.Phrase(ref)
	return local && h.ID == sc.LocalID(ref)
}

func itemHint(it *scenarios.Item) string {
	if it.Hint != "" {
		return it.Hint
	}
	return it.Explain
}

func itemIntent(sc *scenarios.Scenario, it *scenarios.Item) string {
	switch {
	case it.Intent != "":
		return it.Intent
	case it.Phrase != "":
		if p, ok := sc.Phrase(it.Phrase); ok {
			return string(p.Intent)
		}
		return ""
	case it.Fact != "":
		return "restate"
	case len(it.Any) > 0:
		return it.Any[0]
	}
	return ""
}
