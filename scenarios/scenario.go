// Package scenarios holds the scenario, golden-transcript and certification
// track file formats (FORMAT.md), their strict parsing and validation with
// file and line in every error, and the built-in library embedded from
// library/ and tracks/.
package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// MaxFileSize is the largest scenario, track or transcript file accepted;
// anything bigger is rejected before parsing.
const MaxFileSize = 256 << 10

// Domains lists the service domains a scenario can belong to.
func Domains() []string { return []string{"heating", "power", "water", "property"} }

// Needs lists the special needs a persona can have.
func Needs() []string { return []string{NeedHardOfHearing, "elderly"} }

// NeedHardOfHearing makes the caller ask again when a trainee turn is longer
// than Persona.HearingLimit characters.
const NeedHardOfHearing = "hard-of-hearing"

// Rule names a checklist rule graded from the timing and shape of the call
// rather than from what was said.
type Rule string

// The checklist rules.
const (
	// RuleAnsweredInTime: answered within Rings.AnswerWithin rings, or the
	// first turn apologised for the wait.
	RuleAnsweredInTime Rule = "answered-in-time"
	// RuleCallerHungUpFirst: the trainee never hung up before the caller.
	RuleCallerHungUpFirst Rule = "caller-hung-up-first"
	// RuleHoldAsked: every silence longer than Silence.After was announced
	// with a hold phrase and stayed within Silence.HoldFor.
	RuleHoldAsked Rule = "hold-asked"
	// RuleNoForbidden: no forbidden phrase was said.
	RuleNoForbidden Rule = "no-forbidden"
	// RuleTicketInTime: the work order was submitted within
	// desk.order.submit_within seconds after the caller gave the details.
	RuleTicketInTime Rule = "ticket-in-time"
)

// Rules lists the known checklist rules.
func Rules() []Rule {
	return []Rule{RuleAnsweredInTime, RuleCallerHungUpFirst, RuleHoldAsked, RuleNoForbidden, RuleTicketInTime}
}

// Scenario is one simulated call: who calls, what they say and reveal, how
// they react, and what is graded.
type Scenario struct {
	ID         string `yaml:"id" json:"id"`
	Title      string `yaml:"title" json:"title"`
	Domain     string `yaml:"domain" json:"domain"`
	Difficulty int    `yaml:"difficulty" json:"difficulty"`
	Company    string `yaml:"company" json:"company"`
	// Summary describes the situation the trainee walks into, for the
	// catalogue and the call page; it never gives the answer away.
	Summary string `yaml:"summary" json:"summary"`
	// TrainerNote keeps the teaching points: what a good call does. Only
	// trainers see it.
	TrainerNote string  `yaml:"trainer_note" json:"trainer_note,omitempty"`
	PassMark    int     `yaml:"pass_mark" json:"pass_mark"`
	Persona     Persona `yaml:"persona" json:"persona"`
	// Pools are the alternatives a call draws its caller from, with the
	// call's seed; the persona and facts as written are the base caller.
	Pools       Pools          `yaml:"pools" json:"pools"`
	Rings       Rings          `yaml:"rings" json:"rings"`
	Silence     Silence        `yaml:"silence" json:"silence"`
	MaxDuration float64        `yaml:"max_duration" json:"max_duration"`
	Opening     string         `yaml:"opening" json:"opening"`
	Facts       []Fact         `yaml:"facts" json:"facts"`
	Phrases     []phrase.Entry `yaml:"phrases" json:"phrases"`
	Script      []Step         `yaml:"script" json:"script"`
	// Promise is what the norm allows the trainee to promise, and how the
	// caller takes a promise outside it.
	Promise   *Promise   `yaml:"promise" json:"promise,omitempty"`
	Reactions []Reaction `yaml:"reactions" json:"reactions"`
	Fallback  []string   `yaml:"fallback" json:"fallback"`
	Closing   Closing    `yaml:"closing" json:"closing"`
	Checklist []Item     `yaml:"checklist" json:"checklist"`
	Penalties Penalties  `yaml:"penalties" json:"penalties"`
	// Rewrites are whole model sentences, one per forbidden intent, that
	// the scorecard offers in place of a forbidden reply.
	Rewrites map[string]string `yaml:"rewrites" json:"rewrites,omitempty"`
	// ModelCall is a whole call done well (the trainee's side; the engine
	// plays the caller), for the trainee to read after the call.
	ModelCall []Turn `yaml:"model_call" json:"model_call,omitempty"`
	// Desk is the agent's desk in this call: the record, the area data and
	// the correct work order; nil when the call has no desk work.
	Desk *Desk `yaml:"desk" json:"desk,omitempty"`

	// File is the name the scenario was parsed from, for messages.
	File string `yaml:"-" json:"-"`
	// lines maps field paths (script[2].after) to source lines.
	lines map[string]int
}

// Persona is who the caller is and how patient they are.
type Persona struct {
	Name   string `yaml:"name" json:"name"`
	Gender string `yaml:"gender" json:"gender"`
	Age    int    `yaml:"age" json:"age"`
	Temper string `yaml:"temper" json:"temper"`
	// Mood is the starting anger, 0 (calm) to 100 (furious).
	Mood int `yaml:"mood" json:"mood"`
	// HangupMood is the anger at which the caller hangs up; default 90.
	HangupMood int      `yaml:"hangup_mood" json:"hangup_mood"`
	Needs      []string `yaml:"needs" json:"needs"`
	// HearingLimit is the longest turn (normalised characters) a
	// hard-of-hearing caller follows; default 15 when that need is set.
	HearingLimit int `yaml:"hearing_limit" json:"hearing_limit"`
	// Pardon is what a hard-of-hearing caller says after a turn too long.
	Pardon []string `yaml:"pardon" json:"pardon,omitempty"`
	// Place is the base caller's estate or street, said before the unit of
	// the address ({place} in lines).
	Place string `yaml:"place" json:"place,omitempty"`
}

// Pools are the alternatives a call's caller is drawn from. An empty pool
// keeps the base persona's value.
type Pools struct {
	Names     []PoolName    `yaml:"names" json:"names,omitempty"`
	Phones    []string      `yaml:"phones" json:"phones,omitempty"`
	Addresses []PoolAddress `yaml:"addresses" json:"addresses,omitempty"`
	Accounts  []string      `yaml:"accounts" json:"accounts,omitempty"`
	// Openings are alternatives to the scenario's opening line.
	Openings []string `yaml:"openings" json:"openings,omitempty"`
}

// Empty reports whether no pool has an alternative.
func (p *Pools) Empty() bool {
	return len(p.Names)+len(p.Phones)+len(p.Addresses)+len(p.Accounts)+len(p.Openings) == 0
}

// PoolName is a caller's name with the gender it is addressed by.
type PoolName struct {
	Name   string `yaml:"name" json:"name"`
	Gender string `yaml:"gender" json:"gender"`
	// Surname, when not the first character (欧阳).
	Surname string `yaml:"surname" json:"surname,omitempty"`
}

// PoolAddress is an address: the estate or street, and the unit that is
// restated (12号楼1单元1103).
type PoolAddress struct {
	Place string `yaml:"place" json:"place"`
	Unit  string `yaml:"unit" json:"unit"`
}

// The pools a fact can draw from.
const (
	PoolNames     = "names"
	PoolPhones    = "phones"
	PoolAddresses = "addresses"
	PoolAccounts  = "accounts"
)

// Promise is the norm for the time (or amount) a trainee commits to, read
// from the typed value of what was said.
type Promise struct {
	// Item names the checklist item whose value rule is the norm: its
	// min and max bound the time the trainee may promise.
	Item string `yaml:"item" json:"item,omitempty"`
	// Min and Max bound the duration the norm allows (Go durations: 2h,
	// 15m) where no item says it; either may be empty.
	Min string `yaml:"min" json:"min,omitempty"`
	Max string `yaml:"max" json:"max,omitempty"`
	// Early is what the caller says to a promise sooner than Min: the
	// caller takes it at its word ({time} is the promise as said).
	Early []string `yaml:"early" json:"early,omitempty"`
	// Late is what the caller says to a promise later than Max.
	Late []string `yaml:"late" json:"late,omitempty"`
	// Kept is what the caller says to a promise within the norm that no
	// script step answers.
	Kept []string `yaml:"kept" json:"kept,omitempty"`
	// Remind is said with the goodbye when the caller holds the trainee
	// to a promise outside the norm.
	Remind string `yaml:"remind" json:"remind,omitempty"`
}

// Has reports whether the persona has the named need.
func (p *Persona) Has(need string) bool { return slices.Contains(p.Needs, need) }

// Rings is the ringing before the call is answered.
type Rings struct {
	// Interval is the seconds between rings; default 3.
	Interval float64 `yaml:"interval" json:"interval"`
	// AnswerWithin is the norm's number of rings; default 3.
	AnswerWithin int `yaml:"answer_within" json:"answer_within"`
	// GiveUp is the ring after which an unanswered caller hangs up; default 10.
	GiveUp int `yaml:"give_up" json:"give_up"`
}

// Silence is how the caller treats a trainee who says nothing.
type Silence struct {
	// After is the seconds of silence before the caller checks the line; default 20.
	After float64 `yaml:"after" json:"after"`
	// Say are the caller's checks (喂?还在吗?), used in turn.
	Say []string `yaml:"say" json:"say"`
	// HoldFor is the silence allowed after the trainee asked the caller to
	// hold; default 90.
	HoldFor float64 `yaml:"hold_for" json:"hold_for"`
	// HangupAfter is the number of unanswered checks after which the caller
	// hangs up; default 3.
	HangupAfter int `yaml:"hangup_after" json:"hangup_after"`
	// GiveUp is what the caller says before hanging up on a silent line.
	GiveUp string `yaml:"give_up" json:"give_up"`
}

// Fact is a detail the caller gives when asked.
type Fact struct {
	Key string `yaml:"key" json:"key"`
	// Ask is the intent or phrase id that asks for it.
	Ask string `yaml:"ask" json:"ask"`
	Say string `yaml:"say" json:"say"`
	// Value is the detail itself.
	Value string `yaml:"value" json:"value"`
	// Restate are the wordings that count as repeating it; default [Value].
	Restate []string `yaml:"restate" json:"restate"`
	// Pool is the pool a call draws the fact from (names, phones,
	// addresses, accounts); by default the one its key names (name, phone,
	// address, account). "none" keeps the value as written.
	Pool string `yaml:"pool" json:"pool,omitempty"`
}

// PoolOf returns the pool the fact draws from, or "" for none.
func (f *Fact) PoolOf() string {
	switch f.Pool {
	case "none":
		return ""
	case "":
		switch f.Key {
		case "name":
			return PoolNames
		case "phone":
			return PoolPhones
		case "address":
			return PoolAddresses
		case "account":
			return PoolAccounts
		}
		return ""
	}
	return f.Pool
}

// Forms returns the wordings that count as restating the fact.
func (f *Fact) Forms() []string {
	if len(f.Restate) > 0 {
		return f.Restate
	}
	return []string{f.Value}
}

// Step is one beat of the caller's script: when the trainee says one of
// When (and every step in After has happened), the caller says one of Say.
type Step struct {
	ID   string   `yaml:"id" json:"id"`
	When []string `yaml:"when" json:"when"`
	// WhenHeard also sets the step off when the trainee gives a value of
	// this kind, in any words: "time" or "amount".
	WhenHeard string   `yaml:"when_heard" json:"when_heard,omitempty"`
	After     []string `yaml:"after" json:"after"`
	// Unless names intents, phrase ids or step ids, or "promised" (any
	// promise with a time): once any of them has happened, the step is no
	// longer said (no "when will someone come?" after a time was given).
	Unless []string `yaml:"unless" json:"unless,omitempty"`
	Say    []string `yaml:"say" json:"say"`
	Mood   int      `yaml:"mood" json:"mood"`
	// End makes the caller hang up, satisfied, after saying the step.
	End bool `yaml:"end" json:"end"`
}

// Reaction is how the caller reacts each time an intent or phrase occurs.
type Reaction struct {
	On   string   `yaml:"on" json:"on"`
	Mood int      `yaml:"mood" json:"mood"`
	Say  []string `yaml:"say" json:"say"`
	Hint string   `yaml:"hint" json:"hint"`
}

// Closing holds the caller's last lines.
type Closing struct {
	AnythingElse string `yaml:"anything_else" json:"anything_else"`
	Goodbye      string `yaml:"goodbye" json:"goodbye"`
	Angry        string `yaml:"angry" json:"angry"`
}

// Item is one graded point of the checklist. Exactly one of Intent,
// Phrase, Any, Fact, Rule, Ticket, Lookup and Quote is set.
type Item struct {
	ID     string   `yaml:"id" json:"id"`
	Title  string   `yaml:"title" json:"title"`
	Intent string   `yaml:"intent" json:"intent,omitempty"`
	Phrase string   `yaml:"phrase" json:"phrase,omitempty"`
	Any    []string `yaml:"any" json:"any,omitempty"`
	Fact   string   `yaml:"fact" json:"fact,omitempty"`
	Rule   Rule     `yaml:"rule" json:"rule,omitempty"`
	// Ticket names a work-order field graded against the call's facts
	// and the desk's order.
	Ticket string `yaml:"ticket" json:"ticket,omitempty"`
	// Lookup is a search of the service system that must find the
	// caller's record: any, or by phone, account, address or name.
	Lookup string `yaml:"lookup" json:"lookup,omitempty"`
	// Quote is a looked-up value the trainee must say correctly, after
	// looking it up: arrears, bill, usage or outage-end.
	Quote string `yaml:"quote" json:"quote,omitempty"`
	// First requires it in the trainee's first turn.
	First bool `yaml:"first" json:"first,omitempty"`
	// Before names an item id, intent or phrase id that must not come
	// earlier than this item.
	Before string `yaml:"before" json:"before,omitempty"`
	// Within is the deadline in seconds since ringing began.
	Within   float64 `yaml:"within" json:"within,omitempty"`
	Critical bool    `yaml:"critical" json:"critical,omitempty"`
	Points   int     `yaml:"points" json:"points"`
	Norm     string  `yaml:"norm" json:"norm"`
	Explain  string  `yaml:"explain" json:"explain"`
	// Hint is the practice-mode hint when the item is being missed; default Explain.
	Hint string `yaml:"hint" json:"hint,omitempty"`
	// Model is a whole sentence that does the item, drawn from the norms,
	// shown on the scorecard when it is missed ({name} and the other facts
	// are the call's).
	Model string `yaml:"model" json:"model,omitempty"`
	// Value, on an item graded on what is said, requires the hit to carry
	// a concrete time (a duration, clock time or date; 尽快 and 回头 are not
	// one) within a bound: a visit promised within 4 hours.
	Value *ValueRule `yaml:"value" json:"value,omitempty"`
}

// ValueRule is what an item requires of the value said: by default a
// concrete time within a bound; with Type amount, an amount of money.
type ValueRule struct {
	// Type is empty for a time (a duration, clock time or date) or
	// "amount".
	Type string `yaml:"type" json:"type,omitempty"`
	// Max is the latest the promise may name, as 4h, 30m or 5d; empty
	// accepts any concrete time.
	Max string `yaml:"max" json:"max,omitempty"`
	// Min is the soonest the norm allows: a visit promised within half an
	// hour when the norm says 2 to 4 hours is an over-promise.
	Min string `yaml:"min" json:"min,omitempty"`
	// Unit, for an amount, is the unit it must be in (元).
	Unit string `yaml:"unit" json:"unit,omitempty"`
	// Now is the time of day the call takes place, "HH:MM", so that a
	// clock time (今天下午5点前) can be held to Max; without it, only
	// durations and days are.
	Now string `yaml:"now" json:"now,omitempty"`
	// Action names what is promised, for the scorecard: 上门 gives
	// "理解为：4 小时内上门".
	Action string `yaml:"action" json:"action,omitempty"`
}

// Check reports whether v meets the rule, and says in words what was
// understood and, when it falls short, why. A nil v is a promise with no
// concrete time.
func (r *ValueRule) Check(v *phrase.Value) (ok bool, understood, why string) {
	if r.Type == string(phrase.Amount) {
		if v == nil || v.Type != phrase.Amount || (r.Unit != "" && v.Unit != r.Unit) {
			return false, "", "没有说出具体金额"
		}
		return true, v.Text + r.Action, ""
	}
	if v == nil || !v.Type.IsTime() {
		return false, "", "没有给出具体时间（尽快、马上、回头都不算）"
	}
	understood = v.Text + r.Action
	if r.Max == "" && r.Min == "" {
		return true, understood, ""
	}
	now := -1
	if r.Now != "" {
		if n, err := phrase.ParseClock(r.Now); err == nil {
			now = n
		}
	}
	bound, known := v.Bound(now)
	if r.Max != "" {
		max, err := phrase.ParseBound(r.Max)
		switch {
		case err != nil:
			return false, understood, "时限设置有误"
		case !known:
			return false, understood, fmt.Sprintf("无法确定是否在 %s 以内", phrase.BoundText(max))
		case bound > max:
			return false, understood, fmt.Sprintf("超过了 %s 的时限", phrase.BoundText(max))
		}
	}
	if r.Min != "" {
		min, err := phrase.ParseBound(r.Min)
		switch {
		case err != nil:
			return false, understood, "时限设置有误"
		case known && bound < min:
			return false, understood, fmt.Sprintf("短于规范的 %s，做不到就是乱承诺", phrase.BoundText(min))
		}
	}
	return true, understood, ""
}

// Said reports whether the item is graded on what the trainee said or
// restated (an intent, a phrase, a fact), rather than measured from the
// timing and shape of the call (a rule such as answering in time).
func (it *Item) Said() bool { return it.Rule == "" }

// Refs returns the intents or phrase ids that satisfy the item when said.
func (it *Item) Refs() []string {
	switch {
	case it.Intent != "":
		return []string{it.Intent}
	case it.Phrase != "":
		return []string{it.Phrase}
	default:
		return it.Any
	}
}

// Penalties are points taken off the score.
type Penalties struct {
	// Forbidden is taken off per forbidden hit; default 10 (nil means default).
	Forbidden *int `yaml:"forbidden" json:"forbidden"`
}

// ForbiddenPenalty returns the points off per forbidden hit.
func (p Penalties) ForbiddenPenalty() int {
	if p.Forbidden == nil {
		return 10
	}
	return *p.Forbidden
}

// LocalID returns the matcher id of the scenario's local phrase id.
func (s *Scenario) LocalID(id string) string { return s.ID + "/" + id }

// Filter returns what a reply in this scenario is matched with: the
// scenario's domain and its own entries, and the soonest times its
// checklist lets a promise name (an item's Min, or its Max when it has
// none), so that guaranteeing what the norms allow is no over-promise.
func (s *Scenario) Filter() phrase.Filter {
	f := phrase.Filter{Domain: s.Domain, Scope: s.ID}
	for _, it := range s.Checklist {
		if it.Value == nil || it.Value.Type != "" {
			continue
		}
		bound := it.Value.Min
		if bound == "" {
			bound = it.Value.Max
		}
		if secs, err := phrase.ParseBound(bound); err == nil && bound != "" && !slices.Contains(f.Norms, secs) {
			f.Norms = append(f.Norms, secs)
		}
	}
	return f
}

// CompanyPhraseID is the local id of the entry that recognises the
// scenario's company by name (see CompanyForms).
const CompanyPhraseID = "company.identify"

// CompanyForms returns the ways people name the company: in full and
// without its suffixes, 暖心供热公司 → 暖心供热, 暖心; 国网临江供电公司 →
// 临江供电, 临江.
func CompanyForms(company string) []string {
	name := phrase.Normalize(company).String()
	if name == "" {
		return nil
	}
	forms := []string{company}
	add := func(f string) {
		if len([]rune(f)) >= 2 && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	suffixes := []string{"股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "服务中心", "客服中心", "管理处", "中心"}
	domains := []string{"物业服务", "物业管理", "物业", "供热", "供暖", "热力", "自来水", "供水", "水务", "供电", "电力", "燃气"}
	for _, base := range []string{name, strings.TrimPrefix(name, "国网")} {
		for _, suf := range suffixes {
			if short, ok := strings.CutSuffix(base, suf); ok {
				base = short
				break
			}
		}
		add(base)
		for _, d := range domains {
			if short, ok := strings.CutSuffix(base, d); ok {
				add(short)
				break
			}
		}
	}
	return forms
}

// LocalEntries returns the scenario's key points as phrasebook entries
// scoped to the scenario, ready to be indexed with the built-in phrasebook,
// and an identify entry for the company's names (CompanyForms).
func (s *Scenario) LocalEntries() []phrase.Entry {
	out := make([]phrase.Entry, 0, len(s.Phrases)+1)
	if forms := CompanyForms(s.Company); len(forms) > 0 {
		out = append(out, phrase.Entry{
			ID: s.LocalID(CompanyPhraseID), Intent: "identify", Kind: phrase.Required,
			Text: forms[0], Variants: forms[1:], Source: "scenario company: " + s.Company,
			Scope: s.ID, Pos: phrase.Pos{File: s.File, Line: s.Line("company")},
		})
	}
	for i, p := range s.Phrases {
		e := p
		e.ID = s.LocalID(p.ID)
		e.Scope = s.ID
		e.Variants = slices.Clone(p.Variants)
		e.Except = slices.Clone(p.Except)
		e.Domains = slices.Clone(p.Domains)
		e.Pos = phrase.Pos{File: s.File, Line: s.Line(pathIndex("phrases", i))}
		out = append(out, e)
	}
	return out
}

// Line returns the source line of a field path such as "script[2].after",
// or of its closest parent that has one; 0 when unknown.
func (s *Scenario) Line(path string) int { return lineOf(s.lines, path) }

// Phrase returns the local phrase with the given (unprefixed) id.
func (s *Scenario) Phrase(id string) (*phrase.Entry, bool) {
	for i := range s.Phrases {
		if s.Phrases[i].ID == id {
			return &s.Phrases[i], true
		}
	}
	return nil, false
}

// FactByKey returns the fact with the given key.
func (s *Scenario) FactByKey(key string) (*Fact, bool) {
	for i := range s.Facts {
		if s.Facts[i].Key == key {
			return &s.Facts[i], true
		}
	}
	return nil, false
}

// Bounds returns the promise norm's bounds as written: the item's value
// rule when the promise names one, else its own min and max.
func (p *Promise) Bounds(s *Scenario) (lo, hi string) {
	if p.Item != "" {
		for _, it := range s.Checklist {
			if it.ID == p.Item && it.Value != nil {
				return it.Value.Min, it.Value.Max
			}
		}
	}
	return p.Min, p.Max
}
