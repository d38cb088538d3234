package parsefuzz

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/internal/yamlfile/yamltest"
	"github.com/hotlinecoach/coach/scenarios"
)

// seeds returns the real scenario files: the parser test's minimal scenario
// and every scenario of the built-in library.
func seeds(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "library", "*", "scenario.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	files = append(files, filepath.Join("..", "..", "testdata", "minimal.yaml"))
	out := make([][]byte, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		out = append(out, data)
	}
	return out
}

// FuzzParseScenario feeds the parser arbitrary bytes: it must never panic;
// what it rejects comes back as located errors naming the file, and what it
// accepts is valid, has its defaults filled in and scopes its key points.
func FuzzParseScenario(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add([]byte("a: &a [x]\nb: *a\n"))
	f.Add([]byte("id: x\npass_mark: 1\nchecklist: [{id: a}]\n"))
	f.Add([]byte("- 1\n- 2\n"))
	f.Add([]byte("---\nid: a\n---\nid: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenarios.ParseScenario("fuzz.yaml", data, nil)
		if err != nil {
			lines := yamltest.MaxLine(data)
			for _, e := range located(t, err) {
				assert.Equal(t, "fuzz.yaml", e.File, "%v", e)
				assert.True(t, e.Line >= 0 && e.Line <= lines, "line %d beyond line %d: %v", e.Line, lines, e)
				assert.NotEmpty(t, e.Msg)
			}
			return
		}
		assert.NotEmpty(t, sc.ID)
		assert.NotEmpty(t, sc.Checklist)
		assert.Positive(t, sc.Rings.Interval)
		assert.NotEmpty(t, sc.Fallback)
		for _, e := range sc.LocalEntries() {
			assert.Equal(t, sc.ID, e.Scope)
		}
	})
}

// located returns the parser's error as its list of located problems,
// failing when it is not one.
func located(t *testing.T, err error) []*yamlfile.Error {
	var list yamlfile.Errors
	if errors.As(err, &list) {
		require.NotEmpty(t, list, "an empty error list is not an error")
		return list
	}
	var one *yamlfile.Error
	require.True(t, errors.As(err, &one), "error of type %T is not located: %v", err, err)
	return []*yamlfile.Error{one}
}
