package app

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// File is a file a trainer hands in: its name as their machine had it.
type File struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// Import saves files (one YAML file, a scenario or a phrase file, and for
// a scenario its golden transcripts) as a new draft revision: of a new
// unit, or the next of an existing one. A scenario imported without golden
// transcripts keeps its current ones. It returns the revision and its
// problems against the published content.
func (m *Content) Import(ctx context.Context, by store.Actor, files []File, message string) (domain.Revision, []Issue, error) {
	var yamlName, yamlBody string
	golden := map[string]string{}
	for _, f := range files {
		base := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		switch {
		case strings.HasSuffix(base, ".scorecard.json"):
			// Expected scorecards are coach check's, not content.
		case strings.HasSuffix(base, ".json"):
			name := strings.TrimSuffix(base, ".json")
			if !store.ValidGoldenName(name) {
				return domain.Revision{}, nil, fmt.Errorf("%w: golden transcript name %q", domain.ErrInvalid, name)
			}
			golden[name] = f.Body
		case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
			if yamlName != "" {
				return domain.Revision{}, nil, fmt.Errorf("%w: import one YAML file at a time, got %s and %s", domain.ErrInvalid, yamlName, base)
			}
			yamlName, yamlBody = base, f.Body
		default:
			return domain.Revision{}, nil, fmt.Errorf("%w: %q is neither a .yaml file nor a golden .json transcript", domain.ErrInvalid, base)
		}
	}
	if yamlName == "" {
		return domain.Revision{}, nil, fmt.Errorf("%w: no .yaml file to import", domain.ErrInvalid)
	}
	r := domain.Revision{Body: yamlBody}
	switch scenarios.Classify([]byte(yamlBody)) {
	case scenarios.KindPhrasebook:
		r.Kind = domain.ContentPhrases
		r.ContentID = strings.TrimSuffix(strings.TrimSuffix(yamlName, ".yaml"), ".yml")
		if len(golden) > 0 {
			return domain.Revision{}, nil, fmt.Errorf("%w: golden transcripts belong to scenarios, not phrase files", domain.ErrInvalid)
		}
	case scenarios.KindTrack:
		return domain.Revision{}, nil, fmt.Errorf("%w: %s is a certification track; tracks are not authored here", domain.ErrInvalid, yamlName)
	default:
		r.Kind = domain.ContentScenario
		r.ContentID = topLevelID([]byte(yamlBody))
		if r.ContentID == "" {
			return domain.Revision{}, nil, fmt.Errorf("%w: %s has no top-level id", domain.ErrInvalid, yamlName)
		}
		r.Golden = golden
	}
	if !store.ValidContentID(r.ContentID) {
		return domain.Revision{}, nil, fmt.Errorf("%w: %q cannot name content: use lower-case letters and digits joined by '-'", domain.ErrInvalid, r.ContentID)
	}
	parent := store.NewContent
	if head, err := m.db.Head(ctx, r.Kind, r.ContentID); err == nil {
		parent = store.AnyParent
		if r.Kind == domain.ContentScenario && len(golden) == 0 {
			r.Golden = head.Golden
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return domain.Revision{}, nil, err
	}
	issues, err := m.Check(ctx, r)
	if err != nil {
		return domain.Revision{}, nil, err
	}
	message = strings.TrimSpace(message)
	if message == "" {
		message = "import " + yamlName
	}
	rev, err := m.db.SaveRevision(ctx, by, store.SaveRequest{Kind: r.Kind, ID: r.ContentID, Body: r.Body, Golden: r.Golden,
		Message: message, Parent: parent, Action: "import", Detail: "from " + yamlName})
	return rev, issues, err
}

// topLevelID reads a YAML document's top-level id without validating the
// rest, so that a file with problems can still be imported as a draft.
func topLevelID(data []byte) string {
	var doc struct {
		ID string `yaml:"id"`
	}
	if len(data) > store.MaxContentBody || yaml.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.ID
}

// idLine matches a scenario file's top-level id line.
var idLine = regexp.MustCompile(`(?m)^id:[ \t]*("[^"\n]*"|'[^'\n]*'|[^#\n]*?)[ \t]*(#.*)?$`)

// Clone saves a copy of scenario revision r, with its golden transcripts,
// as a new scenario newID, keeping the file otherwise as written.
func (m *Content) Clone(ctx context.Context, by store.Actor, r domain.Revision, newID string) error {
	if r.Kind != domain.ContentScenario {
		return fmt.Errorf("%w: only scenarios are cloned; a copied phrase file would repeat every entry id", domain.ErrInvalid)
	}
	if !store.ValidContentID(newID) {
		return fmt.Errorf("%w: new id %q: use lower-case letters and digits joined by '-'", domain.ErrInvalid, newID)
	}
	loc := idLine.FindStringSubmatchIndex(r.Body)
	if loc == nil {
		return fmt.Errorf("%w: scenario %s has no top-level id line to change", domain.ErrInvalid, r.ContentID)
	}
	body := r.Body[:loc[2]] + newID + r.Body[loc[3]:]
	scenarioRef := regexp.MustCompile(`("scenario"\s*:\s*)"` + regexp.QuoteMeta(r.ContentID) + `"`)
	golden := map[string]string{}
	for name, g := range r.Golden {
		golden[name] = scenarioRef.ReplaceAllString(g, `${1}"`+newID+`"`)
	}
	_, err := m.db.SaveRevision(ctx, by, store.SaveRequest{Kind: r.Kind, ID: newID, Body: body, Golden: golden,
		Message: fmt.Sprintf("clone of %s revision %d", r.ContentID, r.N), Parent: store.NewContent, Action: "clone",
		Detail: fmt.Sprintf("from %s revision %d", r.ContentID, r.N)})
	return err
}

// ScenarioZip is scenario revision r as a zip of ID/scenario.yaml and
// ID/golden/*.json, the layout coach check reads.
func ScenarioZip(r domain.Revision) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write([]byte(body))
		return err
	}
	if err := add(r.ContentID+"/scenario.yaml", r.Body); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(r.Golden)) {
		if err := add(r.ContentID+"/golden/"+name+".json", r.Golden[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DiffLine is one line of a unified diff, classed for colouring: file,
// hunk, add, del, or empty for context.
type DiffLine struct {
	Class string
	Text  string
}

// Diff is the unified diff from revision a to b of one unit: the file,
// then each golden transcript that changed.
func Diff(a, b domain.Revision) ([]DiffLine, error) {
	file := ScenarioFile(b.ContentID)
	if b.Kind == domain.ContentPhrases {
		file = PhraseFile(b.ContentID)
	}
	var out []DiffLine
	one := func(name, from, to string) error {
		if from == to {
			return nil
		}
		lines := func(s string) []string {
			if s == "" {
				return nil
			}
			return difflib.SplitLines(s)
		}
		fromName, toName := fmt.Sprintf("%s (r%d)", name, a.N), fmt.Sprintf("%s (r%d)", name, b.N)
		if from == "" {
			fromName = "/dev/null"
		}
		if to == "" {
			toName = "/dev/null"
		}
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: lines(from), B: lines(to), FromFile: fromName, ToFile: toName, Context: 3,
		})
		if err != nil {
			return fmt.Errorf("diff %s: %w", name, err)
		}
		for _, l := range strings.SplitAfter(text, "\n") {
			if l == "" {
				continue
			}
			class := ""
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
				class = "file"
			case strings.HasPrefix(l, "@@"):
				class = "hunk"
			case strings.HasPrefix(l, "+"):
				class = "add"
			case strings.HasPrefix(l, "-"):
				class = "del"
			}
			out = append(out, DiffLine{Class: class, Text: strings.TrimSuffix(l, "\n")})
		}
		return nil
	}
	if err := one(file, a.Body, b.Body); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(a.Golden))
	for _, n := range slices.Sorted(maps.Keys(b.Golden)) {
		if _, ok := a.Golden[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if err := one(GoldenFile(b.ContentID, n), a.Golden[n], b.Golden[n]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
