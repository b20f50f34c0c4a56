package experiment

import (
	"fmt"
	"strings"
)

// Column layout of the statistics query. Every row is one (slice, variant)
// cell: slice "" is the whole experiment split by day of first exposure,
// slice "#multi" counts units seen in several variants, and any other
// slice is dimension i with its value.
const (
	colDim = iota
	colValue
	colDay
	colVariant
	colN
	colMetrics // then each metric's sumCols, in metric order
)

const multiSlice = "#multi"

// sumCols lists the columns the statistics query returns for metric m, in
// order; it is the one definition both the SQL (Spec.SQL) and the parser
// (parseCells) follow. A name of one letter is the sum of that per-unit
// column of u, two letters the sum of their product, and "cap" plus a
// letter the winsorisation cap applied to that column. The per-unit
// columns are y (value or ratio numerator), z (ratio denominator, or the
// CUPED covariate of a mean or binomial metric), and u, w (a ratio's
// numerator and denominator before exposure).
//
//	mean, binomial                 y yy                     2
//	mean or binomial with CUPED    y yy z zz yz             5
//	ratio                          y yy z zz yz             5
//	ratio with CUPED               + u uu w ww uw yu yw zu zw  14
//
// plus capy (and capz with winsorize_denominator) when winsorised.
func (m *Metric) sumCols() []string {
	cols := []string{"y", "yy"}
	if m.Type == Ratio || m.CUPED {
		cols = append(cols, "z", "zz", "yz")
	}
	if m.Type == Ratio && m.CUPED {
		cols = append(cols, "u", "uu", "w", "ww", "uw", "yu", "yw", "zu", "zw")
	}
	if m.Winsorize > 0 {
		cols = append(cols, "capy")
		if m.WinsorizeDenominator {
			cols = append(cols, "capz")
		}
	}
	return cols
}

// sumField is where column col of sumCols lands in Sums.
func sumField(s *Sums, col string) *float64 {
	switch col {
	case "y":
		return &s.Sy
	case "yy":
		return &s.Syy
	case "z":
		return &s.Sz
	case "zz":
		return &s.Szz
	case "yz":
		return &s.Syz
	case "u":
		return &s.Su
	case "uu":
		return &s.Suu
	case "w":
		return &s.Sw
	case "ww":
		return &s.Sww
	case "uw":
		return &s.Suw
	case "yu":
		return &s.Syu
	case "yw":
		return &s.Syw
	case "zu":
		return &s.Szu
	case "zw":
		return &s.Szw
	case "capy":
		return &s.CapY
	case "capz":
		return &s.CapZ
	}
	panic("experiment: unknown statistics column " + col) // a sumCols/sumField mismatch is a bug
}

// sumSQL is the aggregate over u that computes column col of metric k.
func sumSQL(col string, k int) string {
	switch {
	case strings.HasPrefix(col, "cap"):
		// The same value on every row: max picks it.
		return fmt.Sprintf("max(__%s%d) AS s%s%d", col, k, col, k)
	case len(col) == 1:
		return fmt.Sprintf("sum(__%s%d) AS s%s%d", col, k, col, k)
	}
	return fmt.Sprintf("sum(__%c%d * __%c%d) AS s%s%d", col[0], k, col[1], k, col, k)
}

// statColumns is the number of columns of the statistics query: the keys,
// every metric's sumCols, then one count per check.
func (s *Spec) statColumns() int {
	n := colMetrics
	for k := range s.Metrics {
		n += len(s.Metrics[k].sumCols())
	}
	return n + len(s.checks())
}

// check is one count the statistics query returns after the sums, so that
// Run can tell a metric that measured nothing from one that measured zero
// (see verify): the exposed units' events at or after first exposure that
// are named Event (any event when ""), and with Value, those on which the
// value expression is not NULL. Windows and where conditions do not apply:
// the question is whether the event or the path occurs at all.
type check struct {
	Event, Value string
}

// checks lists the spec's checks, each once, in metric order: the event of
// every component that names one, and the value of every component that
// sums one. sql components are the user's own aggregates and are not
// checked.
func (s *Spec) checks() []check {
	var out []check
	seen := map[check]bool{}
	add := func(c check) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, f := range s.components() {
		c := f.c
		if c.SQL != "" {
			continue
		}
		if c.Event != "" {
			add(check{Event: c.Event})
		}
		if c.Value != "" {
			add(check{Event: c.Event, Value: c.Value})
		}
	}
	return out
}

// sql is the per-unit aggregate over the joined events e that counts c.
func (c check) sql() string {
	count := "count(*)"
	if c.Value != "" {
		count = "count(" + c.Value + ")"
	}
	if c.Event != "" {
		count += " FILTER (WHERE e.event = " + quote(c.Event) + ")"
	}
	return "CAST(" + count + " AS DOUBLE)"
}

// specComponent is one metric component and where it sits in the spec.
type specComponent struct {
	metric int
	field  string // YAML path of the component: metrics[1] or metrics[2].numerator
	c      *Component
}

// components lists every metric component in spec order.
func (s *Spec) components() []specComponent {
	var out []specComponent
	for k := range s.Metrics {
		m := &s.Metrics[k]
		f := fmt.Sprintf("metrics[%d]", k)
		if m.Type == Ratio {
			if m.Numerator != nil {
				out = append(out, specComponent{k, f + ".numerator", m.Numerator})
			}
			if m.Denominator != nil {
				out = append(out, specComponent{k, f + ".denominator", m.Denominator})
			}
			continue
		}
		out = append(out, specComponent{k, f, &m.Component})
	}
	return out
}

// SQL returns the Spark SQL script that computes the per-variant
// sufficient statistics for the spec. It is one query, so it can run
// unchanged on Spark.
func (s *Spec) SQL() string {
	var b strings.Builder
	variantExpr := s.Exposure.Variant
	if variantExpr == "" {
		variantExpr = s.coalesce(variantFields)
	}
	variantExpr = "CAST(" + variantExpr + " AS STRING)"

	// ev: the events of interest with the unit and time in micros, so that
	// windows are integer arithmetic on every engine.
	var evWhere []string
	if s.Filter != "" {
		evWhere = append(evWhere, "("+s.Filter+")")
	}
	if !s.start.IsZero() {
		evWhere = append(evWhere, fmt.Sprintf("__t >= %d", s.start.UnixMicro()))
	}
	if !s.end.IsZero() {
		evWhere = append(evWhere, fmt.Sprintf("__t < %d", s.end.UnixMicro()))
	}
	if names, ok := s.eventNames(); ok {
		// Only the named events matter: prune early so the join is small.
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = quote(n)
		}
		evWhere = append(evWhere, "event IN ("+strings.Join(q, ", ")+")")
	}
	fmt.Fprintf(&b, "WITH ev AS (\n  SELECT * FROM (\n    SELECT *, %s AS __unit, unix_micros(CAST(timestamp AS TIMESTAMP)) AS __t\n    FROM %s\n  ) AS raw\n  WHERE __unit IS NOT NULL", s.Unit, s.sourceSQL())
	for _, w := range evWhere {
		b.WriteString("\n    AND " + w)
	}
	b.WriteString("\n),\n")

	// xr/x: every exposure, then each unit's first in one GROUP BY (no
	// window over the exposures, whose sort cost more than the rest of
	// the query): the earliest time, and min_by for the variant and
	// dimensions of that exposure. min_by breaks ties on time by the least
	// value, the first row of ORDER BY __t, variant. min ≠ max over the
	// unit's variants marks units seen in more than one.
	var expWhere []string
	if s.Exposure.Event != "" {
		expWhere = append(expWhere, "event = "+quote(s.Exposure.Event))
	}
	if s.Exposure.ExperimentID != "" {
		expWhere = append(expWhere, "CAST("+s.coalesce(experimentFields)+" AS STRING) = "+quote(s.Exposure.ExperimentID))
	}
	if s.Exposure.Where != "" {
		expWhere = append(expWhere, "("+s.Exposure.Where+")")
	}
	expWhere = append(expWhere, variantExpr+" IS NOT NULL")
	fmt.Fprintf(&b, "xr AS (\n  SELECT __unit, __t, %s AS __variant", variantExpr)
	for i, d := range s.Dimensions {
		fmt.Fprintf(&b, ",\n    coalesce(CAST(%s AS STRING), '(null)') AS __d%d", d, i)
	}
	fmt.Fprintf(&b, "\n  FROM ev\n  WHERE %s\n),\n", strings.Join(expWhere, "\n    AND "))
	b.WriteString("x AS (\n  SELECT __unit, min(__t) AS __first, min_by(__variant, __t) AS __variant, min(__variant) <> max(__variant) AS __multi")
	for i := range s.Dimensions {
		fmt.Fprintf(&b, ",\n    min_by(__d%[1]d, __t) AS __d%[1]d", i)
	}
	b.WriteString("\n  FROM xr GROUP BY __unit\n),\n")

	// post: one row per singly-assigned unit with its metric values over
	// the events at or after its first exposure.
	xcols := "x.__unit, x.__variant, x.__first"
	for i := range s.Dimensions {
		xcols += fmt.Sprintf(", x.__d%d", i)
	}
	fmt.Fprintf(&b, "post AS (\n  SELECT %s", xcols)
	anyCUPED := false
	for k := range s.Metrics {
		m := &s.Metrics[k]
		switch m.Type {
		case Ratio:
			fmt.Fprintf(&b, ",\n    %s AS __y%d", m.Numerator.unitExpr(m.windowMicros, false), k)
			fmt.Fprintf(&b, ",\n    %s AS __z%d", m.Denominator.unitExpr(m.windowMicros, false), k)
		default:
			fmt.Fprintf(&b, ",\n    %s AS __y%d", m.Component.unitExpr(m.windowMicros, m.Type == Binomial), k)
		}
		anyCUPED = anyCUPED || m.CUPED
	}
	checks := s.checks()
	for i, c := range checks {
		fmt.Fprintf(&b, ",\n    %s AS __k%d", c.sql(), i)
	}
	fmt.Fprintf(&b, "\n  FROM x LEFT JOIN ev AS e ON e.__unit = x.__unit AND e.__t >= x.__first\n  WHERE NOT x.__multi\n  GROUP BY %s\n),\n", xcols)

	// pre: the CUPED covariate, the same metric over the window before
	// first exposure (Deng et al. 2013).
	unitSrc := "post"
	if anyCUPED {
		fmt.Fprintf(&b, "pre AS (\n  SELECT x.__unit")
		for k := range s.Metrics {
			m := &s.Metrics[k]
			switch {
			case m.CUPED && m.Type == Ratio:
				fmt.Fprintf(&b, ",\n    %s AS __xn%d", m.Numerator.unitExpr(0, false), k)
				fmt.Fprintf(&b, ",\n    %s AS __xd%d", m.Denominator.unitExpr(0, false), k)
			case m.CUPED:
				fmt.Fprintf(&b, ",\n    %s AS __x%d", m.Component.unitExpr(0, m.Type == Binomial), k)
			}
		}
		fmt.Fprintf(&b, "\n  FROM x LEFT JOIN ev AS e ON e.__unit = x.__unit AND e.__t < x.__first AND e.__t >= x.__first - %d\n  WHERE NOT x.__multi\n  GROUP BY x.__unit\n),\n", s.cupedWindowMicros)
		fmt.Fprintf(&b, "joined AS (\n  SELECT post.*")
		for k := range s.Metrics {
			switch m := &s.Metrics[k]; {
			case m.CUPED && m.Type == Ratio:
				fmt.Fprintf(&b, ", pre.__xn%d, pre.__xd%d", k, k)
			case m.CUPED:
				fmt.Fprintf(&b, ", pre.__x%d", k)
			}
		}
		b.WriteString("\n  FROM post JOIN pre ON post.__unit = pre.__unit\n),\n")
		unitSrc = "joined"
	}

	// u: per-unit values with winsorisation applied, one column per
	// letter of sumCols.
	var caps []string
	for k, m := range s.Metrics {
		if m.Winsorize > 0 {
			caps = append(caps, fmt.Sprintf("percentile_approx(__y%d, %v) AS __capy%d", k, m.Winsorize, k))
			if m.WinsorizeDenominator {
				caps = append(caps, fmt.Sprintf("percentile_approx(__z%d, %v) AS __capz%d", k, m.Winsorize, k))
			}
		}
	}
	if len(caps) > 0 {
		fmt.Fprintf(&b, "caps AS (\n  SELECT %s FROM %s\n),\n", strings.Join(caps, ", "), unitSrc)
	}
	b.WriteString("u AS (\n  SELECT __unit, __variant, __first")
	for i := range s.Dimensions {
		fmt.Fprintf(&b, ", __d%d", i)
	}
	for k, m := range s.Metrics {
		col := func(name, src string) {
			fmt.Fprintf(&b, ",\n    CAST(%s AS DOUBLE) AS __%s%d", src, name, k)
		}
		capped := func(name string) string {
			v := fmt.Sprintf("__%s%d", name, k)
			for _, c := range m.sumCols() {
				if c == "cap"+name {
					return fmt.Sprintf("least(%s, __cap%s%d)", v, name, k)
				}
			}
			return v
		}
		col("y", capped("y"))
		switch {
		case m.Type == Ratio:
			col("z", capped("z"))
		case m.CUPED:
			col("z", fmt.Sprintf("__x%d", k))
		}
		if m.Type == Ratio && m.CUPED {
			col("u", fmt.Sprintf("__xn%d", k))
			col("w", fmt.Sprintf("__xd%d", k))
		}
		for _, c := range m.sumCols() {
			if strings.HasPrefix(c, "cap") {
				fmt.Fprintf(&b, ", __%s%d", c, k)
			}
		}
	}
	for i := range checks {
		fmt.Fprintf(&b, ", __k%d", i)
	}
	fmt.Fprintf(&b, "\n  FROM %s", unitSrc)
	if len(caps) > 0 {
		b.WriteString(" CROSS JOIN caps")
	}
	b.WriteString("\n)\n")

	// The result: sufficient statistics per slice and variant.
	sums := func() string {
		var sb strings.Builder
		sb.WriteString("count(*) AS n")
		for k := range s.Metrics {
			cols := s.Metrics[k].sumCols()
			parts := make([]string, len(cols))
			for i, c := range cols {
				parts[i] = sumSQL(c, k)
			}
			sb.WriteString(",\n    " + strings.Join(parts, ", "))
		}
		return sb.String()
	}()
	// The checks are summed over the whole experiment only; the other
	// rows carry zeros.
	var checkSums, checkZeros string
	if len(checks) > 0 {
		parts := make([]string, len(checks))
		for i := range checks {
			parts[i] = fmt.Sprintf("sum(__k%d) AS k%d", i, i)
		}
		checkSums = ",\n    " + strings.Join(parts, ", ")
		checkZeros = strings.Repeat(", 0.0", len(checks))
	}
	fmt.Fprintf(&b, "SELECT '' AS slice, '' AS slice_value, CAST(to_date(timestamp_micros(__first)) AS STRING) AS day, __variant AS variant,\n    %s%s\nFROM u GROUP BY 3, 4\n", sums, checkSums)
	for i := range s.Dimensions {
		fmt.Fprintf(&b, "UNION ALL\nSELECT %s, __d%d, '', __variant,\n    %s%s\nFROM u GROUP BY 2, 4\n", quote(fmt.Sprint(i)), i, sums, checkZeros)
	}
	fmt.Fprintf(&b, "UNION ALL\nSELECT %s, '', '', __variant, count(*)", quote(multiSlice))
	for k := range s.Metrics {
		for range s.Metrics[k].sumCols() {
			b.WriteString(", 0.0")
		}
	}
	b.WriteString(checkZeros)
	b.WriteString("\nFROM x WHERE __multi GROUP BY 4\n")
	return b.String()
}

// unitExpr is the SQL aggregate giving one unit's value of c over the
// joined events e (relative to exposure x). binary turns it into 0/1.
func (c *Component) unitExpr(windowMicros int64, binary bool) string {
	if c.SQL != "" {
		if binary {
			return "CASE WHEN coalesce(" + c.SQL + ", 0) > 0 THEN 1.0 ELSE 0.0 END"
		}
		return "coalesce(CAST(" + c.SQL + " AS DOUBLE), 0.0)"
	}
	var cond []string
	if c.Event != "" {
		cond = append(cond, "e.event = "+quote(c.Event))
	}
	if c.Where != "" {
		cond = append(cond, "("+c.Where+")")
	}
	if windowMicros > 0 {
		cond = append(cond, fmt.Sprintf("e.__t < x.__first + %d", windowMicros))
	}
	where := strings.Join(cond, " AND ")
	switch {
	case binary:
		return "CASE WHEN count(*) FILTER (WHERE " + where + ") > 0 THEN 1.0 ELSE 0.0 END"
	case c.Value != "":
		return "coalesce(sum(CAST(" + c.Value + " AS DOUBLE)) FILTER (WHERE " + where + "), 0.0)"
	default:
		return "CAST(count(*) FILTER (WHERE " + where + ") AS DOUBLE)"
	}
}

// eventNames lists every event name the spec reads, and false when some
// metric or the exposure can match any event (so no pruning is safe).
func (s *Spec) eventNames() ([]string, bool) {
	if s.Exposure.Event == "" {
		return nil, false
	}
	seen := map[string]bool{s.Exposure.Event: true}
	names := []string{s.Exposure.Event}
	add := func(c *Component) bool {
		if c == nil || c.Event == "" {
			return false
		}
		if !seen[c.Event] {
			seen[c.Event] = true
			names = append(names, c.Event)
		}
		return true
	}
	for k := range s.Metrics {
		m := &s.Metrics[k]
		if m.Type == Ratio {
			if !add(m.Numerator) || !add(m.Denominator) {
				return nil, false
			}
		} else if !add(&m.Component) {
			return nil, false
		}
	}
	return names, true
}

// Segment's spellings of the experiment fields: the e-commerce spec's
// snake_case, and the camelCase Optimizely and GrowthBook send.
var (
	experimentFields = []string{"properties.experiment_id", "properties.experimentId"}
	variantFields    = []string{"properties.variation_id", "properties.variationId", "properties.variant_id"}
)

// coalesce returns the first non-NULL of the fields the source has. Engines
// reject a path missing from the schema, so Run probes them first (see
// Spec.present); without a probe every field is used.
func (s *Spec) coalesce(fields []string) string {
	var have []string
	for _, f := range fields {
		if s.present == nil || s.present[f] {
			have = append(have, "CAST("+f+" AS STRING)")
		}
	}
	switch len(have) {
	case 0:
		return "CAST(NULL AS STRING)"
	case 1:
		return have[0]
	}
	return "coalesce(" + strings.Join(have, ", ") + ")"
}
