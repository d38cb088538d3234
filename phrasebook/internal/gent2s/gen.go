package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Config says where OpenCC's data and tools are.
type Config struct {
	// DataDir holds TSCharacters.ocd2 and t2s.json.
	DataDir string
	// DictTool is the opencc_dict program, which dumps a binary dictionary
	// as text.
	DictTool string
	// ConvertTool is the opencc program; every pair is checked against it.
	ConvertTool string
}

// Pair is one Traditional character and its Simplified form.
type Pair struct {
	Trad, Simp rune
}

// Generate builds the source of t2s_table.go from the installed OpenCC.
func Generate(cfg Config) ([]byte, error) {
	dictPath := filepath.Join(cfg.DataDir, "TSCharacters.ocd2")
	raw, err := os.ReadFile(dictPath) // #nosec G304 -- the generator is run by a developer with paths and tools they name
	if err != nil {
		return nil, fmt.Errorf("read OpenCC dictionary: %w", err)
	}
	sum := sha256.Sum256(raw)

	text, err := dumpDict(cfg.DictTool, dictPath)
	if err != nil {
		return nil, err
	}
	pairs, err := ParseDict(text, dictPath)
	if err != nil {
		return nil, err
	}
	if err := crossCheck(cfg, pairs); err != nil {
		return nil, err
	}
	resolved, err := Resolve(pairs)
	if err != nil {
		return nil, err
	}
	version, err := toolVersion(cfg.ConvertTool)
	if err != nil {
		return nil, err
	}
	return Render(resolved, Provenance{
		Version: version,
		File:    "TSCharacters.ocd2",
		SHA256:  hex.EncodeToString(sum[:]),
	})
}

// dumpDict converts an OpenCC binary dictionary to its text form: one entry
// per line, the key, a tab and space-separated candidates, preferred first.
func dumpDict(tool, path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "gent2s")
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", path, err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".ocd2")+".txt")
	cmd := exec.Command(tool, "-i", path, "-o", out, "-f", "ocd2", "-t", "text") // #nosec G204 -- the generator is run by a developer with paths and tools they name
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dump %s with %s: %w: %s", path, tool, err, msg)
	}
	text, err := os.ReadFile(out) // #nosec G304 -- a file in the generator's own temporary directory
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", path, err)
	}
	return text, nil
}

// ParseDict reads OpenCC's text dictionary format and returns, sorted by the
// Traditional character, every single-character entry whose preferred
// candidate is a different single character. Phrase entries and entries that
// map a character to itself are skipped. name is used in error messages.
func ParseDict(text []byte, name string) ([]Pair, error) {
	var pairs []Pair
	seen := map[rune]int{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" {
			continue
		}
		key, cands, ok := strings.Cut(l, "\t")
		if !ok || key == "" || cands == "" {
			return nil, fmt.Errorf("%s:%d: want KEY<TAB>CANDIDATES, got %q", name, line, l)
		}
		if !utf8.ValidString(l) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, line)
		}
		first, _, _ := strings.Cut(cands, " ")
		if utf8.RuneCountInString(key) != 1 || utf8.RuneCountInString(first) != 1 {
			continue
		}
		t, _ := utf8.DecodeRuneInString(key)
		s, _ := utf8.DecodeRuneInString(first)
		if t == s {
			continue
		}
		if prev, dup := seen[t]; dup {
			return nil, fmt.Errorf("%s:%d: key %c already defined on line %d", name, line, t, prev)
		}
		seen[t] = line
		pairs = append(pairs, Pair{t, s})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%s: no character pairs found", name)
	}
	slices.SortFunc(pairs, func(a, b Pair) int { return int(a.Trad - b.Trad) })
	return pairs, nil
}

// Resolve follows chains (A→B, B→C becomes A→C) so that no Simplified form
// is itself a key: applying the table twice must give the same text as
// applying it once, or the normaliser would not be idempotent.
func Resolve(pairs []Pair) ([]Pair, error) {
	m := make(map[rune]rune, len(pairs))
	for _, p := range pairs {
		m[p.Trad] = p.Simp
	}
	out := make([]Pair, 0, len(pairs))
	for _, p := range pairs {
		s := p.Simp
		for steps := 0; ; steps++ {
			next, ok := m[s]
			if !ok {
				break
			}
			if steps > len(pairs) {
				return nil, fmt.Errorf("cycle in table starting at %c", p.Trad)
			}
			s = next
		}
		if s != p.Trad {
			out = append(out, Pair{p.Trad, s})
		}
	}
	return out, nil
}

// crossCheck runs every Traditional character through the opencc tool with
// the t2s configuration, one per line, and requires the tool to agree with
// the dictionary as read: it guards against misreading the dump format.
func crossCheck(cfg Config, pairs []Pair) error {
	in := make([]string, len(pairs))
	for i, p := range pairs {
		in[i] = string(p.Trad)
	}
	lines, err := convertLines(cfg, "t2s.json", in)
	if err != nil {
		return fmt.Errorf("cross-check: %w", err)
	}
	var bad []string
	for i, p := range pairs {
		if lines[i] != string(p.Simp) {
			bad = append(bad, fmt.Sprintf("%c: dictionary %c, opencc %s", p.Trad, p.Simp, lines[i]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("cross-check: %d of %d pairs disagree with opencc, first: %s", len(bad), len(pairs), strings.Join(bad[:min(5, len(bad))], "; "))
	}
	return nil
}

// convertLines runs lines, one per line, through the opencc tool with the
// configuration file conf of the data folder and returns its output lines,
// one for each input line.
func convertLines(cfg Config, conf string, lines []string) ([]string, error) {
	dir, err := os.MkdirTemp("", "gent2s")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	inPath, outPath := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	if err := os.WriteFile(inPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	conf = filepath.Join(cfg.DataDir, conf)
	cmd := exec.Command(cfg.ConvertTool, "-c", conf, "-i", inPath, "-o", outPath) // #nosec G204 -- the generator is run by a developer with paths and tools they name
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s -c %s: %w: %s", cfg.ConvertTool, conf, err, msg)
	}
	got, err := os.ReadFile(outPath) // #nosec G304 -- a file in the generator's own temporary directory
	if err != nil {
		return nil, err
	}
	out := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(out) != len(lines) {
		return nil, fmt.Errorf("opencc returned %d lines for %d", len(out), len(lines))
	}
	return out, nil
}

var versionRE = regexp.MustCompile(`Version:\s*(\S+)`)

// toolVersion reads OpenCC's version from `opencc --version`.
func toolVersion(tool string) (string, error) {
	out, err := exec.Command(tool, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w: %s", tool, err, out)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s --version: no version in %q", tool, out)
	}
	return string(m[1]), nil
}

// Provenance records where a table came from, for the generated header.
type Provenance struct {
	Version string
	File    string
	SHA256  string
}

// pairsPerLine keeps the generated source readable in a diff.
const pairsPerLine = 32

// Render writes the Go source of the table: a const string of
// Traditional/Simplified pairs sorted by the Traditional character.
func Render(pairs []Pair, p Provenance) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gent2s from OpenCC %s %s; DO NOT EDIT.\n", p.Version, p.File)
	b.WriteString("//\n")
	b.WriteString("// Regenerate with `go generate ./phrasebook/phrase` on a machine with OpenCC\n")
	b.WriteString("// installed (Debian: apt-get install opencc libopencc-data). The data is\n")
	b.WriteString("// OpenCC's, under the Apache License 2.0: see LICENSE-OpenCC.txt.\n")
	fmt.Fprintf(&b, "// Source file SHA-256: %s.\n\n", p.SHA256)
	b.WriteString("package phrase\n\n")
	fmt.Fprintf(&b, "// t2sPairs holds %d Traditional → Simplified character pairs, each the\n", len(pairs))
	b.WriteString("// Traditional character followed by its Simplified form, sorted by the\n")
	b.WriteString("// Traditional character. No Simplified form is itself a key.\n")
	b.WriteString("const t2sPairs = \"\" +\n")
	for i := 0; i < len(pairs); i += pairsPerLine {
		var line strings.Builder
		for _, p := range pairs[i:min(i+pairsPerLine, len(pairs))] {
			line.WriteRune(p.Trad)
			line.WriteRune(p.Simp)
		}
		sep := " +"
		if i+pairsPerLine >= len(pairs) {
			sep = ""
		}
		fmt.Fprintf(&b, "\t%q%s\n", line.String(), sep)
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated table: %w", err)
	}
	return src, nil
}
