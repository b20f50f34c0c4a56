package experiment

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// writeHTML renders the report with inline CSS and SVG only, so the file
// reads offline and can be mailed around.
func writeHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title><style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}.banner{padding:.8em 1em;border-radius:6px;margin:1em 0}
.ok{background:#e7f6e7}.bad{background:#fbe3e3;font-weight:bold}.note{color:#666}details pre{font-size:12px;background:#f6f6f6;padding:1em;overflow:auto}
</style></head><body><h1>Experiment %s</h1>
`, esc(r.Name), esc(r.Name))
	cls, msg := "ok", "No sample ratio mismatch"
	if r.SRM.Flag {
		cls, msg = "bad", "Sample ratio mismatch: the results are not trustworthy"
	}
	fmt.Fprintf(&b, `<div class="banner %s">%s (chi² = %.3f, df = %d, p = %s). %s</div>`+"\n", cls, msg, r.SRM.ChiSquare, r.SRM.DF, pval(r.SRM.PValue), esc(srmLine(r.SRM, r.Control)))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "<p class=note>%s</p>\n", esc(n))
	}
	for _, m := range r.Metrics {
		fmt.Fprintf(&b, "<h2>%s <small>(%s", esc(m.Name), esc(m.Type))
		if m.CUPED != nil {
			fmt.Fprintf(&b, ", CUPED θ=%.4g", m.CUPED.Theta)
		}
		if m.Winsorize > 0 {
			fmt.Fprintf(&b, ", winsorised at p%g", 100*m.Winsorize)
		}
		b.WriteString(")</small></h2>\n<table><tr><th>variant</th><th>units</th><th>mean</th><th>abs lift</th><th>abs CI</th><th>rel lift</th><th>rel CI</th><th>p</th><th>p (Holm)</th><th>p (BH)</th><th>chance to win</th><th>sequential rel CI</th></tr>\n")
		for _, v := range m.Variants {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%s</td>", esc(v.Name), v.Units, num(v.Mean))
			switch {
			case v.Control:
				b.WriteString(`<td colspan=9 class=note>control</td>`)
			case v.Absolute == nil:
				fmt.Fprintf(&b, `<td colspan=9 class=note>%s</td>`, esc(v.Note))
			default:
				a := v.Absolute
				fmt.Fprintf(&b, "<td>%s</td><td>%s</td>", num(a.Lift), ci(a.CI))
				if rl := v.Relative; rl != nil {
					fmt.Fprintf(&b, "<td>%s</td><td>%s</td>", pct(rl.Lift), pctCI(rl.CI))
				} else {
					fmt.Fprintf(&b, "<td colspan=2 class=note>%s</td>", esc(v.Note))
				}
				fmt.Fprintf(&b, "<td>%s</td><td>%s</td><td>%s</td>", pval(a.PValue), pval(deref(a.PHolm)), pval(deref(a.PBH)))
				if v.Relative != nil {
					fmt.Fprintf(&b, "<td>%s</td><td>%s</td>", pct(v.Relative.Bayes.ChanceToWin), pctCI(v.Relative.SequentialCI))
				} else {
					b.WriteString("<td></td><td></td>")
				}
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
		b.WriteString(liftSVG(m))
		b.WriteString(cumulativeSVG(r, m.Name))
	}
	for _, d := range r.Dimensions {
		fmt.Fprintf(&b, "<h2>By %s</h2><table><tr><th>value</th><th>SRM p</th><th>units</th></tr>\n", esc(d.Dimension))
		for _, s := range d.Slices {
			flag := ""
			if s.SRM.Flag {
				flag = " class=bad"
			}
			var parts []string
			for _, name := range sortedKeys(s.SRM.Observed) {
				parts = append(parts, fmt.Sprintf("%s %d", name, s.SRM.Observed[name]))
			}
			fmt.Fprintf(&b, "<tr%s><td>%s</td><td>%s</td><td>%s</td></tr>\n", flag, esc(s.Value), pval(s.SRM.PValue), esc(strings.Join(parts, ", ")))
		}
		b.WriteString("</table>\n")
	}
	fmt.Fprintf(&b, "<details><summary>SQL</summary><pre>%s</pre></details>\n</body></html>\n", esc(r.SQL))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write experiment report: %w", err)
	}
	return nil
}

// liftSVG draws each treatment's relative lift (absolute when relative is
// undefined) with its confidence interval, against a zero line.
func liftSVG(m MetricResult) string {
	type bar struct {
		name          string
		est, lo, hi   float64
		relative, win bool
	}
	var bars []bar
	lo, hi := 0.0, 0.0
	for _, v := range m.Variants {
		l := v.Relative
		rel := true
		if l == nil {
			l, rel = v.Absolute, false
		}
		if l == nil {
			continue
		}
		bars = append(bars, bar{v.Name, l.Lift, l.CI[0], l.CI[1], rel, l.CI[0] > 0})
		lo, hi = math.Min(lo, l.CI[0]), math.Max(hi, l.CI[1])
	}
	if len(bars) == 0 {
		return ""
	}
	const width, left, rowH = 600.0, 120.0, 28.0
	span := hi - lo
	if span == 0 {
		span = 1
	}
	x := func(v float64) float64 { return left + (v-lo)/span*(width-left-20) }
	h := rowH*float64(len(bars)) + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-size="12">`, width, h)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%g" stroke="#999" stroke-dasharray="3,3"/>`, x(0), x(0), h-18)
	for i, br := range bars {
		y := rowH*float64(i) + rowH/2
		color := "#555"
		switch {
		case br.lo > 0:
			color = "#2a7a2a"
		case br.hi < 0:
			color = "#b22"
		}
		label := num(br.est)
		if br.relative {
			label = pct(br.est)
		}
		fmt.Fprintf(&b, `<text x="4" y="%.1f">%s</text>`, y+4, html.EscapeString(br.name))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`, x(br.lo), y, x(br.hi), y, color)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/><text x="%.1f" y="%.1f" fill="%s">%s</text>`, x(br.est), y, color, x(br.est)+6, y-6, color, label)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%g">%s</text><text x="%.1f" y="%g" text-anchor="end">%s</text></svg>`+"\n", left, h-4, axisLabel(lo, bars[0].relative), width-20, h-4, axisLabel(hi, bars[0].relative))
	return b.String()
}

func axisLabel(v float64, relative bool) string {
	if relative {
		return pct(v)
	}
	return num(v)
}

// cumulativeSVG plots the first treatment's relative lift and interval by
// day of first exposure.
func cumulativeSVG(r *Report, metric string) string {
	type pt struct{ est, lo, hi float64 }
	var pts []pt
	var days []string
	for _, d := range r.Daily {
		for _, m := range d.Metrics {
			if m.Name != metric || len(m.Variants) < 2 || m.Variants[1].Relative == nil {
				continue
			}
			l := m.Variants[1].Relative
			pts = append(pts, pt{l.Lift, l.CI[0], l.CI[1]})
			days = append(days, d.Day)
		}
	}
	if len(pts) < 2 {
		return ""
	}
	lo, hi := 0.0, 0.0
	for _, p := range pts {
		lo, hi = math.Min(lo, p.lo), math.Max(hi, p.hi)
	}
	if hi == lo {
		hi = lo + 1
	}
	const width, height, pad = 600.0, 200.0, 30.0
	x := func(i int) float64 { return pad + float64(i)/float64(len(pts)-1)*(width-2*pad) }
	y := func(v float64) float64 { return height - pad - (v-lo)/(hi-lo)*(height-2*pad) }
	var band, line strings.Builder
	for i, p := range pts {
		fmt.Fprintf(&band, "%.1f,%.1f ", x(i), y(p.hi))
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.est))
	}
	for i := len(pts) - 1; i >= 0; i-- {
		fmt.Fprintf(&band, "%.1f,%.1f ", x(i), y(pts[i].lo))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<p>Cumulative relative lift of %s by day of first exposure</p><svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-size="11">`, html.EscapeString(r.Metrics[0].Variants[1].Name), width, height)
	fmt.Fprintf(&b, `<polygon points="%s" fill="#cde" /><polyline points="%s" fill="none" stroke="#246" stroke-width="2"/>`, band.String(), line.String())
	fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#999" stroke-dasharray="3,3"/>`, pad, y(0), width-pad, y(0))
	fmt.Fprintf(&b, `<text x="%g" y="%g">%s</text><text x="%g" y="%g" text-anchor="end">%s</text>`, pad, height-8, days[0], width-pad, height-8, days[len(days)-1])
	fmt.Fprintf(&b, `<text x="2" y="%.1f">%s</text><text x="2" y="%.1f">%s</text></svg>`+"\n", y(hi)+10, pct(hi), y(lo), pct(lo))
	return b.String()
}
