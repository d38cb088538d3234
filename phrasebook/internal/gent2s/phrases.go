package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// variantChars are the Taiwan-standard variants, from OpenCC's
// TWVariantsRev, that the normaliser converts although OpenCC's t2s leaves
// them: 著 is how Taiwan writes the 着 of 别着急 and 接着, while t2s keeps it
// as the 著 of 著名. Only 著 is taken. The other variants of TWVariantsRev
// whose result differs (么, 睪, 簷, 抬, 顎, 鯰, 痺, 潀) are either rare in
// hotline speech or, like 么 in 什么, also ordinary Simplified characters
// that the conversion would corrupt.
const variantChars = "著"

// numerals are the characters the normaliser turns into digits. A phrase
// holding one is left out: its converted form would be spelled with digits,
// and a second pass of the normaliser could no longer find the phrase in
// it, which would break idempotence.
const numerals = "零〇一二两兩三四五六七八九十百千幺"

// Phrase is one phrase-level conversion: Trad is replaced by Simp, which
// has as many characters, so each keeps its offset.
type Phrase struct {
	Trad, Simp string
}

// PhraseSet is what GeneratePhrases derives from OpenCC.
type PhraseSet struct {
	Phrases  []Phrase
	Variants []Pair
	// Skipped counts the dictionary entries left out, by reason.
	Skipped map[string]int
	// Derived holds the phrases that are not OpenCC's keys but the
	// Simplified forms of its phrases, kept as they are.
	Derived map[string]bool
}

// readDict dumps and parses an OpenCC dictionary into key and preferred
// candidate, in file order.
func readDict(cfg Config, file string) ([][2]string, []byte, error) {
	path := filepath.Join(cfg.DataDir, file)
	raw, err := os.ReadFile(path) // #nosec G304 -- the developer running the generator names the OpenCC data file
	if err != nil {
		return nil, nil, fmt.Errorf("read OpenCC dictionary: %w", err)
	}
	text, err := dumpDict(cfg.DictTool, path)
	if err != nil {
		return nil, nil, err
	}
	entries, err := ParseEntries(text, file)
	return entries, raw, err
}

// ParseEntries reads OpenCC's text dictionary format into pairs of key and
// preferred candidate. name is used in error messages.
func ParseEntries(text []byte, name string) ([][2]string, error) {
	var out [][2]string
	sc := bufio.NewScanner(bytes.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" {
			continue
		}
		if !utf8.ValidString(l) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, line)
		}
		key, cands, ok := strings.Cut(l, "\t")
		if !ok || key == "" || cands == "" {
			return nil, fmt.Errorf("%s:%d: want KEY<TAB>CANDIDATES, got %q", name, line, l)
		}
		first, _, _ := strings.Cut(cands, " ")
		out = append(out, [2]string{key, first})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// BuildPhrases derives the phrase table from OpenCC's dictionaries: chars
// is the resolved character table (TSCharacters), tsPhrases is
// TSPhrases, twVariants TWVariantsRev and twKeep TWVariantsRevPhrases.
//
//   - A TSPhrases entry is kept when converting its characters one by one
//     gives something else (瞭解 → 了解, where 瞭 alone stays 瞭).
//   - The variants in variantChars are taken from TWVariantsRev.
//   - A TWVariantsRevPhrases entry that holds one of those variants keeps
//     it (著名 stays 著名 while 別著急 becomes 别着急).
//   - A Simplified form that keeps a character its table would convert is
//     added as a phrase that stays as it is (显著, 变徵), so that text
//     already normalised reads the same again.
//
// Entries whose two sides differ in length or that hold numerals are left
// out and counted.
func BuildPhrases(chars []Pair, tsPhrases, twVariants, twKeep [][2]string) (PhraseSet, error) {
	table := map[rune]rune{}
	for _, p := range chars {
		table[p.Trad] = p.Simp
	}
	set := PhraseSet{Skipped: map[string]int{}}
	variants := map[rune]rune{}
	for _, e := range twVariants {
		k, _ := utf8.DecodeRuneInString(e[0])
		if utf8.RuneCountInString(e[0]) != 1 || !strings.ContainsRune(variantChars, k) {
			continue
		}
		v, _ := utf8.DecodeRuneInString(e[1])
		if s, ok := table[v]; ok {
			v = s
		}
		variants[k] = v
		set.Variants = append(set.Variants, Pair{k, v})
	}
	if len(set.Variants) != utf8.RuneCountInString(variantChars) {
		return set, fmt.Errorf("TWVariantsRev: found %d of the variants %s", len(set.Variants), variantChars)
	}
	chars1 := func(s string, withVariants bool) string {
		var b strings.Builder
		for _, r := range s {
			if v, ok := table[r]; ok {
				r = v
			} else if v, ok := variants[r]; ok && withVariants {
				r = v
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	tsMap := map[string]string{}
	for _, e := range tsPhrases {
		tsMap[e[0]] = e[1]
	}
	out := map[string]string{}
	add := func(trad, simp string) error {
		switch {
		case utf8.RuneCountInString(trad) != utf8.RuneCountInString(simp):
			set.Skipped["lengths differ"]++
			return nil
		case strings.ContainsAny(trad, numerals) || strings.ContainsAny(simp, numerals):
			set.Skipped["numerals"]++
			return nil
		case chars1(trad, true) == simp:
			set.Skipped["same as character by character"]++
			return nil
		}
		if old, ok := out[trad]; ok && old != simp {
			return fmt.Errorf("phrase %s: both %s and %s", trad, old, simp)
		}
		out[trad] = simp
		return nil
	}
	for _, e := range tsPhrases {
		if err := add(e[0], e[1]); err != nil {
			return set, err
		}
	}
	for _, e := range twKeep {
		if !strings.ContainsAny(e[0], variantChars) {
			continue
		}
		// The second stage of OpenCC's tw2s: TSPhrases, then characters.
		simp, ok := tsMap[e[1]]
		if !ok {
			simp = chars1(e[1], false)
		}
		if err := add(e[0], simp); err != nil {
			return set, err
		}
	}
	// A Simplified form that keeps a character the table would convert
	// (变徵 keeps 徵, 著名 keeps 著) is a phrase of its own, so that text
	// already normalised reads the same again.
	set.Derived = map[string]bool{}
	for _, simp := range out {
		if _, ok := out[simp]; !ok && chars1(simp, true) != simp {
			set.Derived[simp] = true
		}
	}
	for simp := range set.Derived {
		out[simp] = simp
	}
	for k, v := range out {
		set.Phrases = append(set.Phrases, Phrase{k, v})
	}
	slices.SortFunc(set.Phrases, func(a, b Phrase) int { return strings.Compare(a.Trad, b.Trad) })
	return set, nil
}

// GeneratePhrases builds the source of t2s_phrases.go from the installed
// OpenCC and cross-checks every phrase with the opencc tool.
func GeneratePhrases(cfg Config) ([]byte, error) {
	text, err := dumpDict(cfg.DictTool, filepath.Join(cfg.DataDir, "TSCharacters.ocd2"))
	if err != nil {
		return nil, err
	}
	pairs, err := ParseDict(text, "TSCharacters.ocd2")
	if err != nil {
		return nil, err
	}
	chars, err := Resolve(pairs)
	if err != nil {
		return nil, err
	}
	var dicts [3][][2]string
	var prov []string
	for i, file := range []string{"TSPhrases.ocd2", "TWVariantsRev.ocd2", "TWVariantsRevPhrases.ocd2"} {
		entries, raw, err := readDict(cfg, file)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		dicts[i] = entries
		prov = append(prov, fmt.Sprintf("%s %s", file, hex.EncodeToString(sum[:])))
	}
	set, err := BuildPhrases(chars, dicts[0], dicts[1], dicts[2])
	if err != nil {
		return nil, err
	}
	if err := crossCheckPhrases(cfg, set); err != nil {
		return nil, err
	}
	version, err := toolVersion(cfg.ConvertTool)
	if err != nil {
		return nil, err
	}
	return RenderPhrases(set, version, prov)
}

// crossCheckPhrases runs every phrase taken from OpenCC through opencc
// with the tw2s configuration (TWVariantsRevPhrases, TWVariantsRev,
// TSPhrases, TSCharacters) and requires the same result. The derived
// Simplified phrases (显著) are not OpenCC's and are not checked.
func crossCheckPhrases(cfg Config, set PhraseSet) error {
	var keys, want []string
	for _, p := range set.Phrases {
		if set.Derived[p.Trad] {
			continue
		}
		keys, want = append(keys, p.Trad), append(want, p.Simp)
	}
	lines, err := convertLines(cfg, "tw2s.json", keys)
	if err != nil {
		return fmt.Errorf("cross-check phrases: %w", err)
	}
	var bad []string
	for i := range keys {
		if lines[i] != want[i] {
			bad = append(bad, fmt.Sprintf("%s: table %s, opencc %s", keys[i], want[i], lines[i]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("cross-check phrases: %d of %d disagree with opencc, first: %s", len(bad), len(keys), strings.Join(bad[:min(5, len(bad))], "; "))
	}
	return nil
}

// RenderPhrases writes the Go source of the phrase table.
func RenderPhrases(set PhraseSet, version string, prov []string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gent2s -phrases from OpenCC %s; DO NOT EDIT.\n", version)
	b.WriteString("//\n")
	b.WriteString("// Regenerate with `go generate ./phrasebook/phrase` on a machine with OpenCC\n")
	b.WriteString("// installed (Debian: apt-get install opencc libopencc-data). The data is\n")
	b.WriteString("// OpenCC's, under the Apache License 2.0: see LICENSE-OpenCC.txt.\n")
	b.WriteString("// Source files and their SHA-256:\n")
	for _, p := range prov {
		fmt.Fprintf(&b, "//   - %s\n", p)
	}
	var reasons []string
	for r, n := range set.Skipped {
		reasons = append(reasons, fmt.Sprintf("%s: %d", r, n))
	}
	slices.Sort(reasons)
	fmt.Fprintf(&b, "// Entries left out (see BuildPhrases in internal/gent2s): %s.\n\n", strings.Join(reasons, ", "))
	b.WriteString("package phrase\n\n")
	fmt.Fprintf(&b, "// t2sPhrases holds %d phrase conversions, one per line: a phrase, a tab\n", len(set.Phrases))
	b.WriteString("// and its Simplified form, which has as many characters. Sorted.\n")
	b.WriteString("const t2sPhrases = \"\" +\n")
	for i, p := range set.Phrases {
		sep := " +"
		if i == len(set.Phrases)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "\t%q%s\n", p.Trad+"\t"+p.Simp+"\n", sep)
	}
	b.WriteString("\n// t2sVariants holds Taiwan-standard variants OpenCC's t2s leaves and its\n")
	b.WriteString("// tw2s converts, each followed by its Simplified form.\n")
	var v strings.Builder
	for _, p := range set.Variants {
		v.WriteRune(p.Trad)
		v.WriteRune(p.Simp)
	}
	fmt.Fprintf(&b, "const t2sVariants = %q\n", v.String())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated phrases: %w", err)
	}
	return src, nil
}
