package experiment

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
)

// checkSVG parses an SVG document as XML and returns its text.
func checkSVG(t *testing.T, what string, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: SVG does not parse as XML: %v", what, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteString("\n")
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", what, root)
	}
	return text.String()
}

// checkChart renders a drawable chart both ways and checks the output.
func checkChart(t *testing.T, ch Chart, names ...string) {
	t.Helper()
	what := ch.Kind + "-" + ch.Metric
	var svg, pngBuf bytes.Buffer
	if err := ch.WriteSVG(&svg); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	text := checkSVG(t, what, svg.Bytes())
	for _, n := range append([]string{ch.Metric}, names...) {
		if !strings.Contains(text, n) {
			t.Errorf("%s: SVG text lacks %q:\n%s", what, n, text)
		}
	}
	if strings.Contains(svg.String(), "NaN") || strings.Contains(svg.String(), "Inf") {
		t.Errorf("%s: SVG contains NaN or Inf", what)
	}
	if err := ch.WritePNG(&pngBuf); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatalf("%s: PNG does not decode: %v", what, err)
	}
	// 6 inches at 144 dpi.
	if w := img.Bounds().Dx(); w != 6*PNGDPI {
		t.Errorf("%s: PNG is %d px wide, want %d", what, w, 6*PNGDPI)
	}
}

func TestChartsHandmade(t *testing.T) {
	spec := loadSpec(t, "testdata/handmade.yaml")
	rep, err := Run(context.Background(), engine.New(engine.Options{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	charts := rep.Charts()
	if len(charts) != 2*len(rep.Metrics) {
		t.Fatalf("%d charts for %d metrics", len(charts), len(rep.Metrics))
	}
	for _, ch := range charts {
		if ch.Omitted != "" {
			t.Errorf("%s chart of %s omitted: %s", ch.Kind, ch.Metric, ch.Omitted)
			continue
		}
		// The control's name is in the title, the treatment's on the axis
		// or in the legend.
		checkChart(t, ch, "A", "B")
	}

	var page bytes.Buffer
	if err := rep.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, ch := range charts {
		svg, err := ch.inlineSVG()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(html, svg) {
			t.Errorf("HTML does not embed the %s chart of %s", ch.Kind, ch.Metric)
		}
	}
	if n := strings.Count(html, "<svg"); n != len(charts) {
		t.Errorf("HTML has %d <svg>, want %d", n, len(charts))
	}
	// Said once, and what each number is: the SRM check in one banner,
	// the p column named for the test it belongs to, and a legend that
	// says what the sequential interval is.
	if n := strings.Count(html, "chi²"); n != 1 || strings.Contains(html, "SRM: ") {
		t.Errorf("the SRM check appears %d times (or again as the terminal's line)", n)
	}
	for _, want := range []string{"<th>abs p</th>", "<th>abs p (Holm)</th>", "class=legend", "always-valid interval", "white-space:nowrap"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Self-contained: nothing a browser would fetch.
	for _, bad := range []string{"http://", "https://", "@font-face", "url(", "<script", "src=", "href=", "<link", "@import"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}

	// The fragment the dashboard embeds: the same report, no inline
	// style for a strict Content-Security-Policy to block, the charts'
	// colours kept as attributes.
	var frag bytes.Buffer
	if err := rep.WriteHTMLFragment(&frag); err != nil {
		t.Fatal(err)
	}
	f := frag.String()
	if regexp.MustCompile(`\sstyle=`).MatchString(f) || strings.Contains(f, "<style") || strings.Contains(f, "<body") {
		t.Errorf("fragment has inline styles or a page around it")
	}
	if n := strings.Count(f, "<svg"); n != len(charts) {
		t.Errorf("fragment has %d <svg>, want %d", n, len(charts))
	}
	if !strings.Contains(f, ` fill="#`) || !strings.Contains(f, ` stroke-width="`) {
		t.Errorf("fragment's charts lost their presentation attributes")
	}
	noCharts := regexp.MustCompile(`(?s)<svg.*?</svg>`)
	body := html[strings.Index(html, "<body>")+len("<body>") : strings.Index(html, "</body>")]
	if noCharts.ReplaceAllString(body, "") != noCharts.ReplaceAllString(f, "") {
		t.Errorf("fragment and page differ outside the charts")
	}
}

func TestWriteCharts(t *testing.T) {
	spec := loadSpec(t, "testdata/handmade.yaml")
	rep, err := Run(context.Background(), engine.New(engine.Options{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	// Names that need sanitising, two of which collide once sanitised.
	rep.Metrics[0].Name = "conv/rate 1"
	rep.Metrics[1].Name = "conv rate.1"
	rep.Metrics[2].Name = "../gmv"
	for i := range rep.Daily {
		rep.Daily[i].Metrics[0].Name = rep.Metrics[0].Name
		rep.Daily[i].Metrics[1].Name = rep.Metrics[1].Name
		rep.Daily[i].Metrics[2].Name = rep.Metrics[2].Name
	}
	dir := t.TempDir()
	written, err := rep.WriteCharts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 4*len(rep.Metrics) {
		t.Errorf("wrote %d files, want %d: %v", len(written), 4*len(rep.Metrics), written)
	}
	for _, name := range []string{"lift-conv_rate_1.svg", "cumulative-conv_rate_1.png", "lift-conv_rate.1.png", "lift-_._gmv.svg", "cumulative-ctr.svg", "lift-gmv_cuped.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if fileStem("a b") != "a_b" || fileStem("") != "_" || fileStem("-x") != "_x" {
		t.Errorf("fileStem: %q %q %q", fileStem("a b"), fileStem(""), fileStem("-x"))
	}
	if _, err := os.Stat(filepath.Join(dir, "lift-conv_rate_1-2.svg")); err == nil {
		t.Error("collision suffix used without a collision")
	}
	rep.Metrics[1].Name = "conv_rate_1"
	dir2 := t.TempDir()
	if _, err := rep.WriteCharts(dir2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir2, "lift-conv_rate_1-2.svg")); err != nil {
		t.Errorf("colliding names: %v", err)
	}
}

// TestChartsDegenerate checks that reports with nothing to compare either
// draw or say why a chart is left out, and never print NaN.
func TestChartsDegenerate(t *testing.T) {
	specYAML := func(variants string) *Spec {
		s, err := ParseSpec([]byte(`name: d
source: logs
unit: userId
exposure: {event: Experiment Viewed}
variants: [`+variants+`]
metrics:
  - {name: conversion, type: binomial, event: Order Completed}
  - {name: clicks, type: mean, event: Product Clicked}
`), "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cell := func(day, variant string, n int64, conv, clicks float64) Cell {
		return Cell{Day: day, Variant: variant, N: n, Metrics: []Sums{
			{N: float64(n), Sy: conv, Syy: conv},
			{N: float64(n), Sy: clicks, Syy: clicks * clicks / float64(n)},
		}}
	}
	two := specYAML("{name: A, weight: 1}, {name: B, weight: 1}")
	three := specYAML("{name: A, weight: 1}, {name: B, weight: 1}, {name: C, weight: 1}")
	noDays := Analyze(three, []Cell{cell("2019-02-01", "A", 10, 3, 20), cell("2019-02-01", "B", 10, 4, 20)})
	noDays.Daily = nil
	tests := []struct {
		name    string
		rep     *Report
		omitted map[string]string // kind-metric → part of the reason
	}{
		{"one variant", Analyze(specYAML("{name: A, weight: 1}"), []Cell{cell("2019-02-01", "A", 10, 3, 20)}),
			map[string]string{"lift-conversion": "only the control", "cumulative-conversion": "only the control"}},
		{"variant without units", Analyze(three, []Cell{cell("2019-02-01", "A", 10, 3, 20), cell("2019-02-02", "B", 12, 5, 30)}), nil},
		{"no units", Analyze(two, nil),
			map[string]string{"lift-conversion": "no units", "cumulative-clicks": "no daily series"}},
		{"no days", noDays, map[string]string{"cumulative-conversion": "no daily series"}},
		{"zero variance", Analyze(two, []Cell{cell("2019-02-01", "A", 10, 0, 0), cell("2019-02-01", "B", 10, 0, 0)}),
			map[string]string{"lift-conversion": "relative lift is undefined"}},
		{"identical arms", Analyze(two, []Cell{cell("2019-02-01", "A", 10, 10, 10), cell("2019-02-01", "B", 10, 10, 10)}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, ch := range tc.rep.Charts() {
				key := ch.Kind + "-" + ch.Metric
				if want, ok := tc.omitted[key]; ok {
					if !strings.Contains(ch.Omitted, want) {
						t.Errorf("%s: omitted %q, want a reason with %q", key, ch.Omitted, want)
					}
				}
				if ch.Omitted != "" {
					if err := ch.WriteSVG(io.Discard); !errors.Is(err, ErrChartOmitted) {
						t.Errorf("%s: rendering an omitted chart: %v", key, err)
					}
					continue
				}
				checkChart(t, ch, "B")
			}
			var page bytes.Buffer
			if err := tc.rep.WriteHTML(&page); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(page.String(), "NaN") {
				t.Error("HTML contains NaN")
			}
			for key, want := range tc.omitted {
				if !strings.Contains(page.String(), want) {
					t.Errorf("HTML does not say why %s is left out (%q)", key, want)
				}
			}
		})
	}
	// The variant without units is named in the lift chart's title.
	rep := Analyze(three, []Cell{cell("2019-02-01", "A", 10, 3, 20), cell("2019-02-02", "B", 12, 5, 30)})
	var svg bytes.Buffer
	if err := rep.Charts()[0].WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	if text := checkSVG(t, "lift", svg.Bytes()); !strings.Contains(text, "C: no units") {
		t.Errorf("lift chart does not say C is left out:\n%s", text)
	}
}

// TestPercentTicks: labels at multiples of a round step, 0% among them
// (never "-0%"), whatever the range.
func TestPercentTicks(t *testing.T) {
	for _, r := range [][2]float64{{-1.66, 2.5}, {-0.05, 0.41}, {0.1, 0.3}, {-3, -1}} {
		var labels []string
		for _, tk := range (percentTicks{}).Ticks(r[0], r[1]) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
			if tk.Value < r[0] || tk.Value > r[1] {
				t.Errorf("%v: tick %v outside the range", r, tk.Value)
			}
		}
		if len(labels) < 2 || len(labels) > 7 {
			t.Errorf("%v: labels %v", r, labels)
		}
		for _, l := range labels {
			if l == "-0%" {
				t.Errorf("%v: labels %v", r, labels)
			}
		}
		if r[0] < 0 && r[1] > 0 && !slices.Contains(labels, "0%") {
			t.Errorf("%v: no 0%% in %v", r, labels)
		}
	}
}
