package web

import (
	"regexp"
	"strings"
)

// The problems the scenario, track and phrase-file checks report are
// written in English, for `coach check` and the logs. The editor shows a
// trainer each in Chinese: issueText rewrites the known shapes here, in one
// place. A shape not listed keeps its English after a Chinese lead-in, so
// nothing is hidden.

// issueRule rewrites one message shape; Zh uses the pattern's groups as
// $1, $2 ….
type issueRule struct {
	re *regexp.Regexp
	zh string
}

// issueRules lists the shapes, most specific first. A YAML syntax message
// is handled by yamlRules after its "YAML syntax: " prefix.
func issueRules() []issueRule {
	return compileRules([][2]string{
		{`^required$`, `必须填写`},
		{`^is required$`, `必须填写`},
		{`^required: (.*)$`, `必须填写：$1`},
		{`^unknown field$`, `不认识这个字段（拼写错了，或放错了层级）`},
		{`^empty reference$`, `引用为空`},
		{`^empty line$`, `这一行是空的`},
		{`^unknown intent or phrase id (".*")$`, `没有叫 $1 的意图或话术编号`},
		{`^unknown intent (".*")$`, `没有叫 $1 的意图`},
		{`^unknown phrase id (".*")$`, `没有叫 $1 的话术编号`},
		{`^unknown fact (".*")$`, `没有叫 $1 的信息（facts 里没有这个 key）`},
		{`^unknown rule (".*")$`, `没有叫 $1 的评分规则`},
		{`^unknown step (".*")$`, `没有叫 $1 的剧本步骤`},
		{`^unknown scenario (".*")$`, `没有叫 $1 的场景`},
		{`^unknown checklist item, intent or phrase id (".*")$`, `没有叫 $1 的检查项、意图或话术编号`},
		{`^(".*"): use lower-case letters, digits and '-'$`, `$1 不合格：只能用小写字母、数字和 -`},
		{`^(".*"): use (.*)$`, `$1 不合格：请用 $2`},
		{`^(".*"): must be one of (.*)$`, `$1 不在可选范围内，只能是：$2`},
		{`^(".*"): must be male or female$`, `$1 不合格：只能是 male（男）或 female（女）`},
		{`^(".*"): must be calm, anxious or angry$`, `$1 不合格：只能是 calm（平静）、anxious（焦急）或 angry（愤怒）`},
		{`^(".*"): must be exam or practice$`, `$1 不合格：只能是 exam（考试）或 practice（练习）`},
		{`^(-?\d+): must be 1, 2 or 3$`, `$1 不合格：只能是 1、2 或 3`},
		{`^(-?\d+): must be (-?\d+)-(\d+)$`, `$1 超出范围：应在 $2 到 $3 之间`},
		{`^(-?\d+): must be (-?\d+)\.\.(\d+)$`, `$1 超出范围：应在 $2 到 $3 之间`},
		{`^(-?\d+): must be above the starting mood (-?\d+), or the caller hangs up at once$`, `$1 太低：必须高于起始情绪 $2，否则来电人一开口就会挂断`},
		{`^(-?\d+): must be at least answer_within$`, `$1 太小：不能少于 answer_within（规范接听的铃声数）`},
		{`^must be positive$`, `必须大于 0`},
		{`^must not be negative$`, `不能是负数`},
		{`^(".*") is an intent name; pick another id$`, `$1 是意图的名字，请换一个编号`},
		{`^a reaction to (".*") is already at reactions\[(\d+)\]$`, `对 $1 的反应已经写在 reactions[$2]，不能重复`},
		{`^step (".*") can never fire: its after steps wait on each other in a cycle$`, `剧本步骤 $1 永远不会触发：它的 after 步骤互相等待，形成了循环`},
		{`^needs exactly one of intent, phrase, any, fact or rule \(has (\d+)\)$`, `每个检查项只能在 intent、phrase、any、fact、rule 中选一个（现在有 $1 个）`},
		{`^only for items graded on what is said \(intent, phrase, any\)$`, `只适用于按说了什么来评分的检查项（intent、phrase、any）`},
		{`^only for items graded on what is said or restated$`, `只适用于按说了什么或复述了什么来评分的检查项`},
		{`^an item cannot come before itself$`, `检查项不能要求排在自己前面`},
		{`^the items carry no points$`, `所有检查项都没有分值`},
		{`^duplicate (.*) (".*") \(first at (.*)\)$`, `重复的编号 $2（第一次出现在 $3）`},
		{`^duplicate id (".*"), first defined at (.*)$`, `重复的编号 $1，第一次定义在 $2`},
		{`^the file has no entries$`, `文件里没有任何话术条目`},
		{`^unknown kind (".*") \(required, forbidden or recommended\)$`, `没有 $1 这个类别：只能是 required（规范）、forbidden（禁用）或 recommended（推荐）`},
		{`^is required \(required, forbidden or recommended\)$`, `必须填写：required（规范）、forbidden（禁用）或 recommended（推荐）`},
		{`^(\S+) does not fit intent (\S+), which is (\S+)$`, `类别 $1 与意图 $2 不符，它应是 $3`},
		{`^(".*") has nothing to match once punctuation and spaces are dropped$`, `$1 去掉标点和空格后什么都不剩，无法匹配`},
		{`^is (\d+) characters long once normalised; a wording has at most (\d+)$`, `规范化后有 $1 个字，一条说法最多 $2 个字`},
		{`^a forbidden entry needs a suggestion: what to say instead$`, `禁用语必须写 suggestion：改说什么`},
		{`^only forbidden entries take exceptions$`, `只有禁用语可以写 except（例外）`},
		{`^unknown domain (".*") \(all, heating, power, water or property\)$`, `没有 $1 这个业务：只能是 all、heating（供热）、power（供电）、water（供水）或 property（物业）`},
		{`^YAML anchors and aliases \(& and \*\) are not allowed; write the value out$`, `不支持 YAML 的锚点和别名（& 和 *），请把内容直接写出来`},
		{`^file too large.*$`, `文件太大`},
		// The desk (lookups and work orders).
		{`^only for heating scenarios$`, `只用于供热场景`},
		{`^only complaints are graded$`, `只有投诉类工单才评分`},
		{`^required for a complaint: one of (.*)$`, `投诉类工单必须填写，可选：$1`},
		{`^required: at least one team a work order can go to$`, `必须填写：至少一个可以派单的班组`},
		{`^(".*") is listed twice$`, `$1 重复列出`},
		{`^(".*") is not a graded field of desk\.order \((.*)\)$`, `$1 不是 desk.order 中评分的字段（可选：$2）`},
		{`^(".*"): must be any or one of (.*)$`, `$1 不在可选范围内，只能是 any 或：$2`},
		{`^(".*"): must be one of the desk's teams$`, `$1 不是本工位的班组`},
		{`^(".*"): must be planned or fault$`, `$1 不合格：只能是 planned（计划）或 fault（故障）`},
		{`^(".*"): the desk holds no such value to quote$`, `$1：工位资料里没有这个可引用的值`},
		{`^(".*"): write a date as YYYY-MM-DD$`, `$1 不合格：日期请写成 YYYY-MM-DD`},
		{`^(\S+) is not after from (\S+)$`, `$1 不晚于开始时间 $2`},
		{`^(\S+) is not below max (\S+)$`, `$1 不低于上限 $2`},
		{`^(\S+): must be 0-600 seconds$`, `$1 超出范围：应在 0 到 600 秒之间`},
		{`^(\S+): the return must be cooler than the supply (\S+)$`, `$1：回水温度必须低于供水温度 $2`},
	})
}

// yamlRules rewrite the YAML parser's syntax messages.
func yamlRules() []issueRule {
	return compileRules([][2]string{
		{`^did not find expected ',' or '\]'`, `方括号列表 [a, b] 没有正确结束：缺少逗号或右方括号。含有“?”或“,”的句子请加英文双引号，或改成每行一个“- 句子”`},
		{`^did not find expected ',' or '\}'`, `花括号 {a: b} 没有正确结束：缺少逗号或右花括号`},
		{`^did not find expected key`, `缩进不对：这里应是一个“字段: 值”`},
		{`^did not find expected '-' indicator`, `缩进不对：列表的每一项应以“- ”开头并对齐`},
		{`^did not find expected node content`, `这里缺少内容`},
		{`^did not find expected (.*)`, `格式不完整：缺少 $1`},
		{`^could not find expected ':'`, `缺少冒号：字段名后面要写“: ”`},
		{`^mapping values are not allowed in this context`, `这里不能出现“字段: 值”：可能是缩进不对，或句子里有英文冒号（请加双引号）`},
		{`^block sequence entries are not allowed in this context`, `这里不能出现列表项“- ”：请检查缩进`},
		{`^found character that cannot start any token`, `有不能出现在这里的字符（例如行首的制表符、@ 或 \x60），请加双引号或删除`},
		{`^found a tab character.*`, `缩进里有制表符：YAML 只能用空格缩进`},
		{`^found unexpected end of stream`, `文件提前结束：引号或括号没有配对`},
		{`^found unknown escape character`, `双引号里有不认识的反斜杠转义`},
		{`^mapping key "(.*)" already defined at line (\d+)`, `字段 $1 重复了，第 $2 行已经写过`},
		{`^cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (\S+)`, `类型不对：“$2”不能用在这里（需要$3）`},
		{`^cannot unmarshal !!(\w+) into (\S+)`, `类型不对：这里需要$2`},
		{`^unknown anchor`, `不支持 YAML 的锚点和别名`},
	})
}

// goTypeNames are the Go types a YAML type error names, as a trainer reads
// them.
var goTypeNames = strings.NewReplacer("[]string", "一组句子", "string", "文字", "int", "整数", "float64", "数字", "bool", "true 或 false")

// issueTexts rewrites problem messages into Chinese.
type issueTexts struct {
	rules, yaml []issueRule
}

func newIssueTexts() *issueTexts { return &issueTexts{rules: issueRules(), yaml: yamlRules()} }

// rewrite applies the first of rules that matches msg.
func rewrite(rules []issueRule, msg string) (string, bool) {
	for _, r := range rules {
		if m := r.re.FindStringSubmatchIndex(msg); m != nil {
			return string(r.re.ExpandString(nil, r.zh, msg, m)), true
		}
	}
	return "", false
}

// compileRules compiles pattern, text pairs.
func compileRules(rules [][2]string) []issueRule {
	out := make([]issueRule, len(rules))
	for i, r := range rules {
		out[i] = issueRule{re: regexp.MustCompile(r[0]), zh: r[1]}
	}
	return out
}

// zh returns msg in Chinese.
func (t *issueTexts) zh(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "YAML syntax: "); ok {
		if zh, ok := rewrite(t.yaml, rest); ok {
			return "YAML 格式错误：" + goTypeNames.Replace(zh)
		}
		return "YAML 格式错误：" + rest
	}
	if zh, ok := rewrite(t.yaml, msg); ok {
		return goTypeNames.Replace(zh)
	}
	if zh, ok := rewrite(t.rules, msg); ok {
		return zh
	}
	return "有问题：" + msg
}

// text returns msg in lang.
func (t *issueTexts) text(lang, msg string) string {
	if lang == langEN {
		return msg
	}
	return t.zh(msg)
}
