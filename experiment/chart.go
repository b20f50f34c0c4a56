package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart kinds: one of each per metric.
const (
	LiftChart       = "lift"       // relative lift and interval per treatment
	CumulativeChart = "cumulative" // relative lift by day of first exposure
)

// PNGDPI is the resolution of PNG charts: twice the 72 dpi of a point, so
// they stay sharp on high-density screens and in slides.
const PNGDPI = 144

// Chart is one figure of the report, defined once with gonum/plot and
// rendered to SVG (inline in the HTML report, or a file) or PNG. A chart
// that cannot be drawn carries the reason in Omitted instead.
type Chart struct {
	Kind    string // LiftChart or CumulativeChart
	Metric  string
	Omitted string // why the chart is left out; empty when it can be drawn

	width, height vg.Length
	build         func() *plot.Plot
}

// liftPoint is one estimate with its interval, all finite.
type liftPoint struct {
	x, est, lo, hi float64
}

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// Charts returns the report's charts: for every metric a lift chart and a
// cumulative-lift chart, in metric order.
func (r *Report) Charts() []Chart {
	var out []Chart
	for _, m := range r.Metrics {
		out = append(out, r.liftChart(m), r.cumulativeChart(m.Name))
	}
	return out
}

func ciLevel(alpha float64) string {
	return strconv.FormatFloat(100*(1-alpha), 'g', 6, 64) + "%"
}

// liftChart plots each treatment's relative lift with its confidence
// interval against a zero line: green when the interval is above zero,
// red when below, grey otherwise.
func (r *Report) liftChart(m MetricResult) Chart {
	ch := Chart{Kind: LiftChart, Metric: m.Name}
	type bar struct {
		name string
		liftPoint
	}
	var bars []bar
	var left []string
	for _, v := range m.Variants {
		if v.Control {
			continue
		}
		l := v.Relative
		switch {
		case l == nil && v.Note != "":
			left = append(left, v.Name+": "+v.Note)
		case l == nil:
			left = append(left, v.Name+": no relative lift")
		case !finite(l.Lift, l.CI[0], l.CI[1]):
			left = append(left, v.Name+": the lift is not a finite number")
		default:
			bars = append(bars, bar{v.Name, liftPoint{est: l.Lift, lo: l.CI[0], hi: l.CI[1]}})
		}
	}
	if len(bars) == 0 {
		switch {
		case len(m.Variants) < 2:
			ch.Omitted = "only the control variant: nothing to compare"
		default:
			ch.Omitted = "no treatment has a relative lift (" + strings.Join(left, "; ") + ")"
		}
		return ch
	}
	ch.width, ch.height = 6*vg.Inch, 1.3*vg.Inch+vg.Length(len(bars))*0.45*vg.Inch
	title := fmt.Sprintf("%s: relative lift vs %s, %s CI", m.Name, r.Control, ciLevel(r.Alpha))
	if len(left) > 0 {
		title += "\nleft out: " + strings.Join(left, "; ")
	}
	ch.build = func() *plot.Plot {
		p := newPlot()
		p.Title.Text = title
		p.X.Label.Text = "relative lift"
		p.X.Tick.Marker = percentTicks{}
		n := len(bars)
		names := make([]string, n)
		zero := plotter.XYs{{X: 0, Y: -0.5}, {X: 0, Y: float64(n) - 0.5}}
		addZeroLine(p, zero)
		for i, b := range bars {
			y := float64(n - 1 - i) // first treatment on top
			names[n-1-i] = b.name
			clr := color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
			switch {
			case b.lo > 0:
				clr = color.RGBA{R: 0x2a, G: 0x7a, B: 0x2a, A: 0xff}
			case b.hi < 0:
				clr = color.RGBA{R: 0xbb, G: 0x22, B: 0x22, A: 0xff}
			}
			pt := plotter.XYs{{X: b.est, Y: y}}
			errs := plotter.XErrors{{Low: b.lo - b.est, High: b.hi - b.est}}
			eb, err := plotter.NewXErrorBars(struct {
				plotter.XYs
				plotter.XErrors
			}{pt, errs})
			if err != nil {
				panic(err) // unreachable: the point is finite
			}
			eb.LineStyle.Color, eb.LineStyle.Width = clr, vg.Points(2)
			sc, err := plotter.NewScatter(pt)
			if err != nil {
				panic(err)
			}
			sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = clr, draw.CircleGlyph{}, vg.Points(4)
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pt, Labels: []string{pct(b.est)}})
			if err != nil {
				panic(err)
			}
			for j := range lb.TextStyle {
				lb.TextStyle[j].Font.Variant = sans
				lb.TextStyle[j].Color = clr
				lb.TextStyle[j].YAlign = draw.YBottom
				lb.TextStyle[j].XAlign = draw.XCenter
			}
			lb.Offset = vg.Point{Y: vg.Points(5)}
			p.Add(eb, sc, lb)
		}
		p.NominalY(names...)
		p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
		return p
	}
	return ch
}

// cumulativeChart plots every treatment's relative lift and interval for
// the units first exposed up to each day (Report.Daily).
func (r *Report) cumulativeChart(metric string) Chart {
	ch := Chart{Kind: CumulativeChart, Metric: metric}
	if len(r.Daily) == 0 {
		ch.Omitted = "no daily series: no units were exposed"
		return ch
	}
	type series struct {
		name string
		pts  []liftPoint
	}
	var all []series
	lastNote := ""
	for d, day := range r.Daily {
		for _, m := range day.Metrics {
			if m.Name != metric {
				continue
			}
			for j, v := range m.Variants {
				if v.Control {
					continue
				}
				for len(all) < j {
					all = append(all, series{})
				}
				s := &all[j-1]
				s.name = v.Name
				if l := v.Relative; l != nil && finite(l.Lift, l.CI[0], l.CI[1]) {
					s.pts = append(s.pts, liftPoint{x: float64(d), est: l.Lift, lo: l.CI[0], hi: l.CI[1]})
				} else if v.Note != "" {
					lastNote = v.Name + ": " + v.Note
				}
			}
		}
	}
	var drawn []series
	for _, s := range all {
		if len(s.pts) > 0 {
			drawn = append(drawn, s)
		}
	}
	if len(drawn) == 0 {
		switch {
		case len(all) == 0:
			ch.Omitted = "only the control variant: nothing to compare"
		case lastNote != "":
			ch.Omitted = "no day has a relative lift (" + lastNote + ")"
		default:
			ch.Omitted = "no day has a relative lift"
		}
		return ch
	}
	days := make([]string, len(r.Daily))
	for i, d := range r.Daily {
		days[i] = d.Day
	}
	ch.width, ch.height = 6*vg.Inch, 3.2*vg.Inch
	title := fmt.Sprintf("%s: cumulative relative lift vs %s, %s CI", metric, r.Control, ciLevel(r.Alpha))
	ch.build = func() *plot.Plot {
		p := newPlot()
		p.Title.Text = title
		p.X.Label.Text = "day of first exposure"
		p.Y.Label.Text = "relative lift"
		p.Y.Tick.Marker = percentTicks{}
		p.X.Tick.Marker = dayTicks(days)
		p.Legend.Top, p.Legend.Left = true, true
		lo, hi := -0.5, float64(len(days))-0.5
		addZeroLine(p, plotter.XYs{{X: lo, Y: 0}, {X: hi, Y: 0}})
		p.X.Min, p.X.Max = lo, hi
		// The y range holds every band with a margin below, so no band
		// runs past the axis, and room above for the legend, so that it
		// covers no band.
		ylo, yhi := 0.0, 0.0
		for _, s := range drawn {
			for _, pt := range s.pts {
				ylo, yhi = min(ylo, pt.lo, pt.est), max(yhi, pt.hi, pt.est)
			}
		}
		if span := yhi - ylo; span > 0 {
			p.Y.Min, p.Y.Max = ylo-0.05*span, yhi+0.08*span*float64(len(drawn)+1)
		}
		for i, s := range drawn {
			clr := seriesColor(i)
			band := color.NRGBA{R: clr.R, G: clr.G, B: clr.B, A: 0x40}
			est := make(plotter.XYs, len(s.pts))
			for k, pt := range s.pts {
				est[k] = plotter.XY{X: pt.x, Y: pt.est}
			}
			if len(s.pts) >= 2 {
				poly := make(plotter.XYs, 0, 2*len(s.pts))
				for _, pt := range s.pts {
					poly = append(poly, plotter.XY{X: pt.x, Y: pt.hi})
				}
				for k := len(s.pts) - 1; k >= 0; k-- {
					poly = append(poly, plotter.XY{X: s.pts[k].x, Y: s.pts[k].lo})
				}
				pg, err := plotter.NewPolygon(poly)
				if err != nil {
					panic(err)
				}
				pg.Color, pg.LineStyle.Width = band, 0
				p.Add(pg)
			} else {
				eb, err := plotter.NewYErrorBars(struct {
					plotter.XYs
					plotter.YErrors
				}{est, plotter.YErrors{{Low: s.pts[0].est - s.pts[0].lo, High: s.pts[0].hi - s.pts[0].est}}})
				if err != nil {
					panic(err)
				}
				eb.LineStyle.Color, eb.LineStyle.Width = clr, vg.Points(2)
				p.Add(eb)
			}
			line, pts, err := plotter.NewLinePoints(est)
			if err != nil {
				panic(err)
			}
			line.LineStyle.Color, line.LineStyle.Width = clr, vg.Points(2)
			pts.GlyphStyle.Color, pts.GlyphStyle.Shape, pts.GlyphStyle.Radius = clr, draw.CircleGlyph{}, vg.Points(2.5)
			p.Add(line, pts)
			p.Legend.Add(s.name, line, pts)
		}
		return p
	}
	return ch
}

// sans is the Liberation variant the charts use; gonum/plot defaults to
// the serif one.
const sans = "Sans"

// newPlot is plot.New with every text in Liberation Sans (compiled into
// gonum/plot through codeberg.org/go-fonts/liberation).
func newPlot() *plot.Plot {
	p := plot.New()
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.Legend.TextStyle.Font,
		&p.X.Label.TextStyle.Font, &p.X.Tick.Label.Font, &p.Y.Label.TextStyle.Font, &p.Y.Tick.Label.Font} {
		f.Variant = sans
	}
	return p
}

func addZeroLine(p *plot.Plot, xys plotter.XYs) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		panic(err) // unreachable: the points are finite constants
	}
	l.LineStyle.Color = color.Gray{Y: 0x99}
	l.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(l)
}

// seriesColor is a colour-blind-safe palette (Okabe & Ito 2008, "Color
// Universal Design").
func seriesColor(i int) color.NRGBA {
	pal := []color.NRGBA{
		{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, {R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, {R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, {R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
	}
	return pal[i%len(pal)]
}

// percentTicks labels gonum's default ticks as percentages.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	// Labels at multiples of a 1, 2 or 5 step, so that 0% is one of them
	// (gonum's default ticks may start anywhere: 250%, 50%, -150%).
	if !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{2, 5, 10} {
		if step >= raw {
			break
		}
		step = m * mag
	}
	var ts []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi; k++ {
		v := k * step
		if v == 0 {
			v = 0 // not -0, which prints "-0%"
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(100*v, 'g', 6, 64) + "%"})
		if mid := v + step/2; mid <= hi {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	return ts
}

// dayTicks labels at most about eight days so that the dates do not overlap.
func dayTicks(days []string) plot.ConstantTicks {
	step := (len(days) + 7) / 8
	ts := make(plot.ConstantTicks, len(days))
	for i, d := range days {
		ts[i] = plot.Tick{Value: float64(i)}
		if i%step == 0 {
			ts[i].Label = d
		}
	}
	return ts
}

// ErrChartOmitted is returned when rendering a chart that has no data.
var ErrChartOmitted = errors.New("chart left out")

func (ch *Chart) omitted() error {
	if ch.build == nil {
		return fmt.Errorf("%s chart of %s: %w: %s", ch.Kind, ch.Metric, ErrChartOmitted, ch.Omitted)
	}
	return nil
}

// render draws the chart on canvas c. gonum/plot reports some drawing
// problems by panicking; they become errors here, at one boundary.
func (ch *Chart) render(c draw.Canvas) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("draw %s chart of %s: %v", ch.Kind, ch.Metric, v)
		}
	}()
	ch.build().Draw(c)
	return nil
}

// WriteSVG writes the chart as a standalone SVG document. Text names the
// Liberation Sans family gonum/plot measures with; a viewer without it
// substitutes a sans-serif font (fonts are not embedded, to keep files small).
func (ch *Chart) WriteSVG(w io.Writer) error {
	if err := ch.omitted(); err != nil {
		return err
	}
	c := vgsvg.New(ch.width, ch.height)
	if err := ch.render(draw.New(c)); err != nil {
		return err
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write %s chart of %s: %w", ch.Kind, ch.Metric, err)
	}
	return nil
}

// WritePNG writes the chart as a PNG at PNGDPI, with text rendered from the
// Liberation fonts compiled into gonum/plot (nothing is read or fetched).
func (ch *Chart) WritePNG(w io.Writer) error {
	if err := ch.omitted(); err != nil {
		return err
	}
	c := vgimg.NewWith(vgimg.UseWH(ch.width, ch.height), vgimg.UseDPI(PNGDPI))
	if err := ch.render(draw.New(c)); err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("write %s chart of %s: %w", ch.Kind, ch.Metric, err)
	}
	return nil
}

var svgPrologue = regexp.MustCompile(`(?s)^<\?xml.*?\?>\s*(<!--.*?-->\s*)?`)
var svgNamespaces = regexp.MustCompile(`\s+xmlns(:xlink)?="[^"]*"`)

// inlineSVG renders the chart for embedding in HTML: without the XML
// prologue, and without namespace declarations, which the HTML parser
// supplies for <svg> (WHATWG HTML, "Parsing main in foreign content"), so
// the page contains no URL at all.
func (ch *Chart) inlineSVG() (string, error) {
	var b bytes.Buffer
	if err := ch.WriteSVG(&b); err != nil {
		return "", err
	}
	s := svgPrologue.ReplaceAllString(b.String(), "")
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", fmt.Errorf("%s chart of %s: malformed SVG", ch.Kind, ch.Metric)
	}
	return svgNamespaces.ReplaceAllString(s[:end], "") + ` role="img"` + s[end:], nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// fileStem makes a metric name safe as part of a file name on every
// platform: runs of anything but ASCII letters, digits, '_', '.' and '-'
// become '_', and a leading '.' or '-' is replaced so the file is neither
// hidden nor mistaken for a flag.
func fileStem(metric string) string {
	s := unsafeFileChars.ReplaceAllString(metric, "_")
	if s == "" {
		s = "_"
	}
	if s[0] == '.' || s[0] == '-' {
		s = "_" + s[1:]
	}
	return s
}

// WriteCharts writes every drawable chart to dir as <kind>-<metric>.svg and
// .png and returns the paths written. Metrics whose sanitised names collide
// get their position appended (-2, -3, ...). Omitted charts are skipped;
// Charts says why.
func (r *Report) WriteCharts(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("charts directory: %w", err)
	}
	stems := map[string]bool{}
	stemOf := map[string]string{}
	for i, m := range r.Metrics {
		s := fileStem(m.Name)
		if stems[s] {
			s = fmt.Sprintf("%s-%d", s, i+1)
		}
		stems[s] = true
		stemOf[m.Name] = s
	}
	var written []string
	for _, ch := range r.Charts() {
		if ch.Omitted != "" {
			continue
		}
		for _, f := range []struct {
			ext   string
			write func(io.Writer) error
		}{{"svg", ch.WriteSVG}, {"png", ch.WritePNG}} {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				return written, err
			}
			path := filepath.Join(dir, ch.Kind+"-"+stemOf[ch.Metric]+"."+f.ext)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				return written, fmt.Errorf("write chart: %w", err)
			}
			written = append(written, path)
		}
	}
	return written, nil
}
