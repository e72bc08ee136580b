package reports

import (
	"fmt"
	"testing"
)

// TestColumnLabelsDoNotOverlap: with many months of one series the month
// names are thinned out so that no two overlap, the first month is named,
// and every column still names its month in its title.
func TestColumnLabelsDoNotOverlap(t *testing.T) {
	for _, n := range []int{3, 12, 24, 60} {
		var groups []string
		var values []Cell
		for i := range n {
			groups = append(groups, fmt.Sprintf("%s %d", []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[i%12], 2024+i/12))
			values = append(values, Cell{Value: float64(i + 1)})
		}
		c := Columns("Sessions", groups, []Series{{Name: "Sessions", Values: values}})
		var xs []float64
		for _, l := range c.Labels {
			if l.Class == "chart-axis" && l.Anchor == "middle" {
				xs = append(xs, l.X)
			}
		}
		if len(xs) == 0 || !containsText(c.Labels, groups[0]) {
			t.Fatalf("%d months: the first month is not named", n)
		}
		for i := 1; i < len(xs); i++ {
			if gap := xs[i] - xs[i-1]; gap < axisLabelWidth(groups) {
				t.Errorf("%d months: month names %.1f px apart, narrower than a name (%.1f px)", n, gap, axisLabelWidth(groups))
			}
		}
		if len(c.Bars) != n {
			t.Errorf("%d months: %d columns", n, len(c.Bars))
		}
	}
}

func containsText(labels []Label, text string) bool {
	for _, l := range labels {
		if l.Text == text {
			return true
		}
	}
	return false
}
