package chart_test

import (
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/chart"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func attempt(scenario string, mode domain.Mode, ended time.Time, score float64, passed bool) store.Attempt {
	return store.Attempt{Call: store.Call{ScenarioID: scenario, Mode: mode, Ended: ended, Score: score, Passed: passed}}
}

// daily is n exams of leak, a day apart from start.
func daily(start time.Time, n int) []store.Attempt {
	var out []store.Attempt
	for i := range n {
		out = append(out, attempt("leak", domain.Exam, start.AddDate(0, 0, i), float64(5*i), false))
	}
	return out
}

func TestTrend(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	day := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	titles := map[string]string{"leak": "漏水"}
	tests := []struct {
		name     string
		attempts []store.Attempt
		passMark int
		// want
		xs      []float64
		ys      []float64
		series  []string
		xTitle  string
		xLabels []string
		hasPass bool
	}{
		{
			name:     "one attempt sits in the middle",
			attempts: []store.Attempt{attempt("leak", domain.Exam, day, 100, true)},
			passMark: 70,
			xs:       []float64{334}, ys: []float64{12}, series: []string{"漏水"},
			xTitle: "2026-03-01", xLabels: []string{"09:00"}, hasPass: true,
		},
		{
			name: "one day: times on the axis, the day as its title",
			attempts: []store.Attempt{attempt("leak", domain.Practice, day, 0, false), attempt("leak", domain.Exam, day.Add(time.Minute), 50, false),
				attempt("leak", domain.Exam, day.Add(2*time.Hour), 75, true)},
			passMark: 70,
			xs:       []float64{52, 334, 616}, ys: []float64{228, 120, 66}, series: []string{"漏水"},
			xTitle: "2026-03-01", xLabels: []string{"09:00", "09:01", "11:00"}, hasPass: true,
		},
		{
			name:     "several days and scenarios: dates on the axis, a series each, no pass line",
			attempts: []store.Attempt{attempt("leak", domain.Exam, day, 40, false), attempt("arrears", domain.Exam, day.AddDate(0, 0, 1), 90, true)},
			passMark: -1,
			xs:       []float64{52, 616}, ys: []float64{141.6, 33.6}, series: []string{"漏水", "arrears"},
			xLabels: []string{"03-01", "03-02"},
		},
		{
			// Twelve points 51.3 apart: a label needs 56, so every other
			// day is named.
			name:     "labels closer than the gap are left off",
			attempts: daily(day, 12),
			passMark: -1,
			series:   []string{"漏水"},
			xLabels:  []string{"03-01", "03-03", "03-05", "03-07", "03-09", "03-11"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := chart.Trend(tt.attempts, tt.passMark, titles, shanghai)
			require.Len(t, c.Points, len(tt.attempts))
			var xs, ys []float64
			for i, p := range c.Points {
				xs, ys = append(xs, p.X), append(ys, p.Y)
				assert.Equal(t, tt.attempts[i].Score, p.Score)
				assert.Equal(t, tt.attempts[i].Mode == domain.Exam, p.Exam)
			}
			if tt.xs != nil {
				assert.Equal(t, tt.xs, xs)
				assert.Equal(t, tt.ys, ys)
			}
			var series, labels []string
			points := 0
			for _, s := range c.Series {
				series = append(series, s.Title)
				points += s.Points
			}
			assert.Equal(t, len(tt.attempts), points)
			for _, tk := range c.XTicks {
				labels = append(labels, tk.Label)
			}
			assert.Equal(t, tt.series, series)
			assert.Equal(t, tt.xLabels, labels)
			assert.Equal(t, tt.xTitle, c.XTitle)
			assert.Equal(t, tt.hasPass, c.HasPass)
			if tt.hasPass {
				assert.InDelta(t, 12+float64(100-tt.passMark)*216/100, c.PassY, 1e-9)
			}
			assert.Len(t, c.YTicks, 6, "0 to 100 by 20")
		})
	}
}

func TestTrendSeriesLines(t *testing.T) {
	day := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	c := chart.Trend([]store.Attempt{attempt("leak", domain.Exam, day, 100, true), attempt("arrears", domain.Exam, day.Add(time.Hour), 0, false),
		attempt("leak", domain.Exam, day.Add(2*time.Hour), 50, false)}, -1, nil, time.UTC)
	require.Len(t, c.Series, 2)
	assert.Equal(t, "52,12 616,120", c.Series[0].Line, "a scenario's points joined in order")
	assert.Equal(t, "334,228", c.Series[1].Line)
	assert.Equal(t, "arrears", c.Series[1].Title, "an id without a title is its own title")
	assert.NotEqual(t, c.Series[0].Color, c.Series[1].Color)
	assert.Equal(t, c.Series[0].Color, c.Points[2].Color)
}
