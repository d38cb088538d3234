package phrasebook_test

import (
	"testing"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvalSets: the binary carries the hand-written and the blind
// development sets, every case labelled with known intents;
// the hold-out set stays out.
func TestEvalSets(t *testing.T) {
	cases, err := phrasebook.EvalSets()
	require.NoError(t, err)
	per := map[string]int{}
	for _, c := range cases {
		per[c.Set]++
		assert.NotEmpty(t, c.Text)
		for _, w := range c.Want {
			_, ok := phrasebook.LookupIntent(w)
			assert.True(t, ok, "%q wants unknown intent %q", c.Text, w)
		}
	}
	assert.Equal(t, []string{phrasebook.EvalSetHand, phrasebook.EvalSetDev}, []string{cases[0].Set, cases[len(cases)-1].Set})
	assert.Greater(t, per[phrasebook.EvalSetHand], 100)
	assert.Greater(t, per[phrasebook.EvalSetDev], 100)
	assert.Len(t, per, 2, "no other set, the hold-out least of all")
}
