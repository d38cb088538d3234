package app

import (
	"context"
	"fmt"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// What the editor's pages read of the content a trainer writes: the list of
// units, one unit with its newest revision, its history, and a revision to
// act on or download.

// Units are every scenario and phrase file with its state, and the titles
// of the published scenarios by id.
type Units struct {
	Scenarios, Phrases []store.ContentInfo
	Titles             map[string]string
}

// Units lists the content.
func (m *Content) Units(ctx context.Context) (Units, error) {
	cs, err := m.Published(ctx)
	if err != nil {
		return Units{}, err
	}
	all, err := m.db.ListContent(ctx)
	if err != nil {
		return Units{}, err
	}
	out := Units{Titles: map[string]string{}}
	for _, ci := range all {
		if ci.Kind != domain.ContentScenario {
			out.Phrases = append(out.Phrases, ci)
			continue
		}
		out.Scenarios = append(out.Scenarios, ci)
		if sc, ok := cs.Lib.Scenario(ci.ID); ok {
			out.Titles[ci.ID] = sc.Title
		}
	}
	return out, nil
}

// Unit is a unit's state and its newest revision.
func (m *Content) Unit(ctx context.Context, kind domain.ContentKind, id string) (store.ContentInfo, domain.Revision, error) {
	info, err := m.db.Content(ctx, kind, id)
	if err != nil {
		return store.ContentInfo{}, domain.Revision{}, err
	}
	head, err := m.db.Head(ctx, kind, id)
	return info, head, err
}

// RevisionOf is revision n (its id) of the unit, or with n zero its newest.
// A revision of another unit is not found.
func (m *Content) RevisionOf(ctx context.Context, kind domain.ContentKind, id string, n int64) (domain.Revision, error) {
	if n == 0 {
		return m.db.Head(ctx, kind, id)
	}
	r, err := m.db.Revision(ctx, n)
	if err != nil {
		return domain.Revision{}, err
	}
	if r.Kind != kind || r.ContentID != id {
		return domain.Revision{}, fmt.Errorf("%w: revision %d is not of %s/%s", store.ErrNotFound, n, kind, id)
	}
	return r, nil
}

// HistoryEntry is a revision with its unified diff from the one before.
type HistoryEntry struct {
	Rev  domain.Revision
	Diff []DiffLine
}

// History is every revision of the unit, newest first, each with its diff
// from the one before, and the unit's state.
func (m *Content) History(ctx context.Context, kind domain.ContentKind, id string) (store.ContentInfo, []HistoryEntry, error) {
	info, err := m.db.Content(ctx, kind, id)
	if err != nil {
		return store.ContentInfo{}, nil, err
	}
	revs, err := m.db.Revisions(ctx, kind, id)
	if err != nil {
		return store.ContentInfo{}, nil, err
	}
	out := make([]HistoryEntry, 0, len(revs))
	for i, r := range revs {
		var prev domain.Revision
		if i+1 < len(revs) {
			prev = revs[i+1]
		}
		d, err := Diff(prev, r)
		if err != nil {
			return store.ContentInfo{}, nil, err
		}
		out = append(out, HistoryEntry{Rev: r, Diff: d})
	}
	return info, out, nil
}

// Download is a file to hand to the browser.
type Download struct {
	Name, ContentType string
	Data              []byte
}

// Export is revision r as a download: a phrase file, or with yamlOnly a
// scenario's file alone, as YAML; a scenario otherwise as ScenarioZip.
func Export(r domain.Revision, yamlOnly bool) (Download, error) {
	switch {
	case r.Kind == domain.ContentPhrases:
		return Download{Name: r.ContentID + ".yaml", ContentType: "application/yaml; charset=utf-8", Data: []byte(r.Body)}, nil
	case yamlOnly:
		return Download{Name: "scenario.yaml", ContentType: "application/yaml; charset=utf-8", Data: []byte(r.Body)}, nil
	}
	zipped, err := ScenarioZip(r)
	if err != nil {
		return Download{}, err
	}
	return Download{Name: fmt.Sprintf("%s-r%d.zip", r.ContentID, r.N), ContentType: "application/zip", Data: zipped}, nil
}
