package main

import (
	"strings"
	"testing"
)

// TestPower checks the calculator against the closed form
// (z_{0.975} + z_{0.8})·sqrt(v/nc + v/nt) worked by hand:
// v = 0.03·0.97, nc = 18000, nt = 2000 gives 0.0112645.
func TestPower(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0.03", "--units", "20000", "--treatment", "0.1"}, "minimum detectable effect: 0.0112645 absolute, +37.55% relative"},
		// n = (1.95996+0.84162)² · 2·180² / 2.495² · 2 (two equal arms) ≈ 163408
		{[]string{"--mean", "49.9", "--sd", "180", "--effect", "0.05"}, "units needed: 163408 in all (81704 control, 81704 treatment)"},
		{[]string{"--rate", "0.03", "--units", "20000", "--effect", "0.2"}, "power to detect +20.00% with 20000 units at alpha 0.05: 0.7009"},
	}
	for _, c := range cases {
		got := nectar(t, append([]string{"experiment", "power"}, c.args...)...).mustSucceed(t)
		if !strings.Contains(got.stdout, c.want) {
			t.Errorf("%v:\n%s\nwant a line with %q", c.args, got.stdout, c.want)
		}
	}
	bad := nectar(t, "experiment", "power", "--rate", "0.03")
	if bad.code != exitError || !strings.Contains(bad.stderr, "--units") {
		t.Errorf("without --units or --effect: exit %d, %q", bad.code, bad.stderr)
	}
}
