package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestIssueTextsInChinese checks that the checks' messages, and the YAML
// parser's, reach a trainer in Chinese, with their values kept.
func TestIssueTextsInChinese(t *testing.T) {
	it := testTexts(t).issues
	for _, tc := range []struct{ msg, want string }{
		{`required`, `必须填写`},
		{`"gas": must be one of heating, power, water, property`, `"gas" 不在可选范围内，只能是：heating, power, water, property`},
		{`"grumpy": must be calm, anxious or angry`, `"grumpy" 不合格：只能是 calm（平静）、anxious（焦急）或 angry（愤怒）`},
		{`unknown intent "thank-you"`, `没有叫 "thank-you" 的意图`},
		{`120: must be 0-100`, `120 超出范围：应在 0 到 100 之间`},
		{`unknown field`, `不认识这个字段（拼写错了，或放错了层级）`},
		{`YAML syntax: did not find expected ',' or ']' (inside [a, b] lists put lines containing "?" or "," in double quotes, or write one "- line" per row)`,
			`YAML 格式错误：方括号列表 [a, b] 没有正确结束：缺少逗号或右方括号。含有“?”或“,”的句子请加英文双引号，或改成每行一个“- 句子”`},
		{`YAML syntax: mapping values are not allowed in this context`, `YAML 格式错误：这里不能出现“字段: 值”：可能是缩进不对，或句子里有英文冒号（请加双引号）`},
		{"cannot unmarshal !!str `abc` into int", `类型不对：“abc”不能用在这里（需要整数）`},
		{`duplicate phrase id "greet" (first at phrases[0])`, `重复的编号 "greet"（第一次出现在 phrases[0]）`},
		{"YAML syntax: found character that cannot start any token", "YAML 格式错误：有不能出现在这里的字符（例如行首的制表符、@ 或 `），请加双引号或删除"},
		{`something new the checks say`, `有问题：something new the checks say`},
	} {
		assert.Equal(t, tc.want, it.text(langZH, tc.msg), tc.msg)
		assert.Equal(t, tc.msg, it.text(langEN, tc.msg), "English keeps the message")
	}
}
