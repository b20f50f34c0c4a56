package experiment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/engine"
)

// A spec that names an experiment id, event or value path the data does not
// have used to give a report of zeros with "SRM: ok". Run now checks, after
// the statistics query and mostly from its own rows (docs/EXPERIMENTS.md,
// "Specs that match nothing"):
//
//   - no exposure matches the spec, or none has a variant the spec lists:
//     *NoExposureError (ErrNoExposures), listing what the data has;
//   - a metric's value path occurs on no line of the source: *SpecError
//     for metrics[i].value, with the closest paths;
//   - a metric's event, or its value, never occurs among the exposed
//     units' events after exposure: a Warning in the report.

// ErrNoExposures is wrapped by *NoExposureError: nothing in the data
// matches the spec's exposure, so there is nothing to report.
var ErrNoExposures = errors.New("no exposures match the experiment spec")

// NoExposureError says which part of the exposure matched nothing and what
// the data has instead.
type NoExposureError struct {
	Experiment string
	// Field is the part of the spec that matched nothing: exposure.event,
	// exposure.experiment_id, exposure.variant, exposure.where, unit,
	// filter (with start and end) or variants.
	Field     string
	Reason    string // what the data had instead, one sentence
	LookedFor string // the exposure the spec describes
	// What the data has: event names that look like exposures (when the
	// event is missing), experiment ids on the exposure event, variant
	// values on the exposures that match otherwise; most frequent first.
	Events, ExperimentIDs, Variants []Count
	// Suggestion is the value closest to the spec's (case-insensitive edit
	// distance) for Field, "" when none is close; for variants, the one
	// closest to the first listed variant that has one.
	Suggestion string
	// Details are further lines for the message (listings, and why a
	// listing is missing).
	Details []string
}

// Count is a value found in the data and how many lines (or units) have it.
type Count struct {
	Value string `json:"value"`
	N     int64  `json:"n"`
}

func (e *NoExposureError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "experiment %s: no exposures match the spec (%s): %s", e.Experiment, e.Field, e.Reason)
	fmt.Fprintf(&b, "\n  looked for: %s", e.LookedFor)
	for _, d := range e.Details {
		b.WriteString("\n  " + d)
	}
	if e.Suggestion != "" && e.Field != "variants" { // variants: a line per name in Details
		fmt.Fprintf(&b, "\n  did you mean %s: %s?", strings.TrimPrefix(e.Field, "exposure."), e.Suggestion)
	}
	return b.String()
}

func (e *NoExposureError) Unwrap() error { return ErrNoExposures }

// Warning is a problem that leaves the report standing but probably wrong:
// a metric that cannot have measured anything.
type Warning struct {
	Metric  string `json:"metric,omitempty"`
	Field   string `json:"field"` // YAML path, e.g. "metrics[1].value"
	Message string `json:"message"`
}

func (w Warning) String() string {
	if w.Metric == "" {
		return fmt.Sprintf("%s: %s", w.Field, w.Message)
	}
	return fmt.Sprintf("metric %s (%s): %s", w.Metric, w.Field, w.Message)
}

// verify checks that the report measured something. The counts come from
// the statistics query (Cell.Checks, the exposed units); only when one is
// zero does it read more: the schema (sampled, cheap) and, if that cannot
// settle it, one diagnostic query over the source (see diagnose).
func verify(ctx context.Context, eng engine.Engine, spec *Spec, cells []Cell, rep *Report) error {
	known := map[string]bool{}
	for _, v := range spec.Variants {
		known[v.Name] = true
	}
	checks := spec.checks()
	counts := make([]float64, len(checks))
	var exposed, measured int64
	for _, c := range cells {
		switch {
		case c.Slice == multiSlice:
			exposed += c.N
		case c.Slice == "":
			exposed += c.N
			if known[c.Variant] {
				measured += c.N
				for i := range min(len(c.Checks), len(counts)) {
					counts[i] += c.Checks[i]
				}
			}
		}
	}
	if exposed == 0 {
		d, err := diagnose(ctx, eng, spec, true, nil)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return noExposures(spec, d, err)
	}
	if measured == 0 {
		return noVariants(spec, rep)
	}
	rep.Warnings = append(rep.Warnings, variantWarnings(spec, rep)...)
	if !anyZero(counts) {
		return nil
	}

	// Which zero counts need the data to explain them.
	var sch *schema
	var ask []string // value paths no sampled line has: counted by diagnose
	needEvents := false
	for i, c := range checks {
		if counts[i] > 0 {
			continue
		}
		if c.Value == "" {
			needEvents = true
			continue
		}
		if sch == nil {
			sch = loadSchema(ctx, eng, spec)
		}
		for _, p := range exprPaths(c.Value) {
			if !sch.has(p) && !contains(ask, p) {
				ask = append(ask, p)
			}
		}
	}
	var d *diagnosis
	var derr error
	if needEvents || len(ask) > 0 {
		d, derr = diagnose(ctx, eng, spec, false, ask)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if derr != nil {
			if err := missingPath(spec, ask, sch, derr); err != nil {
				return err
			}
		}
	}
	// A path on no line of the source is a mistake in the spec: fail.
	if d != nil {
		for _, sc := range spec.components() {
			if sc.c.Value == "" || sc.c.SQL != "" {
				continue
			}
			for _, p := range exprPaths(sc.c.Value) {
				if n, ok := d.paths[p]; ok && n == 0 {
					return &SpecError{Field: sc.field + ".value", Msg: fmt.Sprintf("metric %s: no line of the source has %s%s",
						spec.Metrics[sc.metric].Name, p, sch.hint(p))}
				}
			}
		}
	}
	// The rest are warnings: the report stands, but a metric measured
	// nothing.
	zero := map[check]bool{}
	for i, c := range checks {
		if counts[i] == 0 {
			zero[c] = true
		}
	}
	for _, sc := range spec.components() {
		c, name := sc.c, spec.Metrics[sc.metric].Name
		if c.SQL != "" {
			continue
		}
		if c.Event != "" && zero[check{Event: c.Event}] {
			w := Warning{Metric: name, Field: sc.field + ".event"}
			switch n := d.eventLines(c.Event); {
			case d == nil:
				w.Message = fmt.Sprintf("no exposed unit has a %q event after its first exposure", c.Event)
				if derr != nil {
					w.Message += fmt.Sprintf(" (could not list the event names: %v)", derr)
				}
			case n == 0:
				w.Message = fmt.Sprintf("no %q event in the source", c.Event)
				if s := closest(c.Event, d.eventNames()); s != "" {
					w.Message += fmt.Sprintf("; did you mean %q?", s)
				}
			default:
				w.Message = fmt.Sprintf("%q occurs on %s of the source, but no exposed unit has one after its first exposure", c.Event, plural(n, "line"))
				if spec.Filter != "" || !spec.start.IsZero() || !spec.end.IsZero() {
					w.Message += " (within filter, start and end)"
				}
			}
			rep.Warnings = append(rep.Warnings, w)
			continue
		}
		if c.Value != "" && zero[check{Event: c.Event, Value: c.Value}] {
			on := "every event"
			if c.Event != "" {
				on = fmt.Sprintf("every %q event", c.Event)
			}
			msg := fmt.Sprintf("%s is NULL on %s of the exposed units after their first exposure", c.Value, on)
			elsewhere := true // every path it reads is in the source (sampled or counted)
			for _, p := range exprPaths(c.Value) {
				elsewhere = elsewhere && (sch.has(p) || d != nil && d.paths[p] > 0)
			}
			if elsewhere {
				msg += " (other lines of the source have it)"
			}
			rep.Warnings = append(rep.Warnings, Warning{Metric: name, Field: sc.field + ".value", Message: msg})
		}
	}
	return nil
}

func anyZero(fs []float64) bool {
	for _, f := range fs {
		if f == 0 {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// missingPath turns the engine's error for a path no line has (the
// engine's FIELD_NOT_FOUND, when it checks) into the metric's SpecError;
// nil if err is about something else.
func missingPath(spec *Spec, paths []string, sch *schema, err error) error {
	if !strings.Contains(err.Error(), "FIELD_NOT_FOUND") {
		return nil
	}
	f, p := spec.fieldMentioned(err.Error(), paths)
	if f == nil {
		return nil
	}
	return f.specErr(p, sch, err)
}
