package experiment

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// Report is the result of an experiment analysis. Its JSON form is the
// stable schema documented in docs/EXPERIMENTS.md.
type Report struct {
	Name                 string            `json:"name"`
	Control              string            `json:"control"`
	Alpha                float64           `json:"alpha"`
	SRM                  SRMResult         `json:"srm"`
	MultipleVariantUnits int64             `json:"multiple_variant_units"`
	UnknownVariants      map[string]int64  `json:"unknown_variants,omitempty"`
	Metrics              []MetricResult    `json:"metrics"`
	Dimensions           []DimensionResult `json:"dimensions,omitempty"`
	Daily                []DayResult       `json:"daily,omitempty"`
	Notes                []string          `json:"notes,omitempty"`
	Warnings             []Warning         `json:"warnings,omitempty"` // metrics (or variants) that measured nothing: their event or value never occurs among the exposed units
	SQL                  string            `json:"sql"`                // the query that computed the sufficient statistics (--show-sql)
}

// SRMResult is the sample-ratio-mismatch check.
type SRMResult struct {
	ChiSquare       float64            `json:"chi_square"`
	DF              int                `json:"df"`
	PValue          float64            `json:"p_value"`
	Flag            bool               `json:"flag"`
	Observed        map[string]int64   `json:"observed"`
	ExpectedWeights map[string]float64 `json:"expected_weights"`
}

// MetricResult holds one metric for every variant.
type MetricResult struct {
	Name          string  `json:"name"`
	Type          string  `json:"type"`
	LowerIsBetter bool    `json:"lower_is_better,omitempty"`
	Winsorize     float64 `json:"winsorize,omitempty"`
	// WinsorizeDenominator: a ratio's denominator is capped too.
	WinsorizeDenominator bool `json:"winsorize_denominator,omitempty"`
	// Cap and DenominatorCap are the percentile values per-unit values
	// were capped at (percentile_approx over all units).
	Cap            *float64        `json:"cap,omitempty"`
	DenominatorCap *float64        `json:"denominator_cap,omitempty"`
	CUPED          *CUPEDInfo      `json:"cuped,omitempty"`
	Variants       []VariantResult `json:"variants"`
}

// CUPEDInfo says how the metric was adjusted.
type CUPEDInfo struct {
	Theta  float64 `json:"theta"`
	Window string  `json:"pre_window"`
	Note   string  `json:"note,omitempty"` // why the metric was not adjusted
}

// VariantResult is one variant of one metric; treatments carry lifts.
type VariantResult struct {
	Name        string      `json:"name"`
	Control     bool        `json:"control"`
	Units       int64       `json:"units"`
	Mean        float64     `json:"mean"`
	Variance    float64     `json:"variance"` // per-unit variance of the estimate (se² = variance/units)
	Numerator   float64     `json:"numerator,omitempty"`
	Denominator float64     `json:"denominator,omitempty"`
	Absolute    *LiftResult `json:"absolute,omitempty"`
	Relative    *LiftResult `json:"relative,omitempty"`
	ChanceToWin *float64    `json:"chance_to_win,omitempty"`
	Note        string      `json:"note,omitempty"` // why a comparison is missing
}

// LiftResult is a difference against the control.
type LiftResult struct {
	Lift         float64      `json:"lift"`
	CI           [2]float64   `json:"ci"`
	PValue       float64      `json:"p_value"`
	SE           float64      `json:"se"`
	DF           float64      `json:"df"`
	PHolm        *float64     `json:"p_holm,omitempty"`
	PBH          *float64     `json:"p_bh,omitempty"`
	SequentialCI [2]float64   `json:"sequential_ci"`
	Bayes        *BayesResult `json:"bayes,omitempty"`
}

// BayesResult is the Gaussian-approximation posterior of the relative lift.
type BayesResult struct {
	ChanceToWin      float64    `json:"chance_to_win"`
	Risk             float64    `json:"risk"`
	RiskControl      float64    `json:"risk_control"`
	Mean             float64    `json:"mean"`
	SD               float64    `json:"sd"`
	CredibleInterval [2]float64 `json:"credible_interval"`
}

// DimensionResult splits the experiment by one dimension.
type DimensionResult struct {
	Dimension string        `json:"dimension"`
	Slices    []SliceResult `json:"slices"`
}

// SliceResult is the analysis restricted to one dimension value.
type SliceResult struct {
	Value   string         `json:"value"`
	SRM     SRMResult      `json:"srm"`
	Metrics []MetricResult `json:"metrics"`
}

// DayResult is the cumulative analysis of units first exposed up to Day.
type DayResult struct {
	Day     string         `json:"day"`
	SRM     SRMResult      `json:"srm"`
	Metrics []MetricResult `json:"metrics"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write experiment report: %w", err)
	}
	return nil
}

// WriteTable writes the terminal table: SRM, then one row per metric and
// variant.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "experiment %s (control %s, alpha %g)\n", r.Name, r.Control, r.Alpha)
	fmt.Fprintf(&b, "%s\n", srmLine(r.SRM, r.Control))
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "WARNING: %s\n", w)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tvariant\tunits\tmean\tabs lift\tabs CI\trel lift\trel CI\tabs p\tabs p (holm)\tchance to win\t")
	for _, m := range r.Metrics {
		name := m.Name
		if m.CUPED != nil {
			name += " (cuped)"
		}
		for _, v := range m.Variants {
			row := []string{name, v.Name, fmt.Sprint(v.Units), num(v.Mean)}
			switch {
			case v.Control:
				row = append(row, "control", "", "", "", "", "", "")
			case v.Absolute == nil:
				row = append(row, v.Note, "", "", "", "", "", "")
			default:
				a := v.Absolute
				row = append(row, num(a.Lift), ci(a.CI))
				if rl := v.Relative; rl != nil {
					row = append(row, pct(rl.Lift), pctCI(rl.CI))
				} else {
					row = append(row, "n/a", "")
				}
				row = append(row, pval(a.PValue), pval(deref(a.PHolm)))
				if v.ChanceToWin != nil {
					row = append(row, pct(*v.ChanceToWin))
				} else {
					row = append(row, "")
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
			name = ""
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range r.Dimensions {
		fmt.Fprintf(&b, "\nby %s:\n", d.Dimension)
		for _, s := range d.Slices {
			fmt.Fprintf(&b, "  %-20s %s\n", s.Value, srmLine(s.SRM, r.Control))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write experiment report: %w", err)
	}
	return nil
}

func srmLine(s SRMResult, _ string) string {
	flag := "ok"
	if s.Flag {
		flag = "SAMPLE RATIO MISMATCH"
	}
	return fmt.Sprintf("SRM: %s, chi2=%.3f df=%d p=%s: %s", flag, s.ChiSquare, s.DF, pval(s.PValue), srmCounts(s))
}

// srmCounts lists each variant's units with its expected share.
func srmCounts(s SRMResult) string {
	var parts []string
	for _, name := range sortedKeys(s.Observed) {
		parts = append(parts, fmt.Sprintf("%s=%d (%.1f%% expected)", name, s.Observed[name], 100*s.ExpectedWeights[name]))
	}
	return strings.Join(parts, ", ")
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func num(f float64) string { return fmt.Sprintf("%.4g", f) }
func pct(f float64) string { return fmt.Sprintf("%+.2f%%", 100*f) }
func ci(c [2]float64) string {
	return fmt.Sprintf("[%.4g, %.4g]", c[0], c[1])
}
func pctCI(c [2]float64) string {
	return fmt.Sprintf("[%+.2f%%, %+.2f%%]", 100*c[0], 100*c[1])
}
func pval(p float64) string {
	switch {
	case math.IsNaN(p):
		return ""
	case p < 1e-4:
		return "<0.0001"
	}
	return fmt.Sprintf("%.4f", p)
}

// WriteHTML writes a self-contained report page: SRM banner, a lift chart
// with intervals per metric (inline SVG) and the cumulative lift over time.
func (r *Report) WriteHTML(w io.Writer) error {
	return writeHTML(w, r)
}
