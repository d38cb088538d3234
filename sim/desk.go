package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// TicketPending is a work order's state once submitted (待派单); dispatch
// moves it on.
const TicketPending = "pending-dispatch"

// TicketStates are the work-order states of the training deck (chapter 7),
// as ids with their Chinese names.
func TicketStates() []scenarios.Label {
	return []scenarios.Label{
		{ID: TicketPending, Name: "待派单"}, {ID: "in-progress", Name: "处理中"},
		{ID: "awaiting-check", Name: "待验收"}, {ID: "done", Name: "已完成"},
	}
}

// RecordView is what a found lookup shows: the customer record with this
// call's facts filled in, and the area data.
type RecordView struct {
	scenarios.Record
	Area scenarios.Area `json:"area"`
}

// LookupResult is one search of the service system (docs/contracts.md's scorecard).
type LookupResult struct {
	At    float64 `json:"at"`
	By    string  `json:"by"`
	Value string  `json:"value"`
	Found bool    `json:"found"`
}

// TicketResult is the work order as graded (docs/contracts.md's scorecard): the
// last one submitted, field by field against the call's facts and the
// desk's order.
type TicketResult struct {
	Number string `json:"number"`
	// SubmittedAt is when the work order was first submitted; a later
	// submission replaces its fields but keeps its number.
	SubmittedAt float64 `json:"submitted_at"`
	// UpdatedAt is when the fields shown were submitted.
	UpdatedAt float64 `json:"updated_at"`
	State     string  `json:"state"`
	// AfterHangup says it was last submitted in the wrap-up.
	AfterHangup bool          `json:"after_hangup,omitempty"`
	Fields      []FieldResult `json:"fields"`
	// Form is the whole work order as last submitted, graded fields or not.
	Form scenarios.Ticket `json:"form"`
}

// FieldResult is one field of the work order: what was entered against
// what the call called for, and why it counts.
type FieldResult struct {
	Field string `json:"field"`
	// Label is the field's Chinese name.
	Label    string `json:"label"`
	Entered  string `json:"entered"`
	Expected string `json:"expected"`
	OK       bool   `json:"ok"`
	Why      string `json:"why"`
	// EnteredLabel and ExpectedLabel name an id (type, urgency, grade,
	// team) in Chinese.
	EnteredLabel  string `json:"entered_label,omitempty"`
	ExpectedLabel string `json:"expected_label,omitempty"`
}

// desk is the desk work of one call.
type desk struct {
	d       *scenarios.Desk
	facts   map[string]string
	lookups []LookupResult
	// foundAt is the time and turn count of the first lookup that found
	// the record, per key; -1 when none.
	found map[string]foundMark
	// ticket is the last work order submitted; nil before the first.
	ticket      *scenarios.Ticket
	number      string
	firstAt     float64
	lastAt      float64
	afterHangup bool
	// quotes holds what the trainee said of each quote item.
	quotes map[string]*quoteState
	// wrapUntil is when the wrap-up ends, once the conversation is over.
	wrapUntil float64
}

type foundMark struct {
	at   float64
	turn int
}

type quoteState struct {
	done     bool
	at       float64
	turn     int
	early    bool   // said before any lookup found the record
	wrong    string // a value said that is not the record's
	wrongTxt string
}

// newDesk sets up the desk of a call with caller p, or returns nil when
// the scenario has none or the trainee works without one.
func newDesk(sc *scenarios.Scenario, opt Options, p *persona) *desk {
	if sc.Desk == nil || !opt.Desk {
		return nil
	}
	// The record and the work order follow the call's caller: its facts
	// as drawn (the values themselves: digits, the unit of an address).
	facts := map[string]string{}
	for _, f := range p.facts {
		facts[f.Key] = f.value
	}
	if _, ok := facts["place"]; !ok {
		facts["place"] = p.vars["place"]
	}
	return &desk{d: sc.Desk, facts: facts, found: map[string]foundMark{}, quotes: map[string]*quoteState{}}
}

// record is the customer record with the call's facts filled in.
func (d *desk) record() scenarios.Record {
	r := d.d.Record
	r.Account = scenarios.FillFacts(r.Account, d.facts)
	r.Name = scenarios.FillFacts(r.Name, d.facts)
	r.Phone = scenarios.FillFacts(r.Phone, d.facts)
	r.Address = scenarios.FillFacts(r.Address, d.facts)
	return r
}

// expected is what field f of the work order should hold: the call's fact
// of that name, else the record's value.
func (d *desk) expected(f string) string {
	if v, ok := d.facts[f]; ok {
		return v
	}
	r := d.record()
	t := scenarios.Ticket{Name: r.Name, Phone: r.Phone, Address: r.Address, Account: r.Account}
	return t.Get(f)
}

var nonDigit = regexp.MustCompile(`\D`)

// digits keeps the digits of s, numerals spoken in words included.
func digits(s string) string { return nonDigit.ReplaceAllString(fold(s), "") }

// addressForm is an address in the form compared: normalised, 栋 and 幢
// written 号楼, and a trailing 室, 号, 户 or 房 dropped.
func addressForm(s string) string {
	n := fold(s)
	for _, w := range []string{"号楼", "栋", "幢", "号院"} {
		n = strings.ReplaceAll(n, w, "#")
	}
	n = strings.ReplaceAll(n, "#", "号楼")
	for _, suf := range []string{"室", "号", "户", "房"} {
		n = strings.TrimSuffix(n, suf)
	}
	return n
}

// sameAddress reports whether entered names the address want: the same
// once normalised, perhaps with the estate or street before it.
func sameAddress(entered, want string) bool {
	e, w := addressForm(entered), addressForm(want)
	return w != "" && strings.HasSuffix(e, w)
}

// matches reports whether a lookup by `by` for value finds the record.
func (d *desk) matches(by, value string) bool {
	r := d.record()
	switch by {
	case "phone":
		v := digits(value)
		return len(v) >= 7 && v == digits(r.Phone)
	case "account":
		v := fold(value)
		return v != "" && v == fold(r.Account)
	case "address":
		return len([]rune(addressForm(value))) >= 3 && (sameAddress(value, r.Address) || sameAddress(r.Address, value))
	case "name":
		v := fold(value)
		return v != "" && v == fold(r.Name)
	}
	return false
}

// Lookup is the trainee searching the service system by phone, account,
// address or name. It answers with a record event: found, with the record
// and the area data, or not.
func (c *Call) Lookup(at float64, by, value string) []Event {
	evs := c.Advance(at)
	if c.final || c.desk == nil {
		return evs
	}
	at = c.now
	d := c.desk
	found := d.matches(by, value)
	d.lookups = append(d.lookups, LookupResult{At: at, By: by, Value: value, Found: found})
	ev := Event{Type: EventRecord, At: at, Found: &found}
	if found {
		if _, ok := d.found[by]; !ok {
			d.found[by] = foundMark{at: at, turn: len(c.turns)}
		}
		if _, ok := d.found["any"]; !ok {
			d.found["any"] = foundMark{at: at, turn: len(c.turns)}
		}
		ev.Record = &RecordView{Record: d.record(), Area: d.d.Area}
	}
	return append(evs, ev)
}

// Ticket is the trainee submitting the work order; a later one replaces
// the fields of the earlier one and keeps its number. It may come after
// the hang-up, within the wrap-up time. It answers with a ticket event:
// the number and the state.
func (c *Call) Ticket(at float64, t scenarios.Ticket) []Event {
	evs := c.Advance(at)
	if c.final || c.desk == nil {
		return evs
	}
	at = c.now
	d := c.desk
	if d.ticket == nil {
		d.firstAt = at
		d.number = ticketNumber(c.sc.ID, c.seed, at)
	}
	d.ticket, d.lastAt, d.afterHangup = &t, at, c.ended
	return append(evs, Event{Type: EventTicket, At: at, Number: d.number, State: TicketPending})
}

// ticketNumber is the work order's number, from the call (scenario, seed)
// and the moment it was first submitted, so that a replay gives the same.
func ticketNumber(scenario string, seed uint64, at float64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d/%d", scenario, seed, int64(math.Round(at*1000)))
	return fmt.Sprintf("GD%010d", h.Sum64()%10_000_000_000)
}

// detailsAt is when the caller had given the last of the details the work
// order records (name, phone, address, account), or the answer when the
// order records none of them; ok is false while any is still to come.
func (c *Call) detailsAt() (float64, bool) {
	at, all := -1.0, true
	for _, f := range c.sc.OrderFields() {
		if _, fact := c.sc.FactByKey(f); !fact {
			continue
		}
		i, given := c.given[f]
		if !given {
			all = false
			continue
		}
		if i < len(c.turns) {
			at = max(at, c.turns[i].At)
		}
	}
	if at < 0 {
		if first := c.firstTrainee(); first >= 0 {
			return c.turns[first].At, all
		}
		return 0, false
	}
	return at, all
}

// deskDue is the next moment the desk has something to say by itself: the
// end of the wrap-up, or in practice the work order's deadline passing.
func (c *Call) deskDue() (float64, dueKind) {
	d := c.desk
	switch {
	case d == nil:
		return math.Inf(1), dueNone
	case c.ended:
		return d.wrapUntil, dueWrapUp
	case c.mode == domain.Practice && d.ticket == nil && !c.hinted["desk:late"]:
		if at, all := c.detailsAt(); all && c.answered {
			return max(at+d.d.Order.SubmitWithin, c.now), dueTicketLate
		}
	}
	return math.Inf(1), dueNone
}

// gradeQuotes looks at a trainee turn for the looked-up values the
// checklist wants quoted.
func (c *Call) gradeQuotes(t *turn) {
	d := c.desk
	if d == nil {
		return
	}
	var amounts []Amount
	var clocks []string
	read := false
	for _, it := range c.sc.Checklist {
		if it.Quote == "" {
			continue
		}
		q := d.quotes[it.ID]
		if q == nil {
			q = &quoteState{}
			d.quotes[it.ID] = q
		}
		if q.done {
			continue
		}
		if !read {
			amounts, clocks, read = c.values.Amounts(t.text), c.values.Clocks(t.text), true
		}
		want, said, wrong := c.quoteMatch(it.Quote, amounts, clocks)
		if !said {
			continue
		}
		_, looked := d.found["any"]
		switch {
		case !looked:
			q.early = true
		case wrong:
			if q.wrong == "" {
				q.wrong, q.wrongTxt = want, t.text
			}
		default:
			q.done, q.at, q.turn = true, t.at, t.idx
		}
	}
}

// quoteMatch reports whether the turn's values say the quote's kind of
// value at all, and whether it differs from the record's (want).
func (c *Call) quoteMatch(quote string, amounts []Amount, clocks []string) (want string, said, wrong bool) {
	r := c.desk.record()
	money := func(a Amount) bool { return a.Unit == "元" }
	check := func(v float64, unit string, kind func(Amount) bool) (string, bool, bool) {
		want := fmt.Sprintf("%s%s", trimNum(v), unit)
		any, right := false, false
		for _, a := range amounts {
			if kind(a) {
				any = true
				right = right || math.Abs(a.Value-v) < 0.005
			}
		}
		return want, any, any && !right
	}
	switch quote {
	case scenarios.QuoteArrears:
		return check(r.ArrearsTotal(), "元", money)
	case scenarios.QuoteBill:
		return check(r.Bills[0].Amount, "元", money)
	case scenarios.QuoteUsage:
		unit := r.Bills[0].Unit
		return check(r.Bills[0].Usage, unit, func(a Amount) bool { return !money(a) })
	case scenarios.QuoteOutageEnd:
		until := c.desk.d.Area.Outages[0].Until
		if len(clocks) == 0 {
			return until, false, false
		}
		return until, true, !slices.Contains(clocks, until)
	}
	return "", false, false
}

func trimNum(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// Why each field of a work order counts, for the scorecard.
var fieldMatters = map[string]string{
	scenarios.FieldName:    "工单要写明来电人，回访时才知道找谁。",
	scenarios.FieldPhone:   "电话错一位，处理人员和回访就联系不上用户。",
	scenarios.FieldAddress: "楼号、单元、门牌要和用户说的一致，处理人员才能一次找对门。",
	scenarios.FieldAccount: "户号是查账、缴费和核对用户的依据。",
	scenarios.FieldType:    "类型决定工单走哪条处理流程，分错类就派错部门。",
	scenarios.FieldUrgency: "紧急程度决定派单先后，急事按一般处理会耽误险情。",
	scenarios.FieldGrade:   "投诉等级决定由谁处理、多久答复。",
	scenarios.FieldTeam:    "派错班组，工单要转一圈才有人管。",
	scenarios.FieldPromise: "承诺写进工单，处理人员按它上门，超出规范的承诺做不到。",
	scenarios.FieldNote:    "问题描述要记下用户原话，处理人员据此准备工具和方案。",
}

func label(labels []scenarios.Label, id string) string {
	if id == "" {
		return "（空）"
	}
	return scenarios.LabelOf(labels, id)
}

// gradeField grades one field of the work order.
func (c *Call) gradeField(f, entered string) FieldResult {
	d := c.desk
	o := &d.d.Order
	r := FieldResult{Field: f, Label: scenarios.LabelOf(scenarios.FieldLabels(), f), Entered: entered}
	result := ""
	empty := strings.TrimSpace(entered) == ""
	switch f {
	case scenarios.FieldName:
		want := d.expected(f)
		r.Expected = want
		sur := []rune(want)
		r.OK = !empty && (fold(entered) == fold(want) || (len(sur) > 0 && strings.HasPrefix(fold(entered), fold(string(sur[0]))) && isTitled(fold(entered), fold(string(sur[0])))))
		switch {
		case empty:
			result = "没有填写来电人。"
		case r.OK:
			result = "和来电人自报的一致。"
		default:
			result = fmt.Sprintf("来电人说的是「%s」。", want)
		}
	case scenarios.FieldPhone:
		want := digits(d.expected(f))
		r.Expected = want
		got := digits(entered)
		r.OK = got == want && want != ""
		switch {
		case empty:
			result = "没有填写联系电话。"
		case r.OK:
			result = "逐位核对无误。"
		case len(got) != len(want):
			result = fmt.Sprintf("填了 %d 位，来电人说的是 %d 位的 %s。", len(got), len(want), want)
		default:
			var pos []string
			for i := range want {
				if got[i] != want[i] {
					pos = append(pos, fmt.Sprint(i+1))
				}
			}
			result = fmt.Sprintf("第 %s 位和来电人说的 %s 不一致。", strings.Join(pos, "、"), want)
		}
	case scenarios.FieldAddress:
		want := d.expected(f)
		r.Expected = want
		r.OK = !empty && sameAddress(entered, want)
		switch {
		case empty:
			result = "没有填写地址。"
		case r.OK:
			result = "楼号、单元、门牌和来电人说的一致。"
		default:
			result = fmt.Sprintf("来电人说的是「%s」。", want)
		}
	case scenarios.FieldAccount:
		want := d.expected(f)
		r.Expected = want
		r.OK = !empty && fold(entered) == fold(want)
		switch {
		case empty:
			result = "没有填写户号。"
		case r.OK:
			result = "和系统里的户号一致。"
		default:
			result = fmt.Sprintf("户号应为 %s。", want)
		}
	case scenarios.FieldType, scenarios.FieldUrgency, scenarios.FieldGrade, scenarios.FieldTeam:
		labels := map[string][]scenarios.Label{
			scenarios.FieldType: scenarios.TicketTypes(), scenarios.FieldUrgency: scenarios.Urgencies(),
			scenarios.FieldGrade: scenarios.Grades(), scenarios.FieldTeam: teamLabels(d.d.Teams),
		}[f]
		want := map[string]string{scenarios.FieldType: o.Type, scenarios.FieldUrgency: o.Urgency, scenarios.FieldGrade: o.Grade, scenarios.FieldTeam: o.Team}[f]
		r.Expected = want
		r.ExpectedLabel = scenarios.LabelOf(labels, want)
		if !empty {
			r.EnteredLabel = scenarios.LabelOf(labels, entered)
		}
		r.OK = entered == want
		switch {
		case empty:
			result = fmt.Sprintf("没有选，应为「%s」（%s）。", label(labels, want), o.Norm)
		case r.OK:
			result = fmt.Sprintf("「%s」正确。", label(labels, want))
		default:
			result = fmt.Sprintf("选了「%s」，应为「%s」（%s）。", label(labels, entered), label(labels, want), o.Norm)
		}
	case scenarios.FieldPromise:
		lo, hi := o.Promise.Seconds()
		r.Expected = phrase.BoundText(hi) + "内"
		if lo > 0 {
			r.Expected = phrase.BoundText(lo) + "到" + phrase.BoundText(hi) + "内"
		}
		secs, ok := c.values.Bound(entered)
		r.OK = ok && secs <= hi && secs >= lo
		switch {
		case empty:
			result = "没有写承诺时限。"
		case !ok:
			result = fmt.Sprintf("「%s」里没有明确的时限，规范要求%s。", entered, r.Expected)
		case r.OK:
			result = fmt.Sprintf("最迟 %s，在规范的%s之内。", phrase.BoundText(secs), r.Expected)
		case secs > hi:
			result = fmt.Sprintf("最迟 %s，超过了规范的 %s（%s）。", phrase.BoundText(secs), phrase.BoundText(hi), o.Norm)
		default:
			result = fmt.Sprintf("%s 比规范的 %s 还快，做不到的承诺不要写。", phrase.BoundText(secs), phrase.BoundText(lo))
		}
	case scenarios.FieldNote:
		r.Expected = "用户反映的问题（原话）"
		r.OK = len([]rune(strings.TrimSpace(entered))) >= 4
		if r.OK {
			result = "记下了问题。"
		} else {
			result = "没有写清问题。"
		}
	}
	r.Why = result + fieldMatters[f]
	return r
}

// isTitled reports whether name is a surname with a form of address (赵先生).
func isTitled(name, surname string) bool {
	rest := strings.TrimPrefix(name, surname)
	return slices.Contains([]string{"先生", "女士", "师傅", "大爷", "阿姨", "奶奶", "大妈", "老师", "小姐", "大哥", "大姐"}, rest)
}

func teamLabels(teams []scenarios.Team) []scenarios.Label {
	out := make([]scenarios.Label, len(teams))
	for i, t := range teams {
		out[i] = scenarios.Label(t)
	}
	return out
}

// ticketResult grades the last work order submitted; nil when none was.
func (c *Call) ticketResult() *TicketResult {
	d := c.desk
	if d == nil || d.ticket == nil {
		return nil
	}
	tr := &TicketResult{Number: d.number, SubmittedAt: d.firstAt, UpdatedAt: d.lastAt, State: TicketPending, AfterHangup: d.afterHangup, Form: *d.ticket}
	for _, f := range c.sc.OrderFields() {
		tr.Fields = append(tr.Fields, c.gradeField(f, d.ticket.Get(f)))
	}
	return tr
}

// deskItem grades a desk item of the checklist: done and a note.
func (c *Call) deskItem(it *scenarios.Item, tr *TicketResult) (bool, string) {
	d := c.desk
	switch {
	case it.Ticket != "":
		if tr == nil {
			return false, "没有提交工单。"
		}
		for _, f := range tr.Fields {
			if f.Field == it.Ticket {
				return f.OK, f.Why
			}
		}
		return false, "工单里没有这一项。"
	case it.Lookup != "":
		m, ok := d.found[it.Lookup]
		switch {
		case ok:
			return true, fmt.Sprintf("第 %.0f 秒查到了用户档案。", m.at)
		case len(d.lookups) > 0:
			return false, fmt.Sprintf("查询了 %d 次，都没有查到这位用户的档案。", len(d.lookups))
		}
		return false, "整通电话没有查询系统。"
	case it.Quote != "":
		q := d.quotes[it.ID]
		switch {
		case q == nil:
			return false, "没有告诉用户系统里查到的数。"
		case q.done:
			return true, fmt.Sprintf("第 %.0f 秒报对了系统里的数。", q.at)
		case q.wrong != "":
			return false, fmt.Sprintf("报的数和系统里的 %s 不一致（「%s」）。", q.wrong, q.wrongTxt)
		case q.early:
			return false, "没有先查询系统就报了数，不能凭印象回答。"
		}
		return false, "没有告诉用户系统里查到的数。"
	case it.Rule == scenarios.RuleTicketInTime:
		if d.ticket == nil {
			return false, "没有提交工单。"
		}
		from, _ := c.detailsAt()
		late := d.firstAt - from
		if late <= d.d.Order.SubmitWithin {
			return true, fmt.Sprintf("第 %.0f 秒建单，客户报完信息后 %.0f 秒内。", d.firstAt, math.Max(late, 0))
		}
		return false, fmt.Sprintf("第 %.0f 秒才建单，客户报完信息已过了 %.0f 秒，规范要求 %.0f 秒内。", d.firstAt, late, d.d.Order.SubmitWithin)
	}
	return false, ""
}

// lookupMark is where a lookup item happened, for ordering it before an
// answer: the index of the turn that followed it.
func (c *Call) lookupMark(it *scenarios.Item) (int, bool) {
	m, ok := c.desk.found[it.Lookup]
	return m.turn, ok
}

// deskHints point at desk work the trainee is missing in this turn.
func (c *Call) deskHints(t *turn) []Event {
	d := c.desk
	if d == nil || c.mode != domain.Practice {
		return nil
	}
	var evs []Event
	if d.ticket == nil && t.has("ticket") {
		evs = append(evs, c.hintOnce(t.at, "desk:ticket-said", "还没有建单：先在工单里填好提交，再把工单号告诉用户。", "ticket")...)
	}
	for _, it := range c.sc.Checklist {
		if it.Lookup == "" || it.Before == "" {
			continue
		}
		if _, ok := d.found[it.Lookup]; !ok && t.has(it.Before) {
			evs = append(evs, c.hintOnce(t.at, "desk:lookup:"+it.ID, "回答之前先查询系统，按查到的数据说，不要凭印象。", "")...)
		}
	}
	for _, it := range c.sc.Checklist {
		if q := d.quotes[it.ID]; it.Quote != "" && q != nil && !q.done && q.wrong != "" {
			evs = append(evs, c.hintOnce(t.at, "desk:quote:"+it.ID, "报给用户的数和系统里查到的不一致，再核对一下。", "")...)
		}
	}
	return evs
}

// The trainee's desk events as a call's log stores them: a lookup, and a
// work order submitted. The work order is logged as "submit" because
// "ticket" is the engine's answer to it.
const (
	EventLookup EventType = "lookup"
	EventSubmit EventType = "submit"
)
