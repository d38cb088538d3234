package phrasebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// ErrVariantExists is returned (wrapped) by AddVariant when the entry
// already has the wording, as its text or a variant, once normalised.
var ErrVariantExists = errors.New("the entry already has this wording")

// MaxVariant is the longest wording AddVariant takes, in bytes: a sentence,
// not a paragraph.
const MaxVariant = 300

// AddVariant returns phrasebook file data (named name in messages) with
// variant added to the variants of entry id. It edits the text in place,
// so the file's comments, order and layout stay as the trainer wrote them,
// and checks the result parses with the entry holding the new variant.
func AddVariant(name string, data []byte, id, variant string) ([]byte, error) {
	variant = strings.TrimSpace(variant)
	switch {
	case variant == "":
		return nil, fmt.Errorf("%s: add variant to %s: the wording is empty", name, id)
	case len(variant) > MaxVariant:
		return nil, fmt.Errorf("%s: add variant to %s: the wording is longer than %d bytes", name, id, MaxVariant)
	case strings.ContainsAny(variant, "\r\n"):
		return nil, fmt.Errorf("%s: add variant to %s: the wording has a line break", name, id)
	}
	entries, err := ParseEntries(name, data)
	if err != nil {
		return nil, err
	}
	var entry *Entry
	for i := range entries {
		if entries[i].ID == id {
			entry = &entries[i]
		}
	}
	if entry == nil {
		return nil, fmt.Errorf("%s: no entry %q", name, id)
	}
	want := Normalize(variant).String()
	for _, w := range append([]string{entry.Text}, entry.Variants...) {
		if Normalize(w).String() == want {
			return nil, fmt.Errorf("%s: entry %s: %w: %q", name, id, ErrVariantExists, w)
		}
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var node *yaml.Node
	for _, n := range yamlfile.Items(yamlfile.Root(&doc), "entries") {
		if v, _ := yamlfile.Key(n, "id"); v != nil && v.Value == id {
			node = n
		}
	}
	if node == nil {
		return nil, fmt.Errorf("%s: no entry %q", name, id)
	}
	lines := strings.SplitAfter(string(data), "\n")
	quoted, err := yamlScalar(variant)
	if err != nil {
		return nil, err
	}
	variants, keyLine := yamlfile.Key(node, "variants")
	switch {
	case variants == nil:
		// A new key, after the entry's text and at its indentation.
		_, textLine := yamlfile.Key(node, "text")
		if textLine == 0 || textLine > len(lines) {
			return nil, fmt.Errorf("%s: entry %s: cannot find its text line", name, id)
		}
		indent := leading(lines[textLine-1])
		lines = insertLine(lines, textLine, indent+"variants: ["+quoted+"]\n")
	case variants.Style&yaml.FlowStyle != 0:
		// [a, b] on one line: the new wording goes before the closing
		// bracket.
		i := variants.Line - 1
		if i < 0 || i >= len(lines) || variants.Line != keyLine {
			return nil, fmt.Errorf("%s: entry %s: cannot edit its variants at line %d", name, id, variants.Line)
		}
		close := flowEnd(lines[i])
		if close < 0 {
			return nil, fmt.Errorf("%s: entry %s: the variants at line %d do not end on their line", name, id, variants.Line)
		}
		sep := ", "
		if len(variants.Content) == 0 {
			sep = ""
		}
		lines[i] = lines[i][:close] + sep + quoted + lines[i][close:]
	default:
		// A block list: a new item after the last one.
		if len(variants.Content) == 0 {
			return nil, fmt.Errorf("%s: entry %s: cannot edit its empty variants at line %d", name, id, variants.Line)
		}
		last := variants.Content[len(variants.Content)-1]
		i := last.Line - 1
		if i < 0 || i >= len(lines) {
			return nil, fmt.Errorf("%s: entry %s: cannot edit its variants at line %d", name, id, variants.Line)
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " "))]
		lines = insertLine(lines, last.Line, indent+"- "+quoted+"\n")
	}
	out := []byte(strings.Join(lines, ""))

	again, err := ParseEntries(name, out)
	if err != nil {
		return nil, fmt.Errorf("%s: the edited file does not parse: %w", name, err)
	}
	for _, e := range again {
		if e.ID == id && len(e.Variants) == len(entry.Variants)+1 && e.Variants[len(e.Variants)-1] == variant {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s: entry %s: the edit did not add the variant", name, id)
}

// yamlScalar writes s as a YAML scalar that is safe both in a flow list
// and as a block item: plain when it can be, else double-quoted.
func yamlScalar(s string) (string, error) {
	if !strings.ContainsAny(s, ",[]{}:#&*!|>'\"%@`?-\\") && strings.TrimSpace(s) == s {
		return s, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", fmt.Errorf("quote %q: %w", s, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// leading returns the spaces a line starts with; a list item's "- " counts
// as indentation, as it does for the keys that follow it.
func leading(line string) string {
	n := 0
	for n < len(line) && (line[n] == ' ' || (line[n] == '-' && n+1 < len(line) && line[n+1] == ' ')) {
		n++
	}
	return strings.Repeat(" ", n)
}

// insertLine puts line after the first n lines.
func insertLine(lines []string, n int, line string) []string {
	if n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n"
	}
	return append(lines[:n], append([]string{line}, lines[n:]...)...)
}

// flowEnd returns the byte index of the ']' closing the first flow list on
// line, skipping quoted text, or -1 when the list does not close there.
func flowEnd(line string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote == '"' && ch == '\\':
			i++
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '#' && depth == 0:
			return -1
		case ch == '[':
			depth++
		case ch == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
