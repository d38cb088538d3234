package scenarios_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

// transcriptFiles finds every transcript in the repository: any .json file
// (not a scorecard) whose top level names a scenario and has turns, so that
// golden transcripts, blind calls and whatever is added later are all
// played.
func transcriptFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".scorecard.json") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var probe struct {
			Scenario string            `json:"scenario"`
			Turns    []json.RawMessage `json:"turns"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Scenario != "" && len(probe.Turns) > 0 {
			out = append(out, p)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestCoherence plays every transcript in the repository, and every
// scenario's model call, and fails where the caller did not listen: a line
// said twice, facts asked for and given in part or not at all, "anything
// else?" answered with something else, a hang-up on a question.
func TestCoherence(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })

	files := transcriptFiles(t, "..")
	require.NotEmpty(t, files)
	played := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		// Only the transcript's own fields are read: blind calls carry
		// their writers' notes and expectations beside them.
		var tr scenarios.Transcript
		if !assert.NoError(t, json.Unmarshal(data, &tr), file) {
			continue
		}
		// Desk actions (lookup, ticket) are left out where this build's
		// transcript format does not have them: the caller answers speech.
		tr.Turns = slices.DeleteFunc(tr.Turns, func(tu scenarios.Turn) bool { return tu.Say == "" && !tu.Hangup })
		sc, ok := lib.Scenario(tr.Scenario)
		if !ok {
			continue // a transcript of a test scenario, played by its own test
		}
		played++
		t.Run(file, func(t *testing.T) {
			card, _, err := sim.Replay(sc, book, &tr, sim.GoldenOptions())
			require.NoError(t, err)
			for _, p := range sim.CheckCoherence(sc, card) {
				t.Errorf("%s: %s", file, p)
			}
		})
	}
	t.Logf("played %d transcripts", played)
	for _, sc := range lib.Scenarios {
		t.Run("model-call/"+sc.ID, func(t *testing.T) {
			card, err := sim.ModelCall(sc, book)
			require.NoError(t, err)
			require.NotNil(t, card, "every scenario has a model call")
			assert.True(t, card.Passed, "the model call passes: %v", card.Reasons)
			assert.Equal(t, sim.Completed, card.Outcome)
			for _, p := range sim.CheckCoherence(sc, card) {
				t.Errorf("model call: %s", p)
			}
		})
	}
}
