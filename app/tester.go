package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// MaxTesterLines bounds the sentences one run of the phrase tester matches.
const MaxTesterLines = 500

// TesterQuery is what a trainer gives the phrase tester: sentences, one per
// line, matched against the published phrasebook, or with Draft against it
// with a draft phrase file in place of its published version. With
// Scenario, a published scenario's id, they are matched as a call of that
// scenario hears them: its own phrases count, and the phrasebook is
// narrowed to its service.
type TesterQuery struct {
	Text     string
	Draft    *domain.Revision
	Scenario string
}

// TesterLine is a sentence the tester matched, with its hits.
type TesterLine struct {
	Text string      `json:"text"`
	Hits []TesterHit `json:"hits"`
}

// TesterHit is a hit: which entry and intent, where in the line (runes),
// the span matched, the entry's canonical wording, and the titles of the
// scenario's checklist items it counts for.
type TesterHit struct {
	ID      string   `json:"id"`
	Intent  string   `json:"intent"`
	Kind    string   `json:"kind"`
	Score   float64  `json:"score"`
	Start   int      `json:"start"`
	End     int      `json:"end"`
	Said    string   `json:"said"`
	Wording string   `json:"wording"`
	Items   []string `json:"items"`
}

// TestPhrases matches every line of the query that is not blank. A draft
// with problems gives them instead of lines. More than MaxTesterLines lines
// are invalid; an unknown scenario is not found.
func (m *Content) TestPhrases(ctx context.Context, q TesterQuery) ([]TesterLine, []Issue, error) {
	lines := strings.Split(strings.ReplaceAll(q.Text, "\r\n", "\n"), "\n")
	if len(lines) > MaxTesterLines {
		return nil, nil, fmt.Errorf("%w: %d lines, at most %d", domain.ErrInvalid, len(lines), MaxTesterLines)
	}
	cs, err := m.Published(ctx)
	if err != nil {
		return nil, nil, err
	}
	var sc *scenarios.Scenario
	filter := phrasebook.Filter{}
	if q.Scenario != "" {
		var ok bool
		if sc, ok = cs.Lib.Scenario(q.Scenario); !ok {
			return nil, nil, fmt.Errorf("%w: tester: no published scenario %q", store.ErrNotFound, q.Scenario)
		}
		filter = phrasebook.Filter{Domain: sc.Domain, Scope: sc.ID}
	}
	match := func(text string) []phrasebook.Hit { return cs.Book.Match(text, filter) }
	wording := func(id string) string {
		if e, ok := cs.Book.Entry(id); ok {
			return e.Text
		}
		if sc != nil {
			if p, ok := sc.Phrase(strings.TrimPrefix(id, sc.ID+"/")); ok {
				return p.Text
			}
		}
		return ""
	}
	if q.Draft != nil {
		var local []phrasebook.Entry
		if sc != nil {
			local = sc.LocalEntries()
		}
		dm, issues, err := cs.WithDraftPhrases(*q.Draft, local...)
		if err != nil || len(issues) > 0 {
			return nil, issues, err
		}
		defer dm.Close()
		match = func(text string) []phrasebook.Hit { return dm.Match(text, filter) }
		wording = func(id string) string {
			e, _ := dm.Entry(id)
			return e.Text
		}
	}
	out := []TesterLine{}
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		runes := []rune(line)
		l := TesterLine{Text: line, Hits: []TesterHit{}}
		for _, h := range match(line) {
			said := ""
			if h.Start >= 0 && h.End <= len(runes) && h.Start <= h.End {
				said = string(runes[h.Start:h.End])
			}
			l.Hits = append(l.Hits, TesterHit{ID: h.ID, Intent: string(h.Intent), Kind: string(h.Kind), Score: h.Score,
				Start: h.Start, End: h.End, Said: said, Wording: wording(h.ID), Items: countsFor(sc, h)})
		}
		out = append(out, l)
	}
	return out, nil, nil
}

// countsFor lists the titles of sc's checklist items that hit h counts
// for: items naming its intent, its entry, or the scenario's own phrase.
func countsFor(sc *scenarios.Scenario, h phrasebook.Hit) []string {
	out := []string{}
	if sc == nil {
		return out
	}
	for _, it := range sc.Checklist {
		for _, ref := range it.Refs() {
			if ref == string(h.Intent) || ref == h.ID || sc.LocalID(ref) == h.ID {
				out = append(out, it.Title)
				break
			}
		}
	}
	return out
}
