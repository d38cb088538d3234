package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// KnownPhrase reports whether id names an entry of the shared phrasebook, so
// that a scenario may refer to it in when, on, any, ask and phrase. A nil
// KnownPhrase knows no shared entries.
type KnownPhrase func(id string) bool

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keyPattern = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
)

// Defaults the engine relies on when a scenario leaves them out.
const (
	DefaultRingInterval = 3
	DefaultAnswerWithin = 3
	DefaultGiveUpRings  = 10
	DefaultSilenceAfter = 20
	DefaultHoldFor      = 90
	DefaultHangupAfter  = 3
	DefaultMaxDuration  = 900
	DefaultHangupMood   = 90
	DefaultHearingLimit = 15
)

// ParseScenario parses and validates one scenario file. Every problem is
// reported, each as an *Error naming file, line and field; the error is an
// Errors list. Defaults are filled in on success.
func ParseScenario(file string, data []byte, known KnownPhrase) (*Scenario, error) {
	var sc Scenario
	lines, err := decodeStrict(file, data, &sc)
	if err != nil {
		return nil, err
	}
	sc.File = file
	sc.lines = lines
	c := &errs{file: file, lines: lines}
	validate(c, &sc, known)
	if err := c.err(); err != nil {
		return nil, err
	}
	applyDefaults(&sc)
	return &sc, nil
}

func isIntent(name string) bool {
	_, ok := phrase.LookupIntent(phrase.Intent(name))
	return ok
}

// IsRef reports whether ref is something a scenario may listen for: an
// intent, one of its local phrase ids, or a known shared phrase id.
func (s *Scenario) IsRef(ref string, known KnownPhrase) bool {
	if isIntent(ref) {
		return true
	}
	if _, ok := s.Phrase(ref); ok {
		return true
	}
	return known != nil && known(ref)
}

func validate(c *errs, s *Scenario, known KnownPhrase) {
	ref := func(path, r string) {
		switch {
		case r == "":
			c.at(path, "empty reference")
		case !s.IsRef(r, known):
			c.at(path, "unknown intent or phrase id %q", r)
		}
	}
	refs := func(path string, rs []string) {
		for i, r := range rs {
			ref(pathIndex(path, i), r)
		}
	}
	lines := func(path string, ls []string) {
		for i, l := range ls {
			if strings.TrimSpace(l) == "" {
				c.at(pathIndex(path, i), "empty line")
			}
		}
	}
	_, has := c.lines["pass_mark"]

	switch {
	case s.ID == "":
		c.at("id", "required")
	case !idPattern.MatchString(s.ID):
		c.at("id", "%q: use lower-case letters, digits and '-'", s.ID)
	}
	if strings.TrimSpace(s.Title) == "" {
		c.at("title", "required")
	}
	if !slices.Contains(Domains(), s.Domain) {
		c.at("domain", "%q: must be one of %s", s.Domain, strings.Join(Domains(), ", "))
	}
	if s.Difficulty < 1 || s.Difficulty > 3 {
		c.at("difficulty", "%d: must be 1, 2 or 3", s.Difficulty)
	}
	if strings.TrimSpace(s.Company) == "" {
		c.at("company", "required")
	}
	if !has {
		c.at("pass_mark", "required: the score (0-100) a call needs to pass")
	} else if s.PassMark < 0 || s.PassMark > 100 {
		c.at("pass_mark", "%d: must be 0-100", s.PassMark)
	}

	p := &s.Persona
	if strings.TrimSpace(p.Name) == "" {
		c.at("persona.name", "required")
	}
	if p.Gender != "male" && p.Gender != "female" {
		c.at("persona.gender", "%q: must be male or female", p.Gender)
	}
	if p.Age < 0 || p.Age > 120 {
		c.at("persona.age", "%d: must be 0-120", p.Age)
	}
	if !slices.Contains([]string{"calm", "anxious", "angry"}, p.Temper) {
		c.at("persona.temper", "%q: must be calm, anxious or angry", p.Temper)
	}
	if p.Mood < 0 || p.Mood > 100 {
		c.at("persona.mood", "%d: must be 0-100", p.Mood)
	}
	hm := p.HangupMood
	if hm == 0 {
		hm = DefaultHangupMood
	}
	if hm < 1 || hm > 100 {
		c.at("persona.hangup_mood", "%d: must be 1-100", p.HangupMood)
	} else if hm <= p.Mood {
		c.at("persona.hangup_mood", "%d: must be above the starting mood %d, or the caller hangs up at once", hm, p.Mood)
	}
	for i, n := range p.Needs {
		if !slices.Contains(Needs(), n) {
			c.at(pathIndex("persona.needs", i), "%q: must be one of %s", n, strings.Join(Needs(), ", "))
		}
	}
	if p.HearingLimit < 0 {
		c.at("persona.hearing_limit", "must not be negative")
	}
	lines("persona.pardon", p.Pardon)
	lines("pools.openings", s.Pools.Openings)
	s.checkLines(c, "pools.openings", s.Pools.Openings, false)

	if s.Rings.Interval < 0 {
		c.at("rings.interval", "must be positive")
	}
	if s.Rings.AnswerWithin < 0 {
		c.at("rings.answer_within", "must be positive")
	}
	if s.Rings.GiveUp < 0 || (s.Rings.GiveUp > 0 && s.Rings.GiveUp < max(s.Rings.AnswerWithin, 1)) {
		c.at("rings.give_up", "%d: must be at least answer_within", s.Rings.GiveUp)
	}
	if s.Silence.After < 0 {
		c.at("silence.after", "must be positive")
	}
	if s.Silence.HoldFor < 0 {
		c.at("silence.hold_for", "must be positive")
	}
	if s.Silence.HangupAfter < 0 {
		c.at("silence.hangup_after", "must be positive")
	}
	lines("silence.say", s.Silence.Say)
	if s.MaxDuration < 0 {
		c.at("max_duration", "must be positive")
	}
	if strings.TrimSpace(s.Opening) == "" {
		c.at("opening", "required: what the caller says first")
	}

	// Phrases come first: everything else may refer to them.
	phraseIDs := map[string]int{}
	for i, e := range s.Phrases {
		path := pathIndex("phrases", i)
		if e.ID == CompanyPhraseID {
			c.at(path+".id", "%q is reserved for the company's names", e.ID)
		}
		if checkID(c, "phrases", i, "id", e.ID, idPattern, idHint, "phrase id", phraseIDs) && isIntent(e.ID) {
			c.at(path+".id", "%q is an intent name; pick another id", e.ID)
		}
		phrase.ValidateEntry(&s.Phrases[i], func(field, format string, args ...any) {
			c.at(path+"."+field, format, args...)
		})
		lines(path+".variants", e.Variants)
		lines(path+".except", e.Except)
	}

	factKeys := map[string]int{}
	for i, f := range s.Facts {
		path := pathIndex("facts", i)
		checkID(c, "facts", i, "key", f.Key, keyPattern, "lower-case letters and '-'", "fact", factKeys)
		ref(path+".ask", f.Ask)
		if strings.TrimSpace(f.Say) == "" {
			c.at(path+".say", "required: how the caller tells it")
		}
		if strings.TrimSpace(f.Value) == "" {
			c.at(path+".value", "required: the detail itself, to check restating")
		}
		lines(path+".restate", f.Restate)
		s.checkLine(c, path+".say", f.Say, false)
		switch f.Pool {
		case "", "none", PoolNames, PoolPhones, PoolAddresses, PoolAccounts:
		default:
			c.at(path+".pool", "%q: must be one of names, phones, addresses, accounts or none", f.Pool)
		}
	}

	validatePools(c, s)

	stepIDs := map[string]int{}
	for i, st := range s.Script {
		path := pathIndex("script", i)
		checkID(c, "script", i, "id", st.ID, idPattern, idHint, "step id", stepIDs)
		refs(path+".when", st.When)
		if len(st.Say) == 0 {
			c.at(path+".say", "required: at least one line")
		}
		lines(path+".say", st.Say)
		s.checkLines(c, path+".say", st.Say, len(st.When) > 0 || st.WhenHeard != "")
		if st.WhenHeard != "" && st.WhenHeard != VarTime && st.WhenHeard != VarAmount {
			c.at(path+".when_heard", "%q: must be %s or %s", st.WhenHeard, VarTime, VarAmount)
		}
		if len(st.Say) > 0 && !plainLine(st.Say) {
			c.at(path+".say", "needs one line without {time} or {amount}, for a turn that gives none")
		}
		if st.End {
			for j, l := range st.Say {
				if IsQuestion(l) {
					c.at(pathIndex(path+".say", j), "the caller hangs up after this step: a question here would go unanswered")
				}
			}
		}
	}
	for i, st := range s.Script {
		for j, a := range st.After {
			if _, ok := stepIDs[a]; !ok {
				c.at(pathIndex(pathIndex("script", i)+".after", j), "unknown step %q", a)
			}
		}
		for j, u := range st.Unless {
			if _, ok := stepIDs[u]; !ok && u != Promised && !s.IsRef(u, known) {
				c.at(pathIndex(pathIndex("script", i)+".unless", j), "unknown step, intent or phrase id %q (or %q)", u, Promised)
			}
		}
	}
	for _, i := range neverFire(s.Script, stepIDs) {
		c.at(pathIndex("script", i)+".after", "step %q can never fire: its after steps wait on each other in a cycle", s.Script[i].ID)
	}

	reactOn := map[string]int{}
	for i, r := range s.Reactions {
		path := pathIndex("reactions", i)
		ref(path+".on", r.On)
		if prev, dup := reactOn[r.On]; dup && r.On != "" {
			c.at(path+".on", "a reaction to %q is already at reactions[%d]", r.On, prev)
		}
		reactOn[r.On] = i
		if r.Mood < -100 || r.Mood > 100 {
			c.at(path+".mood", "%d: must be -100..100", r.Mood)
		}
		lines(path+".say", r.Say)
		s.checkLines(c, path+".say", r.Say, true)
		if len(r.Say) > 0 && !plainLine(r.Say) {
			c.at(path+".say", "needs one line without {time} or {amount}, for a turn that gives none")
		}
	}
	lines("fallback", s.Fallback)
	s.checkLines(c, "fallback", s.Fallback, false)
	if strings.TrimSpace(s.Closing.Goodbye) == "" {
		c.at("closing.goodbye", "required: the caller's last line when the call ends well")
	}
	for _, f := range []struct{ path, line string }{
		{"closing.goodbye", s.Closing.Goodbye}, {"closing.angry", s.Closing.Angry}, {"silence.give_up", s.Silence.GiveUp},
	} {
		if IsQuestion(f.line) {
			c.at(f.path, "the caller hangs up after this line: a question here would go unanswered")
		}
		s.checkLine(c, f.path, f.line, false)
	}
	s.checkLine(c, "closing.anything_else", s.Closing.AnythingElse, false)
	s.checkLine(c, "opening", s.Opening, false)
	s.checkLines(c, "silence.say", s.Silence.Say, false)
	s.checkLines(c, "persona.pardon", s.Persona.Pardon, false)
	validatePromise(c, s)
	for intent, l := range s.Rewrites {
		path := "rewrites." + intent
		info, ok := phrase.LookupIntent(phrase.Intent(intent))
		switch {
		case !ok:
			c.at(path, "unknown intent %q", intent)
		case info.Kind != phrase.Forbidden:
			c.at(path, "%q is not a forbidden intent; rewrites replace forbidden replies", intent)
		}
		if strings.TrimSpace(l) == "" {
			c.at(path, "empty line")
		}
		s.checkLine(c, path, l, false)
	}
	prevAt := 0.0
	for i, tu := range s.ModelCall {
		path := pathIndex("model_call", i)
		switch {
		case tu.At < prevAt:
			c.at(path+".at", "%.1f is earlier than the turn before (%.1f)", tu.At, prevAt)
		default:
			prevAt = tu.At
		}
		if (tu.Say == "") == !tu.Hangup {
			c.at(path, "needs either say or hangup")
		}
		s.checkLine(c, path+".say", tu.Say, false)
	}

	if len(s.Checklist) == 0 {
		c.at("checklist", "required: at least one graded item")
	}
	itemIDs := map[string]int{}
	total := 0
	for i, it := range s.Checklist {
		path := pathIndex("checklist", i)
		checkID(c, "checklist", i, "id", it.ID, idPattern, idHint, "checklist id", itemIDs)
		if strings.TrimSpace(it.Title) == "" {
			c.at(path+".title", "required")
		}
		kinds := 0
		for _, set := range []bool{it.Intent != "", it.Phrase != "", len(it.Any) > 0, it.Fact != "", it.Rule != ""} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			c.at(path, "needs exactly one of intent, phrase, any, fact or rule (has %d)", kinds)
		}
		switch {
		case it.Intent != "":
			if !isIntent(it.Intent) {
				c.at(path+".intent", "unknown intent %q", it.Intent)
			}
		case it.Phrase != "":
			if _, ok := s.Phrase(it.Phrase); !ok && (known == nil || !known(it.Phrase)) {
				c.at(path+".phrase", "unknown phrase id %q", it.Phrase)
			}
		case len(it.Any) > 0:
			refs(path+".any", it.Any)
		case it.Fact != "":
			if _, ok := s.FactByKey(it.Fact); !ok {
				c.at(path+".fact", "unknown fact %q", it.Fact)
			}
		case it.Rule != "":
			if !slices.Contains(Rules(), it.Rule) {
				c.at(path+".rule", "unknown rule %q", it.Rule)
			}
		}
		said := it.Intent != "" || it.Phrase != "" || len(it.Any) > 0
		if it.First && !said {
			c.at(path+".first", "only for items graded on what is said (intent, phrase, any)")
		}
		if it.Within < 0 {
			c.at(path+".within", "must be positive")
		} else if it.Within > 0 && !said && it.Fact == "" {
			c.at(path+".within", "only for items graded on what is said or restated")
		}
		if v := it.Value; v != nil {
			if !said {
				c.at(path+".value", "only for items graded on what is said (intent, phrase, any)")
			}
			if v.Type != "" && v.Type != string(phrase.Amount) {
				c.at(path+".value.type", "unknown value type %q (leave it out for a time, or amount)", v.Type)
			}
			if v.Type != "" && (v.Max != "" || v.Min != "" || v.Now != "") {
				c.at(path+".value", "max, min and now bound a time, not an amount")
			}
			if v.Type == "" && v.Unit != "" {
				c.at(path+".value.unit", "only an amount has a unit")
			}
			if v.Min != "" {
				if _, err := phrase.ParseBound(v.Min); err != nil {
					c.at(path+".value.min", "%v", err)
				}
			}
			if v.Max != "" {
				if _, err := phrase.ParseBound(v.Max); err != nil {
					c.at(path+".value.max", "%v", err)
				}
			}
			if v.Now != "" {
				if _, err := phrase.ParseClock(v.Now); err != nil {
					c.at(path+".value.now", "%v", err)
				}
			}
		}
		if it.Points < 0 {
			c.at(path+".points", "must not be negative")
		}
		total += it.Points
		if strings.TrimSpace(it.Norm) == "" {
			c.at(path+".norm", "required: the norm and section this item comes from")
		}
		if strings.TrimSpace(it.Explain) == "" {
			c.at(path+".explain", "required: one sentence saying why it matters")
		}
		s.checkLine(c, path+".model", it.Model, false)
		s.checkLine(c, path+".explain", it.Explain, false)
		s.checkLine(c, path+".hint", it.Hint, false)
	}
	for i, it := range s.Checklist {
		if it.Before == "" {
			continue
		}
		path := pathIndex("checklist", i) + ".before"
		if it.Before == it.ID {
			c.at(path, "an item cannot come before itself")
		} else if _, ok := itemIDs[it.Before]; !ok && !s.IsRef(it.Before, known) {
			c.at(path, "unknown checklist item, intent or phrase id %q", it.Before)
		}
	}
	if len(s.Checklist) > 0 && total == 0 {
		c.at("checklist", "the items carry no points")
	}
	if s.Penalties.Forbidden != nil && *s.Penalties.Forbidden < 0 {
		c.at("penalties.forbidden", "must not be negative")
	}
}

// neverFire returns the indexes of steps that wait, directly or through
// other steps, on a cycle of after references.
func neverFire(script []Step, ids map[string]int) []int {
	const (
		unknown = iota
		visiting
		ok
		stuck
	)
	state := make([]int, len(script))
	var visit func(i int) bool
	visit = func(i int) bool {
		switch state[i] {
		case visiting, stuck:
			return false
		case ok:
			return true
		}
		state[i] = visiting
		good := true
		for _, a := range script[i].After {
			if j, found := ids[a]; found && !visit(j) {
				good = false
			}
		}
		if good {
			state[i] = ok
		} else {
			state[i] = stuck
		}
		return good
	}
	var out []int
	for i := range script {
		if !visit(i) {
			out = append(out, i)
		}
	}
	return out
}

func applyDefaults(s *Scenario) {
	if s.Persona.HangupMood == 0 {
		s.Persona.HangupMood = DefaultHangupMood
	}
	if s.Persona.Has(NeedHardOfHearing) && s.Persona.HearingLimit == 0 {
		s.Persona.HearingLimit = DefaultHearingLimit
	}
	if s.Persona.Has(NeedHardOfHearing) && len(s.Persona.Pardon) == 0 {
		s.Persona.Pardon = []string{"啊？你说什么？我耳朵背，你说慢点、说短点。"}
	}
	if s.Rings.Interval == 0 {
		s.Rings.Interval = DefaultRingInterval
	}
	if s.Rings.AnswerWithin == 0 {
		s.Rings.AnswerWithin = DefaultAnswerWithin
	}
	if s.Rings.GiveUp == 0 {
		s.Rings.GiveUp = max(DefaultGiveUpRings, s.Rings.AnswerWithin)
	}
	if s.Silence.After == 0 {
		s.Silence.After = DefaultSilenceAfter
	}
	if len(s.Silence.Say) == 0 {
		s.Silence.Say = []string{"喂？还在吗？", "喂？能听见吗？"}
	}
	if s.Silence.HoldFor == 0 {
		s.Silence.HoldFor = DefaultHoldFor
	}
	if s.Silence.HangupAfter == 0 {
		s.Silence.HangupAfter = DefaultHangupAfter
	}
	if s.Silence.GiveUp == "" {
		s.Silence.GiveUp = "一直没人说话，那我先挂了。"
	}
	if s.MaxDuration == 0 {
		s.MaxDuration = DefaultMaxDuration
	}
	if len(s.Fallback) == 0 {
		s.Fallback = []string{"嗯。", "好的。"}
	}
	if s.Closing.AnythingElse == "" {
		s.Closing.AnythingElse = "没有别的了。"
	}
	if s.Closing.Angry == "" {
		s.Closing.Angry = "算了，跟你说不通！"
	}
}

// String names the scenario for messages.
func (s *Scenario) String() string { return fmt.Sprintf("%s (%s)", s.ID, s.File) }

// idHint says what idPattern allows.
const idHint = "lower-case letters, digits and '-'"

// checkID reports a missing, malformed or repeated id of element i of list,
// and records it in seen (id → index). It returns whether the id is present
// and well formed, for callers with rules of their own.
func checkID(c *errs, list string, i int, field, id string, pattern *regexp.Regexp, hint, what string, seen map[string]int) bool {
	path := pathIndex(list, i) + "." + field
	ok := false
	switch {
	case id == "":
		c.at(path, "required")
	case !pattern.MatchString(id):
		c.at(path, "%q: use %s", id, hint)
	default:
		ok = true
	}
	if prev, dup := seen[id]; dup && id != "" {
		c.at(path, "duplicate %s %q (first at %s[%d])", what, id, list, prev)
	}
	seen[id] = i
	return ok
}
