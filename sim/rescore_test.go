package sim

import (
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// traineeTurn returns the index in card.Turns of the trainee's nth turn.
func traineeTurn(t *testing.T, card *Scorecard, n int) int {
	t.Helper()
	for i, tu := range card.Turns {
		if tu.Speaker == Trainee {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("no trainee turn %d", n)
	return -1
}

func TestSettleAgreesWithGrading(t *testing.T) {
	sc := loadTestScenario(t)
	cards := map[string]*Scorecard{}
	cards["critical missed"], _ = run(t, sc, domain.Exam,
		step{at: 4, say: "您好"}, step{at: 15, say: "请问您地址是哪里?"},
		step{at: 30, say: "3号楼2单元501对吧?"}, step{at: 45, say: "还有其他需要帮助的吗?"},
		step{at: 55, say: "感谢您的来电,再见。"})
	cards["unanswered"], _ = run(t, sc, domain.Exam, step{at: 200, hangup: true})
	cards["hung up early"], _ = run(t, sc, domain.Exam, step{at: 4, say: "您好"}, step{at: 10, hangup: true})
	for name, card := range cards {
		again, err := cloneCard(*card)
		require.NoError(t, err)
		settle(&again)
		assert.Equal(t, *card, again, "%s: the same rules give the same result", name)
	}
}

func TestUphold(t *testing.T) {
	sc := loadTestScenario(t)
	// Everything but the critical warm-up time: 80 points, failed.
	card, _ := run(t, sc, domain.Exam,
		step{at: 4, say: "您好"}, step{at: 15, say: "请问您地址是哪里?"},
		step{at: 30, say: "3号楼2单元501对吧?"}, step{at: 45, say: "还有其他需要帮助的吗?"},
		step{at: 55, say: "感谢您的来电,再见。"})
	require.Equal(t, 80, card.Score)
	require.False(t, card.Passed)
	before, err := cloneCard(*card)
	require.NoError(t, err)
	turn := traineeTurn(t, card, 1)

	got, err := Uphold(*card, "takes-days", turn, Upheld{Dispute: 7, By: "trainer.wang"})
	require.NoError(t, err)
	assert.Equal(t, 100, got.Score)
	assert.True(t, got.Passed)
	assert.Empty(t, got.Reasons)
	assert.Equal(t, got.MaxPoints, got.Points)
	it := item(t, &got, "takes-days")
	assert.True(t, it.Done)
	assert.Equal(t, it.Points, it.Earned)
	require.NotNil(t, it.Turn)
	assert.Equal(t, turn, *it.Turn)
	require.NotNil(t, it.Upheld)
	assert.Equal(t, Upheld{Dispute: 7, By: "trainer.wang", Turn: turn, WasDone: false, WasEarned: 0, ScoreBefore: 80}, *it.Upheld)
	assert.Equal(t, before, *card, "the card given is not changed")

	// Upholding one of two misses leaves the call failing on the score.
	weak, _ := run(t, sc, domain.Exam, step{at: 4, say: "喂"}, step{at: 15, say: "嗯"}, step{at: 20, hangup: true})
	require.False(t, weak.Passed)
	got, err = Uphold(*weak, "greet", traineeTurn(t, weak, 0), Upheld{Dispute: 8, By: "t"})
	require.NoError(t, err)
	assert.Equal(t, weak.Score+int(float64(item(t, weak, "greet").Points)*100/float64(weak.MaxPoints)+0.5), got.Score)
	assert.False(t, got.Passed)
	assert.Contains(t, got.Reasons[len(got.Reasons)-1], "低于及格线")

	bad := []struct {
		name string
		item string
		turn int
	}{
		{"unknown item", "no-such-item", turn},
		{"done already", "greet", turn},
		{"customer's turn", "takes-days", traineeTurn(t, card, 0) + 1},
		{"turn out of range", "takes-days", len(card.Turns)},
		{"negative turn", "takes-days", -1},
	}
	for _, tc := range bad {
		_, err := Uphold(*card, tc.item, tc.turn, Upheld{})
		assert.ErrorIs(t, err, ErrNotDisputable, tc.name)
	}
}
