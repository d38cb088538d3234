package phrasebook_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/phrasebook"
)

const testBook = `
entries:
  - id: greeting.hello
    intent: greeting
    kind: required
    text: 您好
    source: test
  - id: identify.heating
    intent: identify
    kind: required
    text: 供热公司
    domains: [heating]
    source: test
  - id: identify.power
    intent: identify
    kind: required
    text: 供电公司
    domains: [power]
    source: test
  - id: offer-help.standard
    intent: offer-help
    kind: required
    text: 请问有什么可以帮您
    variants: [有什么能帮您]
    source: test
  - id: anything-else.standard
    intent: anything-else
    kind: required
    text: 请问还有其他需要帮助的吗
    variants: [还有什么可以帮您]
    source: test
  - id: offer-help.floor
    intent: offer-help
    kind: required
    text: 您请说
    patterns: ["(您|你) (请)? (说|讲) $"]
    source: test
  - id: commit.hours
    intent: commit
    kind: required
    text: 2到4小时内上门
    source: test
  - id: deflect.not-mine
    intent: deflect
    kind: forbidden
    text: 不归我管
    suggestion: 我帮您转接
    source: test
  - id: deflect.no-way
    intent: deflect
    kind: forbidden
    text: 没办法
    suggestion: 我们研究解决方案
    source: test
  - id: deflect.dont-know
    intent: deflect
    kind: forbidden
    text: 不知道
    except: [不知道您]
    suggestion: 我帮您查询一下
    source: test
  - id: deflect.unfamiliar
    intent: deflect
    kind: forbidden
    text: 不了解
    suggestion: 我帮您查询一下
    source: test
  - id: over-promise.soon
    intent: over-promise
    kind: forbidden
    text: 保证马上到
    patterns: ["保证 …4 {when<=30m} …3 到"]
    suggestion: 按规定时限承诺
    source: test
`

func testMatcher(t *testing.T) *phrasebook.Matcher {
	t.Helper()
	entries, err := phrasebook.ParseEntries("test.yaml", []byte(testBook))
	require.NoError(t, err)
	m, err := phrasebook.New(entries)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMatch(t *testing.T) {
	m := testMatcher(t)
	type hit struct {
		id         string
		start, end int
	}
	tests := []struct {
		name   string
		text   string
		filter phrasebook.Filter
		want   []hit
	}{
		{"standard opening", "您好,供热公司,请问有什么可以帮您?", phrasebook.Filter{},
			[]hit{{"greeting.hello", 0, 2}, {"identify.heating", 3, 7}, {"offer-help.standard", 8, 17}}},
		{"traditional script", "請問還有其他需要幫助的嗎", phrasebook.Filter{},
			[]hit{{"anything-else.standard", 0, 12}}},
		{"dictation slip in a required phrase", "共热公司", phrasebook.Filter{},
			[]hit{{"identify.heating", 0, 4}}},
		{"domain filter drops other domains", "供电公司", phrasebook.Filter{Domain: "heating"},
			nil},
		{"chinese numerals match digits", "我们两到四小时内上门", phrasebook.Filter{},
			[]hit{{"commit.hours", 2, 10}}},
		{"forbidden phrase", "这个不归我管", phrasebook.Filter{},
			[]hit{{"deflect.not-mine", 2, 6}}},
		{"polite reply sharing characters: 想办法", "我们一定想办法帮您解决", phrasebook.Filter{}, nil},
		{"polite reply sharing characters: 我了解了", "好的,我了解了", phrasebook.Filter{}, nil},
		{"forbidden exception", "不知道您方便留个电话吗", phrasebook.Filter{}, nil},
		{"forbidden outside its exception", "我不知道,不知道您问这个干嘛", phrasebook.Filter{},
			[]hit{{"deflect.dont-know", 1, 4}}},
		{"forbidden is strict: no other character", "没想法", phrasebook.Filter{}, nil},
		{"forbidden is strict: nothing inserted", "没有个办法", phrasebook.Filter{}, nil},
		{"forbidden forgives a dictation slip that sounds the same", "没半法", phrasebook.Filter{},
			[]hit{{"deflect.no-way", 0, 3}}},
		{"empty", " ,。 ", phrasebook.Filter{}, nil},
		{"a pattern's pause at a comma", "您说，我听着", phrasebook.Filter{},
			[]hit{{"offer-help.floor", 0, 2}}},
		{"a pattern's pause: none inside a clause", "您说水从接口往外呲", phrasebook.Filter{}, nil},
		{"forbidden in quotation marks reports the caller's words", `您说"这个不归我管"，我记下了`, phrasebook.Filter{}, nil},
		{"forbidden after the quotation marks", "您说“好的”，这个不归我管", phrasebook.Filter{},
			[]hit{{"deflect.not-mine", 9, 13}}},
		{"a guarantee sooner than the norms allow", "我保证五分钟以内到", phrasebook.Filter{Norms: []int64{900}},
			[]hit{{"over-promise.soon", 1, 9}}},
		{"a guarantee the norms allow", "我保证五分钟以内到", phrasebook.Filter{Norms: []int64{300}}, nil},
		{"without norms the phrasebook judges", "我保证五分钟以内到", phrasebook.Filter{},
			[]hit{{"over-promise.soon", 1, 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []hit
			for _, h := range m.Match(tt.text, tt.filter) {
				got = append(got, hit{h.ID, h.Start, h.End})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMatchShadowing(t *testing.T) {
	entries, err := phrasebook.ParseEntries("test.yaml", []byte(testBook))
	require.NoError(t, err)
	entries = append(entries, phrasebook.Entry{ID: "slow-warmup/visit", Intent: "commit", Kind: phrasebook.Required,
		Text: "4小时内上门", Scope: "slow-warmup"})
	m, err := phrasebook.New(entries)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	ids := func(text string, f phrasebook.Filter) []string {
		var out []string
		for _, h := range m.Match(text, f) {
			out = append(out, h.ID)
		}
		return out
	}
	assert.Equal(t, []string{"offer-help.standard"}, ids("请问有什么可以帮您", phrasebook.Filter{}),
		"a near match of another intent under an exact match is dropped")
	assert.Equal(t, []string{"commit.hours", "slow-warmup/visit"}, ids("2到4小时内上门", phrasebook.Filter{Scope: "slow-warmup"}),
		"a scenario's key point is reported beside the shared entry it overlaps")
	assert.Equal(t, []string{"commit.hours"}, ids("2到4小时内上门", phrasebook.Filter{Scope: "leak"}))
}

func TestMatchReportsSuggestionAndScore(t *testing.T) {
	m := testMatcher(t)
	hits := m.Match("这事没办法", phrasebook.Filter{})
	require.Len(t, hits, 1)
	assert.Equal(t, phrasebook.Forbidden, hits[0].Kind)
	assert.Equal(t, "我们研究解决方案", hits[0].Suggestion)
	assert.Equal(t, 1.0, hits[0].Score)

	hits = m.Match("共热公司", phrasebook.Filter{})
	require.Len(t, hits, 1)
	assert.Equal(t, 0.875, hits[0].Score, "one homophone slip in four characters")
}

func TestParseEntriesErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown key", "entries:\n  - id: a\n    intent: greeting\n    kind: required\n    text: 您好\n    colour: red\n",
			"book.yaml:6: colour: unknown field"},
		{"unknown intent", "entries:\n  - id: a\n    intent: greet\n    kind: required\n    text: 您好\n",
			"book.yaml:3: entries[0].intent: unknown intent \"greet\""},
		{"forbidden without suggestion", "entries:\n  - id: a\n    intent: deflect\n    kind: forbidden\n    text: 不行\n",
			"book.yaml:2: entries[0].suggestion: a forbidden entry needs a suggestion"},
		{"empty text", "entries:\n  - id: a\n    intent: greeting\n    kind: required\n    text: \"。\"\n",
			"book.yaml:5: entries[0].text:"},
		{"kind against intent", "entries:\n  - id: a\n    intent: greeting\n    kind: forbidden\n    text: 您好\n    suggestion: x\n",
			"book.yaml:4: entries[0].kind: forbidden does not fit intent greeting"},
		{"duplicate key", "entries:\n  - id: a\n    id: b\n    intent: greeting\n    kind: required\n    text: 您好\n",
			"book.yaml:3: mapping key \"id\" already defined at line 2"},
		{"alias", "x: &a 您好\nentries:\n  - id: a\n    intent: greeting\n    kind: required\n    text: *a\n",
			"book.yaml:1: YAML anchors and aliases"},
		{"syntax", "entries:\n  - id: [\n", "book.yaml:3: YAML syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := phrasebook.ParseEntries("book.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseEntriesTooLarge(t *testing.T) {
	big := make([]byte, phrasebook.MaxFileSize+1)
	_, err := phrasebook.ParseEntries("big.yaml", big)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "big.yaml: file too large")
}

func TestCheckUniqueNamesBothPlaces(t *testing.T) {
	a, err := phrasebook.ParseEntries("a.yaml", []byte("entries:\n  - id: x\n    intent: greeting\n    kind: required\n    text: 您好\n"))
	require.NoError(t, err)
	b, err := phrasebook.ParseEntries("b.yaml", []byte("entries:\n\n  - id: x\n    intent: thanks\n    kind: required\n    text: 谢谢\n"))
	require.NoError(t, err)
	err = phrasebook.CheckUnique(append(a, b...))
	require.Error(t, err)
	assert.Equal(t, `b.yaml:3: id: duplicate id "x", first defined at a.yaml:2`, err.Error())
}

// reply is a reply and the filter of the scenario it is said in.
type reply struct {
	text   string
	filter phrasebook.Filter
}

// repliesOf returns texts as replies said outside any scenario.
func repliesOf(texts []string) []reply {
	out := make([]reply, len(texts))
	for i, text := range texts {
		out[i] = reply{text: text}
	}
	return out
}

// loseNothing checks that every reply gets the same hits from m with
// switch off as with it on, and returns the work done with it on and off.
func loseNothing(t *testing.T, m *phrasebook.Matcher, replies []reply, switchOff func(bool)) (on, off phrasebook.MatchStats) {
	t.Helper()
	defer switchOff(false)
	for _, r := range replies {
		switchOff(false)
		want := m.MatchCounting(r.text, r.filter, &on)
		switchOff(true)
		require.Equal(t, m.MatchCounting(r.text, r.filter, &off), want, "reply %q", r.text)
	}
	return on, off
}

// TestScreensLoseNothing checks that the cheap tests a candidate passes
// before verification are necessary conditions: with them switched off,
// every reply gets the same hits, on the built-in phrasebook with the
// evaluation set and on a dense 10k phrasebook with generated replies.
func TestScreensLoseNothing(t *testing.T) {
	var texts []string
	for _, c := range loadEval(t) {
		texts = append(texts, c.Text)
	}
	texts = append(texts, syntheticReplies(300)...)
	builtin, err := phrasebook.Builtin()
	require.NoError(t, err)
	for name, entries := range map[string][]phrasebook.Entry{"builtin": builtin, "dense10k": syntheticBook(t, 10000, true)} {
		t.Run(name, func(t *testing.T) {
			m, err := phrasebook.New(entries)
			require.NoError(t, err)
			t.Cleanup(func() { m.Close() })
			on, _ := loseNothing(t, m, repliesOf(texts), m.SetScreensOff)
			// The screens must be doing something for the test to mean
			// anything.
			assert.Less(t, on.Verified, on.Candidates/2, "screens turned away too little")
		})
	}
}

// TestKeysLoseNothing checks that the keys of the wordings and patterns
// tried without a lookup spare a reply only those its screens turn away:
// with the keys switched off, every reply gets the same hits. It runs the
// built-in phrasebook with the scenarios' own entries over the evaluation
// set, the blind development sets and the scenarios' golden transcripts,
// each reply in its scenario, and over generated replies; and a dense 10k
// phrasebook over the evaluation set and generated replies.
func TestKeysLoseNothing(t *testing.T) {
	m, lib := blindBook(t)
	filter := func(scenario string) phrasebook.Filter {
		if sc, ok := lib.Scenario(scenario); ok {
			return sc.Filter()
		}
		return phrasebook.Filter{}
	}
	var said []reply
	cases, err := phrasebook.EvalSets()
	require.NoError(t, err)
	for _, c := range cases {
		said = append(said, reply{c.Text, filter(c.Scenario)})
	}
	for _, id := range slices.Sorted(maps.Keys(lib.Golden)) {
		for _, g := range lib.Golden[id] {
			for _, tu := range g.Transcript.Turns {
				if tu.Say != "" {
					said = append(said, reply{tu.Say, filter(id)})
				}
			}
		}
	}
	require.Greater(t, len(said), 2000, "the sets and transcripts hold too few replies")
	generated := repliesOf(syntheticReplies(300))
	var eval []string
	for _, c := range loadEval(t) {
		eval = append(eval, c.Text)
	}
	dense, err := phrasebook.New(syntheticBook(t, 10000, true))
	require.NoError(t, err)
	t.Cleanup(func() { dense.Close() })
	for _, tt := range []struct {
		name    string
		m       *phrasebook.Matcher
		replies []reply
	}{
		{"builtin", m, append(said, generated...)},
		{"dense10k", dense, append(repliesOf(eval), generated...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			on, off := loseNothing(t, tt.m, tt.replies, tt.m.SetKeysOff)
			// The keys must be doing something for the test to mean
			// anything.
			assert.Less(t, on.Candidates, off.Candidates*9/10, "keys turned away too little")
		})
	}
}

// TestMatchConcurrent matches from several goroutines at once, as the
// server does, and expects the hits of matching one reply at a time; run
// with -race it also shows that replies share no working memory.
func TestMatchConcurrent(t *testing.T) {
	entries, err := phrasebook.Builtin()
	require.NoError(t, err)
	m, err := phrasebook.New(entries)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	var texts []string
	for _, c := range loadEval(t) {
		texts = append(texts, c.Text)
	}
	want := make([][]phrasebook.Hit, len(texts))
	for i, text := range texts {
		want[i] = m.Match(text, phrasebook.Filter{})
	}
	const workers = 8
	got := make([][][]phrasebook.Hit, workers)
	done := make(chan int, workers)
	for w := range workers {
		go func() {
			got[w] = make([][]phrasebook.Hit, len(texts))
			for k := range texts {
				i := (k + w*37) % len(texts)
				got[w][i] = m.Match(texts[i], phrasebook.Filter{})
			}
			done <- w
		}()
	}
	deadline := time.After(time.Minute)
	for range workers {
		select {
		case <-done:
		case <-deadline:
			t.Fatal("concurrent matching did not finish within a minute")
		}
	}
	for w := range workers {
		for i := range texts {
			require.Equal(t, want[i], got[w][i], "worker %d, reply %q", w, texts[i])
		}
	}
}
