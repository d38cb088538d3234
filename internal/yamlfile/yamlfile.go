// Package yamlfile reads the YAML files trainers write (phrasebook entries,
// scenarios, tracks) strictly, and reports every problem with its file, line
// and field so that a trainer can find it without reading Go.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem at a place in a file.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// Error formats the problem as "file:line: field: message", the shape
// editors and `coach check` users expect.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors collects the problems of one or more files, so a trainer sees all
// of them at once rather than one per run.
type Errors []*Error

// Add records a problem.
func (l *Errors) Add(file string, line int, field, format string, args ...any) {
	*l = append(*l, &Error{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Problems spreads err into its problems: the list of an Errors, the one
// *Error, or any other error as a problem of file.
func Problems(err error, file string) Errors {
	var many Errors
	var one *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &many):
		return many
	case errors.As(err, &one):
		return Errors{one}
	}
	return Errors{{File: file, Msg: err.Error()}}
}

// Error joins the problems one per line.
func (l Errors) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns nil when there are no problems, else the list itself.
func (l Errors) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// ErrTooLarge is wrapped by Decode when a file exceeds its size limit.
var ErrTooLarge = errors.New("file too large")

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
var unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// Decode parses data, the content of file, as a single YAML document into v
// and returns the document's node tree for looking up lines of semantic
// errors. Unknown keys, duplicate keys, wrongly typed values, anchors and
// aliases (which make alias bombs possible and have no use in these files),
// more than one document, and input over limit bytes are errors.
func Decode(file string, data []byte, limit int, v any) (*yaml.Node, error) {
	if len(data) > limit {
		return nil, &Error{File: file, Msg: fmt.Sprintf("%v: %d bytes, the limit is %d", ErrTooLarge, len(data), limit)}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Msg: "the file is empty"}
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: extra.Line, Msg: "only one YAML document is allowed per file"}
	}
	if n := findAlias(&root); n != nil {
		return nil, &Error{File: file, Line: n.Line, Msg: "YAML anchors and aliases (& and *) are not allowed; write the value out"}
	}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(v); err != nil {
		return nil, typeErrors(file, err)
	}
	return &root, nil
}

func findAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// syntaxError turns the parser's "yaml: line N: msg" into a located Error.
// The parser numbers its "did not find expected" errors from zero, unlike
// all others, so those are moved down a line; and the one trainers meet
// most, a plain ? or , inside a [a, b] list, gets an explanation.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return &Error{File: file, Msg: "YAML syntax: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if strings.HasPrefix(text, "did not find expected") {
		line++
		if strings.Contains(text, "',' or ']'") {
			text += ` (inside [a, b] lists put lines containing "?" or "," in double quotes, or write one "- line" per row)`
		}
	}
	return &Error{File: file, Line: line, Msg: "YAML syntax: " + text}
}

// typeErrors turns the decoder's list of "line N: ..." messages into Errors.
func typeErrors(file string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(file, err)
	}
	var list Errors
	for _, s := range te.Errors {
		m := lineRE.FindStringSubmatch(s)
		if m == nil {
			list.Add(file, 0, "", "%s", s)
			continue
		}
		line, _ := strconv.Atoi(m[1])
		if u := unknownFieldRE.FindStringSubmatch(m[2]); u != nil {
			list.Add(file, line, u[1], "unknown field")
			continue
		}
		list.Add(file, line, "", "%s", m[2])
	}
	return list
}

// Key returns the value node of key in a mapping node, and the line of the
// key (the mapping's own line when the key is absent).
func Key(mapping *yaml.Node, key string) (*yaml.Node, int) {
	if mapping == nil {
		return nil, 0
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1], mapping.Content[i].Line
		}
	}
	return nil, mapping.Line
}

// Items returns the elements of the sequence stored under key in a mapping,
// or nil.
func Items(mapping *yaml.Node, key string) []*yaml.Node {
	n, _ := Key(mapping, key)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// Root returns the top-level mapping of a document node.
func Root(doc *yaml.Node) *yaml.Node {
	if doc != nil && doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	return doc
}
