// Package chart lays out a trainee's score trend for an SVG drawn on the
// server: every coordinate is computed here, so a template only places
// them and the page needs no script.
package chart

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// Chart is a score trend laid out in SVG user units.
type Chart struct {
	Width, Height            int
	Left, Right, Top, Bottom float64
	YTicks                   []Tick
	XTicks                   []Tick
	Points                   []Point
	// Series are the attempts per scenario, each with its own line and
	// colour: joining different scenarios into one line would say
	// nothing.
	Series []Series
	// XTitle names the x axis: the dates, or the one day the attempts
	// fall on when their ticks give times.
	XTitle string
	// PassY is where the pass line sits; HasPass is false when the
	// attempts shown have no single pass mark (several scenarios).
	PassY    float64
	PassMark int
	HasPass  bool
}

// Tick is an axis label at a position.
type Tick struct {
	At    float64
	Label string
}

// Point is one attempt.
type Point struct {
	X, Y   float64
	Score  float64
	Exam   bool
	Passed bool
	Title  string
	When   string
	Color  string
}

// Series is one scenario's attempts: its polyline ("x,y x,y …"),
// colour and title.
type Series struct {
	ID, Title, Color, Line string
	Points                 int
}

// minTickGap is the least distance in user units between two x labels.
const minTickGap = 56

// The chart's size in SVG user units; it scales with the page.
const (
	chartWidth  = 640
	chartHeight = 260
)

// scoreY maps a score (0-100) to its height on the chart.
func (c Chart) scoreY(score float64) float64 {
	return c.Top + (100-min(max(score, 0), 100))*(c.Bottom-c.Top)/100
}

// Trend lays out one point per attempt, oldest on the left, evenly spaced
// so that a burst of attempts on one day stays readable. titles names the
// scenarios; dates and times are written in loc. passMark below zero draws
// no pass line.
func Trend(attempts []store.Attempt, passMark int, titles map[string]string, loc *time.Location) Chart {
	// The colours tell up to eight scenarios apart, each dark enough to
	// read on white; more scenarios reuse them in turn.
	seriesColors := [...]string{"#0f6b74", "#b3261e", "#6a4c93", "#b7651f", "#1d6fb8", "#3b7d23", "#8a3b6e", "#4d5560"}
	c := Chart{Width: chartWidth, Height: chartHeight, Left: 40, Right: chartWidth - 12, Top: 12, Bottom: chartHeight - 32}
	for v := 0; v <= 100; v += 20 {
		c.YTicks = append(c.YTicks, Tick{At: c.scoreY(float64(v)), Label: fmt.Sprint(v)})
	}
	if passMark >= 0 {
		c.HasPass, c.PassMark, c.PassY = true, passMark, c.scoreY(float64(passMark))
	}
	n := len(attempts)
	const pad = 12.0
	span := c.Right - c.Left - 2*pad
	// One day: the ticks give times and the axis title the day. Several:
	// each tick gives a day, at its first attempt.
	days := map[string]bool{}
	for _, a := range attempts {
		days[a.Ended.In(loc).Format(time.DateOnly)] = true
	}
	oneDay := len(days) == 1
	if oneDay {
		c.XTitle = attempts[0].Ended.In(loc).Format(time.DateOnly)
	}
	series := map[string]int{}
	lines := map[string][]string{}
	lastLabel, lastTick := "", math.Inf(-1)
	for i, a := range attempts {
		x := c.Left + pad + span/2
		if n > 1 {
			x = c.Left + pad + span*float64(i)/float64(n-1)
		}
		k, ok := series[a.ScenarioID]
		if !ok {
			k = len(c.Series)
			series[a.ScenarioID] = k
			c.Series = append(c.Series, Series{ID: a.ScenarioID, Title: cmp.Or(titles[a.ScenarioID], a.ScenarioID),
				Color: seriesColors[k%len(seriesColors)]})
		}
		p := Point{X: round1(x), Y: round1(c.scoreY(a.Score)), Score: a.Score, Exam: a.Mode == domain.Exam,
			Passed: a.Passed, Title: c.Series[k].Title, When: a.Ended.In(loc).Format("2006-01-02 15:04"), Color: c.Series[k].Color}
		c.Points = append(c.Points, p)
		c.Series[k].Points++
		lines[a.ScenarioID] = append(lines[a.ScenarioID], fmt.Sprintf("%g,%g", p.X, p.Y))
		label := a.Ended.In(loc).Format("01-02")
		if oneDay {
			label = a.Ended.In(loc).Format("15:04")
		}
		if label != lastLabel && p.X-lastTick >= minTickGap {
			c.XTicks = append(c.XTicks, Tick{At: p.X, Label: label})
			lastLabel, lastTick = label, p.X
		}
	}
	for i := range c.Series {
		c.Series[i].Line = strings.Join(lines[c.Series[i].ID], " ")
	}
	return c
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
