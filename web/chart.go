package web

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// chart is a score trend laid out for the SVG the trainee page draws on the
// server: every coordinate is computed here, the template only places them.
type chart struct {
	Width, Height            int
	Left, Right, Top, Bottom float64
	YTicks                   []chartTick
	XTicks                   []chartTick
	Points                   []chartPoint
	// Line is the polyline through the points, "x,y x,y …".
	Line string
	// PassY is where the pass line sits; HasPass is false when the
	// attempts shown have no single pass mark (several scenarios).
	PassY    float64
	PassMark int
	HasPass  bool
}

// chartTick is an axis label at a position.
type chartTick struct {
	At    float64
	Label string
}

// chartPoint is one attempt.
type chartPoint struct {
	X, Y   float64
	Score  float64
	Exam   bool
	Passed bool
	Title  string
	When   string
}

// The chart's size in SVG user units; it scales with the page.
const (
	chartWidth  = 640
	chartHeight = 260
)

// scoreY maps a score (0-100) to its height on the chart.
func (c chart) scoreY(score float64) float64 {
	return c.Top + (100-min(max(score, 0), 100))*(c.Bottom-c.Top)/100
}

// trendChart lays out one point per attempt, oldest on the left, evenly
// spaced so that a burst of attempts on one day stays readable. passMark
// below zero draws no pass line.
func trendChart(attempts []store.Attempt, passMark int, titles map[string]string, loc *time.Location) chart {
	c := chart{Width: chartWidth, Height: chartHeight, Left: 40, Right: chartWidth - 12, Top: 12, Bottom: chartHeight - 32}
	for v := 0; v <= 100; v += 20 {
		c.YTicks = append(c.YTicks, chartTick{At: c.scoreY(float64(v)), Label: fmt.Sprint(v)})
	}
	if passMark >= 0 {
		c.HasPass, c.PassMark, c.PassY = true, passMark, c.scoreY(float64(passMark))
	}
	n := len(attempts)
	const pad = 12.0
	span := c.Right - c.Left - 2*pad
	var line []string
	for i, a := range attempts {
		x := c.Left + pad + span/2
		if n > 1 {
			x = c.Left + pad + span*float64(i)/float64(n-1)
		}
		p := chartPoint{X: round1(x), Y: round1(c.scoreY(a.Score)), Score: a.Score, Exam: a.Mode == domain.Exam,
			Passed: a.Passed, Title: cmp.Or(titles[a.ScenarioID], a.ScenarioID), When: a.Ended.In(loc).Format("2006-01-02 15:04")}
		c.Points = append(c.Points, p)
		line = append(line, fmt.Sprintf("%g,%g", p.X, p.Y))
		// Label every point when few, else the first, middle and last.
		if n <= 8 || i == 0 || i == n-1 || i == n/2 {
			c.XTicks = append(c.XTicks, chartTick{At: p.X, Label: a.Ended.In(loc).Format("01-02")})
		}
	}
	c.Line = strings.Join(line, " ")
	return c
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
