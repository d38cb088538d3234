package scenarios

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/internal/yamlfile/yamltest"
)

func TestParseScenarioRejectsAliasBomb(t *testing.T) {
	sc, err := ParseScenario("bomb.yaml", yamltest.AliasBomb(9, 9), nil)
	assert.Nil(t, sc)
	var e *yamlfile.Error
	require.True(t, errors.As(err, &e), "want one located error, got %v", err)
	assert.Equal(t, "bomb.yaml", e.File)
	assert.Equal(t, 1, e.Line)
	assert.Contains(t, e.Msg, "anchors and aliases")
}

func TestParseScenarioRejectsDeepNesting(t *testing.T) {
	sc, err := ParseScenario("deep.yaml", yamltest.Nested(100_000), nil)
	assert.Nil(t, sc)
	require.ErrorContains(t, err, "deep.yaml:")
	assert.ErrorContains(t, err, "YAML syntax")
}

// BenchmarkParseScenarioAliasBomb reports B/op and allocs/op for rejecting
// ever deeper alias bombs: they grow with the bytes of the file, not with
// the 9^depth strings it would expand to.
func BenchmarkParseScenarioAliasBomb(b *testing.B) {
	for _, depth := range []int{3, 6, 9, 12} {
		bomb := yamltest.AliasBomb(9, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(yamltest.Expansion(9, depth), "expanded-strings")
			for b.Loop() {
				if _, err := ParseScenario("bomb.yaml", bomb, nil); err == nil {
					b.Fatal("the bomb was accepted")
				}
			}
		})
	}
}
