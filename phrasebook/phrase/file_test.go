package phrase_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/internal/yamlfile/yamltest"
	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// builtinFiles returns the built-in phrasebook files, the real input the
// parser sees.
func builtinFiles(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "builtin", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		data, err := os.ReadFile(n)
		require.NoError(t, err)
		out[filepath.Base(n)] = data
	}
	return out
}

// located returns a parser error as its located problems, failing when it
// is not made of them.
func located(t *testing.T, err error) []*yamlfile.Error {
	t.Helper()
	var list yamlfile.Errors
	if errors.As(err, &list) {
		require.NotEmpty(t, list, "an empty error list is not an error")
		return list
	}
	var one *yamlfile.Error
	require.True(t, errors.As(err, &one), "error of type %T is not located: %v", err, err)
	return []*yamlfile.Error{one}
}

func TestParseEntriesRejectsAliasBomb(t *testing.T) {
	entries, err := phrase.ParseEntries("bomb.yaml", yamltest.AliasBomb(9, 9))
	assert.Nil(t, entries)
	errs := located(t, err)
	require.Len(t, errs, 1)
	assert.Equal(t, "bomb.yaml", errs[0].File)
	assert.Equal(t, 1, errs[0].Line)
	assert.Contains(t, errs[0].Msg, "anchors and aliases")
}

// BenchmarkParseEntriesAliasBomb reports B/op and allocs/op for rejecting
// ever deeper alias bombs: they grow with the bytes of the file, not with
// the 9^depth strings it would expand to.
func BenchmarkParseEntriesAliasBomb(b *testing.B) {
	for _, depth := range []int{3, 6, 9, 12} {
		bomb := yamltest.AliasBomb(9, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(yamltest.Expansion(9, depth), "expanded-strings")
			for b.Loop() {
				if _, err := phrase.ParseEntries("bomb.yaml", bomb); err == nil {
					b.Fatal("the bomb was accepted")
				}
			}
		})
	}
}

// FuzzParseEntries feeds the phrasebook parser arbitrary bytes: it must
// never panic; what it rejects comes back as located errors naming the
// file; what it accepts passes validation and every entry is placed.
func FuzzParseEntries(f *testing.F) {
	for _, data := range builtinFiles(f) {
		f.Add(data)
	}
	f.Add([]byte("entries:\n  - id: a\n    intent: greeting\n    kind: required\n    text: 您好\n"))
	f.Add([]byte("entries:\n  - {id: x, intent: deflect, kind: forbidden, text: 不知道, except: [不知道您], suggestion: 我帮您查}\n"))
	f.Add([]byte("entries: &a [*a]\n"))
	f.Add([]byte("entries: []\n---\nentries: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := phrase.ParseEntries("fuzz.yaml", data)
		lines := yamltest.MaxLine(data)
		if err != nil {
			assert.Nil(t, entries)
			for _, e := range located(t, err) {
				assert.Equal(t, "fuzz.yaml", e.File, "%v", e)
				assert.True(t, e.Line >= 0 && e.Line <= lines, "line %d beyond line %d: %v", e.Line, lines, e)
				assert.NotEmpty(t, e.Msg)
			}
			return
		}
		require.NotEmpty(t, entries)
		for i := range entries {
			e := &entries[i]
			assert.Equal(t, "fuzz.yaml", e.Pos.File)
			assert.True(t, e.Pos.Line >= 1 && e.Pos.Line <= lines, "entry %s at line %d beyond line %d", e.ID, e.Pos.Line, lines)
			assert.NotEmpty(t, e.ID)
			assert.True(t, e.Kind.Valid(), "kind %q", e.Kind)
			_, ok := phrase.LookupIntent(e.Intent)
			assert.True(t, ok, "intent %q", e.Intent)
			if e.Kind == phrase.Forbidden {
				assert.NotEmpty(t, e.Suggestion)
			}
			for _, form := range e.Forms() {
				assert.NotEmpty(t, phrase.Normalize(form).Runes, "form %q of %s matches nothing", form, e.ID)
			}
			phrase.ValidateEntry(e, func(field, format string, args ...any) {
				t.Errorf("accepted entry %s fails validation: %s: %s", e.ID, field, fmt.Sprintf(format, args...))
			})
		}
	})
}
