package phrasebook

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// AddVariant returns data, a phrasebook file named name, with variant added
// to the variants of the entry id. The rest of the file stays as written
// (comments, order, layout), so that the change reads as one line in a
// revision's diff: a flow list [a, b] gains an item, a block list a line, and
// an entry without variants a "variants: [...]" line before its text. A
// variant the entry already has (any of its wordings, compared normalised)
// leaves data unchanged. The result is parsed again before it is returned.
func AddVariant(name string, data []byte, id, variant string) ([]byte, error) {
	entries, err := ParseEntries(name, data)
	if err != nil {
		return nil, fmt.Errorf("add variant to %s: %w", name, err)
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("add variant to %s: no entry %q", name, id)
	}
	want := Normalize(variant).String()
	if want == "" {
		return nil, fmt.Errorf("add variant to %s: %q has nothing to match once punctuation and spaces are dropped", name, variant)
	}
	for _, f := range entries[i].Forms() {
		if Normalize(f).String() == want {
			return data, nil
		}
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("add variant to %s: %w", name, err)
	}
	items := yamlfile.Items(yamlfile.Root(&doc), "entries")
	item := items[i]
	lines := strings.SplitAfter(string(data), "\n")
	quoted := yamlScalar(variant)
	vals, _ := yamlfile.Key(item, "variants")
	switch {
	case vals == nil:
		// A new key, just before text, at the entry's indentation.
		_, textLine := yamlfile.Key(item, "text")
		textKey := keyNode(item, "text")
		indent := strings.Repeat(" ", textKey.Column-1)
		lines = slices.Insert(lines, textLine-1, indent+"variants: ["+quoted+"]\n")
	case vals.Style&yaml.FlowStyle != 0 && flowOnOneLine(vals, lines):
		l := lines[vals.Line-1]
		end := strings.LastIndex(l, "]")
		sep := ", "
		if len(vals.Content) == 0 {
			sep = ""
		}
		lines[vals.Line-1] = l[:end] + sep + quoted + l[end:]
	case vals.Style&yaml.FlowStyle == 0 && len(vals.Content) > 0:
		last := vals.Content[len(vals.Content)-1]
		dash := strings.Repeat(" ", max(last.Column-3, 0))
		at := last.Line
		if last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return nil, fmt.Errorf("add variant to %s: entry %q ends its variants with a block scalar; add the variant by hand", name, id)
		}
		lines = slices.Insert(lines, at, dash+"- "+quoted+"\n")
	default:
		return nil, fmt.Errorf("add variant to %s: the variants of %q are laid out over several lines; add the variant by hand", name, id)
	}
	out := []byte(strings.Join(lines, ""))
	again, err := ParseEntries(name, out)
	if err != nil {
		return nil, fmt.Errorf("add variant to %s: the edited file does not parse: %w", name, err)
	}
	if !slices.Contains(again[i].Variants, variant) {
		return nil, fmt.Errorf("add variant to %s: the edited file lost the variant", name)
	}
	return out, nil
}

func keyNode(mapping *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i]
		}
	}
	return mapping
}

// flowOnOneLine reports whether a flow list opens and closes on its line.
func flowOnOneLine(seq *yaml.Node, lines []string) bool {
	for _, n := range seq.Content {
		if n.Line != seq.Line {
			return false
		}
	}
	l := lines[seq.Line-1]
	return strings.Count(l, "[") >= 1 && strings.LastIndex(l, "]") > strings.Index(l, "[")
}

// yamlScalar writes s plain when YAML reads it back unchanged in a flow
// list, and double-quoted (JSON's quoting is YAML's) otherwise.
func yamlScalar(s string) string {
	plain := s != "" && !strings.ContainsAny(s, ",[]{}:#\"'?!&*|>%@`\\\n\t") &&
		strings.TrimSpace(s) == s && !strings.HasPrefix(s, "-")
	if plain {
		var back []string
		if yaml.Unmarshal([]byte("["+s+"]"), &back) == nil && len(back) == 1 && back[0] == s {
			return s
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}
