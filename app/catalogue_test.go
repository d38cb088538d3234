package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCatalogueFilter(t *testing.T) {
	for _, tt := range []struct {
		domain, level, q string
		want             app.CatalogueFilter
	}{
		{"", "", "", app.CatalogueFilter{}},
		{"heating", "2", " 漏水 ", app.CatalogueFilter{Domain: "heating", Level: 2, Q: "漏水"}},
		{"mars", "4", "", app.CatalogueFilter{}},
		{"", "x", "", app.CatalogueFilter{}},
		{"", "0", strings.Repeat("水", 60), app.CatalogueFilter{Q: strings.Repeat("水", 50)}},
	} {
		assert.Equal(t, tt.want, app.ParseCatalogueFilter(tt.domain, tt.level, tt.q), "%q %q %q", tt.domain, tt.level, tt.q)
	}
	assert.Equal(t, "domain=heating&level=2&q=%E6%BC%8F", app.CatalogueFilter{Domain: "heating", Level: 2, Q: "漏"}.Values().Encode())
}

func TestCatalogueFilterKeeps(t *testing.T) {
	sc := &scenarios.Scenario{ID: "leak", Title: "暖气片漏水", Summary: "Radiator leaks", Company: "暖心供热", Domain: "heating", Difficulty: 2}
	for _, tt := range []struct {
		f    app.CatalogueFilter
		want bool
	}{
		{app.CatalogueFilter{}, true},
		{app.CatalogueFilter{Domain: "heating", Level: 2}, true},
		{app.CatalogueFilter{Domain: "water"}, false},
		{app.CatalogueFilter{Level: 1}, false},
		{app.CatalogueFilter{Q: "漏水"}, true},
		{app.CatalogueFilter{Q: "radiator"}, true},
		{app.CatalogueFilter{Q: "LEAK"}, true},
		{app.CatalogueFilter{Q: "供热"}, true},
		{app.CatalogueFilter{Q: "欠费"}, false},
	} {
		assert.Equal(t, tt.want, tt.f.Keeps(sc), "%+v", tt.f)
	}
}

func TestScenarioCatalogue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	li := f.user(t, "li", domain.RoleTrainee)
	call, card := f.endedCall(t, li)

	all, err := f.app.ScenarioCatalogue(ctx, li, app.CatalogueFilter{})
	require.NoError(t, err)
	assert.Equal(t, len(f.lib.Scenarios), all.Total)
	require.Len(t, all.Scenarios, all.Total)
	for i := 1; i < len(all.Scenarios); i++ {
		assert.LessOrEqual(t, all.Scenarios[i-1].Difficulty, all.Scenarios[i].Difficulty, "easiest first")
	}
	for _, row := range all.Scenarios {
		if row.ID == call.ScenarioID {
			assert.Equal(t, app.Record{Attempts: 1, Best: card.Score, Passed: card.Passed}, row.Record, "the user's record on it")
		} else {
			assert.Zero(t, row.Attempts, row.ID)
		}
	}
	assert.Empty(t, all.Certified)

	sc, ok := f.lib.Scenario(call.ScenarioID)
	require.True(t, ok)
	some, err := f.app.ScenarioCatalogue(ctx, li, app.CatalogueFilter{Domain: sc.Domain, Level: sc.Difficulty})
	require.NoError(t, err)
	assert.Equal(t, all.Total, some.Total, "the total counts before filtering")
	assert.Less(t, len(some.Scenarios), all.Total)
	for _, row := range some.Scenarios {
		assert.Equal(t, sc.Domain, row.Domain)
		assert.Equal(t, sc.Difficulty, row.Difficulty)
	}
}
