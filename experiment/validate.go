package experiment

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
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

// diagnosis is what the diagnostic query found.
type diagnosis struct {
	events    map[string]int64 // lines per event name ("" for NULL)
	exposures []exposureRow    // groups of lines that look like exposures
	paths     map[string]int64 // non-NULL lines per value path asked for
}

// exposureRow is one group of candidate exposure lines: same event,
// experiment id and variant, and the same verdict on each condition.
type exposureRow struct {
	event, expID, variant string
	hasExpID, hasVariant  bool
	// The default variant fields, when the spec has its own expression.
	defaultVariant  string
	hasDefault      bool
	whereOK, unitOK bool
	scopeOK         bool // filter, start and end
	n               int64
}

func (d *diagnosis) eventLines(name string) int64 {
	if d == nil {
		return 0
	}
	return d.events[name]
}

func (d *diagnosis) eventNames() []string {
	names := make([]string, 0, len(d.events))
	for n := range d.events {
		if n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// diagnose runs the one extra query the checks need, and only when one
// failed, so a correct spec never pays for it. It reads every line of the
// source once, as a query of its own (the statistics query keeps only the
// events the spec names), extracting the event name, the exposure fields
// when exposures is set, and the paths asked for, and groups them by event
// (and for lines that look like exposures, by experiment id, variant and
// each condition): tens of groups, so its cost is the scan's, about as much
// again as the report. Measured with the CLI over 200,000 gen events in 8
// gzip files: about 0.6 s CPU for event names and paths, 0.85 s with the
// exposure fields, against 0.9 s for the report itself.
func diagnose(ctx context.Context, eng engine.Engine, spec *Spec, exposures bool, paths []string) (*diagnosis, error) {
	// fields says which default experiment fields to read: those the
	// statistics query read, and the default variant fields even when the
	// spec has its own expression, to list them next to it.
	fields := &Spec{present: map[string]bool{}}
	for f, ok := range spec.present {
		fields.present[f] = ok
	}
	if exposures && spec.Exposure.Variant != "" {
		for _, f := range variantFields {
			fields.present[f] = probe(ctx, eng, spec, f)
		}
	}
	for {
		q, nkeys := diagnosticSQL(spec, fields, exposures, paths)
		_, rows, err := engine.QueryRows(ctx, eng, q)
		if err != nil && dropMissingDefault(fields, err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("diagnostic query: %w", err)
		}
		return parseDiagnosis(rows, nkeys, exposures, paths), nil
	}
}

// diagnosticSQL is diagnose's query and the number of its grouping keys:
// the event, then for exposures whether the line is a candidate, its
// experiment id, variant, each condition, and the default variant fields
// when the spec has its own expression.
func diagnosticSQL(spec, fields *Spec, exposures bool, paths []string) (string, int) {
	keys := []string{"CAST(event AS STRING)"}
	if exposures {
		ex := spec.Exposure
		expID := fields.coalesce(experimentFields)
		defaultVariant := fields.coalesce(variantFields)
		variant := ex.Variant
		if variant == "" {
			variant = defaultVariant
		}
		// Candidates: the exposure event, and anything carrying an
		// experiment id or the default variant fields (to list the events
		// that look like exposures when the event is misspelt).
		cand := []string{expID + " IS NOT NULL", defaultVariant + " IS NOT NULL"}
		if ex.Event != "" {
			cand = append(cand, "event = "+quote(ex.Event))
		} else if ex.Variant != "" {
			cand = append(cand, "("+ex.Variant+") IS NOT NULL")
		}
		c := "(" + strings.Join(cand, " OR ") + ")"
		when := func(e string) string { return "CASE WHEN " + c + " THEN " + e + " END" }
		where, scope := "TRUE", "TRUE"
		if ex.Where != "" {
			where = "coalesce((" + ex.Where + "), FALSE)"
		}
		var sc []string
		if spec.Filter != "" {
			sc = append(sc, "("+spec.Filter+")")
		}
		if !spec.start.IsZero() {
			sc = append(sc, fmt.Sprintf("unix_micros(CAST(timestamp AS TIMESTAMP)) >= %d", spec.start.UnixMicro()))
		}
		if !spec.end.IsZero() {
			sc = append(sc, fmt.Sprintf("unix_micros(CAST(timestamp AS TIMESTAMP)) < %d", spec.end.UnixMicro()))
		}
		if len(sc) > 0 {
			scope = "coalesce(" + strings.Join(sc, " AND ") + ", FALSE)"
		}
		keys = append(keys, c,
			when("CAST("+expID+" AS STRING)"),
			when("CAST("+variant+" AS STRING)"),
			when(where),
			when("("+spec.Unit+") IS NOT NULL"),
			when(scope))
		if ex.Variant != "" {
			keys = append(keys, when("CAST("+defaultVariant+" AS STRING)"))
		}
	}
	cols := append([]string{}, keys...)
	cols = append(cols, "count(*)")
	for _, p := range paths {
		cols = append(cols, "count("+p+")")
	}
	groups := make([]string, len(keys))
	for i := range keys {
		groups[i] = fmt.Sprint(i + 1)
	}
	return fmt.Sprintf("SELECT %s\nFROM %s AS raw\nGROUP BY %s", strings.Join(cols, ",\n  "), spec.sourceSQL(), strings.Join(groups, ", ")), len(keys)
}

// parseDiagnosis reads the rows of diagnosticSQL.
func parseDiagnosis(rows [][]types.Value, nkeys int, exposures bool, paths []string) *diagnosis {
	d := &diagnosis{events: map[string]int64{}, paths: map[string]int64{}}
	for _, p := range paths {
		d.paths[p] = 0
	}
	str := func(v types.Value) (string, bool) {
		if v.IsNull() {
			return "", false
		}
		return v.String(), true
	}
	for _, r := range rows {
		ev, _ := str(r[0])
		n := int64(r[nkeys].AsFloat())
		d.events[ev] += n
		for i, p := range paths {
			d.paths[p] += int64(r[nkeys+1+i].AsFloat())
		}
		if !exposures || !r[1].Bool() {
			continue
		}
		x := exposureRow{event: ev, n: n, whereOK: r[4].Bool(), unitOK: r[5].Bool(), scopeOK: r[6].Bool()}
		x.expID, x.hasExpID = str(r[2])
		x.variant, x.hasVariant = str(r[3])
		if nkeys > 7 {
			x.defaultVariant, x.hasDefault = str(r[7])
		}
		d.exposures = append(d.exposures, x)
	}
	return d
}

// exposureLike matches event names that sound like assignments.
var exposureLike = regexp.MustCompile(`(?i)experiment|exposure|exposed|assign|variant|variation|feature flag`)

// noExposures explains why no unit was exposed: it narrows the candidate
// exposure lines condition by condition, in the order the SQL applies them,
// and reports the first that leaves none.
func noExposures(spec *Spec, d *diagnosis, derr error) error {
	ex := spec.Exposure
	e := &NoExposureError{Experiment: spec.Name, LookedFor: spec.lookedFor()}
	if derr != nil {
		e.Field, e.Reason = "exposure", "no unit was exposed"
		e.Details = []string{fmt.Sprintf("could not list what the source has: %v", derr)}
		return e
	}
	rows := d.exposures
	filter := func(keep func(exposureRow) bool) ([]exposureRow, int64) {
		var out []exposureRow
		var n int64
		for _, r := range rows {
			if keep(r) {
				out = append(out, r)
				n += r.n
			}
		}
		return out, n
	}
	total := func(rs []exposureRow) int64 {
		var n int64
		for _, r := range rs {
			n += r.n
		}
		return n
	}
	what := "exposure events"
	if ex.Event != "" {
		what = fmt.Sprintf("%q events", ex.Event)
		sel, n := filter(func(r exposureRow) bool { return r.event == ex.Event })
		if n == 0 {
			e.Field = "exposure.event"
			e.Reason = fmt.Sprintf("no %q events in the source", ex.Event)
			e.Events = exposureEvents(d)
			if len(e.Events) > 0 {
				e.Details = append(e.Details, "events that look like exposures: "+listCounts(e.Events, "line"))
			} else {
				e.Details = append(e.Details, "no event in the source looks like an exposure (none has an experiment id or variant); events: "+listCounts(topCounts(d.events), "line"))
			}
			e.Suggestion = closest(ex.Event, d.eventNames())
			return e
		}
		rows = sel
	} else {
		rows, _ = filter(func(r exposureRow) bool { return r.hasVariant })
	}
	byID := groupCounts(rows, func(r exposureRow) (string, bool) { return r.expID, r.hasExpID })
	e.ExperimentIDs = byID
	if ex.ExperimentID != "" {
		sel, n := filter(func(r exposureRow) bool { return r.hasExpID && r.expID == ex.ExperimentID })
		if n == 0 {
			e.Field = "exposure.experiment_id"
			if len(byID) == 0 {
				e.Reason = fmt.Sprintf("none of the %d %s has an experiment id (%s)", total(rows), what, strings.Join(experimentFields, " or "))
				return e
			}
			e.Reason = fmt.Sprintf("%d %s, none with experiment id %q", total(rows), what, ex.ExperimentID)
			e.Details = append(e.Details, fmt.Sprintf("experiment ids on %s: %s", what, idsWithVariants(rows, byID)))
			ids := make([]string, len(byID))
			for i, c := range byID {
				ids[i] = c.Value
			}
			e.Suggestion = closest(ex.ExperimentID, ids)
			return e
		}
		rows = sel
		what += fmt.Sprintf(" with experiment id %q", ex.ExperimentID)
	}
	e.Variants = groupCounts(rows, func(r exposureRow) (string, bool) { return r.variant, r.hasVariant })
	listVariants := func() {
		if len(e.Variants) > 0 {
			e.Details = append(e.Details, fmt.Sprintf("variants on %s: %s", what, listCounts(e.Variants, "line")))
		}
	}
	steps := []struct {
		field, reason string
		keep          func(exposureRow) bool
	}{
		{"exposure.variant", "the variant is NULL on all %d %s", func(r exposureRow) bool { return r.hasVariant }},
		{"exposure.where", "exposure.where is false on all %d %s", func(r exposureRow) bool { return r.whereOK }},
		{"unit", "the unit (" + spec.Unit + ") is NULL on all %d %s", func(r exposureRow) bool { return r.unitOK }},
		{"filter", "filter, start and end exclude all %d %s", func(r exposureRow) bool { return r.scopeOK }},
	}
	for _, st := range steps {
		before := total(rows)
		sel, n := filter(st.keep)
		if n == 0 {
			e.Field, e.Reason = st.field, fmt.Sprintf(st.reason, before, what)
			listVariants()
			if st.field == "exposure.variant" {
				if def := groupCounts(rows, func(r exposureRow) (string, bool) { return r.defaultVariant, r.hasDefault }); len(def) > 0 {
					e.Variants = def
					e.Details = append(e.Details, fmt.Sprintf("%s hold: %s", strings.Join(variantFields, ", "), listCounts(def, "line")))
				}
			}
			return e
		}
		rows = sel
	}
	// The diagnostic query finds exposures the statistics query did not:
	// the data changed in between, or the engine disagrees with itself.
	e.Field, e.Reason = "exposure", fmt.Sprintf("the statistics query found none, but the source has %d %s that match", total(rows), what)
	listVariants()
	return e
}

// noVariants explains exposures whose variants are all missing from the
// spec (or units that all saw several variants). It needs no query: the
// statistics query reports unknown variants.
func noVariants(spec *Spec, rep *Report) error {
	e := &NoExposureError{Experiment: spec.Name, LookedFor: spec.lookedFor(), Field: "variants"}
	names := make([]string, len(spec.Variants))
	for i, v := range spec.Variants {
		names[i] = v.Name
	}
	for v, n := range rep.UnknownVariants {
		e.Variants = append(e.Variants, Count{v, n})
	}
	sortCounts(e.Variants)
	if len(e.Variants) == 0 {
		e.Field = "unit"
		e.Reason = fmt.Sprintf("all %d exposed units saw more than one variant (is the unit %s right?)", rep.MultipleVariantUnits, spec.Unit)
		return e
	}
	var units int64
	found := make([]string, len(e.Variants))
	for i, c := range e.Variants {
		units += c.N
		found[i] = c.Value
	}
	e.Reason = fmt.Sprintf("%d units were exposed, none to a variant the spec lists (%s)", units, strings.Join(names, ", "))
	e.Details = append(e.Details, "variants found: "+listCounts(e.Variants, "unit"))
	if rep.MultipleVariantUnits > 0 {
		e.Details = append(e.Details, fmt.Sprintf("%d more units saw more than one variant", rep.MultipleVariantUnits))
	}
	var pairs []string
	for _, n := range names {
		if s := closest(n, found); s != "" {
			if e.Suggestion == "" {
				e.Suggestion = s
			}
			pairs = append(pairs, fmt.Sprintf("%s for %s", s, n))
		}
	}
	if len(pairs) > 0 {
		e.Details = append(e.Details, "did you mean "+strings.Join(pairs, ", ")+"?")
	}
	return e
}

// variantWarnings flags a listed variant without units when a variant the
// spec does not list is close to its name (Model_b for Model_B).
func variantWarnings(spec *Spec, rep *Report) []Warning {
	if len(rep.UnknownVariants) == 0 {
		return nil
	}
	unknown := sortedKeys(rep.UnknownVariants)
	var ws []Warning
	for i, v := range spec.Variants {
		if rep.SRM.Observed[v.Name] > 0 {
			continue
		}
		if s := closest(v.Name, unknown); s != "" {
			ws = append(ws, Warning{Field: fmt.Sprintf("variants[%d].name", i),
				Message: fmt.Sprintf("no units in variant %q; did you mean %q (%d units, excluded as the spec does not list it)?", v.Name, s, rep.UnknownVariants[s])})
		}
	}
	return ws
}

// lookedFor describes the exposure the spec asks for.
func (s *Spec) lookedFor() string {
	ex := s.Exposure
	var parts []string
	if ex.Event != "" {
		parts = append(parts, fmt.Sprintf("event %q", ex.Event))
	} else {
		parts = append(parts, "any event")
	}
	if ex.ExperimentID != "" {
		parts = append(parts, fmt.Sprintf("experiment_id %q (%s)", ex.ExperimentID, strings.Join(experimentFields, " or ")))
	}
	if ex.Variant != "" {
		parts = append(parts, "variant "+ex.Variant)
	} else {
		parts = append(parts, "variant "+strings.Join(variantFields, " or ")+" (the default)")
	}
	if ex.Where != "" {
		parts = append(parts, "where "+ex.Where)
	} else {
		parts = append(parts, "no where")
	}
	parts = append(parts, "unit "+s.Unit)
	return strings.Join(parts, ", ")
}

// exposureEvents lists the event names that look like exposures: carrying
// an experiment id or variant, or named like one.
func exposureEvents(d *diagnosis) []Count {
	n := map[string]int64{}
	for _, r := range d.exposures {
		if r.event != "" && (r.hasExpID || r.hasVariant) {
			n[r.event] += 0
		}
	}
	for ev := range d.events {
		if exposureLike.MatchString(ev) {
			n[ev] = 0
		}
	}
	var out []Count
	for ev := range n {
		out = append(out, Count{ev, d.events[ev]})
	}
	sortCounts(out)
	return out
}

func groupCounts(rows []exposureRow, key func(exposureRow) (string, bool)) []Count {
	n := map[string]int64{}
	for _, r := range rows {
		if k, ok := key(r); ok {
			n[k] += r.n
		}
	}
	return topCounts(n)
}

func topCounts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	sortCounts(out)
	return out
}

func sortCounts(cs []Count) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].N != cs[j].N {
			return cs[i].N > cs[j].N
		}
		return cs[i].Value < cs[j].Value
	})
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// maxListed bounds every listing in a message.
const maxListed = 10

func listCounts(cs []Count, unit string) string {
	var parts []string
	for i, c := range cs {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-maxListed))
			break
		}
		v := fmt.Sprintf("%q", c.Value)
		if c.Value == "" {
			v = "NULL"
		}
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", v, plural(c.N, unit)))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%d)", v, c.N))
		}
	}
	return strings.Join(parts, ", ")
}

// idsWithVariants lists experiment ids with the variants seen with each.
func idsWithVariants(rows []exposureRow, ids []Count) string {
	var parts []string
	for i, id := range ids {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(ids)-maxListed))
			break
		}
		vs := groupCounts(rows, func(r exposureRow) (string, bool) {
			return r.variant, r.hasExpID && r.expID == id.Value && r.hasVariant
		})
		var vp []string
		for j, v := range vs {
			if j == maxListed {
				vp = append(vp, "…")
				break
			}
			vp = append(vp, fmt.Sprintf("%s %d", v.Value, v.N))
		}
		s := fmt.Sprintf("%q (%s", id.Value, plural(id.N, "line"))
		if len(vp) > 0 {
			s += "; variants " + strings.Join(vp, ", ")
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, ", ")
}

// closest returns the candidate nearest to word, compared case-insensitive
// by edit distance, if it is close enough to be a likely typo; "" if none
// is, or word itself is a candidate.
func closest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestD := "", -1
	for _, c := range candidates {
		if c == word {
			return ""
		}
		d := editDistance(w, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD >= 0 && bestD <= typoLimit(word) {
		return best
	}
	return ""
}

// typoLimit is the largest edit distance still taken for a typo: 2, or a
// third of the word's length for long words.
func typoLimit(word string) int {
	return max(2, utf8.RuneCountInString(word)/3)
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// exprPaths lists the column paths an expression reads
// (properties.revenue), as written, without the e. qualifier the metric
// SQL allows; nil if it does not parse (the engine will say why).
func exprPaths(expr string) []string {
	e, err := syntax.ParseExpr(expr)
	if err != nil {
		return nil
	}
	var out []string
	var walk func(syntax.Expr)
	walk = func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.Ident:
			parts := e.Parts
			if len(parts) > 1 && strings.EqualFold(parts[0], "e") {
				parts = parts[1:]
			}
			if p := strings.Join(parts, "."); !strings.HasPrefix(p, "__") && !contains(out, p) {
				out = append(out, p)
			}
		case *syntax.Subscript:
			walk(e.X)
			walk(e.Index)
		case *syntax.Field:
			walk(e.X)
		case *syntax.Unary:
			walk(e.X)
		case *syntax.Binary:
			walk(e.L)
			walk(e.R)
		case *syntax.Call:
			for _, a := range e.Args {
				walk(a)
			}
			if e.Filter != nil {
				walk(e.Filter)
			}
		case *syntax.Case:
			if e.Operand != nil {
				walk(e.Operand)
			}
			for _, w := range e.Whens {
				walk(w.Cond)
				walk(w.Result)
			}
			if e.Else != nil {
				walk(e.Else)
			}
		case *syntax.Cast:
			walk(e.X)
		case *syntax.In:
			walk(e.X)
			for _, x := range e.List {
				walk(x)
			}
		case *syntax.Like:
			walk(e.X)
			walk(e.Pattern)
		case *syntax.Between:
			walk(e.X)
			walk(e.Lo)
			walk(e.Hi)
		case *syntax.IsNull:
			walk(e.X)
		}
	}
	walk(e)
	return out
}

// schema is the source's columns as the engine inferred them from a
// sample: a path it lists is certainly in the data, one it does not may
// still be on lines the sample missed.
type schema struct {
	cols  []string
	lower map[string]bool
}

// loadSchema asks the engine for the source's columns (DESCRIBE: the
// sampled schema, cached by the engine, no scan). nil if it cannot.
func loadSchema(ctx context.Context, eng engine.Engine, spec *Spec) *schema {
	_, rows, err := engine.QueryRows(ctx, eng, "DESCRIBE SELECT * FROM "+spec.sourceSQL()+" AS raw")
	if err != nil {
		return nil
	}
	s := &schema{lower: map[string]bool{}}
	for _, r := range rows {
		if len(r) > 0 && !r[0].IsNull() {
			s.cols = append(s.cols, r[0].S)
			s.lower[strings.ToLower(r[0].S)] = true
		}
	}
	return s
}

// has reports whether the sample has path p, as a column or an object
// above columns; hidden columns (_file, _line, _received_day) count.
func (s *schema) has(p string) bool {
	if s == nil {
		return false
	}
	lp := strings.ToLower(p)
	switch lp {
	case "_file", "_line", "_received_day":
		return true
	}
	if s.lower[lp] {
		return true
	}
	for _, c := range s.cols {
		if strings.HasPrefix(strings.ToLower(c), lp+".") {
			return true
		}
	}
	return false
}

// hint suggests the sampled paths closest to p: by the whole path, or by
// the last name alone (revenue for properties.revenue).
func (s *schema) hint(p string) string {
	if s == nil {
		return ""
	}
	last := func(x string) string { return x[strings.LastIndexByte(x, '.')+1:] }
	lp := strings.ToLower(p)
	limit := typoLimit(last(p)) // a typo is in one name, not spread over the path
	type cand struct {
		path string
		d    int
	}
	var cs []cand
	for _, c := range s.cols {
		lc := strings.ToLower(c)
		d := min(editDistance(lp, lc), editDistance(last(lp), last(lc))+1)
		if d <= limit {
			cs = append(cs, cand{c, d})
		}
	}
	if len(cs) == 0 {
		return ""
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	h := "; did you mean " + cs[0].path + "?"
	var more []string
	for _, c := range cs[1:] {
		if c.d <= cs[0].d+1 && len(more) < 3 {
			more = append(more, c.path)
		}
	}
	if len(more) > 0 {
		h += " (also close: " + strings.Join(more, ", ") + ")"
	}
	return h
}

// specField is one SQL expression of the spec and where it sits.
type specField struct {
	field  string // YAML path: metrics[1].value
	metric string // the metric's name, "" outside metrics
	expr   string
	agg    bool // an aggregate (a component's sql)
}

// fields lists the spec's SQL expressions in spec order.
func (s *Spec) fields() []specField {
	out := []specField{{field: "unit", expr: s.Unit}}
	if s.Exposure.Variant != "" {
		out = append(out, specField{field: "exposure.variant", expr: s.Exposure.Variant})
	}
	if s.Exposure.Where != "" {
		out = append(out, specField{field: "exposure.where", expr: s.Exposure.Where})
	}
	if s.Filter != "" {
		out = append(out, specField{field: "filter", expr: s.Filter})
	}
	for i, d := range s.Dimensions {
		out = append(out, specField{field: fmt.Sprintf("dimensions[%d]", i), expr: d})
	}
	for _, sc := range s.components() {
		name := s.Metrics[sc.metric].Name
		if sc.c.Where != "" {
			out = append(out, specField{field: sc.field + ".where", metric: name, expr: sc.c.Where})
		}
		if sc.c.Value != "" {
			out = append(out, specField{field: sc.field + ".value", metric: name, expr: sc.c.Value})
		}
		if sc.c.SQL != "" {
			out = append(out, specField{field: sc.field + ".sql", metric: name, expr: sc.c.SQL, agg: true})
		}
	}
	return out
}

// fieldMentioned finds the spec field whose expression reads a path the
// message names (the longest such path, the first field reading it),
// looking only at paths among only when it is not nil.
func (s *Spec) fieldMentioned(msg string, only []string) (*specField, string) {
	lm := strings.ToLower(msg)
	var best *specField
	bestPath := ""
	fields := s.fields()
	for i := range fields {
		for _, p := range exprPaths(fields[i].expr) {
			if only != nil && !contains(only, p) {
				continue
			}
			if len(p) > len(bestPath) && mentions(lm, strings.ToLower(p)) {
				best, bestPath = &fields[i], p
			}
		}
	}
	return best, bestPath
}

// mentions reports whether msg has p as a whole name: not inside a longer
// identifier or path.
func mentions(msg, p string) bool {
	ident := func(c byte) bool {
		return c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(msg[i:], p)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(p)
		if (j == 0 || !ident(msg[j-1])) && (end == len(msg) || !ident(msg[end]) || msg[end] == '.' && (end+1 == len(msg) || !ident(msg[end+1]))) {
			return true
		}
		i = j + 1
	}
}

// specErr is the SpecError for an engine error about path p in f.
func (f *specField) specErr(p string, sch *schema, err error) *SpecError {
	msg := err.Error()
	hint := ""
	if p != "" {
		hint = sch.hint(p) // the closest paths, nested ones included
	}
	var se *syntax.Error
	switch {
	case hint != "" && !strings.Contains(strings.ToLower(msg), "did you mean"):
		msg += hint
	case errors.As(err, &se) && se.Hint != "":
		// The binder's hint looks at top-level names only.
		msg += " (" + se.Hint + ")"
	}
	if f.metric != "" {
		msg = "metric " + f.metric + ": " + msg
	}
	return &SpecError{Field: f.field, Msg: msg, Err: err}
}

// explainQueryError attributes an error of the statistics query to the
// spec field that caused it, so the user reads metrics[1].value rather
// than a position in SQL they did not write. It binds each expression on
// its own (DESCRIBE: no data read), then looks for a path the message
// names (a runtime error such as the engine's FIELD_NOT_FOUND). It runs
// only after a failure. Errors it cannot place come back wrapped as
// before.
func explainQueryError(ctx context.Context, eng engine.Engine, spec *Spec, err error) error {
	wrapped := fmt.Errorf("experiment %s: run statistics query: %w", spec.Name, err)
	if ctx.Err() != nil {
		return wrapped
	}
	var sch *schema
	schemaOnce := func() *schema {
		if sch == nil {
			sch = loadSchema(ctx, eng, spec)
		}
		return sch
	}
	var se *syntax.Error
	var sl syntax.ErrorList
	if errors.As(err, &se) || errors.As(err, &sl) {
		from := fmt.Sprintf("(SELECT *, CAST(NULL AS STRING) AS __unit, CAST(0 AS BIGINT) AS __t FROM %s) AS e", spec.sourceSQL())
		fields := spec.fields()
		for i := range fields {
			f := &fields[i]
			q := "DESCRIBE SELECT " + f.expr + " FROM " + from
			if f.field == "unit" {
				q = "DESCRIBE SELECT " + f.expr + " FROM " + spec.sourceSQL() + " AS e"
			}
			if _, _, ferr := engine.QueryRows(ctx, eng, q); ferr != nil {
				if ctx.Err() != nil {
					return wrapped
				}
				_, p := spec.fieldMentioned(ferr.Error(), exprPaths(f.expr))
				return f.specErr(p, schemaOnce(), ferr)
			}
		}
	}
	if f, p := spec.fieldMentioned(err.Error(), nil); f != nil {
		return f.specErr(p, schemaOnce(), err)
	}
	return wrapped
}
