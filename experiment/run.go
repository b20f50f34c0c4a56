package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/types"
)

// Run computes the report: it probes which experiment fields the source
// has, runs the spec's SQL through eng, and does the statistics in memory.
// A spec that matches no exposure fails with *NoExposureError, a metric
// value path no line of the source has with *SpecError, and a metric whose
// event or value never occurs among the exposed units gets a Warning in
// the report (see verify).
func Run(ctx context.Context, eng engine.Engine, spec *Spec) (*Report, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := probeFields(ctx, eng, spec); err != nil {
		return nil, err
	}
	sql := spec.SQL()
	_, rows, err := engine.QueryRows(ctx, eng, sql)
	for err != nil && dropMissingDefault(spec, err) {
		sql = spec.SQL()
		_, rows, err = engine.QueryRows(ctx, eng, sql)
	}
	if err != nil {
		return nil, explainQueryError(ctx, eng, spec, err)
	}
	cells, err := parseCells(rows, spec)
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", spec.Name, err)
	}
	rep := Analyze(spec, cells)
	rep.SQL = sql
	// A spec that matches nothing fails here rather than report zeros.
	if err := verify(ctx, eng, spec, cells, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// probeFields records which default experiment fields exist in the source:
// engines reject a struct path their schema lacks, and real logs carry
// either the snake_case or the camelCase spelling, or both.
func probeFields(ctx context.Context, eng engine.Engine, spec *Spec) error {
	spec.present = map[string]bool{}
	var fields []string
	if spec.Exposure.Variant == "" {
		fields = append(fields, variantFields...)
	}
	if spec.Exposure.ExperimentID != "" {
		fields = append(fields, experimentFields...)
	}
	present, err := presentFields(ctx, eng, spec, fields)
	spec.present = present
	return err
}

// presentFields reports which of fields the engine binds over the source.
// It runs one DESCRIBE of all of them: a field the data lacks fails it,
// naming the field, and is left out of the next. The engine looks for
// every name the first time (one read at most) and knows the missing ones
// after that, so the retries read nothing.
func presentFields(ctx context.Context, eng engine.Engine, spec *Spec, fields []string) (map[string]bool, error) {
	present := map[string]bool{}
	fields = slices.Clone(fields)
	for len(fields) > 0 {
		_, _, err := engine.QueryRows(ctx, eng, "DESCRIBE SELECT "+strings.Join(fields, ", ")+" FROM (SELECT *, 1 AS __probe FROM "+spec.sourceSQL()+") AS raw")
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			for _, f := range fields {
				present[f] = true
			}
			return present, nil
		}
		msg := strings.ToLower(err.Error())
		missing := slices.IndexFunc(fields, func(f string) bool { return mentions(msg, strings.ToLower(f)) })
		if missing < 0 {
			// An error about none of them: take each as missing, as a
			// failed bind of each would.
			return present, nil
		}
		present[fields[missing]] = false
		fields = slices.Delete(fields, missing, missing+1)
	}
	return present, nil
}

// dropMissingDefault handles an engine that refuses a path no line of the
// source has (FIELD_NOT_FOUND) while binding it as NULL, so that the probe
// cannot see the difference: when the error names a default experiment
// field, that field is left out of the coalesce and the query can run
// again. Each retry drops a field, so there are at most five.
func dropMissingDefault(spec *Spec, err error) bool {
	msg := strings.ToLower(err.Error())
	if !strings.Contains(msg, "field_not_found") {
		return false
	}
	for _, f := range append(append([]string{}, experimentFields...), variantFields...) {
		if spec.present[f] && mentions(msg, strings.ToLower(f)) {
			spec.present[f] = false
			return true
		}
	}
	return false
}

// Cell is one row of the statistics query: the sufficient statistics of
// every metric for the units of one variant in one slice.
type Cell struct {
	Slice   string // "" overall, a dimension index, or multiSlice
	Value   string // the dimension's value
	Day     string // day of first exposure (overall rows only)
	Variant string
	N       int64
	Metrics []Sums
	// Checks holds the counts of Spec.checks (slice "" only): events and
	// non-NULL values among these units' events after first exposure.
	Checks []float64
}

func parseCells(rows [][]types.Value, spec *Spec) ([]Cell, error) {
	want := spec.statColumns()
	cells := make([]Cell, 0, len(rows))
	for i, r := range rows {
		if len(r) != want {
			return nil, fmt.Errorf("statistics row %d has %d columns, want %d", i, len(r), want)
		}
		c := Cell{Slice: r[colDim].S, Value: r[colValue].S, Day: r[colDay].S, Variant: r[colVariant].S, N: r[colN].I}
		if r[colN].K == types.Float {
			c.N = int64(r[colN].F)
		}
		c.Metrics = make([]Sums, len(spec.Metrics))
		j := colMetrics
		for k := range c.Metrics {
			c.Metrics[k].N = float64(c.N)
			for _, col := range spec.Metrics[k].sumCols() {
				if v := r[j]; !v.IsNull() {
					*sumField(&c.Metrics[k], col) = v.AsFloat()
				}
				j++
			}
		}
		c.Checks = make([]float64, len(r)-j)
		for i, v := range r[j:] {
			if !v.IsNull() {
				c.Checks[i] = v.AsFloat()
			}
		}
		cells = append(cells, c)
	}
	return cells, nil
}

// Analyze turns query cells into a report. It is exported so that the same
// statistics can run over cells computed elsewhere (Spark, tests).
func Analyze(spec *Spec, cells []Cell) *Report {
	rep := &Report{Name: spec.Name, Alpha: spec.Alpha, Control: spec.Variants[0].Name}
	known := map[string]int{}
	for i, v := range spec.Variants {
		known[v.Name] = i
	}
	nv, nm := len(spec.Variants), len(spec.Metrics)
	newGroup := func() [][]Sums {
		g := make([][]Sums, nv)
		for i := range g {
			g[i] = make([]Sums, nm)
		}
		return g
	}
	overall := newGroup()
	days := map[string][][]Sums{}
	slices := make([]map[string][][]Sums, len(spec.Dimensions))
	for i := range slices {
		slices[i] = map[string][][]Sums{}
	}
	for _, c := range cells {
		if c.Slice == multiSlice {
			rep.MultipleVariantUnits += c.N
			continue
		}
		vi, ok := known[c.Variant]
		if !ok {
			if c.Slice == "" {
				if rep.UnknownVariants == nil {
					rep.UnknownVariants = map[string]int64{}
				}
				rep.UnknownVariants[c.Variant] += c.N
			}
			continue
		}
		var g [][]Sums
		if c.Slice == "" {
			g = days[c.Day]
			if g == nil {
				g = newGroup()
				days[c.Day] = g
			}
			for k := range c.Metrics {
				overall[vi][k].Add(c.Metrics[k])
			}
		} else {
			var d int
			if _, err := fmt.Sscan(c.Slice, &d); err != nil || d < 0 || d >= len(slices) {
				continue
			}
			g = slices[d][c.Value]
			if g == nil {
				g = newGroup()
				slices[d][c.Value] = g
			}
		}
		for k := range c.Metrics {
			g[vi][k].Add(c.Metrics[k])
		}
	}
	if rep.MultipleVariantUnits > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d units were exposed to more than one variant and are excluded", rep.MultipleVariantUnits))
	}
	for name, n := range rep.UnknownVariants {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d units in variant %q, which the spec does not list, are excluded", n, name))
	}
	sort.Strings(rep.Notes)

	rep.SRM, rep.Metrics = analyzeGroup(spec, overall)
	correct(rep.Metrics)

	for d, dim := range spec.Dimensions {
		dr := DimensionResult{Dimension: dim}
		for _, val := range sortedKeys(slices[d]) {
			srm, ms := analyzeGroup(spec, slices[d][val])
			dr.Slices = append(dr.Slices, SliceResult{Value: val, SRM: srm, Metrics: ms})
		}
		rep.Dimensions = append(rep.Dimensions, dr)
	}

	// Cumulative results: units first exposed up to each day, with their
	// metrics as of the end of the data.
	cum := newGroup()
	for _, day := range sortedKeys(days) {
		for v := range cum {
			for k := range cum[v] {
				cum[v][k].Add(days[day][v][k])
			}
		}
		srm, ms := analyzeGroup(spec, cum)
		rep.Daily = append(rep.Daily, DayResult{Day: day, SRM: srm, Metrics: ms})
	}
	return rep
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// analyzeGroup computes SRM and every metric for one set of units.
func analyzeGroup(spec *Spec, g [][]Sums) (SRMResult, []MetricResult) {
	obs := make([]float64, len(spec.Variants))
	w := make([]float64, len(spec.Variants))
	srm := SRMResult{Observed: map[string]int64{}, ExpectedWeights: map[string]float64{}}
	var wsum float64
	for _, v := range spec.Variants {
		wsum += v.Weight
	}
	for i, v := range spec.Variants {
		if len(g[i]) > 0 {
			obs[i] = g[i][0].N
		}
		w[i] = v.Weight
		srm.Observed[v.Name] = int64(obs[i])
		srm.ExpectedWeights[v.Name] = v.Weight / wsum
	}
	t := SRMTest(obs, w)
	srm.ChiSquare, srm.DF, srm.PValue = t.ChiSquare, t.DF, t.P
	srm.Flag = t.P < spec.SRMAlpha

	metrics := make([]MetricResult, len(spec.Metrics))
	for k := range spec.Metrics {
		metrics[k] = analyzeMetric(spec, k, g)
	}
	return srm, metrics
}

func analyzeMetric(spec *Spec, k int, g [][]Sums) MetricResult {
	m := &spec.Metrics[k]
	mr := MetricResult{Name: m.Name, Type: m.Type, Winsorize: m.Winsorize, WinsorizeDenominator: m.WinsorizeDenominator, LowerIsBetter: m.LowerIsBetter}
	var pooled Sums
	for v := range g {
		pooled.Add(g[v][k])
	}
	if m.Winsorize > 0 && pooled.N > 0 {
		mr.Cap = &pooled.CapY
		if m.WinsorizeDenominator {
			mr.DenominatorCap = &pooled.CapZ
		}
	}
	var theta, xMean float64
	ratioCUPED := m.CUPED && m.Type == Ratio
	switch {
	case ratioCUPED:
		variants := make([]Sums, len(g))
		for v := range g {
			variants[v] = g[v][k]
		}
		var err error
		mr.CUPED = &CUPEDInfo{Window: spec.CUPEDWindow}
		if theta, err = RatioCUPEDTheta(variants); err != nil {
			// No adjustment at all rather than a half-defined one.
			mr.CUPED.Note = err.Error() + ": not adjusted"
			ratioCUPED = false
		} else if pooled.Sw != 0 {
			xMean = pooled.Su / pooled.Sw
		}
		mr.CUPED.Theta = theta
	case m.CUPED:
		theta = CUPEDTheta(pooled)
		if pooled.N > 0 {
			xMean = pooled.Sz / pooled.N
		}
		mr.CUPED = &CUPEDInfo{Theta: theta, Window: spec.CUPEDWindow}
	}
	est := make([]Estimate, len(g))
	notes := make([]string, len(g))
	for v := range g {
		s := g[v][k]
		var err error
		switch {
		case ratioCUPED:
			est[v], err = RatioCUPEDEstimate(s, theta, xMean)
		case m.Type == Ratio:
			est[v], err = RatioEstimate(s)
		case m.CUPED:
			est[v] = CUPEDEstimate(s, theta, xMean, m.Type == Binomial)
		case m.Type == Binomial:
			est[v] = BinomialEstimate(s)
		default:
			est[v] = MeanEstimate(s)
		}
		if err != nil {
			notes[v] = err.Error()
		}
		if s.N == 0 {
			notes[v] = "no units"
		}
	}
	for v, variant := range spec.Variants {
		vr := VariantResult{Name: variant.Name, Control: v == 0, Units: int64(est[v].N), Mean: est[v].Mean, Variance: est[v].Var, Note: notes[v]}
		if m.Type == Ratio {
			vr.Numerator, vr.Denominator = g[v][k].Sy, g[v][k].Sz
		}
		if v > 0 {
			compare(spec, m, est[0], est[v], notes[0], &vr)
		}
		mr.Variants = append(mr.Variants, vr)
	}
	return mr
}

// compare fills the lifts of treatment t against control c.
func compare(spec *Spec, m *Metric, c, t Estimate, controlNote string, vr *VariantResult) {
	if controlNote != "" || vr.Note != "" {
		if vr.Note == "" {
			vr.Note = "control: " + controlNote
		}
		return
	}
	n := c.N + t.N
	abs, err := Welch(c, t, spec.Alpha)
	if err != nil {
		vr.Note = err.Error()
		return
	}
	hw := SequentialHalfWidth(abs.SE, n, spec.SequentialTuning, spec.Alpha)
	vr.Absolute = &LiftResult{Lift: abs.Estimate, SE: abs.SE, DF: dfJSON(abs.DF), CI: [2]float64{abs.Lo, abs.Hi}, PValue: abs.P,
		SequentialCI: [2]float64{abs.Estimate - hw, abs.Estimate + hw}}
	rel, err := RelativeLift(c, t, spec.Alpha)
	if err != nil {
		vr.Note = err.Error()
		return
	}
	hw = SequentialHalfWidth(rel.SE, n, spec.SequentialTuning, spec.Alpha)
	var m0, s0 float64
	if spec.Prior != nil {
		m0, s0 = spec.Prior.Mean, spec.Prior.SD
	}
	b := Bayesian(rel.Estimate, rel.SE, m0, s0, spec.Alpha, m.LowerIsBetter)
	vr.Relative = &LiftResult{Lift: rel.Estimate, SE: rel.SE, DF: dfJSON(rel.DF), CI: [2]float64{rel.Lo, rel.Hi}, PValue: rel.P,
		SequentialCI: [2]float64{rel.Estimate - hw, rel.Estimate + hw},
		Bayes: &BayesResult{ChanceToWin: b.ChanceToWin, Risk: b.Risk, RiskControl: b.RiskControl, Mean: b.Mean, SD: b.SD,
			CredibleInterval: [2]float64{b.Lo, b.Hi}}}
	vr.ChanceToWin = &vr.Relative.Bayes.ChanceToWin
}

func dfJSON(df float64) float64 {
	if math.IsInf(df, 0) || math.IsNaN(df) {
		return 0
	}
	return df
}

// correct adds Holm and Benjamini–Hochberg adjusted p-values across every
// metric × treatment comparison of the report (absolute and relative
// families are adjusted separately).
func correct(ms []MetricResult) {
	for _, rel := range []bool{false, true} {
		var ps []float64
		var dst []*LiftResult
		for i := range ms {
			for j := range ms[i].Variants {
				l := ms[i].Variants[j].Absolute
				if rel {
					l = ms[i].Variants[j].Relative
				}
				if l != nil {
					ps = append(ps, l.PValue)
					dst = append(dst, l)
				}
			}
		}
		holm, bh := Holm(ps), BenjaminiHochberg(ps)
		for i, l := range dst {
			l.PHolm, l.PBH = &holm[i], &bh[i]
		}
	}
}
