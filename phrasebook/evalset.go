package phrasebook

import (
	"embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The labelled evaluation sets that ship in the binary, so that a
// publication of phrase changes can be checked against them: the
// hand-written set (testdata/eval.yaml) and the blind development sets
// (testdata/blind/dev.yaml, dev2.yaml, dev3.yaml). The blind hold-out set stays out: it
// is only read through the test's figures, never tuned against.
//
//go:embed testdata/eval.yaml testdata/blind/dev.yaml testdata/blind/dev2.yaml testdata/blind/dev3.yaml
var evalFS embed.FS

// The built-in evaluation sets, by the name EvalCase.Set carries.
const (
	EvalSetHand = "eval"
	EvalSetDev  = "dev"
)

// EvalCase is one labelled utterance of an evaluation set.
type EvalCase struct {
	Text string   `yaml:"text"`
	Want []Intent `yaml:"want"`
	// Scenario, when set, is the scenario the reply is said in: it is
	// matched with that scenario's own entries too.
	Scenario string `yaml:"scenario"`
	// Set names the set the case comes from.
	Set string `yaml:"-"`
}

// Wants reports whether the case is labelled with intent i.
func (c EvalCase) Wants(i Intent) bool {
	for _, w := range c.Want {
		if w == i {
			return true
		}
	}
	return false
}

// EvalSets returns the cases of the built-in evaluation sets, the
// hand-written set first.
func EvalSets() ([]EvalCase, error) {
	var out []EvalCase
	for _, set := range []struct{ name, file string }{
		{EvalSetHand, "testdata/eval.yaml"},
		{EvalSetDev, "testdata/blind/dev.yaml"},
		{EvalSetDev, "testdata/blind/dev2.yaml"},
		{EvalSetDev, "testdata/blind/dev3.yaml"},
	} {
		data, err := evalFS.ReadFile(set.file)
		if err != nil {
			return nil, fmt.Errorf("evaluation set %s: %w", set.name, err)
		}
		var f struct {
			Cases []EvalCase `yaml:"cases"`
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("evaluation set %s: %w", set.file, err)
		}
		for i := range f.Cases {
			f.Cases[i].Set = set.name
		}
		out = append(out, f.Cases...)
	}
	return out, nil
}
