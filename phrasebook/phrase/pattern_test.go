package phrase

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatternFind(t *testing.T) {
	tests := []struct {
		name, pattern, text string
		gap                 int
		want                string // the matched text, "" for no match
		value               ValueType
	}{
		{"alternatives in order within a window", "[登记|记录|建] … (工单|报修单|单子)", "已经给您建了一个报修单", 0, "建了1个报修单", ""},
		{"order matters", "[登记|记录|建] … (工单|报修单|单子)", "报修单已经登记", 0, "", ""},
		{"window bounds the gap", "登记 …2 工单", "登记了一个新的工单", 0, "", ""},
		{"optional group", "(已经)? 登记", "已经登记", 0, "已经登记", ""},
		{"optional character", "帮您?登记", "帮登记", 0, "帮登记", ""},
		{"fillers between parts", "报修单 登记", "报修单这边给您登记", 4, "报修单这边给您登记", ""},
		{"fillers beyond the gap", "报修单 登记", "报修单这边给您登记", 2, "", ""},
		{"a typed slot carries its value", "{when} …4 (到|上门)", "师傅一个半钟头以内到", 0, "1个半钟头以内到", Duration},
		{"a bounded slot", "保证 …6 {when<=10m}", "保证十分钟就到", 0, "保证10分钟", Duration},
		{"a bounded slot turns a longer time away", "保证 …6 {when<=10m}", "保证两小时到", 0, "", ""},
		{"a number", "{number} 那户", "702那户", 0, "702那户", ""},
		{"nested groups", "(给您 (登记|记录)|帮您建) 工单", "帮您建工单", 0, "帮您建工单", ""},
		{"an optional start, said", "(先)? 穿 (厚|暖和)", "您先穿厚点", 0, "先穿厚", ""},
		{"an optional start, left out", "(先)? 穿 (厚|暖和)", "您穿暖和点", 0, "穿暖和", ""},
		{"an alternative with an optional start", "((先)? 别|不要) 碰", "您不要碰，先别碰", 0, "不要碰", ""},
		{"a pause at the end of the reply", "(您|你) 说 $", "您好，您说", 0, "您说", ""},
		{"a pause at a punctuation mark", "(您|你) 说 $", "您说，我听着", 0, "您说", ""},
		{"a pause at a space", "(您|你) 说 $", "您好暖心供热 您说 我听着", 0, "您说", ""},
		{"a pause after fillers", "(您|你) 说 $", "您说吧，哪儿漏了", 2, "您说吧", ""},
		{"no pause inside a clause", "(您|你) 说 $", "您说水从接口往外呲", 0, "", ""},
		{"quotation marks are no pause", "(您|你) 说 $", "您说“没人管”", 0, "", ""},
		{"a pause at the start", "$ 好的", "嗯，好的", 0, "好的", ""},
		{"no pause at the start", "$ 好的", "嗯好的", 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompilePattern(tt.pattern, 0)
			require.NoError(t, err)
			n := Normalize(tt.text)
			in := NewInput(n.Runes, nil, Values(n, tt.text))
			in.Pause = Pauses(n, tt.text)
			m, ok := p.Find(in, tt.gap)
			if tt.want == "" {
				assert.False(t, ok, "matched %q", string(n.Runes[m.Start:m.End]))
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, string(n.Runes[m.Start:m.End]))
			if tt.value != "" {
				require.NotNil(t, m.Value)
				assert.Equal(t, tt.value, m.Value.Type)
			}
		})
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"(登记|记录", "character 1: \"(\" is never closed"},
		{"登记)", "character 3: \")\" without an opening bracket"},
		{"(登记]", "character 4: \"]\" closes \"(\""},
		{"(已经)?", "everything in the pattern is optional"},
		{"{weekday}", "unknown slot {weekday}"},
		{"{amount<=4h}", "only time slots take a bound"},
		{"… 工单", "cannot start or end a pattern"},
		{"登记 … … 工单", "two … in a row"},
		{"?登记", "? must follow a character or group"},
		{"(|登记)", "an empty alternative"},
		{"$", "everything in the pattern is optional"},
		{"您说 $ $", "two $ in a row"},
	}
	for _, tt := range tests {
		_, err := CompilePattern(tt.pattern, 0)
		require.Error(t, err, tt.pattern)
		assert.Contains(t, err.Error(), tt.want, tt.pattern)
	}
}

func TestPatternErrorsNameFileLineAndField(t *testing.T) {
	data := []byte("entries:\n  - id: a\n    intent: ticket\n    kind: required\n    text: 登记工单\n    patterns:\n      - \"登记 … 工单\"\n      - \"(登记|记录\"\n    source: test\n")
	_, err := ParseEntries("book.yaml", data)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "book.yaml:8")
	assert.Contains(t, err.Error(), "entries[0].patterns[1]")
	assert.Contains(t, err.Error(), "never closed")
}

func TestFillerMask(t *testing.T) {
	tests := []struct{ text, kept string }{
		{"我这边已经帮您把报修单登记好了", "我已经把报修单登记好"},
		{"我了解了", "我了解"},
		{"这个我们管不了", "这个我们管不了"},
		{"稍等一下午", "稍等1下午"},
	}
	for _, tt := range tests {
		rs := Normalize(tt.text).Runes
		kept, _ := Strip(rs, FillerMask(rs))
		assert.Equal(t, tt.kept, string(kept), tt.text)
	}
}

func TestPatternWordClasses(t *testing.T) {
	tests := []struct{ pattern, text, want string }{
		{"<you> 去 找 <party>", "你去找物业", "你去找物业"},
		{"<you> 去 找 <party>", "您自己去找物业吧", ""},
		{"<you> (自己)? 去 找 <party>", "您自己去找物业吧", "您自己去找物业"},
		{"找 <party> 去", "有意见找物价局去", "找物价局去"},
		{"找 <party> 去", "您找当时接电话那个人去", "找当时接电话那个人去"},
		{"<neighbour> …4 姓", "302业主姓李", "302业主姓"},
		{"<neighbour> …4 姓", "我姓李", ""},
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.pattern, 0)
		require.NoError(t, err, tt.pattern)
		n := Normalize(tt.text)
		m, ok := p.Find(NewInput(n.Runes, nil, Values(n, tt.text)), 2)
		if tt.want == "" {
			assert.False(t, ok, "%s in %s", tt.pattern, tt.text)
			continue
		}
		if assert.True(t, ok, "%s in %s", tt.pattern, tt.text) {
			assert.Equal(t, tt.want, string(n.Runes[m.Start:m.End]))
		}
	}
	_, err := CompilePattern("找 <parties>", 0)
	assert.ErrorContains(t, err, "unknown word class <parties>")
	_, err = CompilePattern("找 <party", 0)
	assert.ErrorContains(t, err, "never closed")
}

// TestWordClassesCompile checks every member of every word class.
func TestWordClassesCompile(t *testing.T) {
	for _, name := range Classes() {
		_, err := classNode(name)
		assert.NoError(t, err, name)
	}
}
