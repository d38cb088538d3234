package web

import (
	"cmp"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// The problems the scenario, track and phrase-file checks report are
// written in English, for `coach check` and the logs. The editor shows a
// trainer each in Chinese: the rules of text/issues.yaml rewrite the known
// shapes, in one place. A shape not listed keeps its English after a
// Chinese lead-in, so nothing is hidden.

// issueRule rewrites one message shape; zh uses the pattern's groups as
// $1, $2 ….
type issueRule struct {
	re *regexp.Regexp
	zh string
}

// ruleText is a rule as a texts file writes it.
type ruleText struct {
	Match string `yaml:"match"`
	ZH    string `yaml:"zh"`
}

// issuesFile is the shape of text/issues.yaml.
type issuesFile struct {
	Unmatched string     `yaml:"unmatched"`
	Rules     []ruleText `yaml:"rules"`
	YAML      struct {
		Lead  string            `yaml:"lead"`
		Types map[string]string `yaml:"types"`
		Rules []ruleText        `yaml:"rules"`
	} `yaml:"yaml"`
}

// issueTexts rewrites problem messages into Chinese.
type issueTexts struct {
	// rules rewrite the checks' messages, yaml the YAML parser's syntax
	// messages, which a message carries after a "YAML syntax: " prefix
	// that yamlLead replaces.
	rules, yaml []issueRule
	yamlLead    string
	// unmatched leads a message no rule fits.
	unmatched string
	// types names the Go types a YAML type error names.
	types *strings.Replacer
}

// readIssueTexts reads the rules of file.
func readIssueTexts(fsys fs.FS, file string, problems *yamlfile.Errors) *issueTexts {
	var f issuesFile
	root := decodeText(fsys, file, &f, problems)
	if root == nil {
		return nil
	}
	yamlNode, _ := yamlfile.Key(root, "yaml")
	requireText(file, root, "unmatched", f.Unmatched, problems)
	requireText(file, yamlNode, "lead", f.YAML.Lead, problems)
	return &issueTexts{
		rules:     compileRules(file, yamlfile.Items(root, "rules"), f.Rules, problems),
		yaml:      compileRules(file, yamlfile.Items(yamlNode, "rules"), f.YAML.Rules, problems),
		unmatched: f.Unmatched,
		yamlLead:  f.YAML.Lead,
		types:     replacer(f.YAML.Types),
	}
}

// requireText reports field of mapping when its text is empty.
func requireText(file string, mapping *yaml.Node, field, text string, problems *yamlfile.Errors) {
	if strings.TrimSpace(text) == "" {
		_, line := yamlfile.Key(mapping, field)
		problems.Add(file, line, field, "required")
	}
}

// compileRules compiles the rules of file; items are their nodes, which
// give the lines of their problems.
func compileRules(file string, items []*yaml.Node, rules []ruleText, problems *yamlfile.Errors) []issueRule {
	out := make([]issueRule, 0, len(rules))
	for i, r := range rules {
		line := 0
		if i < len(items) {
			line = items[i].Line
		}
		re, err := regexp.Compile(r.Match)
		switch {
		case r.Match == "":
			problems.Add(file, line, "match", "required")
		case err != nil:
			problems.Add(file, line, "match", "%v", err)
		case r.ZH == "":
			problems.Add(file, line, "zh", "required")
		default:
			out = append(out, issueRule{re: re, zh: r.ZH})
		}
	}
	return out
}

// replacer replaces each key of words with its value, longer keys first
// so that one that starts another ("[]string", "string") wins.
func replacer(words map[string]string) *strings.Replacer {
	keys := make([]string, 0, len(words))
	for k := range words {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, words[k])
	}
	return strings.NewReplacer(pairs...)
}

// rewrite applies the first of rules that matches msg.
func rewrite(rules []issueRule, msg string) (string, bool) {
	for _, r := range rules {
		if m := r.re.FindStringSubmatchIndex(msg); m != nil {
			return string(r.re.ExpandString(nil, r.zh, msg, m)), true
		}
	}
	return "", false
}

// zh returns msg in Chinese.
func (t *issueTexts) zh(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "YAML syntax: "); ok {
		if zh, ok := rewrite(t.yaml, rest); ok {
			return t.yamlLead + t.types.Replace(zh)
		}
		return t.yamlLead + rest
	}
	if zh, ok := rewrite(t.yaml, msg); ok {
		return t.types.Replace(zh)
	}
	if zh, ok := rewrite(t.rules, msg); ok {
		return zh
	}
	return t.unmatched + msg
}

// text returns msg in lang.
func (t *issueTexts) text(lang, msg string) string {
	if lang == langEN {
		return msg
	}
	return t.zh(msg)
}
