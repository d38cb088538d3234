package sim

import (
	"cmp"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
)

func loadDeskScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/desk.yaml")
	require.NoError(t, err)
	sc, err := scenarios.ParseScenario("testdata/desk.yaml", data, NewBook(fakeMatcher{}, fakeEntries()).Has)
	require.NoError(t, err)
	return sc
}

var goodTicket = scenarios.Ticket{Name: "李先生", Phone: "139 1234 5678", Address: "幸福里3栋2单元五零一室", Account: "2019001",
	Type: "repair", Urgency: "urgent", Team: "repair", Promise: "2到4小时内上门", Note: "暖气片漏水"}

// deskCall is a call that gives every detail at 10 s and ends with the
// caller's goodbye at 60 s; extra turns come in their time's place.
func deskCall(extra ...scenarios.Turn) []scenarios.Turn {
	turns := []scenarios.Turn{
		{At: 3, Say: "您好"},
		{At: 10, Say: "您怎么称呼?电话和地址是?"},
		{At: 60, Say: "感谢您的来电"},
	}
	turns = append(turns, extra...)
	slices.SortStableFunc(turns, func(a, b scenarios.Turn) int { return cmp.Compare(a.At, b.At) })
	return turns
}

func replayDesk(t *testing.T, mode domain.Mode, turns []scenarios.Turn) (*Scorecard, []Event) {
	t.Helper()
	sc := loadDeskScenario(t)
	card, evs, err := Replay(sc, testBook(sc), &scenarios.Transcript{Scenario: sc.ID, Turns: turns}, Options{Mode: mode, Seed: 5, Desk: true})
	require.NoError(t, err)
	return card, evs
}

func field(t *testing.T, card *Scorecard, name string) FieldResult {
	t.Helper()
	require.NotNil(t, card.Ticket, "no ticket")
	for _, f := range card.Ticket.Fields {
		if f.Field == name {
			return f
		}
	}
	t.Fatalf("no ticket field %q", name)
	return FieldResult{}
}

func TestTicketFields(t *testing.T) {
	tests := []struct {
		name, field, entered string
		ok                   bool
		why                  string
	}{
		{"phone as said", "phone", "13912345678", true, "逐位核对无误"},
		{"phone in words", "phone", "一三九一二三四五六七八", true, ""},
		{"phone two digits swapped", "phone", "13912354678", false, "第 7、8 位"},
		{"phone too short", "phone", "1391234567", false, "填了 10 位"},
		{"address with 栋 and numerals", "address", "幸福里3栋2单元五零一", true, ""},
		{"address full width", "address", "３号楼２单元５０１", true, ""},
		{"address wrong door", "address", "3号楼2单元510", false, "3号楼2单元501"},
		{"name by surname", "name", "李先生", true, ""},
		{"name wrong", "name", "王先生", false, "李四"},
		{"type", "type", "inquiry", false, "应为「报修」"},
		{"promise within", "promise", "两到四个小时内上门", true, "最迟 4 小时"},
		{"promise too late", "promise", "24小时内上门", false, "超过了规范的 4 小时"},
		{"promise vague", "promise", "尽快上门", false, "没有明确的时限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := goodTicket
			require.True(t, tk.Set(tt.field, tt.entered))
			card, _ := replayDesk(t, domain.Exam, deskCall(scenarios.Turn{At: 30, Ticket: &tk}))
			f := field(t, card, tt.field)
			assert.Equal(t, tt.ok, f.OK, f.Why)
			assert.Equal(t, tt.entered, f.Entered)
			assert.NotEmpty(t, f.Expected)
			assert.Contains(t, f.Why, tt.why)
		})
	}
}

func TestGoodTicketPasses(t *testing.T) {
	tk := goodTicket
	card, evs := replayDesk(t, domain.Exam, deskCall(
		scenarios.Turn{At: 20, Lookup: &scenarios.Lookup{By: "phone", Value: "13912345678"}},
		scenarios.Turn{At: 25, Say: "您家欠费1860.5元,管网抢修预计下午6点半恢复,4小时内上门"},
		scenarios.Turn{At: 30, Ticket: &tk}))
	for _, r := range card.Checklist {
		assert.True(t, r.Done, "%s: %s", r.ID, r.Note)
	}
	assert.Equal(t, 100, card.Score)
	for _, f := range card.Ticket.Fields {
		assert.True(t, f.OK, "%s: %s", f.Field, f.Why)
	}
	assert.Equal(t, []LookupResult{{At: 20, By: "phone", Value: "13912345678", Found: true}}, card.Lookups)
	assert.Equal(t, map[string]string{"name": "李四", "phone": "139 1234 5678", "address": "3号楼2单元501"}, card.Facts, "the caller's facts as said")

	rec := ofType(evs, EventRecord)
	require.Len(t, rec, 1)
	require.NotNil(t, rec[0].Record)
	assert.True(t, *rec[0].Found)
	assert.Equal(t, "13912345678", rec[0].Record.Phone, "the record follows the call's facts")
	assert.Equal(t, "幸福里3号楼2单元501", rec[0].Record.Address)
	assert.Equal(t, "18:30", rec[0].Record.Area.Outages[0].Until)

	tks := ofType(evs, EventTicket)
	require.Len(t, tks, 1)
	assert.Equal(t, card.Ticket.Number, tks[0].Number)
	assert.Equal(t, TicketPending, tks[0].State)
	assert.Regexp(t, `^GD\d{10}$`, tks[0].Number)
	assert.Equal(t, 30.0, card.Ticket.SubmittedAt)

	// The conversation ends at 60 s; the scorecard is final after the
	// wrap-up, and the call's duration is the conversation's.
	wrap := ofType(evs, EventWrapUp)
	require.Len(t, wrap, 1)
	assert.Equal(t, 90.0, wrap[0].Until)
	end := ofType(evs, EventEnd)
	require.Len(t, end, 1)
	assert.Equal(t, 90.0, end[0].At)
	assert.Equal(t, 60.0, card.Duration)
	assert.Equal(t, Completed, card.Outcome)
}

func TestLookupNotFound(t *testing.T) {
	card, evs := replayDesk(t, domain.Exam, deskCall(
		scenarios.Turn{At: 20, Lookup: &scenarios.Lookup{By: "phone", Value: "13912345670"}},
		scenarios.Turn{At: 21, Lookup: &scenarios.Lookup{By: "name", Value: "李 四"}}))
	rec := ofType(evs, EventRecord)
	require.Len(t, rec, 2)
	assert.False(t, *rec[0].Found)
	assert.Nil(t, rec[0].Record)
	assert.True(t, *rec[1].Found, "a name is found with the spaces dropped")
	assert.Equal(t, []bool{false, true}, []bool{card.Lookups[0].Found, card.Lookups[1].Found})
}

func TestLookupByAddressAndAccount(t *testing.T) {
	for _, l := range []scenarios.Lookup{{By: "address", Value: "3栋2单元501"}, {By: "address", Value: "幸福里三号楼二单元五零一"}, {By: "account", Value: "2019001"}} {
		_, evs := replayDesk(t, domain.Exam, deskCall(scenarios.Turn{At: 20, Lookup: &l}))
		rec := ofType(evs, EventRecord)
		require.Len(t, rec, 1)
		assert.True(t, *rec[0].Found, "%+v", l)
	}
}

func TestQuoteNeedsLookupAndTheRightValue(t *testing.T) {
	look := scenarios.Turn{At: 20, Lookup: &scenarios.Lookup{By: "phone", Value: "13912345678"}}
	tests := []struct {
		name  string
		turns []scenarios.Turn
		done  bool
		note  string
	}{
		{"said after the lookup", []scenarios.Turn{look, {At: 25, Say: "一共欠费一千八百六十元五角"}}, true, "报对了"},
		{"said before any lookup", []scenarios.Turn{{At: 15, Say: "您欠费1860.5元"}}, false, "没有先查询"},
		{"wrong amount", []scenarios.Turn{look, {At: 25, Say: "您欠了1680元"}}, false, "1860.5元"},
		{"never said", []scenarios.Turn{look}, false, "没有告诉用户"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card, _ := replayDesk(t, domain.Exam, deskCall(tt.turns...))
			r := item(t, card, "arrears")
			assert.Equal(t, tt.done, r.Done, r.Note)
			assert.Contains(t, r.Note, tt.note)
			assert.True(t, r.Desk)
		})
	}
}

func TestLookupBeforeAnswer(t *testing.T) {
	look := scenarios.Turn{At: 30, Lookup: &scenarios.Lookup{By: "phone", Value: "13912345678"}}
	card, _ := replayDesk(t, domain.Exam, deskCall(look, scenarios.Turn{At: 35, Say: "4小时内上门"}))
	assert.True(t, item(t, card, "looked-up").Done)
	card, _ = replayDesk(t, domain.Exam, deskCall(scenarios.Turn{At: 25, Say: "4小时内上门"}, look))
	r := item(t, card, "looked-up")
	assert.False(t, r.Done)
	assert.Contains(t, r.Note, "之后才查")
}

func TestTicketAfterHangupWithinWrapUp(t *testing.T) {
	tk := goodTicket
	tests := []struct {
		name   string
		at     float64
		ticket bool
	}{
		{"in the wrap-up", 85, true},
		{"after the wrap-up", 95, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card, evs := replayDesk(t, domain.Exam, deskCall(scenarios.Turn{At: tt.at, Ticket: &tk}))
			assert.Equal(t, tt.ticket, card.Ticket != nil)
			assert.Equal(t, tt.ticket, len(ofType(evs, EventTicket)) == 1)
			if tt.ticket {
				assert.True(t, card.Ticket.AfterHangup)
				assert.True(t, item(t, card, "ticket-phone").Done)
			}
		})
	}
}

func TestLaterTicketReplacesEarlier(t *testing.T) {
	first, second := goodTicket, goodTicket
	first.Phone = "13912345687"
	card, evs := replayDesk(t, domain.Exam, deskCall(scenarios.Turn{At: 30, Ticket: &first}, scenarios.Turn{At: 70, Ticket: &second}))
	tks := ofType(evs, EventTicket)
	require.Len(t, tks, 2)
	assert.Equal(t, tks[0].Number, tks[1].Number, "a correction keeps the number")
	assert.True(t, field(t, card, "phone").OK)
	assert.Equal(t, 30.0, card.Ticket.SubmittedAt)
	assert.Equal(t, 70.0, card.Ticket.UpdatedAt)
}

func TestSecondHangupClosesWrapUp(t *testing.T) {
	tk := goodTicket
	card, evs := replayDesk(t, domain.Exam, []scenarios.Turn{
		{At: 3, Say: "您好"}, {At: 10, Say: "您怎么称呼?电话和地址是?"},
		{At: 40, Hangup: true}, {At: 50, Ticket: &tk}, {At: 52, Hangup: true}})
	assert.Equal(t, TraineeHungUp, card.Outcome)
	assert.Equal(t, 40.0, card.Duration)
	end := ofType(evs, EventEnd)
	require.Len(t, end, 1)
	assert.Equal(t, 52.0, end[0].At)
	assert.NotNil(t, card.Ticket)
}

func TestTicketInTime(t *testing.T) {
	tk := goodTicket
	// The details are all given in the caller's answer at 10 s.
	for _, tt := range []struct {
		at   float64
		done bool
	}{{29, true}, {130, true}, {131, false}} {
		turns := []scenarios.Turn{{At: 3, Say: "您好"}, {At: 10, Say: "您怎么称呼?电话和地址是?"}, {At: tt.at, Ticket: &tk}, {At: tt.at + 1, Say: "感谢您的来电"}}
		card, _ := replayDesk(t, domain.Exam, turns)
		r := item(t, card, "ticket-in-time")
		assert.Equal(t, tt.done, r.Done, "at %v: %s", tt.at, r.Note)
	}
}

func TestTicketNumberDeterministic(t *testing.T) {
	tk := goodTicket
	turns := deskCall(scenarios.Turn{At: 30, Ticket: &tk})
	a, _ := replayDesk(t, domain.Exam, turns)
	b, _ := replayDesk(t, domain.Practice, turns)
	assert.Equal(t, a.Ticket.Number, b.Ticket.Number)
	turns[2].At = 31
	c, _ := replayDesk(t, domain.Exam, turns)
	assert.NotEqual(t, a.Ticket.Number, c.Ticket.Number)
}

func TestDeskHints(t *testing.T) {
	hints := func(evs []Event) []string {
		var out []string
		for _, e := range ofType(evs, EventHint) {
			out = append(out, e.Text)
		}
		return out
	}
	// Past the deadline without a ticket, and at the end of the call.
	long := []scenarios.Turn{{At: 3, Say: "您好"}, {At: 10, Say: "您怎么称呼?电话和地址是?"}, {At: 140, Say: "嗯"}, {At: 150, Say: "感谢您的来电"}}
	_, evs := replayDesk(t, domain.Practice, long)
	late := hints(evs)
	var texts string
	for _, h := range late {
		texts += h + "\n"
	}
	assert.Contains(t, texts, "还没有建单：客户报完信息已经")
	assert.Contains(t, texts, "还没有建单：通话已结束")
	for _, e := range ofType(evs, EventHint) {
		if e.Text == late[0] {
			assert.Equal(t, 130.0, e.At, "two minutes after the details")
		}
	}
	_, evs = replayDesk(t, domain.Exam, long)
	assert.Empty(t, hints(evs))
	// Telling the caller the order is registered without submitting one.
	_, evs = replayDesk(t, domain.Practice, deskCall(scenarios.Turn{At: 20, Say: "已经给您登记了"}))
	assert.Contains(t, hints(evs), "还没有建单：先在工单里填好提交，再把工单号告诉用户。")
}

func TestWithoutDesk(t *testing.T) {
	sc := loadDeskScenario(t)
	tk := goodTicket
	card, evs, err := Replay(sc, testBook(sc), &scenarios.Transcript{Scenario: sc.ID, Turns: deskCall(scenarios.Turn{At: 30, Ticket: &tk})}, Options{Mode: domain.Exam, Seed: 5})
	require.NoError(t, err)
	assert.Nil(t, card.Ticket)
	assert.Empty(t, card.Lookups)
	require.Len(t, card.Checklist, 1, "desk items are left out without a desk")
	assert.Equal(t, "greet", card.Checklist[0].ID)
	assert.Empty(t, ofType(evs, EventWrapUp))
	assert.Equal(t, 60.0, ofType(evs, EventEnd)[0].At)
}

func TestPhraseValues(t *testing.T) {
	v := PhraseValues{}
	bounds := []struct {
		text string
		secs int64
		ok   bool
	}{
		{"2到4小时内上门", 4 * 3600, true},
		{"两到四个小时内上门", 4 * 3600, true},
		{"一个半小时", 5400, true},
		{"半小时内回电", 1800, true},
		{"十五分钟内到", 900, true},
		{"二十四小时内恢复", 86400, true},
		{"三天内处理完毕", 3 * 86400, true},
		{"尽快上门", 0, false},
	}
	for _, b := range bounds {
		secs, ok := v.Bound(b.text)
		assert.Equal(t, b.ok, ok, b.text)
		assert.Equal(t, b.secs, secs, b.text)
	}
	amounts := []struct {
		text string
		want []Amount
	}{
		{"您11月的水费是86.4元，本月用水21吨", []Amount{{86.4, "元"}, {21, "吨"}}},
		{"八十六块四", []Amount{{86.4, "元"}}},
		{"八十六元四角", []Amount{{86.4, "元"}}},
		{"欠费两千六百八十元", []Amount{{2680, "元"}}},
	}
	for _, a := range amounts {
		assert.Equal(t, a.want, v.Amounts(a.text), a.text)
	}
	clocks := []struct {
		text string
		want []string
	}{
		{"预计今天晚上八点前恢复供水", []string{"20:00"}},
		{"下午五点前", []string{"17:00"}},
		{"18:30恢复", []string{"18:30"}},
		{"１８：３０恢复", []string{"18:30"}},
		{"上午九点半", []string{"09:30"}},
	}
	for _, c := range clocks {
		assert.Equal(t, c.want, v.Clocks(c.text), c.text)
	}
}

func TestRecordMessage(t *testing.T) {
	found, none := true, false
	b, err := json.Marshal(Event{Type: EventRecord, At: 3, Found: &none})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"record","at":3,"found":false,"record":null}`, string(b))
	b, err = json.Marshal(Event{Type: EventRecord, At: 3, Found: &found, Record: &RecordView{Record: scenarios.Record{Name: "李四"}}})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"found":true,"record":{"account":"","name":"李四"`)
	assert.Contains(t, string(b), `"area":{`)
	b, err = json.Marshal(Event{Type: EventTicket, At: 30, Number: "GD0000000001", State: TicketPending})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"ticket","at":30,"number":"GD0000000001","state":"pending-dispatch"}`, string(b))
}
