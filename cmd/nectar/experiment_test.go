package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
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

// TestExperimentSpecMatchesNothing: a spec that matches no exposure, or
// reads a value path the logs do not have, fails with exit status 1 and
// says what the data has; a misspelt metric event is a warning on stderr
// and in the report, which still renders.
func TestExperimentSpecMatchesNothing(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, gen.Options{Events: 3000, Files: 2, Days: 2})
	base := `name: food-recs-2019-02
source: ` + glob + `
unit: anonymousId
exposure: {event: Experiment Viewed, experiment_id: food-recs-2019-02}
variants: [{name: Model_A, weight: 0.9}, {name: Model_B, weight: 0.1}]
metrics:
  - {name: conversion, type: binomial, event: Order Completed}
  - {name: gmv, type: mean, event: Order Completed, value: properties.revenue}
`
	tests := []struct {
		name, old, new string
		code           int
		stderr         []string
	}{
		{"correct", "", "", 0, nil},
		{"wrong experiment id", "experiment_id: food-recs-2019-02", "experiment_id: food-recs-2019-2", 1, []string{
			"error: wrong experiment id.yaml: experiment food-recs-2019-02: no exposures match the spec (exposure.experiment_id): ",
			`none with experiment id "food-recs-2019-2"`,
			`looked for: event "Experiment Viewed", experiment_id "food-recs-2019-2"`,
			`experiment ids on "Experiment Viewed" events: "food-recs-2019-02" (`,
			"did you mean experiment_id: food-recs-2019-02?",
		}},
		{"misspelt exposure event", "{event: Experiment Viewed,", "{event: Experiment Viewd,", 1, []string{
			`no exposures match the spec (exposure.event): no "Experiment Viewd" events in the source`,
			`events that look like exposures: "Experiment Viewed" (`,
			"did you mean event: Experiment Viewed?",
		}},
		{"misspelt metric event", "binomial, event: Order Completed", "binomial, event: Order Complted", 0, []string{
			`warning: metric conversion (metrics[0].event): no "Order Complted" event in the source; did you mean "Order Completed"?`,
		}},
		{"missing value path", "value: properties.revenue", "value: properties.revenu", 1, []string{
			"error: missing value path.yaml: experiment spec: metrics[1].value: metric gmv: no line of the source has properties.revenu; did you mean properties.revenue?",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := strings.Replace(base, tc.old, tc.new, 1)
			writeFiles(t, dir, map[string]string{tc.name + ".yaml": spec})
			for _, format := range []string{"table", "json", "html"} {
				out := nectar(t, "experiment", "--spec", tc.name+".yaml", "--format", format)
				if out.code != tc.code {
					t.Fatalf("%s: exit code %d, want %d\nstderr:\n%s", format, out.code, tc.code, out.stderr)
				}
				for _, want := range tc.stderr {
					if !strings.Contains(out.stderr, want) {
						t.Errorf("%s: stderr does not contain %q:\n%s", format, want, out.stderr)
					}
				}
				if tc.stderr == nil && out.stderr != "" {
					t.Errorf("%s: stderr = %q", format, out.stderr)
				}
				switch {
				case tc.code != 0 && out.stdout != "":
					t.Errorf("%s: a report on stdout after an error: %.200q", format, out.stdout)
				case tc.code == 0 && !strings.Contains(out.stdout, "conversion"):
					t.Errorf("%s: no report on stdout: %.200q", format, out.stdout)
				case tc.code == 0 && tc.stderr != nil && !strings.Contains(out.stdout, "Order Complted"):
					t.Errorf("%s: the warning is not in the report: %.300q", format, out.stdout)
				}
			}
		})
	}
}
