package yamlfile_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/internal/yamlfile/yamltest"
)

type anyDoc map[string]any

func TestDecodeRejectsAliasBomb(t *testing.T) {
	bomb := yamltest.AliasBomb(9, 9)
	require.Less(t, len(bomb), 1024, "the bomb itself is small")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var v anyDoc
	_, err := yamlfile.Decode("bomb.yaml", bomb, 1<<20, &v)
	runtime.ReadMemStats(&after)
	var e *yamlfile.Error
	require.True(t, errors.As(err, &e), "want a located error, got %v", err)
	assert.Equal(t, "bomb.yaml", e.File)
	assert.Equal(t, 1, e.Line)
	assert.Contains(t, e.Msg, "anchors and aliases")
	assert.Nil(t, v, "nothing is decoded into the value")
	// Expanded, the bomb holds 9^9 (387 million) strings; rejected, it
	// costs the parse of a few hundred bytes.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated")
}

func TestDecodeRejectsDeepNesting(t *testing.T) {
	var v anyDoc
	_, err := yamlfile.Decode("deep.yaml", yamltest.Nested(100_000), 1<<20, &v)
	var e *yamlfile.Error
	require.True(t, errors.As(err, &e), "want a located error, got %v", err)
	assert.Equal(t, "deep.yaml", e.File)
	assert.Contains(t, e.Msg, "YAML syntax")
}

func TestDecodeTooLarge(t *testing.T) {
	var v anyDoc
	_, err := yamlfile.Decode("big.yaml", make([]byte, 11), 10, &v)
	require.ErrorContains(t, err, "big.yaml: file too large: 11 bytes, the limit is 10")
}

// BenchmarkDecodeAliasBomb reports what rejecting ever deeper bombs costs:
// B/op and allocs/op grow with the few bytes each level adds, not with the
// width^depth strings the document would expand to.
func BenchmarkDecodeAliasBomb(b *testing.B) {
	for _, depth := range []int{3, 6, 9, 12} {
		bomb := yamltest.AliasBomb(9, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(yamltest.Expansion(9, depth), "expanded-strings")
			for b.Loop() {
				var v anyDoc
				if _, err := yamlfile.Decode("bomb.yaml", bomb, 1<<20, &v); err == nil {
					b.Fatal("the bomb was accepted")
				}
			}
		})
	}
}
