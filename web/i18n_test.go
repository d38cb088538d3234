package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTexts loads the embedded texts, as the server does.
func testTexts(t testing.TB) *siteTexts {
	t.Helper()
	texts, err := loadTexts()
	require.NoError(t, err)
	return texts
}

// TestIntentNames checks that every intent is named in both languages, in
// Chinese by the phrasebook's own title.
func TestIntentNames(t *testing.T) {
	c := testTexts(t).messages
	for _, info := range phrasebook.Intents() {
		key := "practice.intent." + string(info.Intent)
		assert.Equal(t, info.Title, c.get(langZH, key), key)
		assert.NotEqual(t, key, c.get(langEN, key), "%s has an English name", key)
		assert.NotEqual(t, info.Title, c.get(langEN, key), "%s has an English name", key)
	}
}

// TestCatalogueFallback checks the lookup: the language asked for, else
// Chinese, else the key itself so that a missing text shows.
func TestCatalogueFallback(t *testing.T) {
	c := catalogue{"both": {langZH: "两者", langEN: "both"}, "zh.only": {langZH: "只有中文"}}
	assert.Equal(t, "both", c.get(langEN, "both"))
	assert.Equal(t, "两者", c.get(langZH, "both"))
	assert.Equal(t, "只有中文", c.get(langEN, "zh.only"))
	assert.Equal(t, "no.such", c.get(langZH, "no.such"))
}

// embeddedTexts copies the embedded texts into a file system a test can
// change.
func embeddedTexts(t *testing.T) fstest.MapFS {
	out := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(textFiles, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(textFiles, name)
		out[name] = &fstest.MapFile{Data: data}
		return err
	}))
	return out
}

// TestReadTextsProblems checks that broken texts files stop the server with
// every problem named by file and line.
func TestReadTextsProblems(t *testing.T) {
	intents := string(embeddedTexts(t)["text/intents.yaml"].Data)
	extraIntentLine := strconv.Itoa(strings.Count(intents, "\n") + 1)
	for _, tc := range []struct {
		name  string
		files map[string]string // "" removes the file
		want  []string
	}{
		{"a key in two files", map[string]string{"text/messages/zz.yaml": "x.a:\n  zh: 甲\napp.name:\n  zh: 重复\n"},
			[]string{"text/messages/zz.yaml:3: app.name: defined twice: first at text/messages/base.yaml:"}},
		{"a key twice in one file", map[string]string{"text/messages/zz.yaml": "x.a:\n  zh: 甲\nx.a:\n  zh: 乙\n"},
			[]string{`text/messages/zz.yaml:3: mapping key "x.a" already defined at line 1`}},
		{"no Chinese", map[string]string{"text/messages/zz.yaml": "x.a:\n  zh: 甲\nx.b:\n  en: B\n"},
			[]string{"text/messages/zz.yaml:3: x.b: no Chinese text (zh)"}},
		{"empty Chinese", map[string]string{"text/messages/zz.yaml": "x.b:\n  zh: \" \"\n  en: B\n"},
			[]string{"text/messages/zz.yaml:1: x.b: no Chinese text (zh)"}},
		{"an unknown language", map[string]string{"text/messages/zz.yaml": "x.a:\n  zh: 甲\n  fr: A\n"},
			[]string{"text/messages/zz.yaml:3: fr: unknown field"}},
		{"a text not under zh and en", map[string]string{"text/messages/zz.yaml": "x.a: 甲\n"},
			[]string{"text/messages/zz.yaml:1: ", "cannot unmarshal"}},
		{"no messages", map[string]string{
			"text/messages/account.yaml": "", "text/messages/author.yaml": "", "text/messages/base.yaml": "", "text/messages/cert.yaml": "",
			"text/messages/desk.yaml": "", "text/messages/dispute.yaml": "", "text/messages/practice.yaml": "", "text/messages/review.yaml": ""},
			[]string{"text/messages: no texts files"}},
		{"an intent without English", map[string]string{"text/intents.yaml": strings.Replace(intents, "\ngreeting:", "\n#", 1)},
			[]string{"text/intents.yaml: greeting: the intent has no English name"}},
		{"an unknown intent", map[string]string{"text/intents.yaml": intents + "greetings: Greetings\n"},
			[]string{"text/intents.yaml:" + extraIntentLine + ": greetings: no such intent"}},
		{"an intent in the messages", map[string]string{"text/messages/zz.yaml": "practice.intent.greeting:\n  zh: 问候\n"},
			[]string{"text/messages/zz.yaml:1: practice.intent.greeting: defined twice: first at text/intents.yaml:"}},
		{"a broken pattern", map[string]string{"text/issues.yaml": "unmatched: 有问题：\nrules:\n  - match: '(a'\n    zh: 甲\nyaml:\n  lead: YAML：\n"},
			[]string{"text/issues.yaml:3: match: error parsing regexp"}},
		{"a rule without Chinese", map[string]string{"text/issues.yaml": "unmatched: 有问题：\nrules:\n  - match: '^a$'\nyaml:\n  lead: YAML：\n"},
			[]string{"text/issues.yaml:3: zh: required"}},
		{"no lead-ins", map[string]string{"text/issues.yaml": "rules: []\nyaml:\n  rules: []\n"},
			[]string{"text/issues.yaml:1: unmatched: required", "text/issues.yaml:3: lead: required"}},
		{"an unknown field and a bad YAML file at once", map[string]string{
			"text/audit.yaml":       "targets: {}\nrule: []\n",
			"text/messages/zz.yaml": "x.a:\n  zh: [甲\n"},
			[]string{"text/audit.yaml:2: rule: unknown field", "text/messages/zz.yaml:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := embeddedTexts(t)
			for name, data := range tc.files {
				if data == "" {
					delete(fsys, name)
					continue
				}
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := readTexts(fsys, phrasebook.Intents())
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
	_, err := readTexts(embeddedTexts(t), phrasebook.Intents())
	assert.NoError(t, err, "the copy itself is fine")
}

// keyLike is a string that could be a catalogue key: dotted words.
var keyLike = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

// TestKeysInUseAreDefined checks that every key the templates and handlers
// name literally has a text, so that none shows as its key. A literal
// counts as a key when it starts as catalogue keys do ("practice.", "err.");
// prefixes a page completes ("practice.intent.") are not checked.
func TestKeysInUseAreDefined(t *testing.T) {
	c := testTexts(t).messages
	spaces := map[string]bool{}
	for key := range c {
		spaces[key[:strings.Index(key+".", ".")]] = true
	}
	checked := 0
	check := func(where, s string) {
		if !keyLike.MatchString(s) || !spaces[s[:strings.Index(s, ".")]] || strings.HasSuffix(s, "_") {
			return
		}
		_, ok := c[s]
		assert.True(t, ok, "%s: %q has no text", where, s)
		checked++
	}

	pages, err := filepath.Glob("templates/*.html")
	require.NoError(t, err)
	partials, err := filepath.Glob("templates/partials/*.html")
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	action := regexp.MustCompile(`(?s){{.*?}}`)
	quoted := regexp.MustCompile(`"([^"\\]*)"`)
	for _, file := range append(pages, partials...) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, a := range action.FindAllString(string(data), -1) {
			for _, m := range quoted.FindAllStringSubmatch(a, -1) {
				check(file, m[1])
			}
		}
	}

	sources, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, file := range sources {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				check(fset.Position(lit.Pos()).String(), s)
			}
			return true
		})
	}
	assert.Greater(t, checked, 500, "the templates and handlers name keys")
}
