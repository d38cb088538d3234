package scenarios_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// blindCall is one call of testdata/blind: a transcript plus the outcome
// its writer expected before the product replayed it.
type blindCall struct {
	Scenario string           `json:"scenario"`
	Note     string           `json:"writer_note"`
	Turns    []map[string]any `json:"turns"`
	Expect   struct {
		Passed    bool            `json:"passed"`
		Items     map[string]bool `json:"items"`
		Forbidden []struct {
			Turn   int    `json:"turn"`
			Intent string `json:"intent"`
		} `json:"forbidden"`
		Why string `json:"why"`
	} `json:"expect"`
}

// TestBlindCalls replays the calls written blind (testdata/blind) and
// compares the scorecards with the writers' judgement, item by item. It
// fails when more than 5% of the calls a trainer would pass fail, or when
// a call a trainer would fail passes. Run with -v for the figures and the
// disagreements.
func TestBlindCalls(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	files, err := filepath.Glob("testdata/blind/*/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	engineRules := disagreements(t)

	fields := map[string]bool{}
	tt := reflect.TypeOf(scenarios.Turn{})
	for i := range tt.NumField() {
		name, _, _ := strings.Cut(tt.Field(i).Tag.Get("json"), ",")
		fields[name] = true
	}
	var (
		goodCalls, goodFailed, badCalls, badPassed int
		items, agree, missed, wrongCredit          int
		forbWant, forbFound, forbExtra             int
		lines                                      []string
	)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var c blindCall
		require.NoError(t, json.Unmarshal(data, &c), file)
		sc, ok := lib.Scenario(c.Scenario)
		require.True(t, ok, "%s: unknown scenario %q", file, c.Scenario)
		// Desk actions (lookup, ticket) are left out where this build's
		// transcript format does not have them; speech is what is graded.
		var turns []map[string]any
		for _, turn := range c.Turns {
			kept := map[string]any{}
			for k, v := range turn {
				if fields[k] {
					kept[k] = v
				}
			}
			if len(kept) > 1 {
				turns = append(turns, kept)
			}
		}
		tr, err := json.Marshal(map[string]any{"scenario": c.Scenario, "turns": turns})
		require.NoError(t, err)
		transcript, err := scenarios.ParseTranscript(file, tr)
		require.NoError(t, err, file)
		card, _, err := sim.Replay(sc, book, transcript, sim.GoldenOptions())
		require.NoError(t, err, file)

		if c.Expect.Passed {
			goodCalls++
			if !card.Passed {
				goodFailed++
				lines = append(lines, fmt.Sprintf("FAILED good call %s (score %d): %s", file, card.Score, strings.Join(card.Reasons, " ")))
			}
		} else {
			badCalls++
			if card.Passed {
				rel, _ := filepath.Rel("testdata/blind", file)
				if engineRules[filepath.ToSlash(rel)] {
					lines = append(lines, fmt.Sprintf("PASSED bad call %s (score %d), listed in disagreements.md", file, card.Score))
				} else {
					badPassed++
					lines = append(lines, fmt.Sprintf("PASSED bad call %s (score %d)", file, card.Score))
				}
			}
		}
		// Forbidden phrases are compared by intent, as many times as
		// the writer expected them.
		said := map[string]int{}
		for _, f := range card.Forbidden {
			said[string(f.Intent)]++
		}
		for _, f := range c.Expect.Forbidden {
			forbWant++
			if said[f.Intent] > 0 {
				said[f.Intent]--
				forbFound++
			} else {
				lines = append(lines, fmt.Sprintf("  forbidden not found %s turn %d: %s", file, f.Turn, f.Intent))
			}
		}
		for in, n := range said {
			for range n {
				forbExtra++
				lines = append(lines, fmt.Sprintf("  forbidden extra %s: %s", file, in))
			}
		}
		for _, r := range card.Checklist {
			want, ok := c.Expect.Items[r.ID]
			if !ok {
				continue
			}
			items++
			switch {
			case want == r.Done:
				agree++
			case want:
				missed++
				lines = append(lines, fmt.Sprintf("  missed credit %s %s: %s", file, r.ID, r.Note))
			default:
				wrongCredit++
				lines = append(lines, fmt.Sprintf("  wrong credit  %s %s: %s", file, r.ID, r.Note))
			}
		}
	}
	sort.Strings(lines)
	share := 0.0
	if goodCalls > 0 {
		share = float64(goodFailed) / float64(goodCalls)
	}
	t.Logf("\n%d calls: good calls failed %d/%d (%.1f%%), other calls passed %d/%d; items agreed %d/%d (%.1f%%), %d missed credits, %d wrong credits; forbidden found %d/%d, %d extra\n%s",
		len(files), goodFailed, goodCalls, 100*share, badPassed, badCalls, agree, items, 100*float64(agree)/float64(max(items, 1)), missed, wrongCredit, forbFound, forbWant, forbExtra, strings.Join(lines, "\n"))
	assert.LessOrEqual(t, share, 0.05, "share of blind good calls failed")
	assert.Zero(t, badPassed, "a call a trainer would fail passed")
}

// disagreements returns the calls that testdata/blind/disagreements.md
// lists under "Engine rules": differences in the call engine's rules that
// matching cannot settle.
func disagreements(tb testing.TB) map[string]bool {
	tb.Helper()
	data, err := os.ReadFile("testdata/blind/disagreements.md")
	require.NoError(tb, err)
	out := map[string]bool{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
			continue
		}
		if rest, ok := strings.CutPrefix(line, "- `"); ok && strings.HasPrefix(section, "Engine rules") {
			name, _, _ := strings.Cut(rest, "`")
			out[name] = true
		}
	}
	return out
}
