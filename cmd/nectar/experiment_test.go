package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExperimentCharts writes the handmade experiment's charts with
// --charts and checks that every metric has both charts in both formats.
func TestExperimentCharts(t *testing.T) {
	spec, err := filepath.Abs("../../experiment/testdata/handmade.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "charts")
	out := nectar(t, "experiment", "--spec", spec, "--format", "json", "--charts", dir).mustSucceed(t)
	if !strings.Contains(out.stdout, `"metrics"`) {
		t.Errorf("report not on stdout: %q", out.stdout)
	}
	if !strings.Contains(out.stderr, "charts: wrote 20 files to "+dir) {
		t.Errorf("stderr = %q", out.stderr)
	}
	for _, metric := range []string{"conversion", "gmv", "gmv24", "ctr", "gmv_cuped"} {
		for _, kind := range []string{"lift", "cumulative"} {
			base := filepath.Join(dir, kind+"-"+metric)
			f, err := os.Open(base + ".png")
			if err != nil {
				t.Error(err)
				continue
			}
			if _, err := png.Decode(f); err != nil {
				t.Errorf("%s.png: %v", base, err)
			}
			f.Close()
			svg, err := os.ReadFile(base + ".svg")
			if err != nil || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), metric) {
				t.Errorf("%s.svg: %v %.80q", base, err, svg)
			}
		}
	}
}
