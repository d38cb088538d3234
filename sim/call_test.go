package sim

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

// fakeMatcher finds the exact wordings of its entries: enough to test the
// engine's rules without the real index.
type fakeMatcher struct{ entries []phrase.Entry }

func (m fakeMatcher) Match(text string, f phrase.Filter) []phrase.Hit {
	var hits []phrase.Hit
	for i := range m.entries {
		e := &m.entries[i]
		if !f.Allows(e) {
			continue
		}
		for _, form := range e.Forms() {
			k := strings.Index(text, form)
			if k < 0 {
				continue
			}
			start := len([]rune(text[:k]))
			hits = append(hits, phrase.Hit{ID: e.ID, Intent: e.Intent, Kind: e.Kind, Score: 1,
				Start: start, End: start + len([]rune(form)), Suggestion: e.Suggestion})
			break
		}
	}
	return hits
}

func fakeEntries() []phrase.Entry {
	req := func(id string, intent phrase.Intent, forms ...string) phrase.Entry {
		return phrase.Entry{ID: id, Intent: intent, Kind: phrase.Required, Text: forms[0], Variants: forms[1:], Source: "测试"}
	}
	bad := func(id string, intent phrase.Intent, text, suggestion string) phrase.Entry {
		return phrase.Entry{ID: id, Intent: intent, Kind: phrase.Forbidden, Text: text, Suggestion: suggestion, Source: "测试忌语"}
	}
	return []phrase.Entry{
		req("greet", "greeting", "您好"),
		req("offer", "offer-help", "有什么可以帮您"),
		req("name", "ask-name", "怎么称呼"),
		req("addr", "ask-address", "地址"),
		req("phone", "ask-contact", "电话"),
		req("calm", "empathy", "别着急"),
		req("sorry", "apology", "久等了", "对不起"),
		req("wait", "hold", "请您稍等"),
		req("soon", "commit", "小时内", "上门"),
		req("else", "anything-else", "还有其他需要"),
		req("thank", "thanks", "感谢您的来电"),
		req("bye", "farewell", "再见"),
		bad("not-mine", "deflect", "不归我管", "我帮您转接"),
		bad("your-fault", "argue", "你自己弄坏的", "我们先安排师傅看看"),
	}
}

func loadTestScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/call.yaml")
	require.NoError(t, err)
	book := NewBook(fakeMatcher{}, fakeEntries())
	sc, err := scenarios.ParseScenario("testdata/call.yaml", data, book.Has)
	require.NoError(t, err)
	return sc
}

func testBook(sc *scenarios.Scenario) *Book {
	entries := append(fakeEntries(), sc.LocalEntries()...)
	return NewBook(fakeMatcher{entries: entries}, entries)
}

// step is one trainee event of a test call.
type step struct {
	at     float64
	say    string
	hangup bool
}

func run(t *testing.T, sc *scenarios.Scenario, mode domain.Mode, steps ...step) (*Scorecard, []Event) {
	t.Helper()
	tr := &scenarios.Transcript{Scenario: sc.ID}
	for _, s := range steps {
		tr.Turns = append(tr.Turns, scenarios.Turn{At: s.at, Say: s.say, Hangup: s.hangup})
	}
	card, evs, err := Replay(sc, testBook(sc), tr, Options{Mode: mode, Seed: 7})
	require.NoError(t, err)
	require.NotNil(t, card)
	return card, evs
}

func item(t *testing.T, card *Scorecard, id string) ItemResult {
	t.Helper()
	for _, r := range card.Checklist {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no checklist item %q", id)
	return ItemResult{}
}

func customerLines(evs []Event) []string {
	var out []string
	for _, e := range evs {
		if e.Type == EventCustomer {
			out = append(out, e.Text)
		}
	}
	return out
}

func ofType(evs []Event, typ EventType) []Event {
	var out []Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// model is a call that does everything right.
var model = []step{
	{at: 4, say: "您好,测试供热公司,有什么可以帮您?"},
	{at: 15, say: "请问您怎么称呼?地址是哪里?"},
	{at: 30, say: "李先生,3号楼2单元501对吧?升温需要一到两天。"},
	{at: 45, say: "请问还有其他需要帮助的吗?"},
	{at: 55, say: "感谢您的来电,再见。"},
}

func TestModelCallPasses(t *testing.T) {
	sc := loadTestScenario(t)
	card, evs := run(t, sc, domain.Practice, model...)
	assert.Equal(t, Completed, card.Outcome)
	assert.True(t, card.Passed, "reasons: %v", card.Reasons)
	assert.Equal(t, 100, card.Score)
	for _, r := range card.Checklist {
		assert.True(t, r.Done, "%s: %s", r.ID, r.Note)
		assert.NotEmpty(t, r.Note)
		assert.NotEmpty(t, r.Norm)
	}
	assert.Equal(t, []string{
		"我家暖气不热。上面热下面凉。",
		"我叫李四。幸福里3号楼2单元501。",
		"那我再等等。",
		"没有了。",
		"谢谢,再见。",
	}, customerLines(evs))
	assert.Empty(t, ofType(evs, EventHint))
}

func TestAnsweredInTime(t *testing.T) {
	tests := []struct {
		name     string
		at       float64
		say      string
		wantDone bool
		wantRing int
	}{
		{"first ring", 1, "您好", true, 1},
		{"third ring", 8.9, "您好", true, 3},
		{"fourth ring", 9, "您好", false, 4},
		{"late with apology", 12, "您好,让您久等了", true, 5},
		{"apology later does not count", 12, "您好", false, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			steps := []step{{at: tt.at, say: tt.say}}
			if tt.name == "apology later does not count" {
				steps = append(steps, step{at: 14, say: "对不起"})
			}
			card, evs := run(t, sc, domain.Exam, append(steps, step{at: 20, hangup: true})...)
			r := item(t, card, "answered-in-time")
			assert.Equal(t, tt.wantDone, r.Done, r.Note)
			assert.Equal(t, tt.wantRing, card.AnsweredRing)
			assert.Len(t, ofType(evs, EventRing), tt.wantRing)
		})
	}
}

func TestFirstItem(t *testing.T) {
	tests := []struct {
		name  string
		turns []step
		want  bool
	}{
		{"greeting first", []step{{at: 2, say: "您好"}}, true},
		{"greeting second", []step{{at: 2, say: "喂"}, {at: 5, say: "您好"}}, false},
		{"never", []step{{at: 2, say: "喂"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			card, _ := run(t, sc, domain.Exam, tt.turns...)
			r := item(t, card, "greet")
			assert.Equal(t, tt.want, r.Done, r.Note)
			if !tt.want {
				assert.Nil(t, r.Turn)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		name string
		at   float64
		want bool
	}{
		{"in time", 100, true},
		{"at the deadline", 120, true},
		{"late", 121, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			sc.Silence.After = 500 // keep the silent line out of it
			card, _ := run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: tt.at, say: "需要一到两天"})
			r := item(t, card, "takes-days")
			assert.Equal(t, tt.want, r.Done, r.Note)
		})
	}
}

func TestWithinHintInPractice(t *testing.T) {
	sc := loadTestScenario(t)
	sc.Silence.After = 500
	_, evs := run(t, sc, domain.Practice, step{at: 2, say: "您好"}, step{at: 130, say: "嗯"})
	hints := ofType(evs, EventHint)
	require.NotEmpty(t, hints)
	assert.Contains(t, hints[0].Text, "一到两天")
	assert.Equal(t, 120.0, hints[0].At)
	_, evs = run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: 130, say: "嗯"})
	assert.Empty(t, ofType(evs, EventHint))
}

func TestBefore(t *testing.T) {
	tests := []struct {
		name  string
		turns []string
		want  bool
	}{
		{"earlier turn", []string{"您好", "还有其他需要帮助的吗?", "感谢您的来电"}, true},
		{"same turn, asked first", []string{"您好", "还有其他需要帮助的吗?感谢您的来电"}, true},
		{"same turn, thanked first", []string{"您好", "感谢您的来电,还有其他需要帮助的吗?再见"}, false},
		{"no thanks at all", []string{"您好", "还有其他需要帮助的吗?"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			var steps []step
			for i, s := range tt.turns {
				steps = append(steps, step{at: float64(2 + 5*i), say: s})
			}
			card, _ := run(t, sc, domain.Exam, steps...)
			r := item(t, card, "anything-else")
			assert.Equal(t, tt.want, r.Done, r.Note)
		})
	}
}

func TestFacts(t *testing.T) {
	tests := []struct {
		name     string
		restate  string
		wantDone bool
	}{
		{"restates the caller's address", "3号楼2单元501,对吗?", true},
		{"in Chinese digits", "三号楼二单元五零一,对吗?", true},
		{"a different address", "4号楼2单元501,对吗?", false},
		{"no restating", "好的。", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			card, evs := run(t, sc, domain.Exam,
				step{at: 2, say: "您好"},
				step{at: 10, say: "您怎么称呼?地址是哪里?"},
				step{at: 20, say: tt.restate})
			lines := customerLines(evs)
			require.GreaterOrEqual(t, len(lines), 2)
			assert.Equal(t, "我叫李四。幸福里3号楼2单元501。", lines[1], "both facts in one answer")
			r := item(t, card, "restate-address")
			assert.Equal(t, tt.wantDone, r.Done, r.Note)
		})
	}
}

func TestFactNotAskedCannotBeRestated(t *testing.T) {
	sc := loadTestScenario(t)
	card, _ := run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: 10, say: "是3号楼2单元501吧"})
	r := item(t, card, "restate-address")
	assert.False(t, r.Done)
	assert.Contains(t, r.Note, "没有问到")
}

func TestSilence(t *testing.T) {
	tests := []struct {
		name       string
		turns      []step
		wantChecks []float64 // times of the caller's 喂?还在吗?, counted from the end of the caller's reply
		wantHold   bool
	}{
		{"short pauses", []step{{at: 2, say: "您好"}, {at: 20, say: "嗯"}, {at: 39, hangup: true}}, nil, true},
		{"long silence unannounced", []step{{at: 2, say: "您好"}, {at: 30, say: "嗯"}, {at: 35, hangup: true}}, []float64{23.5}, false},
		{"announced hold", []step{{at: 2, say: "您好"}, {at: 5, say: "请您稍等"}, {at: 60, say: "让您久等了"}, {at: 65, hangup: true}}, nil, true},
		{"hold too long", []step{{at: 2, say: "您好"}, {at: 5, say: "请您稍等"}, {at: 70, say: "让您久等了"}, {at: 75, hangup: true}}, []float64{66}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			card, evs := run(t, sc, domain.Exam, tt.turns...)
			var checks []float64
			for _, e := range ofType(evs, EventCustomer) {
				if strings.HasPrefix(e.Text, "喂?") {
					checks = append(checks, e.At)
				}
			}
			assert.Equal(t, tt.wantChecks, checks)
			r := item(t, card, "hold")
			assert.Equal(t, tt.wantHold, r.Done, r.Note)
		})
	}
}

func TestSilentLineCallerGivesUp(t *testing.T) {
	sc := loadTestScenario(t)
	card, evs := run(t, sc, domain.Exam, step{at: 2, say: "您好"})
	// The opening takes 1.5 s to say; checks at 23.5 and 43.5, then the
	// caller hangs up at 63.5.
	assert.Equal(t, []string{"我家暖气不热。", "喂?还在吗?", "喂?听得见吗?", "没人说话,我挂了。"}, customerLines(evs))
	assert.Equal(t, CustomerHungUp, card.Outcome)
	assert.Equal(t, 63.5, card.Duration)
	assert.Contains(t, card.OutcomeNote, "没有声音")
}

func TestUnansweredCallerGivesUp(t *testing.T) {
	sc := loadTestScenario(t)
	card, evs := run(t, sc, domain.Exam)
	assert.Len(t, ofType(evs, EventRing), 5)
	assert.Equal(t, CustomerHungUp, card.Outcome)
	assert.Equal(t, 15.0, card.Duration)
	assert.False(t, card.Passed)
	assert.Equal(t, 0, card.Score)
	assert.Contains(t, card.Reasons, "电话一直没有接起。")
}

func TestTraineeHangsUpFirst(t *testing.T) {
	sc := loadTestScenario(t)
	steps := append([]step{}, model[:4]...)
	card, _ := run(t, sc, domain.Exam, append(steps, step{at: 50, hangup: true})...)
	assert.Equal(t, TraineeHungUp, card.Outcome)
	r := item(t, card, "caller-first")
	assert.False(t, r.Done)
	assert.Contains(t, r.Note, "先挂断")
	assert.Less(t, card.Score, 100)
}

func TestForbidden(t *testing.T) {
	for _, mode := range []domain.Mode{domain.Practice, domain.Exam} {
		t.Run(string(mode), func(t *testing.T) {
			sc := loadTestScenario(t)
			steps := append([]step{}, model[:2]...)
			steps = append(steps, step{at: 20, say: "这个不归我管。"})
			steps = append(steps, model[2:]...)
			card, evs := run(t, sc, mode, steps...)
			require.Len(t, card.Forbidden, 1)
			f := card.Forbidden[0]
			assert.Equal(t, "不归我管", f.Said)
			assert.Equal(t, "我帮您转接", f.Suggestion)
			assert.Equal(t, phrase.Intent("deflect"), f.Intent)
			assert.Equal(t, "测试忌语", f.Norm)
			assert.Equal(t, 10, f.Penalty)
			assert.Equal(t, Trainee, card.Turns[f.Turn].Speaker)
			assert.False(t, item(t, card, "no-forbidden").Done)
			assert.Equal(t, 90-10, card.Score)
			assert.Contains(t, customerLines(evs), "你这是推诿!")
			assert.Equal(t, "我帮您转接", f.Suggestion, "the norm's replacement stays on the card")
			assert.Equal(t, defaultRewrites["deflect"], f.Rewrite)
			if mode == domain.Practice {
				var texts []string
				for _, h := range ofType(evs, EventHint) {
					texts = append(texts, h.Text)
				}
				assert.Contains(t, texts, "别说「不归我管」。可以这样说："+defaultRewrites["deflect"], "a whole sentence, not a splice")
				assert.Contains(t, texts, "不要推诿。", "the reaction's hint")
			} else {
				assert.Empty(t, ofType(evs, EventHint))
			}
		})
	}
}

func TestMood(t *testing.T) {
	tests := []struct {
		name        string
		says        []string
		wantMoods   []int
		wantOutcome Outcome
	}{
		// Start 30; the reaction to deflect adds 30, arguing adds the
		// default 20; at 80 the caller hangs up.
		{"deflecting twice angers until the hang-up", []string{"您好", "不归我管", "不归我管"}, []int{30, 60, 90}, CustomerHungUp},
		{"arguing angers by default", []string{"您好", "你自己弄坏的"}, []int{30, 50}, TraineeHungUp},
		{"empathy and a commitment calm", []string{"您好", "您别着急", "两小时内上门"}, []int{30, 20, 10}, TraineeHungUp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadTestScenario(t)
			var steps []step
			for i, s := range tt.says {
				steps = append(steps, step{at: float64(2 + 5*i), say: s})
			}
			steps = append(steps, step{at: 60, hangup: true})
			card, evs := run(t, sc, domain.Exam, steps...)
			var moods []int
			for _, e := range ofType(evs, EventMood) {
				moods = append(moods, e.Value)
			}
			assert.Equal(t, tt.wantMoods, moods)
			assert.Equal(t, tt.wantOutcome, card.Outcome)
			if tt.wantOutcome == CustomerHungUp {
				assert.False(t, card.Passed)
				assert.Contains(t, card.Reasons, "客户被激怒后挂断了电话。")
				lines := customerLines(evs)
				assert.Equal(t, "不说了!", lines[len(lines)-1])
			}
		})
	}
}

func TestCallerAnswersEveryTurn(t *testing.T) {
	sc := loadTestScenario(t)
	says := []string{"您好", "嗯", "这个嘛", "有什么可以帮您", "哦", "好", "行"}
	c := NewCall(sc, testBook(sc), Options{Mode: domain.Exam, Seed: 3})
	c.Advance(0)
	prev := ""
	for i, s := range says {
		evs := c.Say(float64(2+3*i), s)
		lines := customerLines(evs)
		require.Len(t, lines, 1, "turn %d %q", i, s)
		if i > 0 && lines[0] != "上面热下面凉。" && lines[0] != "那到底要等多久?" {
			assert.NotEqual(t, prev, lines[0], "the same filler twice in a row")
		}
		prev = lines[0]
	}
}

func TestStepsWaitForAfter(t *testing.T) {
	sc := loadTestScenario(t)
	// takes-days before details: relieved must not fire yet.
	_, evs := run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: 5, say: "一到两天"}, step{at: 8, say: "有什么可以帮您"}, step{at: 11, say: "一到两天"})
	lines := customerLines(evs)
	assert.NotContains(t, lines[1], "那我再等等")
	assert.Equal(t, "上面热下面凉。", lines[2])
	assert.Equal(t, "那我再等等。", lines[3])
}

func TestCallerInitiative(t *testing.T) {
	sc := loadTestScenario(t)
	_, evs := run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: 5, say: "有什么可以帮您"}, step{at: 8, say: "嗯"}, step{at: 11, say: "嗯"})
	lines := customerLines(evs)
	assert.Equal(t, "那到底要等多久?", lines[2], "a step without when comes up when nothing else is said")
	assert.NotEqual(t, "那到底要等多久?", lines[3], "only once")
}

func TestHardOfHearing(t *testing.T) {
	sc := loadTestScenario(t)
	sc.Persona.Needs = []string{scenarios.NeedHardOfHearing}
	sc.Persona.HearingLimit = 8
	sc.Persona.Pardon = []string{"啊?听不清。"}
	card, evs := run(t, sc, domain.Practice,
		step{at: 2, say: "您好"},
		step{at: 6, say: "请问您怎么称呼,您家的详细地址是哪里呀?"},
		step{at: 12, say: "您怎么称呼?"})
	lines := customerLines(evs)
	assert.Equal(t, "啊?听不清。", lines[1])
	assert.Equal(t, "我叫李四。", lines[2])
	assert.True(t, card.Turns[2].Misheard)
	assert.False(t, card.Turns[4].Misheard)
	assert.NotEmpty(t, ofType(evs, EventHint))
}

func TestCriticalItemFails(t *testing.T) {
	sc := loadTestScenario(t)
	// Everything but the critical warm-up time: 80 points, above 60.
	card, _ := run(t, sc, domain.Exam,
		step{at: 4, say: "您好"},
		step{at: 15, say: "请问您地址是哪里?"},
		step{at: 30, say: "3号楼2单元501对吧?"},
		step{at: 45, say: "还有其他需要帮助的吗?"},
		step{at: 55, say: "感谢您的来电,再见。"})
	assert.Equal(t, 80, card.Score)
	assert.False(t, card.Passed)
	require.Len(t, card.Reasons, 1)
	assert.Contains(t, card.Reasons[0], "说明一到两天")
}

func TestTimeout(t *testing.T) {
	sc := loadTestScenario(t)
	sc.MaxDuration = 30
	card, _ := run(t, sc, domain.Exam, step{at: 2, say: "您好"}, step{at: 20, say: "嗯"}, step{at: 40, say: "嗯"})
	assert.Equal(t, TimedOut, card.Outcome)
	assert.Equal(t, 30.0, card.Duration)
	assert.False(t, item(t, card, "caller-first").Done)
}

func TestEventsAfterEndAreIgnored(t *testing.T) {
	sc := loadTestScenario(t)
	c := NewCall(sc, testBook(sc), Options{Seed: 1})
	c.Advance(0)
	c.Say(2, "您好")
	evs := c.Hangup(5)
	require.True(t, c.Ended())
	require.Len(t, ofType(evs, EventEnd), 1)
	assert.Nil(t, c.Say(6, "喂"))
	assert.Nil(t, c.Hangup(7))
	assert.Nil(t, c.Advance(100))
}

func TestTimeNeverGoesBack(t *testing.T) {
	sc := loadTestScenario(t)
	c := NewCall(sc, testBook(sc), Options{Seed: 1})
	c.Advance(10)
	c.Say(5, "您好")
	assert.Equal(t, 10.0, c.Now())
	evs := c.Hangup(1)
	assert.Equal(t, 10.0, evs[len(evs)-1].At)
}

func TestDeterminism(t *testing.T) {
	sc := loadTestScenario(t)
	steps := []step{{at: 2, say: "您好"}, {at: 5, say: "嗯"}, {at: 8, say: "嗯"}, {at: 11, say: "不归我管"}, {at: 15, say: "嗯"}, {at: 80, hangup: true}}
	encode := func(seed uint64) string {
		tr := &scenarios.Transcript{Scenario: sc.ID}
		for _, s := range steps {
			tr.Turns = append(tr.Turns, scenarios.Turn{At: s.at, Say: s.say, Hangup: s.hangup})
		}
		card, evs, err := Replay(sc, testBook(sc), tr, Options{Mode: domain.Practice, Seed: seed})
		require.NoError(t, err)
		a, err := json.Marshal(card)
		require.NoError(t, err)
		b, err := json.Marshal(evs)
		require.NoError(t, err)
		return string(a) + string(b)
	}
	first := encode(42)
	for range 5 {
		assert.Equal(t, first, encode(42))
	}
	differs := false
	for seed := range uint64(20) {
		differs = differs || encode(seed) != first
	}
	assert.True(t, differs, "the seed picks among the caller's lines")
}

func TestReplayRejectsBadTranscripts(t *testing.T) {
	sc := loadTestScenario(t)
	tests := []struct {
		name string
		tr   scenarios.Transcript
	}{
		{"other scenario", scenarios.Transcript{Scenario: "leak"}},
		{"time goes back", scenarios.Transcript{Scenario: sc.ID, Turns: []scenarios.Turn{{At: 5, Say: "您好"}, {At: 3, Say: "嗯"}}}},
		{"neither say nor hangup", scenarios.Transcript{Scenario: sc.ID, Turns: []scenarios.Turn{{At: 5}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Replay(sc, testBook(sc), &tt.tr, Options{})
			assert.Error(t, err)
		})
	}
}

func TestEventJSON(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{Type: EventRing, At: 3, N: 2}, `{"type":"ring","at":3,"n":2}`},
		{Event{Type: EventMood, At: 4, Value: 0}, `{"type":"mood","at":4,"value":0}`},
		{Event{Type: EventCustomer, At: 4, Text: "嗯。"}, `{"type":"customer","at":4,"text":"嗯。"}`},
		{Event{Type: EventHint, At: 4, Text: "说您好", Intent: "greeting"}, `{"type":"hint","at":4,"text":"说您好","intent":"greeting"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.ev)
		require.NoError(t, err)
		assert.JSONEq(t, tt.want, string(b))
	}
}
