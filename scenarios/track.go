package scenarios

import (
	"strings"
)

// Track is a certification: the scenarios to pass in one mode, the minimum
// score for each, and how long the certificate stays valid.
type Track struct {
	ID        string       `yaml:"id" json:"id"`
	Title     string       `yaml:"title" json:"title"`
	ValidDays int          `yaml:"valid_days" json:"valid_days"`
	Mode      string       `yaml:"mode" json:"mode"`
	Scenarios []TrackEntry `yaml:"scenarios" json:"scenarios"`

	// File is the name the track was parsed from.
	File  string `yaml:"-" json:"-"`
	lines map[string]int
}

// TrackEntry is one scenario of a track and the score it needs.
type TrackEntry struct {
	ID       string `yaml:"id" json:"id"`
	MinScore int    `yaml:"min_score" json:"min_score"`
}

// Line returns the source line of a field path, as Scenario.Line does.
func (t *Track) Line(path string) int { return lineOf(t.lines, path) }

// ParseTrack parses and validates one track file. exists reports whether a
// scenario id is in the library; nil skips that check.
func ParseTrack(file string, data []byte, exists func(id string) bool) (*Track, error) {
	var t Track
	lines, err := decodeStrict(file, data, &t)
	if err != nil {
		return nil, err
	}
	t.File = file
	t.lines = lines
	c := &errs{file: file, lines: lines}
	switch {
	case t.ID == "":
		c.at("id", "required")
	case !idPattern.MatchString(t.ID):
		c.at("id", "%q: use lower-case letters, digits and '-'", t.ID)
	}
	if strings.TrimSpace(t.Title) == "" {
		c.at("title", "required")
	}
	if t.ValidDays <= 0 {
		c.at("valid_days", "required: how many days the certificate stays valid")
	}
	if t.Mode != "exam" && t.Mode != "practice" {
		c.at("mode", "%q: must be exam or practice", t.Mode)
	}
	if len(t.Scenarios) == 0 {
		c.at("scenarios", "required: at least one scenario")
	}
	seen := map[string]int{}
	for i, e := range t.Scenarios {
		path := pathIndex("scenarios", i)
		if prev, dup := seen[e.ID]; dup {
			c.at(path+".id", "duplicate scenario %q (first at scenarios[%d])", e.ID, prev)
		}
		seen[e.ID] = i
		switch {
		case e.ID == "":
			c.at(path+".id", "required")
		case exists != nil && !exists(e.ID):
			c.at(path+".id", "unknown scenario %q", e.ID)
		}
		if e.MinScore < 0 || e.MinScore > 100 {
			c.at(path+".min_score", "%d: must be 0-100", e.MinScore)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return &t, nil
}
