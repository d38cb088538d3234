package sim

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
)

func loadListen(t *testing.T) *scenarios.Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/listen.yaml")
	require.NoError(t, err)
	sc, err := scenarios.ParseScenario("testdata/listen.yaml", data, NewBook(fakeMatcher{}, fakeEntries()).Has)
	require.NoError(t, err)
	return sc
}

// play runs trainee lines one every ten seconds against the base persona
// (seed nil) or the one drawn with *seed, and returns the card and the
// caller's lines.
func play(t *testing.T, sc *scenarios.Scenario, seed *uint64, says ...string) (*Scorecard, []string) {
	t.Helper()
	tr := &scenarios.Transcript{Scenario: sc.ID, Seed: seed}
	for i, s := range says {
		tr.Turns = append(tr.Turns, scenarios.Turn{At: float64(3 + 10*i), Say: s})
	}
	tr.Turns = append(tr.Turns, scenarios.Turn{At: float64(3 + 10*len(says)), Hangup: true})
	card, evs, err := Replay(sc, testBook(sc), tr, Options{Mode: domain.Exam, Seed: 7})
	require.NoError(t, err)
	return card, customerLines(evs)
}

func seed(n uint64) *uint64 { return &n }

func TestEveryFactAskedInOneLine(t *testing.T) {
	sc := loadListen(t)
	_, lines := play(t, sc, nil, "您好", "请问怎么称呼您？留个电话，再说下地址")
	require.Len(t, lines, 2)
	assert.Equal(t, "我姓李，李四。136 1234 5678。幸福里3号楼2单元1103。那什么时候来人？", lines[1],
		"all three facts in one line, the caller's own question last")
}

func TestFactAskedAgainIsGivenAgain(t *testing.T) {
	sc := loadListen(t)
	_, lines := play(t, sc, nil, "您好", "请问地址是哪里？", "不好意思，地址是哪里？", "地址再说一遍？")
	require.Len(t, lines, 4)
	for _, l := range lines[2:] {
		assert.Contains(t, l, "幸福里3号楼2单元1103", "given again")
	}
	assert.NotEqual(t, lines[2], lines[3], "each time a little differently")
	assert.True(t, strings.HasPrefix(lines[2], againPrefixes[0]), "%q", lines[2])
	assert.True(t, strings.HasPrefix(lines[3], againPrefixes[1]), "more impatient the second time: %q", lines[3])
}

func TestWrongRestatementIsCorrected(t *testing.T) {
	tests := []struct {
		name, restate, want string
	}{
		{"door number", "3号楼2单元1013，对吗？", "1103"},
		{"building", "4号楼2单元1103，对吗？", "3号楼"},
		{"phone digit", "13612345687，对吗？", "136 1234 5678"},
		{"surname", "好的，张先生。", "我姓李"},
		{"title", "好的，李女士。", "李先生"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadListen(t)
			card, lines := play(t, sc, nil, "您好", "您怎么称呼？电话和地址是？", tt.restate)
			require.Len(t, lines, 3)
			assert.Contains(t, lines[2], tt.want, "the caller corrects it")
			for _, id := range []string{"restate-name", "restate-phone", "restate-address"} {
				assert.False(t, item(t, card, id).Done, "%s is not done by a wrong restatement", id)
			}
		})
	}
	t.Run("right the second time", func(t *testing.T) {
		sc := loadListen(t)
		card, lines := play(t, sc, nil, "您好", "地址是？", "3号楼2单元1013，对吗？", "3号楼2单元1103，对吗？")
		assert.Contains(t, lines[2], "不")
		assert.NotContains(t, lines[3], "不对")
		r := item(t, card, "restate-address")
		assert.True(t, r.Done)
		require.NotNil(t, r.Turn)
		assert.Equal(t, 6, *r.Turn, "done on the turn that got it right")
	})
}

func TestFactAskedOverAndOver(t *testing.T) {
	sc := loadListen(t)
	says := []string{"您好"}
	for range 8 {
		says = append(says, "地址是哪里？")
	}
	_, lines := play(t, sc, nil, says...)
	seen := map[string]bool{}
	for _, l := range lines[1:] {
		assert.Contains(t, l, "幸福里3号楼2单元1103", "the address every time it is asked")
		assert.False(t, seen[l], "said twice: %q", l)
		seen[l] = true
	}
}

func TestNoLineTwice(t *testing.T) {
	sc := loadListen(t)
	says := []string{"您好"}
	for range 12 {
		says = append(says, "嗯")
	}
	_, lines := play(t, sc, nil, says...)
	seen := map[string]bool{}
	for _, l := range lines {
		assert.False(t, seen[l], "said twice: %q", l)
		seen[l] = true
	}
	assert.Contains(t, lines, "嗯，你说。", "the scenario's filler first")
}

func TestStepsGatedOnWhatHappened(t *testing.T) {
	sc := loadListen(t)
	_, lines := play(t, sc, nil, "您好", "两小时内上门", "地址是？")
	require.Len(t, lines, 3)
	assert.NotContains(t, lines[2], "什么时候来人", "no asking when after a time was given")
}

func TestWorstIntentChoosesTheLine(t *testing.T) {
	sc := loadListen(t)
	card, lines := play(t, sc, nil, "您好", "您别着急，这不归我管")
	assert.Equal(t, "你们不管谁管！", lines[1], "the deflection is answered, not the empathy")
	assert.Equal(t, 40-10+20, card.Mood.End, "mood takes both")
}

func TestClosingAnsweredWhateverIsPending(t *testing.T) {
	sc := loadListen(t)
	card, lines := play(t, sc, nil, "您好", "还有其他需要吗？", "感谢您的来电，再见")
	assert.Equal(t, []string{"我家暖气漏水了。", "没别的了。", "好，再见。"}, lines)
	assert.Equal(t, Completed, card.Outcome)
}

func TestNoHangupOnAQuestion(t *testing.T) {
	sc := loadListen(t)
	// A step that ends the call fires with one that asks: the caller does
	// not ask and hang up in one breath.
	sc.Script = append(sc.Script, scenarios.Step{ID: "bye", When: []string{"ask-name"}, Say: []string{"好，那我等着。"}, End: true})
	card, lines := play(t, sc, nil, "您好", "地址是？怎么称呼？")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[1], "那什么时候来人？")
	assert.Equal(t, TraineeHungUp, card.Outcome, "the caller stayed on the line: %v", lines)

	card, _ = play(t, sc, nil, "您好", "两小时内上门", "怎么称呼？")
	assert.Equal(t, Completed, card.Outcome, "without a question the step ends the call")
}

func TestEchoesThePromise(t *testing.T) {
	tests := []struct {
		name, say, want string
		remind          bool
	}{
		{"within the norm", "师傅三个小时内上门", "三个小时是吧，我等着。", false},
		{"sooner than the norm", "半小时内上门", "半小时就到？那我就等半小时。", true},
		{"later than the norm", "师傅6小时内上门", "6小时？太久了。", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadListen(t)
			_, lines := play(t, sc, nil, "您好", tt.say, "感谢您的来电，再见")
			require.Len(t, lines, 3)
			assert.Equal(t, tt.want, lines[1])
			if tt.remind {
				assert.Equal(t, "说好了半小时啊，好，再见。", lines[2], "the caller holds them to it")
			} else {
				assert.Equal(t, "好，再见。", lines[2])
			}
		})
	}
}

func TestSeedsMeetDifferentCallers(t *testing.T) {
	sc := loadListen(t)
	ask := []string{"您好", "您怎么称呼？电话和地址是？"}
	a, linesA := play(t, sc, seed(1), ask...)
	b, linesB := play(t, sc, seed(2), ask...)
	require.NotEqual(t, a.Facts, b.Facts, "two seeds, two callers")
	base, _ := play(t, sc, nil, ask...)
	assert.Equal(t, map[string]string{"name": "李四", "phone": "136 1234 5678", "address": "幸福里3号楼2单元1103"}, base.Facts,
		"no seed: the base persona with its facts as written")
	for _, c := range []struct {
		card  *Scorecard
		lines []string
	}{{a, linesA}, {b, linesB}} {
		for _, v := range c.card.Facts {
			assert.Contains(t, fold(c.lines[1]), fold(v), "the caller gives its own facts")
		}
	}

	// Each is scored on its own facts: restating A's to B does not count.
	restateA := "好的，" + a.Caller + "，" + a.Facts["phone"] + "，" + strings.TrimPrefix(a.Facts["address"], "和平里") + "，对吗？"
	cardA, _ := play(t, sc, seed(1), append(ask, restateA)...)
	cardB, _ := play(t, sc, seed(2), append(ask, restateA)...)
	for _, id := range []string{"restate-name", "restate-phone"} {
		assert.True(t, item(t, cardA, id).Done, "%s: A's facts restated to A", id)
		assert.False(t, item(t, cardB, id).Done, "%s: A's facts restated to B", id)
	}

	// The same seed meets the same caller again: replays are deterministic.
	again, _ := play(t, sc, seed(1), ask...)
	assert.Equal(t, a.Facts, again.Facts)
}

func TestDrawnCallerIsAddressedByItsOwnName(t *testing.T) {
	sc := loadListen(t)
	for s := range uint64(20) {
		card, _ := play(t, sc, seed(s), "您好")
		if card.Caller != "欧阳峰" {
			continue
		}
		r := item(t, card, "restate-name")
		assert.Equal(t, "好的，欧阳先生。", r.Model, "a compound surname")
		return
	}
	t.Fatal("no seed of 20 drew 欧阳峰")
}

func TestModelSentenceAndRewrite(t *testing.T) {
	sc := loadListen(t)
	card, _ := play(t, sc, nil, "您好", "这不归我管")
	r := item(t, card, "commit")
	assert.False(t, r.Done)
	assert.Equal(t, "师傅两小时内上门。", r.Model)
	assert.Equal(t, `称呼"李先生"。`, item(t, card, "restate-name").Explain, "explanations speak of this call's caller")
	require.Len(t, card.Forbidden, 1)
	assert.Equal(t, "这事我们来办，我先给您登记。", card.Forbidden[0].Rewrite, "a whole sentence from the scenario")
}

func TestModelCall(t *testing.T) {
	sc := loadListen(t)
	card, err := ModelCall(sc, testBook(sc))
	require.NoError(t, err)
	assert.Equal(t, Completed, card.Outcome)
	assert.True(t, card.Passed, "%v", card.Reasons)
	assert.Empty(t, CheckCoherence(sc, card))
}

func TestCheckCoherenceFindsIncoherence(t *testing.T) {
	sc := loadListen(t)
	hit := func(intent phrase.Intent) phrase.Hit {
		return phrase.Hit{ID: string(intent), Intent: intent, Kind: phrase.Required, Score: 1}
	}
	facts := map[string]string{"name": "李四", "phone": "136 1234 5678", "address": "幸福里3号楼2单元1103"}
	tests := []struct {
		name    string
		turns   []Turn
		outcome Outcome
		want    string
	}{
		{"a line said twice", []Turn{
			{Speaker: Trainee, At: 1, Text: "您好"}, {Speaker: Customer, At: 1, Text: "喂？"},
			{Speaker: Trainee, At: 2, Text: "嗯"}, {Speaker: Customer, At: 2, Text: "喂？"},
		}, TraineeHungUp, "again"},
		{"facts in part", []Turn{
			{Speaker: Trainee, At: 1, Text: "称呼和地址", Hits: []phrase.Hit{hit("ask-name"), hit("ask-address")}},
			{Speaker: Customer, At: 1, Text: "我姓李，李四。"},
		}, TraineeHungUp, "only part"},
		{"a question answered by an unrelated line", []Turn{
			{Speaker: Trainee, At: 1, Text: "电话多少", Hits: []phrase.Hit{hit("ask-contact")}},
			{Speaker: Customer, At: 1, Text: "嗯，你说。"},
		}, TraineeHungUp, "something else"},
		{"anything else answered by something else", []Turn{
			{Speaker: Trainee, At: 1, Text: "您好"}, {Speaker: Customer, At: 1, Text: "我家暖气漏水了。"},
			{Speaker: Trainee, At: 2, Text: "还有其他需要吗", Hits: []phrase.Hit{hit("anything-else")}},
			{Speaker: Customer, At: 2, Text: "那到底怎么办？"},
		}, TraineeHungUp, "anything else"},
		{"a hang-up on a question", []Turn{
			{Speaker: Trainee, At: 1, Text: "再见"}, {Speaker: Customer, At: 1, Text: "那什么时候来？"},
		}, Completed, "hangs up on a question"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckCoherence(sc, &Scorecard{Turns: tt.turns, Outcome: tt.outcome, Facts: facts})
			require.Len(t, got, 1, "%v", got)
			assert.Contains(t, got[0].Msg, tt.want)
		})
	}
}
