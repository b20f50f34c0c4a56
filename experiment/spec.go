package experiment

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nectar-dev/nectar/syntax"
)

// ErrSpec is wrapped by every spec validation error; the message names the
// offending field.
var ErrSpec = errors.New("invalid experiment spec")

// SpecError says which field of the spec is wrong and why.
type SpecError struct {
	Field string // YAML path, e.g. "metrics[1].value"
	Msg   string
	Err   error // the engine's error when the data showed the mistake, or nil
}

func (e *SpecError) Error() string { return fmt.Sprintf("experiment spec: %s: %s", e.Field, e.Msg) }

// Unwrap gives ErrSpec and the engine's error, if any.
func (e *SpecError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrSpec}
	}
	return []error{ErrSpec, e.Err}
}

func specErr(field, format string, args ...any) error {
	return &SpecError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Spec is a parsed, validated experiment spec.
type Spec struct {
	Name       string    `yaml:"name"`
	Source     string    `yaml:"source"`     // path, glob, s3:// URL, or a registered source name
	Unit       string    `yaml:"unit"`       // SQL expression identifying the randomisation unit
	Exposure   Exposure  `yaml:"exposure"`   // how assignments are recognised
	Variants   []Variant `yaml:"variants"`   // designed weights; the first is the control
	Metrics    []Metric  `yaml:"metrics"`    //
	Dimensions []string  `yaml:"dimensions"` // SQL expressions evaluated on the first exposure event
	Filter     string    `yaml:"filter"`     // SQL condition applied to every event
	Start      string    `yaml:"start"`      // events before this timestamp are ignored (RFC 3339 or date)
	End        string    `yaml:"end"`        // events at or after this timestamp are ignored
	Alpha      float64   `yaml:"alpha"`      // two-sided significance level (default 0.05)
	SRMAlpha   float64   `yaml:"srm_alpha"`  // SRM flag threshold (default 0.001)
	Prior      *Prior    `yaml:"prior"`      // optional normal prior on relative lift
	// SequentialTuning is n*, the sample size at which the always-valid
	// interval is tightest (default 5000; Howard et al. 2021, eq. 14).
	SequentialTuning float64 `yaml:"sequential_tuning"`
	// CUPEDWindow is the default pre-exposure window for metrics with cuped: true.
	CUPEDWindow string `yaml:"cuped_window"`

	Dir string `yaml:"-"` // relative Source paths resolve against it

	present           map[string]bool // fields of experimentFields/variantFields the source has (nil: assume all)
	start, end        time.Time
	cupedWindowMicros int64
}

// Exposure describes the assignment events.
type Exposure struct {
	Event        string `yaml:"event"`         // event name (default: any event with a variant)
	ExperimentID string `yaml:"experiment_id"` // matched against properties.experiment_id or experimentId
	Variant      string `yaml:"variant"`       // SQL expression for the variant (default properties.variation_id / variationId / variant_id)
	Where        string `yaml:"where"`         // extra SQL condition on exposure events
}

// Variant is one arm and its designed traffic weight.
type Variant struct {
	Name   string  `yaml:"name"`
	Weight float64 `yaml:"weight"`
	// Model is the model version the arm ran, [namespace/]name@version
	// (food-recs@1.4.2): --record scores that version in the model graph.
	Model string `yaml:"model"`
}

// Prior is a normal prior on the relative lift, for the Bayesian view.
type Prior struct {
	Mean float64 `yaml:"mean"`
	SD   float64 `yaml:"sd"`
}

// Metric types.
const (
	Binomial = "binomial" // did the unit do it at least once (0/1)
	Mean     = "mean"     // per-unit sum (or count) of a value
	Ratio    = "ratio"    // sum of numerator over sum of denominator, unit-level delta method
)

// Component selects and values a unit's events: a count of matching events,
// or the sum of Value over them, or an arbitrary SQL aggregate.
type Component struct {
	Event string `yaml:"event"` // event name
	Where string `yaml:"where"` // extra SQL condition on the unit's events
	Value string `yaml:"value"` // SQL expression summed over matching events (default: count them)
	SQL   string `yaml:"sql"`   // SQL aggregate over the unit's post-exposure events; replaces event/where/value
}

// Metric is one measured outcome.
type Metric struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"`
	Component   `yaml:",inline"`
	Numerator   *Component `yaml:"numerator"`   // ratio metrics
	Denominator *Component `yaml:"denominator"` // ratio metrics
	// Window is the conversion window after first exposure ("72h", "7d");
	// empty means until the end of the data.
	Window string `yaml:"window"`
	// Winsorize caps per-unit values (a ratio's numerator) at this
	// percentile of all units (0.99).
	Winsorize float64 `yaml:"winsorize"`
	// WinsorizeDenominator also caps a ratio's per-unit denominator at its
	// own percentile Winsorize.
	WinsorizeDenominator bool `yaml:"winsorize_denominator"`
	// CUPED adjusts with the same metric measured before exposure (for a
	// ratio, its numerator and denominator over the pre-exposure window).
	CUPED bool `yaml:"cuped"`
	// LowerIsBetter flips chance to win and risk (e.g. latency, refunds).
	LowerIsBetter bool `yaml:"lower_is_better"`

	windowMicros int64
}

// ParseSpec reads a YAML spec and validates it; relative source paths
// resolve against dir.
func ParseSpec(data []byte, dir string) (*Spec, error) {
	var s Spec
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: parse yaml: %v", ErrSpec, err)
	}
	s.Dir = dir
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// canonicalExprs checks that each field holding SQL holds one expression,
// and replaces it by its canonical text: the text goes into the report's
// query, where a comment or a stray parenthesis must not change what the
// rest of the query means.
func (s *Spec) canonicalExprs() error {
	fix := func(field string, text *string) error {
		if strings.TrimSpace(*text) == "" {
			return nil
		}
		e, err := syntax.ParseExpr(*text)
		if err != nil {
			return specErr(field, "is not one SQL expression: %v", err)
		}
		*text = e.String()
		return nil
	}
	fields := []struct {
		name string
		text *string
	}{{"unit", &s.Unit}, {"filter", &s.Filter}, {"exposure.variant", &s.Exposure.Variant}, {"exposure.where", &s.Exposure.Where}}
	for i := range s.Dimensions {
		fields = append(fields, struct {
			name string
			text *string
		}{fmt.Sprintf("dimensions[%d]", i), &s.Dimensions[i]})
	}
	for _, f := range fields {
		if err := fix(f.name, f.text); err != nil {
			return err
		}
	}
	component := func(field string, c *Component) error {
		if c == nil {
			return nil
		}
		for _, f := range []struct {
			name string
			text *string
		}{{"where", &c.Where}, {"value", &c.Value}, {"sql", &c.SQL}} {
			if err := fix(field+"."+f.name, f.text); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range s.Metrics {
		m := &s.Metrics[i]
		field := fmt.Sprintf("metrics[%d]", i)
		for _, c := range []struct {
			name string
			c    *Component
		}{{field, &m.Component}, {field + ".numerator", m.Numerator}, {field + ".denominator", m.Denominator}} {
			if err := component(c.name, c.c); err != nil {
				return err
			}
		}
	}
	return nil
}

// modelRE is a model version reference, as the model graph reads it
// (graph.ParseModelRef): a score belongs to one version, so it is required.
var modelRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*@[^\s@/]+$`)

// Validate checks the spec and fills defaults. ParseSpec calls it; call it
// yourself for a Spec built in code.
func (s *Spec) Validate() error {
	if err := s.canonicalExprs(); err != nil {
		return err
	}
	if s.Source == "" {
		return specErr("source", "is required")
	}
	if s.Unit == "" {
		return specErr("unit", "is required (e.g. userId or anonymousId)")
	}
	if s.Exposure.Event == "" && s.Exposure.Variant == "" {
		return specErr("exposure", "needs event or variant")
	}
	if len(s.Variants) == 0 {
		return specErr("variants", "lists no variants")
	}
	seen := map[string]bool{}
	for i, v := range s.Variants {
		f := fmt.Sprintf("variants[%d]", i)
		if v.Name == "" {
			return specErr(f+".name", "is required")
		}
		if seen[v.Name] {
			return specErr(f+".name", "%q appears twice", v.Name)
		}
		seen[v.Name] = true
		if !(v.Weight > 0) || math.IsInf(v.Weight, 0) {
			return specErr(f+".weight", "must be positive, got %v", v.Weight)
		}
		if v.Model != "" && !modelRE.MatchString(v.Model) {
			return specErr(f+".model", "%q: want [namespace/]name@version, e.g. food-recs@1.4.2", v.Model)
		}
	}
	if len(s.Metrics) == 0 {
		return specErr("metrics", "lists no metrics")
	}
	if s.Alpha == 0 {
		s.Alpha = 0.05
	}
	if !(s.Alpha > 0 && s.Alpha < 1) {
		return specErr("alpha", "must be in (0, 1), got %v", s.Alpha)
	}
	if s.SRMAlpha == 0 {
		s.SRMAlpha = 0.001
	}
	if !(s.SRMAlpha > 0 && s.SRMAlpha < 1) {
		return specErr("srm_alpha", "must be in (0, 1), got %v", s.SRMAlpha)
	}
	if s.SequentialTuning == 0 {
		s.SequentialTuning = 5000
	}
	if !(s.SequentialTuning > 0) {
		return specErr("sequential_tuning", "must be positive, got %v", s.SequentialTuning)
	}
	if s.Prior != nil && !(s.Prior.SD > 0) {
		return specErr("prior.sd", "must be positive, got %v", s.Prior.SD)
	}
	var err error
	if s.start, err = parseTime(s.Start); err != nil {
		return specErr("start", "%v", err)
	}
	if s.end, err = parseTime(s.End); err != nil {
		return specErr("end", "%v", err)
	}
	if !s.start.IsZero() && !s.end.IsZero() && !s.end.After(s.start) {
		return specErr("end", "must be after start")
	}
	if s.CUPEDWindow == "" {
		s.CUPEDWindow = "14d"
	}
	if s.cupedWindowMicros, err = parseWindow(s.CUPEDWindow); err != nil {
		return specErr("cuped_window", "%v", err)
	}
	for i, d := range s.Dimensions {
		if strings.TrimSpace(d) == "" {
			return specErr(fmt.Sprintf("dimensions[%d]", i), "is empty")
		}
	}
	names := map[string]bool{}
	for i := range s.Metrics {
		m := &s.Metrics[i]
		f := fmt.Sprintf("metrics[%d]", i)
		if m.Name == "" {
			return specErr(f+".name", "is required")
		}
		if names[m.Name] {
			return specErr(f+".name", "%q appears twice", m.Name)
		}
		names[m.Name] = true
		if m.Window != "" {
			if m.windowMicros, err = parseWindow(m.Window); err != nil {
				return specErr(f+".window", "%v", err)
			}
		}
		if m.Winsorize != 0 && !(m.Winsorize > 0 && m.Winsorize < 1) {
			return specErr(f+".winsorize", "must be a percentile in (0, 1), got %v", m.Winsorize)
		}
		switch m.Type {
		case Binomial, Mean:
			if m.Numerator != nil || m.Denominator != nil {
				return specErr(f+".numerator", "only ratio metrics have a numerator and denominator")
			}
			if err := m.Component.check(f); err != nil {
				return err
			}
			if m.Type == Binomial && m.Value != "" {
				return specErr(f+".value", "binomial metrics count units with at least one event; use type: mean to sum a value")
			}
		case Ratio:
			if m.Numerator == nil {
				return specErr(f+".numerator", "is required for a ratio metric")
			}
			if m.Denominator == nil {
				return specErr(f+".denominator", "is required for a ratio metric")
			}
			if m.Event != "" || m.Value != "" || m.SQL != "" || m.Where != "" {
				return specErr(f+".event", "a ratio metric takes event/where/value inside numerator and denominator")
			}
			if err := m.Numerator.check(f + ".numerator"); err != nil {
				return err
			}
			if err := m.Denominator.check(f + ".denominator"); err != nil {
				return err
			}
			if m.WinsorizeDenominator && m.Winsorize == 0 {
				return specErr(f+".winsorize_denominator", "needs winsorize, the percentile to cap at")
			}
		case "":
			return specErr(f+".type", "is required (binomial, mean or ratio)")
		default:
			return specErr(f+".type", "unknown type %q (want binomial, mean or ratio)", m.Type)
		}
		if m.Type == Binomial && m.Winsorize != 0 {
			return specErr(f+".winsorize", "a 0/1 metric cannot be winsorised")
		}
		if m.Type != Ratio && m.WinsorizeDenominator {
			return specErr(f+".winsorize_denominator", "only ratio metrics have a denominator")
		}
	}
	return nil
}

func (c *Component) check(field string) error {
	if c.SQL != "" {
		if c.Event != "" || c.Value != "" || c.Where != "" {
			return specErr(field+".sql", "replaces event, where and value; give one or the other")
		}
		return nil
	}
	if c.Event == "" && c.Where == "" {
		return specErr(field+".event", "is required (or give where or sql)")
	}
	return nil
}

// parseWindow reads a duration such as "72h", "30m" or "7d" as microseconds.
func parseWindow(s string) (int64, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || !(days > 0) {
			return 0, fmt.Errorf("bad duration %q (want e.g. 72h or 7d)", s)
		}
		return int64(days * 86400e6), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad duration %q (want e.g. 72h or 7d)", s)
	}
	return d.Microseconds(), nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q (want RFC 3339 or YYYY-MM-DD)", s)
}

// sourceSQL is the FROM item for the spec's source.
func (s *Spec) sourceSQL() string {
	src := s.Source
	if strings.HasPrefix(src, "s3://") || strings.ContainsAny(src, "/*.?") {
		if !strings.HasPrefix(src, "s3://") && !filepath.IsAbs(src) && s.Dir != "" {
			src = filepath.Join(s.Dir, src)
		}
		return "read_json(" + quote(src) + ")"
	}
	// Quoted when it is a reserved word too (a source named on or select).
	return syntax.QuoteIdent(src)
}

// quote renders a Spark SQL string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
