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

// TestReplayTicketPhoneSwapped replays a leak call whose work order has the
// phone with two digits swapped: the scorecard's ticket shows that field
// not ok, with what was entered and what the caller said.
func TestReplayTicketPhoneSwapped(t *testing.T) {
	data, err := os.ReadFile("../../scenarios/library/leak/golden/pass.json")
	require.NoError(t, err)
	swapped := strings.Replace(string(data), `"phone": "18620397415", "address"`, `"phone": "18620394715", "address"`, 1)
	require.NotEqual(t, string(data), swapped, "the leak golden call submits a work order with the caller's phone")
	file := filepath.Join(t.TempDir(), "swapped.json")
	require.NoError(t, os.WriteFile(file, []byte(swapped), 0o600))

	var stdout, stderr bytes.Buffer
	require.NoError(t, runReplay(context.Background(), []string{"--transcript", file}, nil, &stdout, &stderr))
	// Read the JSON as the contract names it, not through sim's types.
	var card struct {
		Facts  map[string]string `json:"facts"`
		Ticket *struct {
			Number      string   `json:"number"`
			SubmittedAt *float64 `json:"submitted_at"`
			Fields      []struct {
				Field    string `json:"field"`
				Entered  string `json:"entered"`
				Expected string `json:"expected"`
				OK       *bool  `json:"ok"`
				Why      string `json:"why"`
			} `json:"fields"`
		} `json:"ticket"`
		Lookups []struct {
			At    *float64 `json:"at"`
			By    string   `json:"by"`
			Value string   `json:"value"`
			Found *bool    `json:"found"`
		} `json:"lookups"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &card))
	assert.Equal(t, "186 2039 7415", card.Facts["phone"], "the caller's phone as said")
	require.NotNil(t, card.Ticket)
	assert.Regexp(t, `^GD\d{10}$`, card.Ticket.Number)
	require.NotNil(t, card.Ticket.SubmittedAt)
	oks := map[string]bool{}
	for _, f := range card.Ticket.Fields {
		require.NotNil(t, f.OK, f.Field)
		oks[f.Field] = *f.OK
		if f.Field == "phone" {
			assert.Equal(t, "18620394715", f.Entered)
			assert.Equal(t, "18620397415", f.Expected)
			assert.Contains(t, f.Why, "第 8、9 位")
		}
	}
	assert.False(t, oks["phone"], "the swapped phone is not ok")
	assert.True(t, oks["address"] && oks["type"] && oks["urgency"] && oks["team"] && oks["promise"], "the rest of the order is right: %v", oks)
	require.Len(t, card.Lookups, 1)
	assert.Equal(t, "phone", card.Lookups[0].By)
	assert.True(t, *card.Lookups[0].Found)

	stdout.Reset()
	require.NoError(t, runReplay(context.Background(), []string{"--transcript", file, "--format", "text"}, nil, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "✗ 联系电话：填「18620394715」，应为「18620397415」")
}

func TestPlayDesk(t *testing.T) {
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	defer book.Close()
	sc, ok := lib.Scenario("leak")
	require.True(t, ok)
	call := sim.NewCall(sc, book, sim.Options{Mode: domain.Practice, Seed: 1, Desk: true, BasePersona: true})
	script := []struct {
		at   float64
		line string
	}{
		{4, "您好，暖心供热公司，请问有什么可以帮您？"},
		{10, "/查 186 2039 7415"},
		{12, "/查 地址 东湖嘉园12栋1单元1103"},
		{14, "/查 王五"},
		{16, "/单 类型=repair phone=18620397415"},
		{18, "/单 nosuch=1"},
		{20, "请您先关闭室内供热阀门，感谢您的来电，再见"},
		{30, "你好？"},
		{35, "/单 urgency=urgent team=repair promise=2到4小时内上门 address=东湖嘉园12号楼1单元1103 note=卧室 暖气片 漏水"},
		{40, ""},
	}
	lines := make(chan string, len(script))
	for _, s := range script {
		lines <- s.line
	}
	close(lines)
	i := 0
	clock := func() float64 {
		v := script[min(i, len(script)-1)].at
		i++
		return v
	}
	var out bytes.Buffer
	require.NoError(t, play(context.Background(), sc, call, lines, clock, nil, &out))
	text := out.String()
	assert.Contains(t, text, "用户档案：户号 2012011103", "a phone lookup finds the record")
	assert.Equal(t, 2, strings.Count(text, "用户档案："), "so does the address with 栋")
	assert.Contains(t, text, "系统里没有查到", "a name not on record is not found")
	assert.Contains(t, text, "工单已提交：编号 GD")
	assert.Contains(t, text, "没有字段 \"nosuch\"")
	assert.Contains(t, text, "话后处理")
	assert.Contains(t, text, "现在只能查询、建单")
	require.True(t, call.Ended())
	card := call.Scorecard()
	require.NotNil(t, card.Ticket)
	assert.True(t, card.Ticket.AfterHangup, "the last /单 came in the wrap-up")
	for _, f := range card.Ticket.Fields {
		if f.Field != "name" {
			assert.True(t, f.OK, "%s: %s", f.Field, f.Why)
		}
	}
	assert.Equal(t, "卧室 暖气片 漏水", card.Ticket.Fields[len(card.Ticket.Fields)-1].Entered)
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
