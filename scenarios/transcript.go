package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// Transcript is the trainee's side of one call (docs/contracts.md): the
// engine plays the caller. Golden transcripts add what they must prove.
type Transcript struct {
	Scenario string `json:"scenario"`
	// Seed draws the caller from the scenario's pools; without it the
	// caller is the scenario's base persona.
	Seed   *uint64 `json:"seed,omitempty"`
	Expect *Expect `json:"expect,omitempty"`
	Turns  []Turn  `json:"turns"`
}

// Turn is one trainee event at seconds since the ringing began: a reply,
// the hang-up, a lookup in the service system or a work order submitted.
// Exactly one of Say, Hangup, Lookup and Ticket is set.
type Turn struct {
	At     float64 `json:"at" yaml:"at"`
	Say    string  `json:"say,omitempty" yaml:"say"`
	Hangup bool    `json:"hangup,omitempty" yaml:"hangup"`
	Lookup *Lookup `json:"lookup,omitempty" yaml:"lookup"`
	Ticket *Ticket `json:"ticket,omitempty" yaml:"ticket"`
}

// Spoken returns a copy of the transcript without its desk turns, for a
// client that only talks (one without lookups and work orders).
func (t *Transcript) Spoken() *Transcript {
	out := *t
	out.Turns = nil
	for _, tu := range t.Turns {
		if !tu.Desk() {
			out.Turns = append(out.Turns, tu)
		}
	}
	return &out
}

// Desk reports whether the turn is desk work (a lookup or a ticket).
func (t *Turn) Desk() bool { return t.Lookup != nil || t.Ticket != nil }

// Problems checks one turn on its own: exactly one kind of event, and a
// lookup and a ticket well formed. at reports a problem of a field under
// the turn ("" for the turn itself).
func (t *Turn) Problems(at func(field, format string, args ...any)) {
	kinds := 0
	for _, set := range []bool{t.Say != "", t.Hangup, t.Lookup != nil, t.Ticket != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		at("", "needs exactly one of say, hangup, lookup and ticket")
	}
	if t.Lookup != nil {
		t.Lookup.Validate(func(field, format string, args ...any) { at("lookup."+field, format, args...) })
	}
	if t.Ticket != nil {
		t.Ticket.Validate(func(field, format string, args ...any) { at("ticket."+field, format, args...) })
	}
}

// Expect is what a golden transcript must produce.
type Expect struct {
	Passed  bool   `json:"passed"`
	Outcome string `json:"outcome"`
	// Reason says in a sentence what the transcript proves.
	Reason string `json:"reason"`
}

// Outcomes lists how a call can end.
func Outcomes() []string {
	return []string{"completed", "customer_hung_up", "trainee_hung_up", "timed_out"}
}

// ParseTranscript reads a transcript strictly: unknown keys, a turn that
// is not exactly one of say, hangup, lookup and ticket, times going
// backwards, and speech after the hang-up are errors naming the line.
// After the hang-up only desk work follows (the wrap-up), and a second
// hang-up closes the wrap-up.
func ParseTranscript(file string, data []byte) (*Transcript, error) {
	if len(data) > MaxFileSize {
		return nil, yamlfile.Errors{{File: file, Msg: fmt.Sprintf("file is %d bytes, larger than the limit of %d", len(data), MaxFileSize)}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Transcript
	if err := dec.Decode(&t); err != nil {
		return nil, yamlfile.Errors{jsonError(file, data, err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, yamlfile.Errors{{File: file, Line: lineAt(data, dec.InputOffset()), Msg: "unexpected data after the transcript"}}
	}
	// JSON has no line per value; find each turn's line by its order.
	turnLines := objectLines(data, "turns")
	line := func(i int) int {
		if i < len(turnLines) {
			return turnLines[i]
		}
		return 1
	}
	var list yamlfile.Errors
	add := func(l int, field, format string, args ...any) {
		list = append(list, &yamlfile.Error{File: file, Line: l, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if t.Scenario == "" {
		add(1, "scenario", "required")
	}
	if t.Expect != nil {
		ok := false
		for _, o := range Outcomes() {
			ok = ok || o == t.Expect.Outcome
		}
		if !ok {
			add(1, "expect.outcome", "%q: must be one of %s", t.Expect.Outcome, strings.Join(Outcomes(), ", "))
		}
		if strings.TrimSpace(t.Expect.Reason) == "" {
			add(1, "expect.reason", "required: what this transcript proves")
		}
	}
	prev := 0.0
	hangups := 0
	for i, tu := range t.Turns {
		field := pathIndex("turns", i)
		switch {
		case math.IsNaN(tu.At) || math.IsInf(tu.At, 0) || tu.At < 0:
			add(line(i), field+".at", "must be seconds since ringing began, 0 or more")
		case tu.At < prev:
			add(line(i), field+".at", "%.1f is earlier than the turn before (%.1f)", tu.At, prev)
		default:
			prev = tu.At
		}
		tu.Problems(func(sub, format string, args ...any) {
			f := field
			if sub != "" {
				f = pathField(field, sub)
			}
			add(line(i), f, format, args...)
		})
		switch {
		case hangups > 0 && tu.Say != "":
			add(line(i), field, "nothing is said after the hang-up; only lookups and tickets follow it, in the wrap-up")
		case hangups > 1:
			add(line(i), field, "the second hang-up closes the wrap-up and must be the last turn")
		}
		if tu.Hangup {
			hangups++
		}
	}
	if len(list) > 0 {
		return nil, list
	}
	return &t, nil
}

func jsonError(file string, data []byte, err error) *yamlfile.Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &yamlfile.Error{File: file, Line: lineAt(data, se.Offset), Msg: se.Error()}
	case errors.As(err, &te):
		return &yamlfile.Error{File: file, Line: lineAt(data, te.Offset), Field: te.Field, Msg: fmt.Sprintf("expected %s, got %s", te.Type, te.Value)}
	case errors.Is(err, io.EOF):
		return &yamlfile.Error{File: file, Msg: "file is empty"}
	default:
		return &yamlfile.Error{File: file, Msg: err.Error()}
	}
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// objectLines returns the line of each object opening in the array under
// key, found by reading the tokens; nil if the shape is not as expected.
func objectLines(data []byte, key string) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	inArray := false
	var out []int
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if inArray && depth == 2 && v == '{' {
					out = append(out, lineAt(data, off+int64(leadingSpace(data[off:]))))
				}
				depth++
			case '}', ']':
				depth--
				if inArray && depth == 1 {
					return out
				}
			}
		case string:
			if depth == 1 && v == key && !inArray {
				inArray = true
			}
		}
	}
}

func leadingSpace(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\n' || b[n] == '\t' || b[n] == '\r' || b[n] == ',' || b[n] == ':') {
		n++
	}
	return n
}
