package web

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"go.yaml.in/yaml/v3"
)

// The interface languages. Simplified Chinese comes first: it is the
// language of the people the product trains.
const (
	langZH = "zh"
	langEN = "en"
)

const langCookie = "lang"

// catalogue maps a message key to its text per language.
type catalogue map[string]map[string]string

// get returns the text of key in lang, falling back to Chinese and then to
// the key itself so that a missing entry is visible rather than blank.
func (c catalogue) get(lang, key string) string {
	if t, ok := c[key][lang]; ok {
		return t
	}
	if t, ok := c[key][langZH]; ok {
		return t
	}
	return key
}

// textFiles holds the site's texts as data that translators and trainers edit
// without reading Go: messages/*.yaml the catalogue, intents.yaml the
// intents' English names, issues.yaml and audit.yaml the rules that put
// English problem messages and audit entries into Chinese.
//
//go:embed text
var textFiles embed.FS

// maxTextFile bounds a texts file; the largest is a few kilobytes.
const maxTextFile = 1 << 20

// siteTexts are the texts the site shows.
type siteTexts struct {
	messages catalogue
	issues   *issueTexts
	audit    *auditRewrites
}

// loadTexts reads the embedded texts. A problem in them is a bug of the
// build, so the server does not start with one.
func loadTexts() (*siteTexts, error) { return readTexts(textFiles, phrasebook.Intents()) }

// readTexts reads the texts files of fsys, laid out as in text/, and
// reports every problem in them at once, each with its file and line.
func readTexts(fsys fs.FS, intents []phrasebook.IntentInfo) (*siteTexts, error) {
	var problems yamlfile.Errors
	b := catalogueBuilder{c: catalogue{}, at: map[string]string{}, problems: &problems}
	b.addIntentNames(fsys, "text/intents.yaml", intents)
	b.addMessages(fsys, "text/messages")
	t := &siteTexts{
		messages: b.c,
		issues:   readIssueTexts(fsys, "text/issues.yaml", &problems),
		audit:    readAuditRewrites(fsys, "text/audit.yaml", &problems),
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the site's texts:\n%w", problems)
	}
	return t, nil
}

// decodeText decodes file of fsys into v strictly, adding any problem to
// problems. It returns the file's top-level node, for the lines of what it
// checks after decoding, or nil when the file could not be read.
func decodeText(fsys fs.FS, file string, v any, problems *yamlfile.Errors) *yaml.Node {
	data, err := fs.ReadFile(fsys, file)
	if err == nil {
		var doc *yaml.Node
		if doc, err = yamlfile.Decode(file, data, maxTextFile, v); err == nil {
			return yamlfile.Root(doc)
		}
	}
	*problems = append(*problems, yamlfile.Problems(err, file)...)
	return nil
}

// catalogueBuilder gathers the catalogue from its files.
type catalogueBuilder struct {
	c catalogue
	// at is where each key is defined, "file:line".
	at       map[string]string
	problems *yamlfile.Errors
}

// add defines key, unless it is defined already.
func (b *catalogueBuilder) add(file string, line int, key string, texts map[string]string) {
	if at, dup := b.at[key]; dup {
		b.problems.Add(file, line, key, "defined twice: first at %s", at)
		return
	}
	b.at[key] = fmt.Sprintf("%s:%d", file, line)
	b.c[key] = texts
}

// message is a key's texts as a messages file writes them.
type message struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// addMessages reads every *.yaml in dir: each maps message keys to their
// texts, of which Chinese is required.
func (b *catalogueBuilder) addMessages(fsys fs.FS, dir string) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err == nil && len(files) == 0 {
		err = errors.New("no texts files")
	}
	if err != nil {
		b.problems.Add(dir, 0, "", "%v", err)
		return
	}
	for _, file := range files {
		var part map[string]message
		root := decodeText(fsys, file, &part, b.problems)
		if root == nil {
			continue
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, line := root.Content[i].Value, root.Content[i].Line
			m := part[key]
			if strings.TrimSpace(m.ZH) == "" {
				b.problems.Add(file, line, key, "no Chinese text (zh)")
			}
			texts := map[string]string{langZH: m.ZH}
			if m.EN != "" {
				texts[langEN] = m.EN
			}
			b.add(file, line, key, texts)
		}
	}
}

// addIntentNames defines practice.intent.<intent> for each of intents: its
// Chinese name is the phrasebook's title, its English one is in file.
func (b *catalogueBuilder) addIntentNames(fsys fs.FS, file string, intents []phrasebook.IntentInfo) {
	var english map[phrasebook.Intent]string
	root := decodeText(fsys, file, &english, b.problems)
	if root == nil {
		return
	}
	lines := map[phrasebook.Intent]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		lines[phrasebook.Intent(root.Content[i].Value)] = root.Content[i].Line
	}
	known := map[phrasebook.Intent]bool{}
	for _, info := range intents {
		known[info.Intent] = true
		if english[info.Intent] == "" {
			b.problems.Add(file, lines[info.Intent], string(info.Intent), "the intent has no English name")
		}
		b.add(file, lines[info.Intent], "practice.intent."+string(info.Intent), map[string]string{langZH: info.Title, langEN: english[info.Intent]})
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if name := root.Content[i]; !known[phrasebook.Intent(name.Value)] {
			b.problems.Add(file, name.Line, name.Value, "no such intent")
		}
	}
}

// langKey is where the request's language is kept in the gin context.
const langKey = "coach.lang"

// chooseLang picks the interface language: a ?lang= query switches and is
// remembered in a cookie; otherwise the cookie; otherwise Chinese.
func (s *Server) chooseLang(c *gin.Context) {
	lang := ""
	if q := c.Query("lang"); q == langZH || q == langEN {
		lang = q
		http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection (TLS or Config.SecureCookies): on plain HTTP at 127.0.0.1 a Secure cookie would never come back
			Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
		})
	} else if ck, err := c.Cookie(langCookie); err == nil && (ck == langZH || ck == langEN) {
		lang = ck
	} else {
		lang = langZH
	}
	c.Set(langKey, lang)
	c.Next()
}

// langOf returns the language chooseLang picked, or Chinese before it ran.
func langOf(c *gin.Context) string {
	if l := c.GetString(langKey); l != "" {
		return l
	}
	return langZH
}

// isAPI reports whether path belongs to the JSON API, which answers errors
// in JSON rather than with a page.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }
