package scenarios

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Desk is what the agent's desk holds in a call: the customer record the
// service system keeps, what it shows for the area, and what a correct work
// order holds (FORMAT.md, "desk").
type Desk struct {
	// WrapUp is the seconds the trainee has after the caller hangs up to
	// finish the work order (话后处理); default 60.
	WrapUp float64 `yaml:"wrap_up" json:"wrap_up"`
	// Teams are the teams a work order can go to.
	Teams  []Team `yaml:"teams" json:"teams"`
	Record Record `yaml:"record" json:"record"`
	Area   Area   `yaml:"area" json:"area"`
	Order  Order  `yaml:"order" json:"order"`
}

// Team is a team work orders are dispatched to.
type Team struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
}

// Record is the customer record of the service system. Account, Name,
// Phone and Address may name the call's facts in braces ({phone}), and
// {place} the caller's estate or street, so that the record follows the
// caller a call draws.
type Record struct {
	Account string `yaml:"account" json:"account"`
	Name    string `yaml:"name" json:"name"`
	Phone   string `yaml:"phone" json:"phone"`
	Address string `yaml:"address" json:"address"`
	// Balance is money paid in advance, in yuan.
	Balance float64 `yaml:"balance" json:"balance"`
	// Arrears are the bills not paid, with their due dates.
	Arrears  []Bill       `yaml:"arrears" json:"arrears"`
	Bills    []Bill       `yaml:"bills" json:"bills"`
	Payments []Payment    `yaml:"payments" json:"payments"`
	Tickets  []PastTicket `yaml:"tickets" json:"tickets"`
	// Notes are remarks on the account (独居老人, 重点关注).
	Notes []string `yaml:"notes" json:"notes"`
}

// Bill is one bill: its period, amount and, for metered services, usage.
type Bill struct {
	Period string  `yaml:"period" json:"period"`
	Amount float64 `yaml:"amount" json:"amount"`
	Usage  float64 `yaml:"usage" json:"usage,omitempty"`
	// Unit is the usage's unit (吨, 度).
	Unit string `yaml:"unit" json:"unit,omitempty"`
	// Due is the date it falls due, YYYY-MM-DD.
	Due string `yaml:"due" json:"due,omitempty"`
}

// Payment is one payment received.
type Payment struct {
	Date    string  `yaml:"date" json:"date"`
	Amount  float64 `yaml:"amount" json:"amount"`
	Channel string  `yaml:"channel" json:"channel"`
}

// PastTicket is an earlier work order of the customer.
type PastTicket struct {
	Number  string `yaml:"number" json:"number"`
	Date    string `yaml:"date" json:"date"`
	Type    string `yaml:"type" json:"type"`
	Summary string `yaml:"summary" json:"summary"`
	State   string `yaml:"state" json:"state"`
}

// Area is what the service system shows for the customer's area.
type Area struct {
	Name    string   `yaml:"name" json:"name,omitempty"`
	Outages []Outage `yaml:"outages" json:"outages"`
	Notices []string `yaml:"notices" json:"notices"`
	// Heating holds the heating parameters; nil outside heating.
	Heating *Heating `yaml:"heating" json:"heating,omitempty"`
}

// Outage is a planned or unplanned interruption of supply, from and until
// clock times of the day of the call (HH:MM).
type Outage struct {
	// Kind is planned or fault.
	Kind   string `yaml:"kind" json:"kind"`
	Scope  string `yaml:"scope" json:"scope"`
	From   string `yaml:"from" json:"from"`
	Until  string `yaml:"until" json:"until"`
	Reason string `yaml:"reason" json:"reason"`
}

// Heating is the heating data of an area, in °C (training deck, chapter 7).
type Heating struct {
	Station string  `yaml:"station" json:"station,omitempty"`
	Supply  float64 `yaml:"supply" json:"supply"`
	Return  float64 `yaml:"return" json:"return"`
	// Neighbours is the average room temperature of the neighbours.
	Neighbours float64 `yaml:"neighbours" json:"neighbours"`
}

// Order is what a correct work order holds.
type Order struct {
	// Fields are the ticket fields graded; default: every field the
	// scenario gives a value for (facts, record, order).
	Fields  []string `yaml:"fields" json:"fields"`
	Type    string   `yaml:"type" json:"type"`
	Urgency string   `yaml:"urgency" json:"urgency,omitempty"`
	Grade   string   `yaml:"grade" json:"grade,omitempty"`
	Team    string   `yaml:"team" json:"team"`
	// Promise bounds the time the work order may promise.
	Promise *Bound `yaml:"promise" json:"promise,omitempty"`
	// SubmitWithin is the seconds after the caller has given the details
	// by which the work order must be submitted; default 120.
	SubmitWithin float64 `yaml:"submit_within" json:"submit_within"`
	// Norm names where the order's type, urgency and times come from.
	Norm string `yaml:"norm" json:"norm"`
}

// Bound is a time span the norm allows, written 4h, 15m, 2d or 1h30m.
type Bound struct {
	Max string `yaml:"max" json:"max"`
	Min string `yaml:"min" json:"min,omitempty"`
}

// Seconds returns the bound's limits in seconds; min is 0 when not set.
func (b *Bound) Seconds() (lo, hi int64) {
	hi, _ = phrase.ParseBound(b.Max)
	if b.Min != "" {
		lo, _ = phrase.ParseBound(b.Min)
	}
	return lo, hi
}

// Ticket is a work order as the trainee fills it in (docs/contracts.md's transcript
// contract): every field is optional.
type Ticket struct {
	Name    string `json:"name,omitempty" yaml:"name"`
	Phone   string `json:"phone,omitempty" yaml:"phone"`
	Address string `json:"address,omitempty" yaml:"address"`
	Account string `json:"account,omitempty" yaml:"account"`
	Type    string `json:"type,omitempty" yaml:"type"`
	Urgency string `json:"urgency,omitempty" yaml:"urgency"`
	Grade   string `json:"grade,omitempty" yaml:"grade"`
	Team    string `json:"team,omitempty" yaml:"team"`
	Promise string `json:"promise,omitempty" yaml:"promise"`
	Note    string `json:"note,omitempty" yaml:"note"`
}

// Lookup is a search of the service system (docs/contracts.md): by phone,
// account, address or name.
type Lookup struct {
	By    string `json:"by" yaml:"by"`
	Value string `json:"value" yaml:"value"`
}

// The ticket fields, in the order a work order shows them.
const (
	FieldName    = "name"
	FieldPhone   = "phone"
	FieldAddress = "address"
	FieldAccount = "account"
	FieldType    = "type"
	FieldUrgency = "urgency"
	FieldGrade   = "grade"
	FieldTeam    = "team"
	FieldPromise = "promise"
	FieldNote    = "note"
)

// TicketFields lists the ticket's fields in order.
func TicketFields() []string {
	return []string{FieldName, FieldPhone, FieldAddress, FieldAccount, FieldType, FieldUrgency, FieldGrade, FieldTeam, FieldPromise, FieldNote}
}

// Get returns the value of a ticket field by name.
func (t *Ticket) Get(field string) string {
	switch field {
	case FieldName:
		return t.Name
	case FieldPhone:
		return t.Phone
	case FieldAddress:
		return t.Address
	case FieldAccount:
		return t.Account
	case FieldType:
		return t.Type
	case FieldUrgency:
		return t.Urgency
	case FieldGrade:
		return t.Grade
	case FieldTeam:
		return t.Team
	case FieldPromise:
		return t.Promise
	case FieldNote:
		return t.Note
	}
	return ""
}

// Set sets a ticket field by name; it reports false for an unknown field.
func (t *Ticket) Set(field, value string) bool {
	p := map[string]*string{
		FieldName: &t.Name, FieldPhone: &t.Phone, FieldAddress: &t.Address, FieldAccount: &t.Account,
		FieldType: &t.Type, FieldUrgency: &t.Urgency, FieldGrade: &t.Grade, FieldTeam: &t.Team,
		FieldPromise: &t.Promise, FieldNote: &t.Note,
	}[field]
	if p == nil {
		return false
	}
	*p = value
	return true
}

// Label is an id with its Chinese name.
type Label struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TicketTypes are the work-order types (docs/contracts.md): 报修, 咨询, 投诉, 求助, 建议.
func TicketTypes() []Label {
	return []Label{{"repair", "报修"}, {"inquiry", "咨询"}, {"complaint", "投诉"}, {"help", "求助"}, {"suggestion", "建议"}}
}

// Urgencies are the urgency ids: 一般, 紧急.
func Urgencies() []Label { return []Label{{"normal", "一般"}, {"urgent", "紧急"}} }

// Grades are the complaint grades of the property procedure: 轻微, 重要, 重大.
func Grades() []Label {
	return []Label{{"minor", "轻微"}, {"important", "重要"}, {"major", "重大"}}
}

// LookupKeys are what the service system can be searched by.
func LookupKeys() []Label {
	return []Label{{"phone", "电话"}, {"account", "户号"}, {"address", "地址"}, {"name", "姓名"}}
}

// FieldLabels name the ticket fields in Chinese.
func FieldLabels() []Label {
	return []Label{{FieldName, "来电人"}, {FieldPhone, "联系电话"}, {FieldAddress, "地址"}, {FieldAccount, "户号"},
		{FieldType, "类型"}, {FieldUrgency, "紧急程度"}, {FieldGrade, "投诉等级"}, {FieldTeam, "派往班组"},
		{FieldPromise, "承诺时限"}, {FieldNote, "问题描述"}}
}

// LabelOf returns the Chinese name of id in labels, or id itself.
func LabelOf(labels []Label, id string) string {
	for _, l := range labels {
		if l.ID == id {
			return l.Name
		}
	}
	return id
}

func hasLabel(labels []Label, id string) bool {
	return slices.ContainsFunc(labels, func(l Label) bool { return l.ID == id })
}

func labelIDs(labels []Label) string {
	ids := make([]string, len(labels))
	for i, l := range labels {
		ids[i] = l.ID
	}
	return strings.Join(ids, ", ")
}

// Quote targets: looked-up values a trainee must say correctly.
const (
	QuoteArrears   = "arrears"
	QuoteBill      = "bill"
	QuoteUsage     = "usage"
	QuoteOutageEnd = "outage-end"
)

// Quotes lists the quote targets.
func Quotes() []string { return []string{QuoteArrears, QuoteBill, QuoteUsage, QuoteOutageEnd} }

// ArrearsTotal is the sum of the record's unpaid bills.
func (r *Record) ArrearsTotal() float64 {
	sum := 0.0
	for _, b := range r.Arrears {
		sum += b.Amount
	}
	return math.Round(sum*100) / 100
}

// Validate checks a ticket's enumerated fields; problems are reported
// through at(field, message).
func (t *Ticket) Validate(at func(field, format string, args ...any)) {
	if t.Type != "" && !hasLabel(TicketTypes(), t.Type) {
		at(FieldType, "%q: must be one of %s", t.Type, labelIDs(TicketTypes()))
	}
	if t.Urgency != "" && !hasLabel(Urgencies(), t.Urgency) {
		at(FieldUrgency, "%q: must be one of %s", t.Urgency, labelIDs(Urgencies()))
	}
	if t.Grade != "" && !hasLabel(Grades(), t.Grade) {
		at(FieldGrade, "%q: must be one of %s", t.Grade, labelIDs(Grades()))
	}
	for _, f := range TicketFields() {
		if n := len([]rune(t.Get(f))); n > MaxTicketField {
			at(f, "%d characters, more than the %d a field holds", n, MaxTicketField)
		}
	}
}

// MaxTicketField is the longest a ticket field may be, in characters.
const MaxTicketField = 500

// Validate checks a lookup.
func (l *Lookup) Validate(at func(field, format string, args ...any)) {
	if !hasLabel(LookupKeys(), l.By) {
		at("by", "%q: must be one of %s", l.By, labelIDs(LookupKeys()))
	}
	switch n := len([]rune(l.Value)); {
	case strings.TrimSpace(l.Value) == "":
		at("value", "required: what to search for")
	case n > MaxTicketField:
		at("value", "%d characters, more than %d", n, MaxTicketField)
	}
}

// DefaultWrapUp is the wrap-up time when a desk leaves it out (话后处理).
const DefaultWrapUp = 60

// DefaultSubmitWithin is the property procedure's two minutes to record a
// repair call (客户服务工作规程 4.2.7.1).
const DefaultSubmitWithin = 120

var factRef = regexp.MustCompile(`\{([a-z]+(?:-[a-z]+)*)\}`)

// FillFacts replaces each {key} of s by the call's fact of that key.
func FillFacts(s string, facts map[string]string) string {
	return factRef.ReplaceAllStringFunc(s, func(m string) string { return facts[m[1:len(m)-1]] })
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// IsDeskItem reports whether the item is graded at the desk rather than
// from what was said: a ticket field, a lookup, a quote of a looked-up
// value, or the ticket's timing.
func (it *Item) IsDeskItem() bool {
	return it.Ticket != "" || it.Lookup != "" || it.Quote != "" || it.Rule == RuleTicketInTime
}

// validateDesk checks the desk section and the checklist's desk items.
func validateDesk(c *errs, s *Scenario) {
	d := s.Desk
	if d == nil {
		for i, it := range s.Checklist {
			if it.IsDeskItem() {
				c.at(pathIndex("checklist", i), "a desk item needs a desk section")
			}
		}
		return
	}
	if d.WrapUp < 0 || d.WrapUp > 600 {
		c.at("desk.wrap_up", "%v: must be 0-600 seconds", d.WrapUp)
	}
	teams := map[string]int{}
	for i, t := range d.Teams {
		checkID(c, "desk.teams", i, "id", t.ID, idPattern, idHint, "team id", teams)
		if strings.TrimSpace(t.Name) == "" {
			c.at(pathIndex("desk.teams", i)+".name", "required: the team's name as the desk shows it")
		}
	}
	if len(d.Teams) == 0 {
		c.at("desk.teams", "required: at least one team a work order can go to")
	}
	facts := map[string]bool{}
	for _, f := range s.Facts {
		facts[f.Key] = true
	}
	r := &d.Record
	for _, f := range []struct{ path, v string }{
		{"desk.record.account", r.Account}, {"desk.record.name", r.Name}, {"desk.record.phone", r.Phone}, {"desk.record.address", r.Address},
	} {
		for _, m := range factRef.FindAllStringSubmatch(f.v, -1) {
			if !facts[m[1]] && m[1] != "place" {
				c.at(f.path, "{%s} names no fact of this scenario (nor {place}, the caller's estate or street)", m[1])
			}
		}
	}
	bills := func(path string, list []Bill) {
		for i, b := range list {
			p := pathIndex(path, i)
			if strings.TrimSpace(b.Period) == "" {
				c.at(p+".period", "required")
			}
			if b.Amount < 0 {
				c.at(p+".amount", "must not be negative")
			}
			if b.Due != "" && !validDate(b.Due) {
				c.at(p+".due", "%q: write a date as YYYY-MM-DD", b.Due)
			}
			if b.Usage < 0 {
				c.at(p+".usage", "must not be negative")
			}
		}
	}
	bills("desk.record.arrears", r.Arrears)
	bills("desk.record.bills", r.Bills)
	for i, p := range r.Payments {
		path := pathIndex("desk.record.payments", i)
		if !validDate(p.Date) {
			c.at(path+".date", "%q: write a date as YYYY-MM-DD", p.Date)
		}
		if p.Amount <= 0 {
			c.at(path+".amount", "must be positive")
		}
	}
	for i, t := range r.Tickets {
		path := pathIndex("desk.record.tickets", i)
		if strings.TrimSpace(t.Number) == "" {
			c.at(path+".number", "required")
		}
		if !validDate(t.Date) {
			c.at(path+".date", "%q: write a date as YYYY-MM-DD", t.Date)
		}
		if !hasLabel(TicketTypes(), t.Type) {
			c.at(path+".type", "%q: must be one of %s", t.Type, labelIDs(TicketTypes()))
		}
	}
	for i, o := range d.Area.Outages {
		path := pathIndex("desk.area.outages", i)
		if o.Kind != "planned" && o.Kind != "fault" {
			c.at(path+".kind", "%q: must be planned or fault", o.Kind)
		}
		from, errF := phrase.ParseClock(o.From)
		if errF != nil {
			c.at(path+".from", "%v", errF)
		}
		until, errU := phrase.ParseClock(o.Until)
		if errU != nil {
			c.at(path+".until", "%v", errU)
		}
		if errF == nil && errU == nil && until <= from {
			c.at(path+".until", "%s is not after from %s", o.Until, o.From)
		}
	}
	if h := d.Area.Heating; h != nil {
		if s.Domain != "heating" {
			c.at("desk.area.heating", "only for heating scenarios")
		}
		if h.Supply <= h.Return {
			c.at("desk.area.heating.return", "%v: the return must be cooler than the supply %v", h.Return, h.Supply)
		}
		if h.Neighbours < 0 || h.Neighbours > 40 {
			c.at("desk.area.heating.neighbours", "%v: a room temperature in °C, 0-40", h.Neighbours)
		}
	}

	o := &d.Order
	if !hasLabel(TicketTypes(), o.Type) {
		c.at("desk.order.type", "%q: must be one of %s", o.Type, labelIDs(TicketTypes()))
	}
	switch {
	case o.Type == "complaint" && o.Grade == "":
		c.at("desk.order.grade", "required for a complaint: one of %s", labelIDs(Grades()))
	case o.Type != "complaint" && o.Grade != "":
		c.at("desk.order.grade", "only complaints are graded")
	case o.Grade != "" && !hasLabel(Grades(), o.Grade):
		c.at("desk.order.grade", "%q: must be one of %s", o.Grade, labelIDs(Grades()))
	}
	switch {
	case o.Type != "complaint" && o.Urgency == "":
		c.at("desk.order.urgency", "required: one of %s", labelIDs(Urgencies()))
	case o.Urgency != "" && !hasLabel(Urgencies(), o.Urgency):
		c.at("desk.order.urgency", "%q: must be one of %s", o.Urgency, labelIDs(Urgencies()))
	}
	if _, ok := teams[o.Team]; !ok {
		c.at("desk.order.team", "%q: must be one of the desk's teams", o.Team)
	}
	if o.Promise != nil {
		hi, err := phrase.ParseBound(o.Promise.Max)
		if err != nil {
			c.at("desk.order.promise.max", "%v", err)
		}
		if o.Promise.Min != "" {
			lo, err := phrase.ParseBound(o.Promise.Min)
			if err != nil {
				c.at("desk.order.promise.min", "%v", err)
			} else if lo >= hi {
				c.at("desk.order.promise.min", "%s is not below max %s", o.Promise.Min, o.Promise.Max)
			}
		}
	}
	if o.SubmitWithin < 0 {
		c.at("desk.order.submit_within", "must be positive")
	}
	if strings.TrimSpace(o.Norm) == "" {
		c.at("desk.order.norm", "required: the norm the order's type, urgency and times come from")
	}
	seen := map[string]bool{}
	for i, f := range o.Fields {
		path := pathIndex("desk.order.fields", i)
		switch {
		case !slices.Contains(TicketFields(), f):
			c.at(path, "%q: must be one of %s", f, strings.Join(TicketFields(), ", "))
		case seen[f]:
			c.at(path, "%q is listed twice", f)
		case !s.orderHas(f):
			c.at(path, "%q has no expected value: give the fact, the record's value or the order's", f)
		}
		seen[f] = true
	}

	for i, it := range s.Checklist {
		path := pathIndex("checklist", i)
		switch {
		case it.Ticket != "":
			if !slices.Contains(s.OrderFields(), it.Ticket) {
				c.at(path+".ticket", "%q is not a graded field of desk.order (%s)", it.Ticket, strings.Join(s.OrderFields(), ", "))
			}
		case it.Lookup != "":
			if it.Lookup != "any" && !hasLabel(LookupKeys(), it.Lookup) {
				c.at(path+".lookup", "%q: must be any or one of %s", it.Lookup, labelIDs(LookupKeys()))
			}
		case it.Quote != "":
			if !slices.Contains(Quotes(), it.Quote) {
				c.at(path+".quote", "%q: must be one of %s", it.Quote, strings.Join(Quotes(), ", "))
			} else if !s.hasQuote(it.Quote) {
				c.at(path+".quote", "%q: the desk holds no such value to quote", it.Quote)
			}
		}
	}
}

// hasQuote reports whether the desk holds the value a quote item grades.
func (s *Scenario) hasQuote(q string) bool {
	r := &s.Desk.Record
	switch q {
	case QuoteArrears:
		return len(r.Arrears) > 0
	case QuoteBill:
		return len(r.Bills) > 0
	case QuoteUsage:
		return len(r.Bills) > 0 && r.Bills[0].Usage > 0
	case QuoteOutageEnd:
		return len(s.Desk.Area.Outages) > 0
	}
	return false
}

// orderHas reports whether the order's field f has an expected value.
func (s *Scenario) orderHas(f string) bool {
	o := &s.Desk.Order
	switch f {
	case FieldName, FieldPhone, FieldAddress, FieldAccount:
		if _, ok := s.FactByKey(f); ok {
			return true
		}
		r := s.Desk.Record
		return strings.TrimSpace((&Ticket{Name: r.Name, Phone: r.Phone, Address: r.Address, Account: r.Account}).Get(f)) != ""
	case FieldType:
		return o.Type != ""
	case FieldUrgency:
		return o.Urgency != ""
	case FieldGrade:
		return o.Grade != ""
	case FieldTeam:
		return o.Team != ""
	case FieldPromise:
		return o.Promise != nil
	case FieldNote:
		return true
	}
	return false
}

// OrderFields returns the ticket fields graded: desk.order.fields, or by
// default every field with an expected value.
func (s *Scenario) OrderFields() []string {
	if s.Desk == nil {
		return nil
	}
	if len(s.Desk.Order.Fields) > 0 {
		return s.Desk.Order.Fields
	}
	var out []string
	for _, f := range TicketFields() {
		if s.orderHas(f) {
			out = append(out, f)
		}
	}
	return out
}

func applyDeskDefaults(d *Desk) {
	if d == nil {
		return
	}
	if d.WrapUp == 0 {
		d.WrapUp = DefaultWrapUp
	}
	if d.Order.SubmitWithin == 0 {
		d.Order.SubmitWithin = DefaultSubmitWithin
	}
}
