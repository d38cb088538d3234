package app

import (
	"context"
	"fmt"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// MatrixPageSize is how many trainees one page of the team dashboard
// shows; the CSV has them all.
const MatrixPageSize = 100

// Dashboard is a page of the managers' team dashboard: the matrix's page
// of trainees, the work-order accuracy, and the track assignments with the
// tracks to assign.
type Dashboard struct {
	Report *Report
	// Page of Pages is shown (from 1).
	Page, Pages int
	Tickets     TicketAccuracy
	Assignments []store.TrackAssignment
	Tracks      []*scenarios.Track
	// TrackTitles names the tracks by id.
	TrackTitles map[string]string
}

// Dashboard reads page (from 1) of the team dashboard for the filter.
func (a *App) Dashboard(ctx context.Context, f ReportFilter, page int) (*Dashboard, error) {
	if page < 1 || page > 1_000_000 {
		return nil, fmt.Errorf("%w: page %d", domain.ErrInvalid, page)
	}
	r, err := a.ReportMatrix(ctx, f, (page-1)*MatrixPageSize, MatrixPageSize)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Report: r, Page: page, Pages: max(1, (r.Total+MatrixPageSize-1)/MatrixPageSize),
		Tracks: a.Tracks(ctx), TrackTitles: map[string]string{}}
	if d.Assignments, err = a.db.ListTrackAssignments(ctx); err != nil {
		return nil, err
	}
	if d.Tickets, err = a.TicketAccuracy(ctx, f); err != nil {
		return nil, err
	}
	for _, t := range d.Tracks {
		d.TrackTitles[t.ID] = t.Title
	}
	return d, nil
}
