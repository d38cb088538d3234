package scenarios

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func minimal(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/minimal.yaml")
	require.NoError(t, err)
	return data
}

func TestParseMinimal(t *testing.T) {
	sc, err := ParseScenario("minimal.yaml", minimal(t), nil)
	require.NoError(t, err)
	assert.Equal(t, "minimal", sc.ID)
	assert.Equal(t, 60, sc.PassMark)
	// Defaults filled in.
	assert.Equal(t, 3.0, sc.Rings.Interval)
	assert.Equal(t, 3, sc.Rings.AnswerWithin)
	assert.Equal(t, DefaultHangupMood, sc.Persona.HangupMood)
	assert.NotEmpty(t, sc.Silence.Say)
	assert.NotEmpty(t, sc.Fallback)
	// Lines of fields, for later messages.
	assert.Equal(t, 8, sc.Line("pass_mark"))
	assert.Equal(t, 29, sc.Line("script[0].say"))
	assert.Equal(t, 29, sc.Line("script[0].say[0]"))
	// Local phrases scoped and prefixed.
	local := sc.LocalEntries()
	require.Len(t, local, 2)
	// The company's names come first, then the key points.
	assert.Equal(t, "minimal/company.identify", local[0].ID)
	assert.Equal(t, []string{"清泉供水", "清泉"}, local[0].Variants)
	assert.Equal(t, "minimal/water-back", local[1].ID)
	assert.Equal(t, "minimal", local[1].Scope)
	assert.Equal(t, 22, local[1].Pos.Line)
}

func TestCompanyForms(t *testing.T) {
	for company, want := range map[string][]string{
		"暖心供热公司":   {"暖心供热公司", "暖心供热", "暖心"},
		"国网临江供电公司": {"国网临江供电公司", "国网临江供电", "国网临江", "临江供电", "临江"},
		"安泰物业服务中心": {"安泰物业服务中心", "安泰物业", "安泰"},
		"清源供水有限公司": {"清源供水有限公司", "清源供水", "清源"},
		"":         nil,
	} {
		assert.Equal(t, want, CompanyForms(company), company)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string // one of the messages, file:line: field: message
	}{
		{"unknown key", "  temper: calm\n", "  temper: calm\n  colour: red\n", "minimal.yaml:14: colour: unknown field"},
		{"duplicate key", "title: 最小场景\n", "title: 最小场景\ntitle: 又一个\n", `minimal.yaml:4: `},
		{"missing pass mark", "pass_mark: 60\n", "", "minimal.yaml:2: pass_mark: required"},
		{"pass mark out of range", "pass_mark: 60", "pass_mark: 160", "minimal.yaml:8: pass_mark: 160: must be 0-100"},
		{"bad id", "id: minimal", "id: Minimal Scenario", `minimal.yaml:2: id: "Minimal Scenario"`},
		{"bad domain", "domain: water", "domain: gas", `minimal.yaml:4: domain: "gas"`},
		{"unknown intent in ask", "ask: ask-address", "ask: ask-adress", `minimal.yaml:18: facts[0].ask: unknown intent or phrase id "ask-adress"`},
		{"unknown ref in when", "when: [water-back]", "when: [water-gone]", `minimal.yaml:28: script[0].when[0]: unknown intent or phrase id "water-gone"`},
		{"unknown step in after", "after: [relieved]", "after: [relived]", `minimal.yaml:31: script[1].after[0]: unknown step "relived"`},
		{"cycle", "  - id: relieved\n    when: [water-back]\n", "  - id: relieved\n    when: [water-back]\n    after: [thanks]\n", `script[0].after: step "relieved" can never fire`},
		{"duplicate step", "  - id: thanks\n", "  - id: relieved\n", `minimal.yaml:30: script[1].id: duplicate step id "relieved"`},
		{"duplicate fact", "facts:\n", "facts:\n  - key: address\n    ask: ask-address\n    say: 西街。\n    value: 西街\n", `facts[1].key: duplicate fact "address"`},
		{"duplicate phrase", "phrases:\n", "phrases:\n  - id: water-back\n    intent: commit\n    kind: required\n    text: 马上来水\n", `phrases[1].id: duplicate phrase id "water-back"`},
		{"unknown placeholder", "say: 东街5号。", "say: \"{street}5号。\"", `facts[0].say: unknown placeholder {street}`},
		{"echo where nothing was said", "opening: 我家停水了。", "opening: \"{time}停的水。\"", `opening: {time} is what the trainee said`},
		{"only echoing lines", "say: [那就好。]", "say: [\"{time}是吧？\"]", `script[0].say: needs one line without {time} or {amount}`},
		{"hang-up on a question", "goodbye: 再见。", "goodbye: 那你们几点来？", `closing.goodbye: the caller hangs up after this line`},
		{"drawn fact said as written", "persona:\n", "pools:\n  addresses: [{place: 西街, unit: 3号}]\npersona:\n", `facts[0].say: the fact is drawn from pools.addresses`},
		{"bad pool phone", "persona:\n", "pools:\n  phones: [\"138-0000\"]\npersona:\n", `pools.phones[0]: "138-0000": digits only`},
		{"unknown unless", "after: [relieved]", "after: [relieved]\n    unless: [nothing-such]", `script[1].unless[0]: unknown step, intent or phrase id "nothing-such"`},
		{"promise item without a value rule", "closing:\n", "promise:\n  item: greet\n  kept: [\"{time}，行。\"]\nclosing:\n", `promise.item: checklist item "greet" has no value rule`},
		{"rewrite of a required intent", "closing:\n", "rewrites:\n  greeting: 您好。\nclosing:\n", `rewrites.greeting: "greeting" is not a forbidden intent`},
		{"phrase named like an intent", "  - id: water-back\n    intent", "  - id: greeting\n    intent", `phrases[0].id: "greeting" is an intent name`},
		{"forbidden phrase without suggestion", "    kind: required\n    text: 下午", "    kind: forbidden\n    text: 下午", "phrases[0].suggestion: a forbidden entry needs a suggestion"},
		{"duplicate checklist id", "  - id: address\n    title: 复述地址", "  - id: greet\n    title: 复述地址", `checklist[2].id: duplicate checklist id "greet"`},
		{"item with two kinds", "    intent: greeting\n", "    intent: greeting\n    rule: no-forbidden\n", "checklist[0]: needs exactly one of intent, phrase, any, fact or rule (has 2)"},
		{"unknown phrase in item", "    phrase: water-back", "    phrase: water-gone", `checklist[1].phrase: unknown phrase id "water-gone"`},
		{"unknown fact in item", "    fact: address", "    fact: phone", `checklist[2].fact: unknown fact "phone"`},
		{"unknown rule", "    intent: greeting\n", "    rule: be-nice\n", `checklist[0].rule: unknown rule "be-nice"`},
		{"unknown before", "    before: thanks", "    before: goodbye", `checklist[1].before: unknown checklist item, intent or phrase id "goodbye"`},
		{"no norm", "    norm: 规范 1\n", "", "checklist[0].norm: required"},
		{"hangup mood below mood", "  mood: 10\n", "  mood: 10\n  hangup_mood: 5\n", "persona.hangup_mood: 5: must be above the starting mood 10"},
		{"wrong type", "difficulty: 1", "difficulty: easy", "minimal.yaml:5: "},
		{"anchor", "opening: 我家停水了。", "opening: &o 我家停水了。", "minimal.yaml:15: YAML anchors and aliases"},
		{"alias", "summary: 解析器测试用。", "summary: &s 解析器测试用。\nfallback: [*s]", "anchors and aliases"},
		{"two documents", "id: minimal\n", "id: minimal\n---\nid: again\n", "only one YAML document"},
		{"question mark in a flow list", "say: [那就好。]", "say: [那就好?]", `minimal.yaml:29: YAML syntax: did not find expected ',' or ']' (inside [a, b] lists`},
		{"no checklist", "checklist:\n", "checklist: []\nx:\n", "x: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(minimal(t))
			require.Contains(t, data, tt.old)
			data = strings.Replace(data, tt.old, tt.new, 1)
			_, err := ParseScenario("minimal.yaml", []byte(data), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseRefusesOversizedFiles(t *testing.T) {
	data := append(minimal(t), []byte("# "+strings.Repeat("x", MaxFileSize))...)
	_, err := ParseScenario("big.yaml", data, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "big.yaml")
	assert.Contains(t, err.Error(), "limit")
}

func TestParseAliasBomb(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	_, err := ParseScenario("bomb.yaml", []byte(bomb), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bomb.yaml:1: YAML anchors and aliases")
}

func TestKnownSharedPhrases(t *testing.T) {
	data := strings.Replace(string(minimal(t)), "when: [water-back]", "when: [closing.thanks]", 1)
	_, err := ParseScenario("minimal.yaml", []byte(data), nil)
	require.Error(t, err)
	_, err = ParseScenario("minimal.yaml", []byte(data), func(id string) bool { return id == "closing.thanks" })
	require.NoError(t, err)
}

func TestParseTrack(t *testing.T) {
	good := "id: t1\ntitle: 认证\nvalid_days: 365\nmode: exam\nscenarios:\n  - id: minimal\n    min_score: 80\n"
	exists := func(id string) bool { return id == "minimal" }
	tr, err := ParseTrack("t.yaml", []byte(good), exists)
	require.NoError(t, err)
	assert.Equal(t, 80, tr.Scenarios[0].MinScore)

	tests := []struct{ name, old, new, want string }{
		{"unknown scenario", "  - id: minimal", "  - id: other", `t.yaml:6: scenarios[0].id: unknown scenario "other"`},
		{"bad mode", "mode: exam", "mode: test", `t.yaml:4: mode: "test"`},
		{"no validity", "valid_days: 365\n", "", "valid_days: required"},
		{"score range", "min_score: 80", "min_score: 101", "scenarios[0].min_score: 101"},
		{"duplicate", "    min_score: 80\n", "    min_score: 80\n  - id: minimal\n    min_score: 70\n", `scenarios[1].id: duplicate scenario "minimal"`},
		{"unknown key", "mode: exam\n", "mode: exam\nlevel: 1\n", "t.yaml:5: level: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTrack("t.yaml", []byte(strings.Replace(good, tt.old, tt.new, 1)), exists)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseTranscript(t *testing.T) {
	good := `{"scenario": "minimal",
 "expect": {"passed": false, "outcome": "trainee_hung_up", "reason": "hangs up"},
 "turns": [
  {"at": 4.0, "say": "您好"},
  {"at": 9.5, "hangup": true}
 ]}`
	tr, err := ParseTranscript("g.json", []byte(good))
	require.NoError(t, err)
	require.Len(t, tr.Turns, 2)
	assert.True(t, tr.Turns[1].Hangup)

	tests := []struct{ name, old, new, want string }{
		{"unknown key", `"at": 4.0,`, `"at": 4.0, "who": "me",`, `unknown field "who"`},
		{"time goes back", `"at": 9.5`, `"at": 3.5`, "g.json:5: turns[1].at: 3.5 is earlier than the turn before"},
		{"say and hangup", `"hangup": true`, `"hangup": true, "say": "再见"`, "g.json:5: turns[1]: needs either say or hangup"},
		{"hangup not last", `{"at": 4.0, "say": "您好"}`, `{"at": 4.0, "hangup": true}`, "g.json:4: turns[0]: the hang-up must be the last turn"},
		{"bad outcome", `"trainee_hung_up"`, `"hung"`, `expect.outcome: "hung"`},
		{"syntax", `"turns": [`, `"turns": [[`, "g.json:"},
		{"trailing data", " ]}", " ]}\n{}", "unexpected data after the transcript"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, good, tt.old)
			_, err := ParseTranscript("g.json", []byte(strings.Replace(good, tt.old, tt.new, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestClassify(t *testing.T) {
	assert.Equal(t, KindPhrasebook, Classify([]byte("entries:\n  - id: x\n")))
	assert.Equal(t, KindTrack, Classify([]byte("id: t\nvalid_days: 3\n")))
	assert.Equal(t, KindScenario, Classify(minimal(t)))
	assert.Equal(t, KindScenario, Classify([]byte(":::")))
}
