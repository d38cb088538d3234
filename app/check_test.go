package app_test

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
)

// builtinLeak is the built-in "leak" scenario as written.
func builtinLeak(t *testing.T) string {
	t.Helper()
	b, err := fs.ReadFile(scenarios.BuiltinFS(), "library/leak/scenario.yaml")
	require.NoError(t, err)
	return string(b)
}

// Broken content the checker and the editor must both place by file, line
// and field.
var (
	// danglingRef points the first phrase reference at no phrase.
	danglingRef = regexp.MustCompile(`(?m)^(\s+phrase: )\S+$`)
	// wrongGolden claims that hanging up after a greeting passes.
	wrongGolden = `{"scenario": "leak", "expect": {"passed": true, "outcome": "completed", "reason": "wrong on purpose"},
 "turns": [{"at": 4.0, "say": "您好"}, {"at": 9.0, "hangup": true}]}`
	otherGolden = `{"scenario": "slow-warmup", "expect": {"passed": false, "outcome": "trainee_hung_up", "reason": "in the wrong folder"},
 "turns": [{"at": 4.0, "hangup": true}]}`
	phraseFile = "entries:\n  - id: local.calm\n    intent: empathy\n    kind: required\n    text: 请您先别慌\n"
	trackFile  = "id: heating-extra\ntitle: 供热热线加试\nvalid_days: 30\nmode: exam\nscenarios:\n  - id: leak\n    min_score: 70\n  - id: no-such-scenario\n    min_score: 70\n"
)

func brokenLeak(t *testing.T) string { return builtinLeak(t) + "level: 2\n" }

func danglingLeak(t *testing.T) string {
	leak := builtinLeak(t)
	loc := danglingRef.FindStringSubmatchIndex(leak)
	require.NotNil(t, loc, "leak refers to a phrase")
	return leak[:loc[3]] + "no.such-phrase" + leak[loc[1]:]
}

// lineOf is the line of the first occurrence of needle in text.
func lineOf(t *testing.T, text, needle string) int {
	t.Helper()
	i := strings.Index(text, needle)
	require.GreaterOrEqual(t, i, 0, "%q in the fixture", needle)
	return strings.Count(text[:i], "\n") + 1
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func TestCheckFilesPlacesEveryProblem(t *testing.T) {
	leak := builtinLeak(t)
	tests := []struct {
		name  string
		files map[string]string
		// The one problem: in file, on the line of needle (1 when empty),
		// at field (a pattern), saying msg.
		file, needle, field, msg string
	}{
		{
			name:  "broken scenario file",
			files: map[string]string{"leak/scenario.yaml": brokenLeak(t)},
			file:  "leak/scenario.yaml", needle: "level: 2", field: `^level$`, msg: "unknown field",
		},
		{
			name:  "dangling phrase reference",
			files: map[string]string{"leak/scenario.yaml": danglingLeak(t)},
			file:  "leak/scenario.yaml", needle: "no.such-phrase", field: `^checklist\[\d+\]\.phrase$`, msg: `unknown phrase id "no.such-phrase"`,
		},
		{
			name:  "failing golden transcript",
			files: map[string]string{"leak/scenario.yaml": leak, "leak/golden/wrong.json": wrongGolden},
			file:  "leak/golden/wrong.json", field: `^expect$`,
			msg: "expected passed=true outcome=completed, got passed=false outcome=trainee_hung_up",
		},
		{
			name:  "golden transcript of another scenario",
			files: map[string]string{"leak/scenario.yaml": leak, "leak/golden/other.json": otherGolden},
			file:  "leak/golden/other.json", field: `^scenario$`, msg: `"slow-warmup" but the golden transcript belongs to "leak"`,
		},
		{
			name:  "track naming an unknown scenario",
			files: map[string]string{"tracks/extra.yaml": trackFile},
			file:  "tracks/extra.yaml", needle: "no-such-scenario", field: `^scenarios\[1\]\.id$`, msg: `unknown scenario "no-such-scenario"`,
		},
		{
			name:  "phrase id defined twice",
			files: map[string]string{"phrases/a.yaml": phraseFile, "phrases/b.yaml": phraseFile},
			file:  "phrases/b.yaml", needle: "- id: local.calm", field: `^id$`, msg: `duplicate id "local.calm", first defined at `,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			res := app.CheckFiles(context.Background(), []string{dir})
			require.Len(t, res.Issues, 1, "%v", res.Issues)
			is := res.Issues[0]
			line := 1
			if tc.needle != "" {
				line = lineOf(t, tc.files[tc.file], tc.needle)
			}
			file := filepath.Join(dir, filepath.FromSlash(tc.file))
			assert.Equal(t, file, is.File)
			assert.Equal(t, line, is.Line)
			assert.Regexp(t, tc.field, is.Field)
			assert.Contains(t, is.Message, tc.msg)
			assert.True(t, strings.HasPrefix(is.String(), fmt.Sprintf("%s:%d: %s: ", file, line, is.Field)), is.String())
		})
	}
}

func TestCheckFilesCounts(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"leak/scenario.yaml":     builtinLeak(t),
		"leak/golden/wrong.json": wrongGolden,
		"phrases/a.yaml":         phraseFile,
		"tracks/extra.yaml":      strings.Replace(trackFile, "no-such-scenario", "slow-warmup", 1),
	})
	res := app.CheckFiles(context.Background(), []string{dir, filepath.Join(dir, "nowhere")})
	assert.Equal(t, app.Checked{PhraseFiles: 1, Scenarios: 1, Tracks: 1, Goldens: 1}, app.Checked{
		PhraseFiles: res.PhraseFiles, Scenarios: res.Scenarios, Tracks: res.Tracks, Goldens: res.Goldens})
	require.Len(t, res.Issues, 2)
	assert.Empty(t, res.Issues[0].File, "a path that is not there is no file's problem")
	assert.Contains(t, res.Issues[0].String(), "nowhere")
	assert.Equal(t, "expect", res.Issues[1].Field)
}

func TestCheckBuiltin(t *testing.T) {
	res := app.CheckBuiltin(context.Background())
	assert.Empty(t, res.Issues)
	assert.Positive(t, res.PhraseFiles)
	assert.Positive(t, res.Tracks)
	assert.GreaterOrEqual(t, res.Goldens, 2*res.Scenarios, "a passing and a failing transcript each")
}

// TestCheckAgreesWithTheEditor gives the same broken content to coach
// check and to the editor: they find the same problems at the same lines
// and fields, only under different file names.
func TestCheckAgreesWithTheEditor(t *testing.T) {
	ctx := context.Background()
	m := app.NewContent(storetest.SQLite(t), slog.New(slog.DiscardHandler), nil, nil)
	t.Cleanup(m.Close)
	_, err := m.Refresh(ctx)
	require.NoError(t, err)
	leak := builtinLeak(t)
	placed := func(issues []app.Issue) []app.Issue {
		for i := range issues {
			issues[i].File = filepath.Base(issues[i].File)
		}
		return issues
	}

	for name, body := range map[string]string{"broken": brokenLeak(t), "dangling": danglingLeak(t)} {
		t.Run(name, func(t *testing.T) {
			res := app.CheckFiles(ctx, []string{writeFiles(t, map[string]string{"leak/scenario.yaml": body})})
			editor, err := m.Check(ctx, domain.Revision{Kind: domain.ContentScenario, ContentID: "leak", Body: body})
			require.NoError(t, err)
			require.NotEmpty(t, editor)
			assert.Equal(t, placed(editor), placed(res.Issues))
		})
	}

	t.Run("failing golden", func(t *testing.T) {
		res := app.CheckFiles(ctx, []string{writeFiles(t, map[string]string{"leak/scenario.yaml": leak, "leak/golden/wrong.json": wrongGolden})})
		issues, runs, err := m.RunGoldens(ctx, domain.Revision{Kind: domain.ContentScenario, ContentID: "leak", Body: leak,
			Golden: map[string]string{"wrong": wrongGolden}})
		require.NoError(t, err)
		require.Empty(t, issues)
		var failed []app.Issue
		for _, r := range runs {
			if !r.OK {
				failed = append(failed, r.Issue())
			}
		}
		assert.Equal(t, placed(failed), placed(res.Issues))
	})
}
