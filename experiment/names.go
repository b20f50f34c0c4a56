package experiment

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
)

// This file matches the names in a spec against the data and the engine's
// errors: did-you-mean suggestions, the paths an expression reads, the
// sampled schema, and errors attributed to the spec field that caused them.

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
			for _, x := range e.Patterns {
				walk(x)
			}
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
	case p != "" && errors.Is(err, table.ErrFieldNotFound):
		// The engine read every line for it: say so in the spec's terms.
		msg = "no line of the source has " + p + hint
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
