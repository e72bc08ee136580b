package reports

import (
	"fmt"
	"math"
)

// Chart is an SVG chart laid out in Go and drawn by the "svg-chart"
// template (templates/partials/chart.html): every coordinate is computed
// here, the template only writes elements, so html/template escapes
// every value and no markup is built from strings.
type Chart struct {
	Title         string
	Width, Height int
	Bars          []Bar
	Lines         []Line
	Points        []Point
	Labels        []Label
	Legend        []Label
}

// Bar is a rectangle; Title is its tooltip (and accessible text).
type Bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// Line is a straight line (axes, grid, trend segments).
type Line struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

// Point is a marker on a trend line.
type Point struct {
	X, Y  float64
	Class string
	Title string
}

// Label is text at a position; Anchor is start, middle or end.
type Label struct {
	X, Y   float64
	Text   string
	Anchor string
	Class  string
}

// Item is one labelled figure of a horizontal bar chart.
type Item struct {
	Label string
	Cell  Cell
	Class string
}

func r1(x float64) float64 { return math.Round(x*10) / 10 }

// HBars lays out a horizontal bar chart: one row per item, bars scaled
// to the largest shown value; a suppressed item gets no bar and says so.
func HBars(title string, items []Item) Chart {
	const labelW, barW, rowH, gap, valueW = 150.0, 300.0, 22.0, 6.0, 110.0
	c := Chart{Title: title, Width: int(labelW + barW + valueW), Height: int(float64(len(items))*(rowH+gap) + gap)}
	max := 0.0
	for _, it := range items {
		if it.Cell.Shown() && it.Cell.Value > max {
			max = it.Cell.Value
		}
	}
	for i, it := range items {
		y := gap + float64(i)*(rowH+gap)
		c.Labels = append(c.Labels, Label{X: labelW - 8, Y: r1(y + rowH*0.7), Text: it.Label, Anchor: "end", Class: "chart-label"})
		w := 0.0
		if it.Cell.Shown() && max > 0 {
			w = r1(barW * it.Cell.Value / max)
		}
		class := it.Class
		if class == "" {
			class = "bar"
		}
		if it.Cell.Suppressed {
			class = "bar bar-suppressed"
		}
		if w > 0 {
			c.Bars = append(c.Bars, Bar{X: labelW, Y: r1(y), W: w, H: rowH, Class: class, Title: it.Label + ": " + it.Cell.String()})
		}
		c.Labels = append(c.Labels, Label{X: r1(labelW + w + 6), Y: r1(y + rowH*0.7), Text: it.Cell.String(), Anchor: "start", Class: "chart-value"})
	}
	return c
}

// Series is one kind of bar in a grouped column chart.
type Series struct {
	Name   string
	Class  string
	Values []Cell // one per group
}

// Columns lays out a grouped column chart: groups along the x axis (months),
// one column per series in each group, scaled to the largest shown value,
// with a value axis of four steps.
func Columns(title string, groups []string, series []Series) Chart {
	const left, top, plotH, bottom, colW, groupGap = 44.0, 12.0, 180.0, 46.0, 14.0, 14.0
	groupW := float64(len(series))*colW + groupGap
	c := Chart{Title: title, Width: int(left + float64(len(groups))*groupW + 10), Height: int(top + plotH + bottom)}
	if c.Width < 240 {
		c.Width = 240
	}
	max := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			if v.Shown() && v.Value > max {
				max = v.Value
			}
		}
	}
	step := niceStep(max / 4)
	top4 := step * 4
	base := top + plotH
	for i := 0; i <= 4; i++ {
		y := r1(base - plotH*float64(i)/4)
		c.Lines = append(c.Lines, Line{X1: left, Y1: y, X2: float64(c.Width) - 4, Y2: y, Class: "chart-grid"})
		c.Labels = append(c.Labels, Label{X: left - 4, Y: y + 4, Text: trimFloat(step * float64(i)), Anchor: "end", Class: "chart-axis"})
	}
	// Name every group, or every second, third… when the names are wider
	// than a group (many months of one series); each column's title still
	// names its group.
	every := 1
	if w := axisLabelWidth(groups); w > groupW {
		every = int(math.Ceil(w / groupW))
	}
	for g, name := range groups {
		x0 := left + groupGap/2 + float64(g)*groupW
		if g%every == 0 {
			c.Labels = append(c.Labels, Label{X: r1(x0 + float64(len(series))*colW/2), Y: base + 16, Text: name, Anchor: "middle", Class: "chart-axis"})
		}
		for i, s := range series {
			v := s.Values[g]
			x := r1(x0 + float64(i)*colW)
			if v.Suppressed {
				c.Labels = append(c.Labels, Label{X: r1(x + colW/2), Y: base - 4, Text: "<5", Anchor: "middle", Class: "chart-suppressed"})
				continue
			}
			if !v.Shown() || v.Value <= 0 || top4 <= 0 {
				continue
			}
			h := r1(plotH * v.Value / top4)
			c.Bars = append(c.Bars, Bar{X: x, Y: r1(base - h), W: colW - 2, H: h, Class: s.Class, Title: fmt.Sprintf("%s, %s: %s", name, s.Name, v)})
		}
	}
	for i, s := range series {
		c.Legend = append(c.Legend, Label{X: left + float64(i)*110, Y: base + 36, Text: s.Name, Class: s.Class})
	}
	return c
}

// axisLabelWidth estimates the width in pixels the widest of labels takes
// on an axis (the axis font averages under 6.5 pixels a character), with
// a gap after it.
func axisLabelWidth(labels []string) float64 {
	widest := 0
	for _, l := range labels {
		widest = max(widest, len([]rune(l)))
	}
	return 6.5*float64(widest) + 6
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			if m*p < 1 {
				return 1
			}
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

// Trend lays out a line chart of values over labelled points in time
// (a feedback trend, goal progress); points without a shown value break
// the line.
func Trend(title string, labels []string, values []Cell, max float64) Chart {
	const left, top, plotH, bottom, stepW = 44.0, 12.0, 150.0, 30.0, 56.0
	c := Chart{Title: title, Width: int(left + float64(len(labels))*stepW + 10), Height: int(top + plotH + bottom)}
	if c.Width < 240 {
		c.Width = 240
	}
	base := top + plotH
	for i := 0; i <= 4; i++ {
		y := r1(base - plotH*float64(i)/4)
		c.Lines = append(c.Lines, Line{X1: left, Y1: y, X2: float64(c.Width) - 4, Y2: y, Class: "chart-grid"})
		c.Labels = append(c.Labels, Label{X: left - 4, Y: y + 4, Text: trimFloat(max * float64(i) / 4), Anchor: "end", Class: "chart-axis"})
	}
	var prev *Point
	for i, l := range labels {
		x := r1(left + stepW/2 + float64(i)*stepW)
		c.Labels = append(c.Labels, Label{X: x, Y: base + 16, Text: l, Anchor: "middle", Class: "chart-axis"})
		v := values[i]
		if !v.Shown() || max <= 0 {
			prev = nil
			continue
		}
		p := Point{X: x, Y: r1(base - plotH*math.Min(v.Value, max)/max), Class: "chart-point", Title: l + ": " + v.String()}
		if prev != nil {
			c.Lines = append(c.Lines, Line{X1: prev.X, Y1: prev.Y, X2: p.X, Y2: p.Y, Class: "chart-trend"})
		}
		c.Points = append(c.Points, p)
		prev = &c.Points[len(c.Points)-1]
	}
	return c
}
