package app_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

func TestZZProfile(t *testing.T) {
	dsn := os.Getenv("PROFILE_DSN")
	if dsn == "" {
		t.Skip()
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lib, book, _ := sim.LoadBuiltin()
	defer book.Close()
	tm := func(name string, fn func() error) {
		for range 3 {
			t0 := time.Now()
			if err := fn(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %v", name, time.Since(t0))
		}
	}
	tm("users", func() error { _, err := db.ListUsers(ctx); return err })
	tm("cells", func() error { _, err := db.ReportCells(ctx, store.ReportFilter{}); return err })
	tm("findings", func() error { _, err := db.ReportFindings(ctx, store.ReportFilter{}, "item", 10); return err })
	tm("decisions", func() error { _, err := db.ListCertDecisions(ctx, store.CertDecisionFilter{}); return err })
	tr := lib.Tracks[0]
	var ids []string
	for _, e := range tr.Scenarios {
		ids = append(ids, e.ID)
	}
	tm("windows", func() error {
		_, err := db.ReportPassWindows(ctx, store.ReportFilter{}, "exam", ids, []float64{75, 80}, time.Now())
		return err
	})
	r := app.NewReports(db, func(context.Context) *scenarios.Library { return lib }, time.Now)
	tm("matrix", func() error { _, err := r.Matrix(ctx, app.ReportFilter{}, 0, 0); return err })
}
