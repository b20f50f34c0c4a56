package experiment

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
)

// ReportCSS is the report's style sheet: inline in the standalone page,
// served as a file by pages whose Content-Security-Policy forbids inline
// styles (nectar serve's dashboard).
const ReportCSS = `body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;display:block;max-width:100%;overflow-x:auto}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}.legend{font-size:90%;color:#555;max-width:60em}
td:first-child,th:first-child{text-align:left}.banner{padding:.8em 1em;border-radius:6px;margin:1em 0}
.chart svg{max-width:100%;height:auto}.ok{background:#e7f6e7}.bad{background:#fbe3e3;font-weight:bold}.note{color:#666}.warn{background:#fff3cd;border:1px solid #e0c36a}details pre{font-size:12px;background:#f6f6f6;padding:1em;overflow:auto}
`

// writeHTML renders the report with inline CSS and SVG only, so the file
// reads offline and can be mailed around: no scripts, fonts, images or
// links to anything outside the page.
func writeHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title><style>\n%s</style></head><body>", html.EscapeString(r.Name), ReportCSS)
	if err := writeBody(&b, r, false); err != nil {
		return err
	}
	b.WriteString("</body></html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write experiment report: %w", err)
	}
	return nil
}

// WriteHTMLFragment writes the report's body for embedding in another
// page that loads ReportCSS: the same content as WriteHTML's page, with
// the charts' styles written as SVG presentation attributes instead of
// style attributes, which a Content-Security-Policy without
// 'unsafe-inline' blocks (CSP3 §6.1.3, style-src governs attributes).
func (r *Report) WriteHTMLFragment(w io.Writer) error {
	var b strings.Builder
	if err := writeBody(&b, r, true); err != nil {
		return err
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write experiment report: %w", err)
	}
	return nil
}

// writeBody writes the report's content; attrs writes the charts' styles
// as presentation attributes.
func writeBody(b *strings.Builder, r *Report, attrs bool) error {
	esc := html.EscapeString
	// The charts are the ones --charts writes as files (chart.go).
	charts := map[string][]Chart{}
	for _, ch := range r.Charts() {
		charts[ch.Metric] = append(charts[ch.Metric], ch)
	}
	fmt.Fprintf(b, "<h1>Experiment %s</h1>\n", esc(r.Name))
	cls, msg := "ok", "No sample ratio mismatch"
	if r.SRM.Flag {
		cls, msg = "bad", "Sample ratio mismatch: the results are not trustworthy"
	}
	fmt.Fprintf(b, `<div class="banner %s">%s (chi² = %.3f, df = %d, p = %s): %s.</div>`+"\n", cls, msg, r.SRM.ChiSquare, r.SRM.DF, pval(r.SRM.PValue), esc(srmCounts(r.SRM)))
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "<div class=\"banner warn\">Warning: %s</div>\n", esc(w.String()))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(b, "<p class=note>%s</p>\n", esc(n))
	}
	// What each column is, once, above the tables: a p beside a
	// relative CI reads as the relative test's, and an interval wider
	// than the CI needs its reason.
	fmt.Fprintf(b, "<p class=legend><b>abs p</b>: two-sided p-value of the absolute difference from the control (Welch's t-test; the delta method for ratios); <b>Holm</b> and <b>BH</b> adjust it for the %d comparisons in the report. <b>rel CI</b>: %s interval of the relative lift. <b>sequential rel CI</b>: an always-valid interval (Waudby-Smith et al.'s asymptotic confidence sequence): it holds however often the results are looked at, so it is wider than rel CI; decide on it when peeking. <b>chance to win</b>: the Bayesian probability that the variant beats the control.</p>\n", comparisons(r), ciLevel(r.Alpha))
	for _, m := range r.Metrics {
		fmt.Fprintf(b, "<h2>%s <small>(%s", esc(m.Name), esc(m.Type))
		if m.CUPED != nil {
			fmt.Fprintf(b, ", CUPED θ=%.4g", m.CUPED.Theta)
		}
		if m.CUPED != nil && m.CUPED.Note != "" {
			fmt.Fprintf(b, ", CUPED: %s", esc(m.CUPED.Note))
		}
		if m.Winsorize > 0 {
			fmt.Fprintf(b, ", winsorised at p%g", 100*m.Winsorize)
			if m.Cap != nil {
				fmt.Fprintf(b, " = %s", num(*m.Cap))
			}
			if m.DenominatorCap != nil {
				fmt.Fprintf(b, ", denominator at %s", num(*m.DenominatorCap))
			}
		}
		b.WriteString(")</small></h2>\n<table><tr><th>variant</th><th>units</th><th>mean</th><th>abs lift</th><th>abs CI</th><th>rel lift</th><th>rel CI</th><th>abs p</th><th>abs p (Holm)</th><th>abs p (BH)</th><th>chance to win</th><th>sequential rel CI</th></tr>\n")
		for _, v := range m.Variants {
			fmt.Fprintf(b, "<tr><td>%s</td><td>%d</td><td>%s</td>", esc(v.Name), v.Units, num(v.Mean))
			switch {
			case v.Control:
				b.WriteString(`<td colspan=9 class=note>control</td>`)
			case v.Absolute == nil:
				fmt.Fprintf(b, `<td colspan=9 class=note>%s</td>`, esc(v.Note))
			default:
				a := v.Absolute
				fmt.Fprintf(b, "<td>%s</td><td>%s</td>", num(a.Lift), ci(a.CI))
				if rl := v.Relative; rl != nil {
					fmt.Fprintf(b, "<td>%s</td><td>%s</td>", pct(rl.Lift), pctCI(rl.CI))
				} else {
					fmt.Fprintf(b, "<td colspan=2 class=note>%s</td>", esc(v.Note))
				}
				fmt.Fprintf(b, "<td>%s</td><td>%s</td><td>%s</td>", pval(a.PValue), pval(deref(a.PHolm)), pval(deref(a.PBH)))
				if v.Relative != nil {
					fmt.Fprintf(b, "<td>%s</td><td>%s</td>", pct(v.Relative.Bayes.ChanceToWin), pctCI(v.Relative.SequentialCI))
				} else {
					b.WriteString("<td></td><td></td>")
				}
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
		for _, ch := range charts[m.Name] {
			if ch.Omitted != "" {
				fmt.Fprintf(b, "<p class=note>No %s chart: %s.</p>\n", ch.Kind, esc(ch.Omitted))
				continue
			}
			svg, err := ch.inlineSVG()
			if err != nil {
				return fmt.Errorf("write experiment report: %w", err)
			}
			if attrs {
				svg = styleAttributes(svg)
			}
			fmt.Fprintf(b, "<figure class=chart>%s</figure>\n", svg)
		}
	}
	for _, d := range r.Dimensions {
		fmt.Fprintf(b, "<h2>By %s</h2><table><tr><th>value</th><th>SRM p</th><th>units</th></tr>\n", esc(d.Dimension))
		for _, s := range d.Slices {
			flag := ""
			if s.SRM.Flag {
				flag = " class=bad"
			}
			var parts []string
			for _, name := range sortedKeys(s.SRM.Observed) {
				parts = append(parts, fmt.Sprintf("%s %d", name, s.SRM.Observed[name]))
			}
			fmt.Fprintf(b, "<tr%s><td>%s</td><td>%s</td><td>%s</td></tr>\n", flag, esc(s.Value), pval(s.SRM.PValue), esc(strings.Join(parts, ", ")))
		}
		b.WriteString("</table>\n")
	}
	fmt.Fprintf(b, "<details><summary>SQL</summary><pre>%s</pre></details>\n", esc(r.SQL))
	return nil
}

var styleAttr = regexp.MustCompile(`\sstyle="([^"]*)"`)

// styleAttributes rewrites svg's style="a:b;c:d" attributes as a="b"
// c="d". gonum's SVG writer styles with fill, stroke, stroke-width,
// stroke-dasharray, stroke-dashoffset, stroke-linecap, stroke-linejoin and
// the font properties, which are all SVG presentation attributes (SVG 2
// §6.6), so the chart draws the same.
func styleAttributes(svg string) string {
	return styleAttr.ReplaceAllStringFunc(svg, func(m string) string {
		decl := styleAttr.FindStringSubmatch(m)[1]
		var out strings.Builder
		for _, d := range strings.Split(decl, ";") {
			k, v, ok := strings.Cut(d, ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || strings.ContainsAny(k, `"<>= `) {
				continue
			}
			out.WriteString(" " + k + `="` + strings.ReplaceAll(v, `"`, "&quot;") + `"`)
		}
		return out.String()
	})
}

// comparisons counts the variant-versus-control tests the report makes,
// the family Holm and BH correct over.
func comparisons(r *Report) int {
	n := 0
	for _, m := range r.Metrics {
		for _, v := range m.Variants {
			if v.Absolute != nil {
				n++
			}
		}
	}
	return n
}
