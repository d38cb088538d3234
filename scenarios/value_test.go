package scenarios_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// TestPromisedTimeItems replays promises of a visit in the leak scenario,
// whose item repair-time wants a concrete time within 2 to 4 hours, and
// checks what the scorecard understood.
func TestPromisedTimeItems(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	sc, ok := lib.Scenario("leak")
	require.True(t, ok)
	tests := []struct {
		say        string
		done       bool
		understood string
		note       string
	}{
		{"维修师傅两到四个小时内上门", true, "4 小时内上门", "理解为：4 小时内上门"},
		{"师傅三个钟头以内到", true, "3 小时内上门", "理解为：3 小时内上门"},
		{"师傅一个半钟头以内到", false, "1.5 小时内上门", "短于规范的 2 小时"},
		{"师傅半小时之内就到", false, "0.5 小时内上门", "短于规范的 2 小时"},
		{"师傅六个小时内上门", false, "6 小时内上门", "超过了 4 小时 的时限"},
		{"我们尽快安排师傅上门", false, "", "没有给出具体时间"},
		// A guarantee within the norm is a commitment (Filter's Norms);
		// one sooner than it is an over-promise and earns nothing.
		{"保证三个小时内到", true, "3 小时内上门", "理解为：3 小时内上门"},
		{"保证半小时内到", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.say, func(t *testing.T) {
			data, err := json.Marshal(map[string]any{"scenario": "leak", "turns": []map[string]any{
				{"at": 4, "say": "您好，暖心供热公司"}, {"at": 20, "say": tt.say}, {"at": 40, "hangup": true}}})
			require.NoError(t, err)
			tr, err := scenarios.ParseTranscript("t.json", data)
			require.NoError(t, err)
			card, _, err := sim.Replay(sc, book, tr, sim.GoldenOptions())
			require.NoError(t, err)
			for _, r := range card.Checklist {
				if r.ID != "repair-time" {
					continue
				}
				assert.Equal(t, tt.done, r.Done, r.Note)
				if tt.understood != "" {
					assert.Equal(t, tt.understood, r.Understood)
				}
				assert.Contains(t, r.Note, tt.note)
			}
		})
	}
}

func TestValueRuleCheck(t *testing.T) {
	day := func(d int) *int { return &d }
	rule := scenarios.ValueRule{Max: "4h", Now: "13:00", Action: "上门"}
	ok, understood, _ := rule.Check(&phrase.Value{Type: phrase.Time, At: "17:00", DayOffset: day(0), Within: true, Text: "今天 17:00 前"})
	assert.True(t, ok, "five o'clock is four hours after one")
	assert.Equal(t, "今天 17:00 前上门", understood)
	ok, _, why := rule.Check(&phrase.Value{Type: phrase.Time, At: "18:00", DayOffset: day(0), Text: "今天 18:00"})
	assert.False(t, ok)
	assert.Contains(t, why, "超过了")
	amount := scenarios.ValueRule{Type: "amount", Unit: "元"}
	ok, _, _ = amount.Check(&phrase.Value{Type: phrase.Amount, Amount: 21, Unit: "吨", Text: "21 吨"})
	assert.False(t, ok, "tons are no money")
	ok, understood, _ = amount.Check(&phrase.Value{Type: phrase.Amount, Amount: 86.4, Unit: "元", Text: "86.4 元"})
	assert.True(t, ok)
	assert.Equal(t, "86.4 元", understood)
}
