package app

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
)

// CatalogueFilter narrows the scenario catalogue: a service domain, a
// difficulty (0: any) and words to find in the title, summary, id or
// company.
type CatalogueFilter struct {
	Domain string
	Level  int
	Q      string
}

// maxCatalogueQuery bounds the words searched for, in characters.
const maxCatalogueQuery = 50

// ParseCatalogueFilter reads a filter as asked for. Values it does not know
// are ignored, so that an old link still opens the catalogue.
func ParseCatalogueFilter(domainName, level, q string) CatalogueFilter {
	f := CatalogueFilter{Q: strings.TrimSpace(q)}
	if slices.Contains(scenarios.Domains(), domainName) {
		f.Domain = domainName
	}
	if l, err := strconv.Atoi(level); err == nil && l >= 1 && l <= 3 {
		f.Level = l
	}
	if utf8.RuneCountInString(f.Q) > maxCatalogueQuery {
		f.Q = string([]rune(f.Q)[:maxCatalogueQuery])
	}
	return f
}

// Keeps reports whether the filter keeps the scenario.
func (f CatalogueFilter) Keeps(sc *scenarios.Scenario) bool {
	if f.Domain != "" && sc.Domain != f.Domain || f.Level != 0 && sc.Difficulty != f.Level {
		return false
	}
	if f.Q == "" {
		return true
	}
	q := strings.ToLower(f.Q)
	for _, s := range []string{sc.Title, sc.Summary, sc.ID, sc.Company} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// Values is the filter as query parameters (domain, level, q), for links
// that keep it.
func (f CatalogueFilter) Values() url.Values {
	v := url.Values{}
	if f.Domain != "" {
		v.Set("domain", f.Domain)
	}
	if f.Level != 0 {
		v.Set("level", strconv.Itoa(f.Level))
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	return v
}

// CatalogueRow is a scenario with the user's record on it.
type CatalogueRow struct {
	*scenarios.Scenario
	Record
}

// ScenarioCatalogue is what a user picks a call from.
type ScenarioCatalogue struct {
	// Scenarios are those the filter keeps, easiest first; Total counts
	// them all.
	Scenarios []CatalogueRow
	Total     int
	// Certified are the titles of the tracks the user holds a valid
	// certificate on.
	Certified []string
}

// ScenarioCatalogue lists the published scenarios the filter keeps with
// user u's record on each.
func (a *App) ScenarioCatalogue(ctx context.Context, u domain.User, f CatalogueFilter) (*ScenarioCatalogue, error) {
	records, err := a.Records(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	lib, err := a.content.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	out := &ScenarioCatalogue{Scenarios: []CatalogueRow{}, Total: len(lib.Scenarios)}
	for _, sc := range ByDifficulty(lib.Scenarios) {
		if f.Keeps(sc) {
			out.Scenarios = append(out.Scenarios, CatalogueRow{Scenario: sc, Record: records[sc.ID]})
		}
	}
	standings, err := a.TrackStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	for _, st := range standings {
		if st.Certified() {
			out.Certified = append(out.Certified, st.Track.Title)
		}
	}
	return out, nil
}
