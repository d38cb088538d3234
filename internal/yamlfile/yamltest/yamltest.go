// Package yamltest builds hostile YAML documents for the tests of the
// parsers that read trainers' files.
package yamltest

import (
	"bytes"
	"fmt"
	"strings"
)

// AliasBomb returns a "billion laughs" document: a top-level mapping whose
// first key anchors a list of width strings and each further key a list of
// width aliases to the one before, depth levels in all. It is a few hundred
// bytes, but a parser that expanded aliases would build width^depth strings.
func AliasBomb(width, depth int) []byte {
	var b strings.Builder
	item := func(level int) string {
		if level == 0 {
			return `"lol"`
		}
		return fmt.Sprintf("*l%d", level-1)
	}
	for level := range depth {
		items := make([]string, width)
		for i := range items {
			items[i] = item(level)
		}
		fmt.Fprintf(&b, "k%d: &l%d [%s]\n", level, level, strings.Join(items, ", "))
	}
	return []byte(b.String())
}

// Expansion is how many leaf strings AliasBomb(width, depth) stands for
// once every alias is expanded.
func Expansion(width, depth int) float64 {
	n := 1.0
	for range depth {
		n *= float64(width)
	}
	return n
}

// Nested returns a value nested depth flow sequences deep under one key:
// "k: [[[...]]]".
func Nested(depth int) []byte {
	return []byte("k: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
}

// MaxLine returns an upper bound for the line numbers the YAML parser can
// report for data: it counts every line break YAML knows (LF, CR, NEL, LS,
// PS; CRLF counts twice) and adds one for the line after the last break.
func MaxLine(data []byte) int {
	n := 1
	for _, sep := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(sep))
	}
	return n + 1
}
