package scenarios_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

var update = flag.Bool("update", false, "rewrite the golden scorecards of the library")

// TestLibraryGolden replays every golden transcript of the built-in library
// with the real phrasebook and matcher: the outcome and pass/fail must be
// what the transcript expects, and the whole scorecard must equal the
// stored one byte for byte (go test ./scenarios/ -update rewrites them).
func TestLibraryGolden(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	require.NotEmpty(t, lib.Scenarios)
	for _, sc := range lib.Scenarios {
		for _, g := range lib.Golden[sc.ID] {
			t.Run(sc.ID+"/"+g.Name, func(t *testing.T) {
				card, _, err := sim.Replay(sc, book, g.Transcript, sim.GoldenOptions())
				require.NoError(t, err)
				got, err := json.MarshalIndent(card, "", "  ")
				require.NoError(t, err)
				got = append(got, '\n')
				// The embedded tree mirrors this folder.
				file := filepath.FromSlash(g.Scorecard)
				if *update {
					require.NoError(t, os.WriteFile(file, got, 0o644))
				}
				assert.Equal(t, g.Transcript.Expect.Outcome, string(card.Outcome), "outcome; %s", g.Transcript.Expect.Reason)
				assert.Equal(t, g.Transcript.Expect.Passed, card.Passed, "passed (score %d, reasons %v); %s", card.Score, card.Reasons, g.Transcript.Expect.Reason)
				want, err := os.ReadFile(file)
				require.NoError(t, err, "no golden scorecard yet: run go test ./scenarios/ -update")
				assert.True(t, bytes.Equal(want, got), "scorecard differs from %s; run with -update and review the diff", file)
			})
		}
	}
}

// TestLibraryCoverage holds the library to what the issue asks: the named
// scenarios, at least twelve, each with a passing and a failing golden
// transcript, and a heating level-1 track.
func TestLibraryCoverage(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	var ids []string
	for _, sc := range lib.Scenarios {
		ids = append(ids, sc.ID)
	}
	for _, id := range []string{"slow-warmup", "leak", "arrears", "angry-caller"} {
		assert.True(t, slices.Contains(ids, id), "missing %s", id)
	}
	assert.GreaterOrEqual(t, len(ids), 12)
	assert.NoError(t, lib.CheckCoverage())
	_, ok := lib.Track("heating-level-1")
	assert.True(t, ok, "the heating level-1 track")
}

// TestLibraryDeterministic replays each golden transcript twice and in
// both modes: the scorecards differ only in the mode.
func TestLibraryDeterministic(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	for _, sc := range lib.Scenarios {
		for _, g := range lib.Golden[sc.ID] {
			var out []string
			for _, mode := range []domain.Mode{domain.Exam, domain.Exam, domain.Practice} {
				card, _, err := sim.Replay(sc, book, g.Transcript, sim.Options{Mode: mode, Seed: 99})
				require.NoError(t, err)
				card.Mode = ""
				b, err := json.Marshal(card)
				require.NoError(t, err)
				out = append(out, string(b))
			}
			assert.Equal(t, out[0], out[1], "%s/%s", sc.ID, g.Name)
			assert.Equal(t, out[0], out[2], "%s/%s: hints must not change the grade", sc.ID, g.Name)
		}
	}
}

func TestBuiltinParsesWithoutSharedIDs(t *testing.T) {
	// Without the shared phrasebook, only references to shared ids fail;
	// this guards against the loader silently skipping files.
	_, err := scenarios.Builtin(func(string) bool { return true })
	require.NoError(t, err)
}

// TestSeededGoldenScoredOnItsOwnFacts holds the library's golden
// transcripts that name a seed to their caller: played against the base
// caller instead, the restated facts are someone else's and do not count.
func TestSeededGoldenScoredOnItsOwnFacts(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = book.Close() })
	seeded := 0
	for _, sc := range lib.Scenarios {
		named := false
		for _, g := range lib.Golden[sc.ID] {
			if g.Transcript.Seed == nil {
				continue
			}
			named = true
			seeded++
			own, _, err := sim.Replay(sc, book, g.Transcript, sim.GoldenOptions())
			require.NoError(t, err)
			base := *g.Transcript
			base.Seed = nil
			other, _, err := sim.Replay(sc, book, &base, sim.GoldenOptions())
			require.NoError(t, err)
			if len(sc.Facts) == 0 {
				continue
			}
			assert.NotEqual(t, own.Facts, other.Facts, "%s/%s: the seed draws another caller", sc.ID, g.Name)
			for _, it := range sc.Checklist {
				if it.Fact == "" {
					continue
				}
				i := own.ItemIndex(it.ID)
				assert.True(t, own.Checklist[i].Done, "%s/%s: %s restated to its own caller", sc.ID, g.Name, it.ID)
				assert.False(t, other.Checklist[i].Done, "%s/%s: %s restated to another caller", sc.ID, g.Name, it.ID)
			}
		}
		assert.True(t, named, "%s: a golden transcript names its seed", sc.ID)
	}
	assert.GreaterOrEqual(t, seeded, len(lib.Scenarios))
}
