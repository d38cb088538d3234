// Package phrase holds what a phrasebook entry is (intents, kinds, entries,
// hits), the strict parser of phrasebook files and the text normaliser. It
// is the part of the phrasebook that needs no index: packages that only read
// or validate entries, such as scenarios, import it without linking bleve,
// which keeps their builds small and their fuzzing fast. Package phrasebook
// re-exports all of it.
package phrase

// Kind says how an entry is graded.
type Kind string

// The kinds of entry.
const (
	// Required entries are what the norms want said.
	Required Kind = "required"
	// Forbidden entries must never be said; each carries a suggestion.
	Forbidden Kind = "forbidden"
	// Recommended entries are good practice that is not graded as missing.
	Recommended Kind = "recommended"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	return k == Required || k == Forbidden || k == Recommended
}

// Intent is the shared vocabulary between phrasebook, scenarios and
// scorecards (docs/matching.md, "Entries and intents").
type Intent string

// IntentInfo describes one canonical intent.
type IntentInfo struct {
	Intent Intent
	// Kind is the kind entries of this intent normally have.
	Kind Kind
	// Title is the short Simplified Chinese name shown to users.
	Title string
}

// Intents returns the canonical intents in display order. Extend it, never
// rename: stored scorecards and scenario files refer to these names.
func Intents() []IntentInfo {
	return []IntentInfo{
		{"greeting", Required, "问候"},
		{"identify", Required, "报出单位"},
		{"offer-help", Required, "主动询问需求"},
		{"ask-name", Required, "询问称呼"},
		{"ask-contact", Required, "询问联系电话"},
		{"ask-address", Required, "询问地址"},
		{"restate", Required, "复述确认"},
		{"empathy", Required, "安抚情绪"},
		{"apology", Required, "致歉"},
		{"hold", Required, "请求稍候"},
		{"explain", Required, "解释说明"},
		{"commit", Required, "明确时限"},
		{"ticket", Required, "登记工单"},
		{"follow-up", Required, "承诺回访"},
		{"anything-else", Required, "询问其他需求"},
		{"thanks", Required, "感谢来电"},
		{"farewell", Required, "礼貌道别"},
		{"deflect", Forbidden, "推诿"},
		{"rude", Forbidden, "态度生硬"},
		{"argue", Forbidden, "争辩指责"},
		{"over-promise", Forbidden, "乱承诺"},
		{"private", Forbidden, "打听隐私或泄露内部信息"},
	}
}

// LookupIntent returns the canonical description of i and whether it exists.
func LookupIntent(i Intent) (IntentInfo, bool) {
	for _, info := range Intents() {
		if info.Intent == i {
			return info, true
		}
	}
	return IntentInfo{}, false
}

// Entry is one phrase of the phrasebook.
type Entry struct {
	// ID is unique across the phrasebook (and a scenario's local entries).
	ID     string `yaml:"id" json:"id"`
	Intent Intent `yaml:"intent" json:"intent"`
	Kind   Kind   `yaml:"kind" json:"kind"`
	// Text is the canonical wording, as a norm prescribes it.
	Text string `yaml:"text" json:"text"`
	// Variants are other ways people say the same thing.
	Variants []string `yaml:"variants,omitempty" json:"variants,omitempty"`
	// Patterns are wordings with choices, optional parts, gaps and typed
	// slots (see Pattern): [登记|记录|建] … (工单|报修单|单子).
	Patterns []string `yaml:"patterns,omitempty" json:"patterns,omitempty"`
	// Window is how far apart two pattern parts joined by … may be;
	// zero means DefaultWindow.
	Window int `yaml:"window,omitempty" json:"window,omitempty"`
	// Gap is how many inserted filler characters (为您, 这边, 一下, 了…) a
	// wording or pattern tolerates; nil means the default (DefaultGap, or
	// DefaultForbiddenGap for a forbidden entry). Forbidden wordings are
	// matched as written, but for one character that sounds the same;
	// only their patterns skip fillers.
	Gap *int `yaml:"gap,omitempty" json:"gap,omitempty"`
	// Except lists wordings that contain a forbidden phrase but are polite
	// (不知道您 contains 不知道); a hit inside one of them is dropped.
	Except []string `yaml:"except,omitempty" json:"except,omitempty"`
	// NotAfter lists words that, said right before a hit, cancel it: a
	// forbidden 保证修好 is an honest 不能保证修好.
	NotAfter []string `yaml:"not_after,omitempty" json:"not_after,omitempty"`
	// Unless lists words that cancel a hit when said anywhere in the same
	// reply: 损失…赔偿 is no over-promise in 损失可以申请赔偿 (unless:
	// [申请赔偿]).
	Unless []string `yaml:"unless,omitempty" json:"unless,omitempty"`
	// UnlessClause lists words that cancel a hit only when said in the
	// clause the hit is in (between the pauses around it): a question
	// (是不是, 吗) or a condition (如果, 的话) hedges its own clause, not
	// the blame said after it (您是不是搞错了？那是您自己家的事).
	UnlessClause []string `yaml:"unless_clause,omitempty" json:"unless_clause,omitempty"`
	// Suggestion is what to say instead; required for forbidden entries.
	Suggestion string `yaml:"suggestion,omitempty" json:"suggestion,omitempty"`
	// Source names the norm and section the entry comes from.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Domains limits the entry to heating, power, water or property; empty
	// or "all" means every domain.
	Domains []string `yaml:"domains,omitempty" json:"domains,omitempty"`
	// Weight scales the entry's contribution to a score; zero means 1.
	Weight float64 `yaml:"weight,omitempty" json:"weight,omitempty"`

	// Scope is empty for the shared phrasebook; for a key point local to a
	// scenario it is that scenario's id, and the entry matches only there.
	Scope string `yaml:"-" json:"scope,omitempty"`
	// Pos is where the entry was defined, for error messages.
	Pos Pos `yaml:"-" json:"-"`
}

// Filter narrows a match to the entries that apply to one call.
type Filter struct {
	// Domain keeps entries whose Domains include it or "all"; empty keeps all.
	Domain string
	// Scope keeps the shared entries plus those local to this scenario;
	// empty keeps only the shared entries.
	Scope string
	// Norms are the soonest promise times, in seconds, that the call's
	// norms allow (a leak visit within 2 to 4 hours allows 2 h, an urgent
	// property repair 5 minutes): a guarantee of one of them or later is
	// kept, not an over-promise. Empty, every time guaranteed too soon is
	// judged by the phrasebook alone.
	Norms []int64
}

// AllowsPromise reports whether v, the time said with an over-promise, is
// one the norms allow: a duration no shorter than one of them (五分钟以内
// 就到 where urgent repairs are due within five minutes). A day or a
// clock time is not weighed: 今天就给您修好 guarantees an outcome, which
// no norm's deadline makes sure.
func (f Filter) AllowsPromise(v *Value) bool {
	if v == nil || v.Type != Duration || len(f.Norms) == 0 {
		return false
	}
	b, ok := v.Bound(-1)
	if !ok {
		return false
	}
	for _, n := range f.Norms {
		if b >= n {
			return true
		}
	}
	return false
}

// Allows reports whether e applies under f.
func (f Filter) Allows(e *Entry) bool {
	if e.Scope != "" && e.Scope != f.Scope {
		return false
	}
	if f.Domain == "" || len(e.Domains) == 0 {
		return true
	}
	for _, d := range e.Domains {
		if d == "all" || d == f.Domain {
			return true
		}
	}
	return false
}

// DefaultGap is the number of filler characters tolerated by default:
// enough for 这边 … 帮您 … 了 in one wording. Forbidden entries tolerate
// DefaultForbiddenGap in their patterns.
const (
	DefaultGap          = 6
	DefaultForbiddenGap = 2
)

// MaxGap bounds an entry's gap.
const MaxGap = 20

// GapOrDefault returns the entry's gap.
func (e *Entry) GapOrDefault() int {
	switch {
	case e.Gap != nil:
		return *e.Gap
	case e.Kind == Forbidden:
		return DefaultForbiddenGap
	}
	return DefaultGap
}

// Forms returns the text and its variants: every wording that counts as
// saying the entry.
func (e *Entry) Forms() []string {
	forms := make([]string, 0, 1+len(e.Variants))
	forms = append(forms, e.Text)
	return append(forms, e.Variants...)
}

// Pos is a place in a source file.
type Pos struct {
	File string
	Line int
}

// Hit is one entry found in an utterance. Start and End are character
// (rune) offsets into the utterance as given, End exclusive.
type Hit struct {
	ID     string  `json:"id"`
	Intent Intent  `json:"intent"`
	Kind   Kind    `json:"kind"`
	Score  float64 `json:"score"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	// Suggestion is copied from a forbidden entry.
	Suggestion string `json:"suggestion,omitempty"`
	// Value is the typed value the hit carries: a pattern's slot, or the
	// time a commitment names (1个半钟头以内 → a duration of at most 5400 s).
	Value *Value `json:"value,omitempty"`
}
