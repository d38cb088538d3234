package scenarios

import (
	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// decodeStrict parses one YAML document into v with the shared strict
// reader (size limit, no aliases, no unknown or duplicate keys) and returns
// the line of every field path, for semantic errors found later.
func decodeStrict(file string, data []byte, v any) (map[string]int, error) {
	doc, err := yamlfile.Decode(file, data, MaxFileSize, v)
	if err != nil {
		return nil, err
	}
	lines := map[string]int{"": 1}
	root := yamlfile.Root(doc)
	if root == nil {
		return lines, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, yamlfile.Errors{{File: file, Line: root.Line, Msg: "expected a mapping of keys at the top"}}
	}
	walkLines(lines, root, "")
	return lines, nil
}

// walkLines records the line of every key and list element under path.
func walkLines(lines map[string]int, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		lines[path] = n.Line
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := pathField(path, n.Content[i].Value)
			walkLines(lines, n.Content[i+1], p)
			lines[p] = n.Content[i].Line
		}
	case yaml.SequenceNode:
		for i, ch := range n.Content {
			walkLines(lines, ch, pathIndex(path, i))
		}
		lines[path] = n.Line
	default:
		lines[path] = n.Line
	}
}
