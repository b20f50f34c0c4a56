package chart

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/nectar-dev/nectar/types"
)

// Size of every chart; PNGs are drawn at DPI (twice a point's 72, sharp on
// high-density screens and in slides, as the experiment charts).
const (
	Width  = 8 * vg.Inch
	Height = 4.5 * vg.Inch
	DPI    = 144
)

// MaxSeries bounds the lines or bar groups of a chart: past a dozen, the
// colours repeat and the legend hides the plot.
const MaxSeries = 12

// ErrNotPlottable is wrapped by every reason a result cannot be drawn.
var ErrNotPlottable = errors.New("cannot plot the result")

// Series is one line, or one colour of bars.
type Series struct {
	Name string
	X, Y []float64 // points (lines); for bars X is the category's index
}

// Chart is a result ready to draw.
type Chart struct {
	Title, XLabel, YLabel string
	Bars                  bool     // categories on x; else lines
	Categories            []string // the bars' x labels, in order of first appearance
	TimeX                 bool     // x holds Unix seconds
	DateX                 bool     // x holds Unix seconds of midnights: label days
	Series                []Series
}

func notPlottable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotPlottable, fmt.Sprintf(format, args...))
}

// FromRows lays out a result: the first column is x; a second column that
// is not numeric, followed by numbers, names the series (long form, as
// GROUP BY x, key gives); otherwise each numeric column after the first is
// a series (wide form). NULL numbers leave a gap; a NULL key is a series
// named NULL.
func FromRows(schema types.Schema, rows [][]types.Value) (*Chart, error) {
	if len(schema) < 2 {
		return nil, notPlottable("a chart needs two columns, x then the numbers to draw; the result has %d", len(schema))
	}
	if len(rows) == 0 {
		return nil, notPlottable("the result has no rows")
	}
	xcol := schema[0]
	c := &Chart{XLabel: xcol.Name}
	switch xcol.Kind {
	case types.Timestamp:
		c.TimeX = true
	case types.Date:
		c.TimeX, c.DateX = true, true
	case types.Int, types.Float:
	default:
		c.Bars = true
	}
	key := -1
	if len(schema) >= 3 && !schema[1].Kind.IsNumeric() {
		key = 1
	}
	var ycols []int
	for j := 1; j < len(schema); j++ {
		if j == key {
			continue
		}
		if !schema[j].Kind.IsNumeric() {
			return nil, notPlottable("column %d, %s, is %s: after x (and a column naming the series) a chart takes numbers",
				j+1, schema[j].Name, schema[j].Kind)
		}
		ycols = append(ycols, j)
	}
	if len(ycols) == 0 {
		return nil, notPlottable("no numeric column to draw after %s and %s", xcol.Name, schema[1].Name)
	}

	catIndex := map[string]int{}
	series := map[string]*Series{}
	var order []string
	for _, r := range rows {
		x, ok := 0.0, true
		if c.Bars {
			name := r[0].String()
			if r[0].IsNull() {
				name = "NULL"
			}
			i, seen := catIndex[name]
			if !seen {
				i = len(c.Categories)
				catIndex[name] = i
				c.Categories = append(c.Categories, name)
			}
			x = float64(i)
		} else {
			x, ok = xValue(r[0])
		}
		if !ok {
			continue // no place on a number or time axis
		}
		for _, j := range ycols {
			y, ok := yValue(r[j])
			if !ok {
				continue
			}
			name := schema[j].Name
			if key >= 0 {
				name = "NULL"
				if !r[key].IsNull() {
					name = r[key].String()
				}
				if len(ycols) > 1 {
					name += " " + schema[j].Name
				}
			}
			s := series[name]
			if s == nil {
				s = &Series{Name: name}
				series[name] = s
				order = append(order, name)
			}
			s.X, s.Y = append(s.X, x), append(s.Y, y)
		}
	}
	if len(order) == 0 {
		return nil, notPlottable("every value to draw is NULL")
	}
	if len(order) > MaxSeries {
		what := "numeric columns"
		if key >= 0 {
			what = fmt.Sprintf("values of %s", schema[key].Name)
		}
		return nil, notPlottable("%d series (%s), more than the %d a chart keeps readable: filter or group them first", len(order), what, MaxSeries)
	}
	if key >= 0 {
		// Keys in order, NULL last: the result's row order is not the
		// legend's.
		slices.SortStableFunc(order, func(a, b string) int {
			switch {
			case a == b:
				return 0
			case a == "NULL":
				return 1
			case b == "NULL":
				return -1
			}
			return strings.Compare(a, b)
		})
	}
	for _, name := range order {
		s := series[name]
		if !c.Bars {
			sortPoints(s)
		}
		c.Series = append(c.Series, *s)
	}

	var ynames []string
	for _, j := range ycols {
		ynames = append(ynames, schema[j].Name)
	}
	c.YLabel = strings.Join(ynames, ", ")
	c.Title = c.YLabel + " by " + xcol.Name
	if key >= 0 {
		c.Title += " and " + schema[key].Name
	}
	return c, nil
}

func xValue(v types.Value) (float64, bool) {
	switch v.K {
	case types.Int:
		return float64(v.I), true
	case types.Float:
		return v.F, !math.IsNaN(v.F) && !math.IsInf(v.F, 0)
	case types.Timestamp:
		return float64(v.I) / 1e6, true
	case types.Date:
		return float64(v.I) * 86400, true
	}
	return 0, false
}

func yValue(v types.Value) (float64, bool) {
	switch v.K {
	case types.Int:
		return float64(v.I), true
	case types.Float:
		return v.F, !math.IsNaN(v.F) && !math.IsInf(v.F, 0)
	}
	return 0, false
}

// sortPoints orders a line's points by x: a result need not be sorted.
func sortPoints(s *Series) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case s.X[a] < s.X[b]:
			return -1
		case s.X[a] > s.X[b]:
			return 1
		}
		return 0
	})
	x, y := make([]float64, len(idx)), make([]float64, len(idx))
	for i, k := range idx {
		x[i], y[i] = s.X[k], s.Y[k]
	}
	s.X, s.Y = x, y
}

// sans is the Liberation variant the charts use, as the experiment
// report's; gonum/plot defaults to the serif one.
const sans = "Sans"

// Color is series i's colour: a colour-blind-safe palette (Okabe & Ito
// 2008, "Color Universal Design"), then darker and lighter shades of it.
func Color(i int) color.NRGBA {
	pal := []color.NRGBA{
		{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, {R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, {R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, {R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
	}
	c := pal[i%len(pal)]
	if i >= len(pal) {
		c.R, c.G, c.B = c.R/2, c.G/2, c.B/2
	}
	return c
}

// plot builds the gonum/plot figure.
func (c *Chart) plot() (*plot.Plot, error) {
	p := plot.New()
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.Legend.TextStyle.Font,
		&p.X.Label.TextStyle.Font, &p.X.Tick.Label.Font, &p.Y.Label.TextStyle.Font, &p.Y.Tick.Label.Font} {
		f.Variant = sans
	}
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = c.Title, c.XLabel, c.YLabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	multi := len(c.Series) > 1
	if c.Bars {
		n := float64(len(c.Series))
		width := vg.Length(float64(Width-1.5*vg.Inch) / float64(max(len(c.Categories), 1)) / (n + 1))
		width = min(width, vg.Points(40))
		for i, s := range c.Series {
			vals := make(plotter.Values, len(c.Categories))
			for k, x := range s.X {
				vals[int(x)] = s.Y[k]
			}
			b, err := plotter.NewBarChart(vals, width)
			if err != nil {
				return nil, fmt.Errorf("bars of %s: %w", s.Name, err)
			}
			b.Color = Color(i)
			b.LineStyle.Width = 0
			b.Offset = vg.Length(float64(i)-(n-1)/2) * width
			p.Add(b)
			if multi {
				p.Legend.Add(s.Name, b)
			}
		}
		p.NominalX(c.Categories...)
		if len(c.Categories) > 12 {
			// Long category lists: label fewer of them, upright would overlap.
			p.X.Tick.Label.Rotation = math.Pi / 4
			p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
		}
		p.Y.Min = min(p.Y.Min, 0) // bars stand on zero
		if multi {
			p.Y.Max += 0.08 * float64(len(c.Series)) * (p.Y.Max - p.Y.Min) // room for the legend
		}
		return p, nil
	}
	for i, s := range c.Series {
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k].X, xys[k].Y = s.X[k], s.Y[k]
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("line of %s: %w", s.Name, err)
		}
		line.LineStyle.Color, line.LineStyle.Width = Color(i), vg.Points(2)
		points.GlyphStyle.Color, points.GlyphStyle.Shape, points.GlyphStyle.Radius = Color(i), draw.CircleGlyph{}, vg.Points(2)
		p.Add(line, points)
		if multi {
			p.Legend.Add(s.Name, line)
		}
	}
	// Counts and sums read against zero; and room above the lines for the
	// legend, which sits at the top.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, y := range s.Y {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	if lo >= 0 {
		p.Y.Min = 0
		lo = 0
	}
	if multi && hi > lo {
		p.Y.Max = hi + 0.08*float64(len(c.Series))*(hi-lo)
	}
	if c.TimeX {
		format := "2006-01-02\n15:04"
		if c.DateX {
			format = "2006-01-02"
		}
		p.X.Tick.Marker = plot.TimeTicks{Format: format, Time: func(t float64) time.Time { return time.Unix(int64(t), 0).UTC() }}
	}
	return p, nil
}

// Formats are the files a chart is written to, by extension.
var Formats = []string{".png", ".svg"}

// FormatFor is the format of a chart file name: "png" or "svg".
func FormatFor(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if slices.Contains(Formats, ext) {
		return ext[1:], nil
	}
	return "", fmt.Errorf("a chart is written as .png or .svg, not %q", filepath.Base(path))
}

// Write draws the chart in format ("png" or "svg") on w.
func (c *Chart) Write(w io.Writer, format string) (err error) {
	p, err := c.plot()
	if err != nil {
		return err
	}
	// gonum/plot reports some drawing problems by panicking; they become
	// errors here, at one boundary.
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("draw chart: %v", v)
		}
	}()
	switch format {
	case "svg":
		cv := vgsvg.New(Width, Height)
		p.Draw(draw.New(cv))
		_, err = cv.WriteTo(w)
	case "png":
		cv := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
		p.Draw(draw.New(cv))
		_, err = vgimg.PngCanvas{Canvas: cv}.WriteTo(w)
	default:
		return fmt.Errorf("chart format %q: want png or svg", format)
	}
	if err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}
