package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEditorReads checks what the editor's pages read: the list of units,
// a revision by id or the newest, the history with its diffs, and the
// downloads.
func TestEditorReads(t *testing.T) {
	ctx := context.Background()
	f := storeFixture(t)
	content := f.app.Content()
	published(t, f.app)
	by := store.Actor{Name: "wang"}
	save := func(body string, parent int) domain.Revision {
		t.Helper()
		r, err := app.Draft(string(domain.ContentPhrases), "extra", body, nil)
		require.NoError(t, err)
		rev, _, err := content.SaveDraft(ctx, by, r, "edit", parent)
		require.NoError(t, err)
		return rev
	}
	r, err := app.Draft(string(domain.ContentPhrases), "extra", app.NewUnitBody(domain.ContentPhrases), nil)
	require.NoError(t, err)
	_, _, err = content.SaveDraft(ctx, by, r, "edit", store.AnyParent)
	assert.ErrorIs(t, err, domain.ErrInvalid, "the editor names the revision it started from")
	first := save(app.NewUnitBody(domain.ContentPhrases), 0)
	second := save(strings.Replace(first.Body, "您好，很高兴为您服务", "您好，很高兴为您效劳", 1), first.N)

	units, err := content.Units(ctx)
	require.NoError(t, err)
	ids := func(cis []store.ContentInfo) []string {
		var out []string
		for _, ci := range cis {
			out = append(out, ci.ID)
		}
		return out
	}
	assert.Contains(t, ids(units.Phrases), "extra")
	assert.Contains(t, ids(units.Scenarios), "leak")
	assert.NotContains(t, ids(units.Scenarios), "extra")
	assert.NotEmpty(t, units.Titles["leak"], "published scenarios have their titles")

	info, head, err := content.Unit(ctx, domain.ContentPhrases, "extra")
	require.NoError(t, err)
	assert.Equal(t, second.ID, head.ID)
	assert.Equal(t, second.N, info.HeadN)

	for _, tt := range []struct {
		name string
		kind domain.ContentKind
		id   string
		n    int64
		want int64
	}{
		{"zero is the newest", domain.ContentPhrases, "extra", 0, second.ID},
		{"by id", domain.ContentPhrases, "extra", first.ID, first.ID},
		{"another unit's revision", domain.ContentScenario, "leak", first.ID, 0},
		{"no such revision", domain.ContentPhrases, "extra", 1 << 40, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := content.RevisionOf(ctx, tt.kind, tt.id, tt.n)
			if tt.want == 0 {
				assert.ErrorIs(t, err, store.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.ID)
		})
	}

	_, history, err := content.History(ctx, domain.ContentPhrases, "extra")
	require.NoError(t, err)
	require.Len(t, history, 2)
	assert.Equal(t, []int64{second.ID, first.ID}, []int64{history[0].Rev.ID, history[1].Rev.ID}, "newest first")
	classes := func(d []app.DiffLine) map[string]int {
		out := map[string]int{}
		for _, l := range d {
			out[l.Class]++
		}
		return out
	}
	assert.Equal(t, map[string]int{"file": 2, "hunk": 1, "add": 1, "del": 1, "": 6}, classes(history[0].Diff), "one line changed, in context")
	// Seven lines, and difflib counts the end of the file as an eighth.
	assert.Equal(t, map[string]int{"file": 2, "hunk": 1, "add": 8}, classes(history[1].Diff), "the first revision is all new")
}

func TestExport(t *testing.T) {
	scenario := domain.Revision{Kind: domain.ContentScenario, ContentID: "leak", N: 3, Body: "id: leak\n", Golden: map[string]string{"good": "{}"}}
	phrases := domain.Revision{Kind: domain.ContentPhrases, ContentID: "extra", N: 2, Body: "entries: []\n"}
	for _, tt := range []struct {
		name     string
		r        domain.Revision
		yamlOnly bool
		file     string
		typ      string
	}{
		{"a phrase file as YAML", phrases, false, "extra.yaml", "application/yaml; charset=utf-8"},
		{"a phrase file asked for as YAML", phrases, true, "extra.yaml", "application/yaml; charset=utf-8"},
		{"a scenario's file alone", scenario, true, "scenario.yaml", "application/yaml; charset=utf-8"},
		{"a scenario with its transcripts", scenario, false, "leak-r3.zip", "application/zip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := app.Export(tt.r, tt.yamlOnly)
			require.NoError(t, err)
			assert.Equal(t, tt.file, d.Name)
			assert.Equal(t, tt.typ, d.ContentType)
			if tt.typ != "application/zip" {
				assert.Equal(t, tt.r.Body, string(d.Data))
				return
			}
			zr, err := zip.NewReader(bytes.NewReader(d.Data), int64(len(d.Data)))
			require.NoError(t, err)
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			assert.Equal(t, []string{"leak/scenario.yaml", "leak/golden/good.json"}, names, "the layout coach check reads")
		})
	}
}
