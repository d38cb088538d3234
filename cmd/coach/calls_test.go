package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/sim"
)

func TestPlayScriptedCall(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	defer book.Close()
	sc, ok := lib.Scenario("slow-warmup")
	require.True(t, ok)
	call := sim.NewCall(sc, book, sim.Options{Mode: domain.Practice, Seed: 1, BasePersona: true})

	lines := make(chan string, 4)
	lines <- "您好，暖心供热公司，请问有什么可以帮您？"
	lines <- "这个不归我管。"
	lines <- ""
	close(lines)
	times := []float64{7, 15, 20}
	clock := func() float64 {
		v := times[0]
		if len(times) > 1 {
			times = times[1:]
		}
		return v
	}
	var out bytes.Buffer
	// A nil tick never fires: time passes only with the lines.
	require.NoError(t, play(context.Background(), sc, call, lines, clock, nil, &out))
	text := out.String()
	assert.Contains(t, text, "（第 3 声）", "rings up to the answer")
	assert.NotContains(t, text, "（第 4 声）")
	assert.Contains(t, text, sc.Opening)
	assert.Contains(t, text, "提示：别说「不归我管」")
	assert.Contains(t, text, "trainee_hung_up")
	assert.Contains(t, text, "未通过")
	assert.True(t, call.Ended())
}

func TestPlayStopsWhenCancelled(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	defer book.Close()
	sc, _ := lib.Scenario("leak")
	call := sim.NewCall(sc, book, sim.Options{Mode: domain.Exam})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	require.NoError(t, play(ctx, sc, call, make(chan string), func() float64 { return 2 }, make(chan time.Time), &out))
	assert.Equal(t, sim.TraineeHungUp, call.Scorecard().Outcome)
}

func TestCheckBuiltinLibrary(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runCheck(context.Background(), nil, nil, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stdout.String(), "0 problems")
	assert.Empty(t, stderr.String())
}

func TestCheckReportsFileAndLine(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/library/leak/scenario.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	bad := strings.Replace(string(src), "pass_mark: 75\n", "pass_mark: 75\nlevel: 2\n", 1)
	file := filepath.Join(dir, "scenario.yaml")
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o644))
	var stdout, stderr bytes.Buffer
	err = runCheck(context.Background(), []string{dir}, nil, &stdout, &stderr)
	require.Error(t, err)
	line := strings.Count(bad[:strings.Index(bad, "level: 2")], "\n") + 1
	assert.Contains(t, stderr.String(), fmt.Sprintf("%s:%d: level: unknown field", file, line))
}

func TestCheckReplaysGoldenTranscripts(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../scenarios/library/leak/scenario.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scenario.yaml"), src, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "golden"), 0o755))
	// A transcript that claims a hang-up passes.
	wrong := `{"scenario": "leak", "expect": {"passed": true, "outcome": "completed", "reason": "wrong on purpose"},
 "turns": [{"at": 4.0, "say": "您好"}, {"at": 9.0, "hangup": true}]}`
	golden := filepath.Join(dir, "golden", "wrong.json")
	require.NoError(t, os.WriteFile(golden, []byte(wrong), 0o644))
	var stdout, stderr bytes.Buffer
	err = runCheck(context.Background(), []string{dir}, nil, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, stderr.String(), golden+":1: expect: expected passed=true outcome=completed, got passed=false outcome=trainee_hung_up")
}

func TestList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, runList(context.Background(), nil, nil, &stdout, &stderr))
	var got []listed
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got))
	assert.GreaterOrEqual(t, len(got), 12)
	for _, l := range got {
		assert.NotEmpty(t, l.ID)
		assert.NotEmpty(t, l.Title)
		assert.Contains(t, []string{"heating", "power", "water", "property"}, l.Domain)
		assert.Contains(t, []int{1, 2, 3}, l.Difficulty)
	}
}

func TestReplay(t *testing.T) {
	golden := "../../scenarios/library/leak/golden/pass.json"
	var stdout, stderr bytes.Buffer
	require.NoError(t, runReplay(context.Background(), []string{"--transcript", golden}, nil, &stdout, &stderr))
	var card sim.Scorecard
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &card))
	want, err := os.ReadFile("../../scenarios/library/leak/golden/pass.scorecard.json")
	require.NoError(t, err)
	assert.JSONEq(t, string(want), stdout.String(), "the CLI and the golden tests replay alike")

	stdout.Reset()
	require.NoError(t, runReplay(context.Background(), []string{"--scenario", "leak", "--transcript", golden, "--format", "text"}, nil, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "检查项：")

	err = runReplay(context.Background(), []string{"--transcript", golden, "--format", "xml"}, nil, &stdout, &stderr)
	assert.ErrorAs(t, err, new(usageError))
	err = runReplay(context.Background(), []string{"--scenario", "no-such", "--transcript", golden}, nil, &stdout, &stderr)
	assert.Error(t, err)
}

// TestReplayGivesEveryFactAsked is the check: asked for name,
// phone and address in one turn, the caller gives all three in its next
// line; with a seed, the caller is another person with facts of its own.
func TestReplayGivesEveryFactAsked(t *testing.T) {
	tr := `{"scenario": "leak", "turns": [
	  {"at": 4, "say": "您好，暖心供热公司，请问有什么可以帮您？"},
	  {"at": 15, "say": "请问怎么称呼您？留个电话，再说下住址"}]}`
	file := filepath.Join(t.TempDir(), "ask.json")
	require.NoError(t, os.WriteFile(file, []byte(tr), 0o600))
	replay := func(args ...string) sim.Scorecard {
		var stdout, stderr bytes.Buffer
		require.NoError(t, runReplay(context.Background(), append([]string{"--transcript", file}, args...), nil, &stdout, &stderr), stderr.String())
		var card sim.Scorecard
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &card))
		return card
	}
	base := replay()
	assert.Equal(t, map[string]string{"name": "赵磊", "phone": "186 2039 7415", "address": "东湖嘉园12号楼1单元1103"}, base.Facts)
	drawn := replay("--seed", "5")
	assert.NotEqual(t, base.Facts, drawn.Facts)
	for _, card := range []sim.Scorecard{base, drawn} {
		require.GreaterOrEqual(t, len(card.Turns), 4)
		reply := card.Turns[3]
		require.Equal(t, sim.Customer, reply.Speaker)
		for key, v := range card.Facts {
			assert.Contains(t, reply.Text, v, "%s in the caller's next line", key)
		}
	}
}
