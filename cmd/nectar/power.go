package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/experiment"
)

// newPowerCmd is `nectar experiment power`: how small an effect a test can
// detect with the units it will get, or how many units a given effect
// needs. It uses the same formulas as the reports (docs/EXPERIMENTS.md).
func newPowerCmd() *cobra.Command {
	var (
		rate, mean, sd float64
		units          float64
		treatment      float64
		alpha, power   float64
		relativeEffect float64
	)
	c := &cobra.Command{
		Use:   "power (--rate P | --mean M --sd S) [--units N | --effect R]",
		Short: "Minimum detectable effect for N units, or units needed for an effect",
		Example: `  nectar experiment power --rate 0.03 --units 20000 --treatment 0.1      # smallest lift 20k units detect
  nectar experiment power --mean 49.9 --sd 180 --effect 0.05               # units to detect a +5% GMV lift`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var base, v float64
			switch {
			case rate > 0 && rate < 1 && mean == 0 && sd == 0:
				base, v = rate, rate*(1-rate)
			case rate == 0 && mean != 0 && sd > 0:
				base, v = mean, sd*sd
			default:
				return errors.New("give --rate P (0 < P < 1) for a conversion metric, or --mean M and --sd S for a mean metric")
			}
			if treatment <= 0 || treatment >= 1 {
				return errors.New("--treatment must be the treatment's share of units, between 0 and 1")
			}
			if alpha <= 0 || alpha >= 1 || power <= 0 || power >= 1 {
				return errors.New("--alpha and --power must lie between 0 and 1")
			}
			out := cmd.OutOrStdout()
			switch {
			case units > 0 && relativeEffect == 0:
				nt := units * treatment
				mde := experiment.MDE(v, units-nt, nt, alpha, power)
				fmt.Fprintf(out, "with %.0f units (%.0f%% in treatment), alpha %g and power %g:\n", units, 100*treatment, alpha, power)
				fmt.Fprintf(out, "  minimum detectable effect: %.6g absolute, %+.2f%% relative to %.6g\n", mde, 100*mde/math.Abs(base), base)
			case relativeEffect != 0 && units == 0:
				delta := relativeEffect * math.Abs(base)
				n := math.Ceil(experiment.SampleSize(delta, v, treatment, alpha, power))
				fmt.Fprintf(out, "to detect %+.2f%% (%.6g absolute) with alpha %g and power %g:\n", 100*relativeEffect, delta, alpha, power)
				fmt.Fprintf(out, "  units needed: %.0f in all (%.0f control, %.0f treatment)\n", n, math.Ceil(n*(1-treatment)), math.Ceil(n*treatment))
			case relativeEffect != 0 && units > 0:
				nt := units * treatment
				p := experiment.Power(relativeEffect*math.Abs(base), v, units-nt, nt, alpha)
				fmt.Fprintf(out, "power to detect %+.2f%% with %.0f units at alpha %g: %.4f\n", 100*relativeEffect, units, alpha, p)
			default:
				return errors.New("give --units N (for the detectable effect), --effect R (for the units needed), or both (for the power)")
			}
			return nil
		},
	}
	f := c.Flags()
	f.Float64Var(&rate, "rate", 0, "control conversion rate of a binomial metric")
	f.Float64Var(&mean, "mean", 0, "control mean of a mean metric")
	f.Float64Var(&sd, "sd", 0, "per-unit standard deviation of a mean metric")
	f.Float64Var(&units, "units", 0, "total units the experiment will get")
	f.Float64Var(&relativeEffect, "effect", 0, "relative effect to detect, e.g. 0.05 for +5%")
	f.Float64Var(&treatment, "treatment", 0.5, "share of units in the treatment")
	f.Float64Var(&alpha, "alpha", 0.05, "two-sided significance level")
	f.Float64Var(&power, "power", 0.8, "wanted power")
	return c
}
