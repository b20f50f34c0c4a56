package stream

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
	tbl "github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// fileSource is a read_json source of a stream: the schema is fixed when
// the stream first binds, and each batch points it at that batch's files
// before the plan is built.
type fileSource struct {
	base *tbl.JSON
	cur  []source.File

	// dedup, when set, drops rows whose dedupKey was seen (see dedupState);
	// dedupTime is the event-time column its watermark reads.
	dedup     *dedupState
	dedupKey  string
	dedupTime string

	// scanners are the scans opened over cur, so the stream can ask which
	// files ended early.
	scanners []*scan.Scanner
}

// setFiles points the source at one batch's files.
func (s *fileSource) setFiles(files []source.File) {
	s.cur, s.scanners = files, nil
}

// truncated lists the files of the current batch whose compressed stream
// ended early, each once.
func (s *fileSource) truncated() []string {
	var out []string
	for _, sc := range s.scanners {
		for _, p := range sc.Truncated() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *fileSource) Columns() []plan.SourceColumn { return s.base.Columns() }

// Resolve is the base source's, and a path below an object the first
// files have (properties.nope) reads as text, NULL where missing: a
// stream cannot wait for every file to decide that no line has it.
func (s *fileSource) Resolve(name string) (types.Kind, bool) {
	if k, ok := s.base.Resolve(name); ok {
		return k, true
	}
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) < 2 || p[0].IsIndex {
		return 0, false
	}
	root := strings.ToLower(p[0].Key) + "."
	for _, c := range s.base.Columns() {
		if !c.Hidden && strings.HasPrefix(strings.ToLower(c.Name), root) {
			return types.String, true
		}
	}
	return 0, false
}
func (s *fileSource) String() string { return s.base.String() }
func (s *fileSource) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	if s.dedup != nil {
		return s.openDedup(ctx, cols, filters)
	}
	return s.base.WithFiles(s.cur).Open(ctx, cols, filters)
}

// streamCatalog binds read_json calls to streaming sources and defers
// every other name to the engine's catalog.
type streamCatalog struct {
	base        *engine.Session
	opts        engine.Options
	schemaFiles []source.File
	kinds       map[string]types.Kind // widened columns
	patterns    []string
	sources     map[string]*fileSource
}

// liveTable is how the stream's sources read files: ones that may still be
// written to, whose changes the stream handles itself.
func (c *streamCatalog) liveTable() tbl.Options {
	o := c.opts.Table()
	o.Live = true
	return o
}

func (c *streamCatalog) Table(name string) (syntax.Query, plan.Source, bool) {
	if c.base == nil {
		return nil, nil, false
	}
	return c.base.Table(name)
}

func (c *streamCatalog) TableFunc(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	if call.Name != "read_json" {
		if c.base == nil {
			return nil, fmt.Errorf("unknown table function %s", call.Name)
		}
		return c.base.TableFunc(ctx, call)
	}
	if len(call.Args) != 1 || call.Args[0].K != types.String || len(call.Named) > 0 {
		return nil, fmt.Errorf("%w: a stream reads read_json(path) with one string argument, a file, directory or glob", ErrUnsupported)
	}
	args := call.Args
	pattern := tbl.ResolvePath(c.opts.Dir, args[0].S)
	if s, ok := c.sources[pattern]; ok {
		return s, nil
	}
	s := &fileSource{}
	base, err := tbl.OpenJSONFiles(ctx, args[0].S, c.schemaFiles, c.liveTable(), func(sc *scan.Scanner) {
		s.scanners = append(s.scanners, sc)
	})
	if err != nil {
		return nil, err
	}
	if len(c.kinds) > 0 {
		base = base.WithKinds(c.kinds)
	}
	s.base = base
	c.sources[pattern] = s
	c.patterns = append(c.patterns, pattern)
	return s, nil
}

// readJSONPatterns lists the read_json paths q mentions, directly or
// through views, without binding: the stream must list them before it has
// files to infer a schema from.
func readJSONPatterns(q syntax.Query, cat *engine.Session, dir string) []string {
	var out []string
	seen := map[string]bool{}
	var visitQ func(syntax.Query, int)
	var visitT func(syntax.TableExpr, int)
	visitT = func(t syntax.TableExpr, depth int) {
		switch t := t.(type) {
		case *syntax.TableFunc:
			if strings.EqualFold(t.Name, "read_json") && len(t.Args) == 1 {
				if lit, ok := t.Args[0].(*syntax.Literal); ok && lit.Value.K == types.String {
					p := tbl.ResolvePath(dir, lit.Value.S)
					if !seen[p] {
						seen[p] = true
						out = append(out, p)
					}
				}
			}
		case *syntax.TableName:
			if cat != nil && depth < 32 {
				if v, _, ok := cat.Table(t.Name); ok && v != nil {
					visitQ(v, depth+1)
				}
			}
		case *syntax.SubqueryTable:
			visitQ(t.Query, depth)
		case *syntax.Join:
			visitT(t.Left, depth)
			visitT(t.Right, depth)
		}
	}
	visitQ = func(q syntax.Query, depth int) {
		switch q := q.(type) {
		case *syntax.Select:
			if q.From != nil {
				visitT(q.From, depth)
			}
		case *syntax.FromQuery:
			visitT(q.From, depth)
		case *syntax.With:
			for _, c := range q.CTEs {
				visitQ(c.Query, depth)
			}
			visitQ(q.Body, depth)
		case *syntax.SetOp:
			visitQ(q.Left, depth)
			visitQ(q.Right, depth)
		case *syntax.Pipe:
			visitQ(q.Input, depth)
			if j, ok := q.Op.(*syntax.PipeJoin); ok {
				visitT(j.Right, depth)
			}
		}
	}
	visitQ(q, 0)
	return out
}

// windowCall is one window(ts, size[, slide]) grouping key.
type windowCall struct {
	column      string // the time expression, for checking the watermark's column
	size, slide time.Duration
}

// Markers the window rewrite puts in place of window(ts, …): two grouping
// keys over ts that bind as TIMESTAMP and that the stream recognises in the
// bound Aggregate. IncrementalAggregate then replaces their values with
// the window's bounds.
const (
	startMarker = "to_timestamp"
	endMarker   = "timestamp"
)

// rewriteWindows replaces every window(ts, size[, slide]) in a GROUP BY
// by two keys, window_start and window_end (Spark's window struct split
// into its two fields, because nectar has no struct type).
func rewriteWindows(q syntax.Query) ([]windowCall, error) {
	var calls []windowCall
	var err error
	split := func(e syntax.Expr) (syntax.Expr, syntax.Expr, bool) {
		c, ok := e.(*syntax.Call)
		if !ok || c.Name != "window" || err != nil {
			return nil, nil, false
		}
		if len(c.Args) < 2 || len(c.Args) > 3 {
			err = syntax.Errorf(c.Position(), "window(time, size[, slide]) takes 2 or 3 arguments")
			return nil, nil, false
		}
		w := windowCall{column: c.Args[0].String()}
		if w.size, err = durationArg(c.Args[1]); err != nil {
			return nil, nil, false
		}
		w.slide = w.size
		if len(c.Args) == 3 {
			if w.slide, err = durationArg(c.Args[2]); err != nil {
				return nil, nil, false
			}
		}
		if w.slide > w.size {
			err = syntax.Errorf(c.Position(), "window slide %s is longer than its size %s", w.slide, w.size)
			return nil, nil, false
		}
		calls = append(calls, w)
		at := syntax.At{P: c.Position()}
		return &syntax.Call{At: at, Name: startMarker, Args: []syntax.Expr{c.Args[0]}},
			&syntax.Call{At: at, Name: endMarker, Args: []syntax.Expr{c.Args[0]}}, true
	}
	names := func(alias string) (string, string) {
		if alias == "" || strings.EqualFold(alias, "window") {
			return "window_start", "window_end"
		}
		return alias + "_start", alias + "_end"
	}
	var visit func(syntax.Query)
	visitT := func(t syntax.TableExpr) {
		if s, ok := t.(*syntax.SubqueryTable); ok {
			visit(s.Query)
		}
	}
	visit = func(q syntax.Query) {
		switch q := q.(type) {
		case *syntax.Select:
			if q.From != nil {
				visitT(q.From)
			}
			var gb []syntax.Expr
			found := map[string]bool{}
			for _, g := range q.GroupBy {
				text := g.String()
				if s, e, ok := split(g); ok {
					gb = append(gb, s, e)
					found[text] = true
					continue
				}
				gb = append(gb, g)
			}
			q.GroupBy = gb
			var items []syntax.SelectItem
			for _, it := range q.Items {
				if found[it.Expr.String()] {
					s, e, _ := split(it.Expr)
					calls = calls[:len(calls)-1] // the GROUP BY already counted it
					a, b := names(it.Alias)
					items = append(items, syntax.SelectItem{Expr: s, Alias: a}, syntax.SelectItem{Expr: e, Alias: b})
					continue
				}
				items = append(items, it)
			}
			q.Items = items
		case *syntax.FromQuery:
			visitT(q.From)
		case *syntax.With:
			for _, c := range q.CTEs {
				visit(c.Query)
			}
			visit(q.Body)
		case *syntax.SetOp:
			visit(q.Left)
			visit(q.Right)
		case *syntax.Pipe:
			visit(q.Input)
			if a, ok := q.Op.(*syntax.PipeAggregate); ok {
				var gb []syntax.SelectItem
				for _, it := range a.GroupBy {
					if s, e, ok := split(it.Expr); ok {
						x, y := names(it.Alias)
						gb = append(gb, syntax.SelectItem{Expr: s, Alias: x}, syntax.SelectItem{Expr: e, Alias: y})
						continue
					}
					gb = append(gb, it)
				}
				a.GroupBy = gb
			}
		}
	}
	visit(q)
	return calls, err
}

func durationArg(e syntax.Expr) (time.Duration, error) {
	switch e := e.(type) {
	case *syntax.Literal:
		if e.Value.K == types.String {
			d, err := ParseDuration(e.Value.S)
			if err != nil {
				return 0, syntax.Errorf(e.Position(), "%v", err)
			}
			return d, nil
		}
	case *syntax.Interval:
		d, err := ParseDuration(e.Text)
		if err != nil {
			return 0, syntax.Errorf(e.Position(), "%v", err)
		}
		return d, nil
	}
	return 0, syntax.Errorf(e.Position(), "window size and slide must be constant strings such as '1 hour'")
}

// ParseDuration reads a Spark interval string such as '2 hours',
// '15 minutes' or '1 day', or a Go duration such as 90m.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "interval ")
	t = strings.Trim(t, "'")
	if d, err := time.ParseDuration(t); err == nil && d > 0 {
		return d, nil
	}
	num, unit, ok := strings.Cut(strings.TrimSpace(t), " ")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, fmt.Errorf("bad duration %q: want e.g. '2 hours' or '15 minutes'", s)
	}
	units := map[string]time.Duration{
		"microsecond": time.Microsecond, "millisecond": time.Millisecond, "ms": time.Millisecond,
		"second": time.Second, "sec": time.Second, "s": time.Second,
		"minute": time.Minute, "min": time.Minute, "m": time.Minute,
		"hour": time.Hour, "h": time.Hour, "day": 24 * time.Hour, "d": 24 * time.Hour, "week": 7 * 24 * time.Hour,
	}
	unit = strings.TrimSpace(unit)
	u, ok := units[unit]
	if !ok {
		u, ok = units[strings.TrimSuffix(unit, "s")]
	}
	if !ok {
		return 0, fmt.Errorf("bad duration %q: unknown unit %q", s, unit)
	}
	return time.Duration(n) * u, nil
}

// stripWatermarks replaces every WATERMARK clause in q by the FROM item it
// wraps and returns the clauses: the stream takes its watermark from them,
// the plan reads the item as a batch query would.
func stripWatermarks(q syntax.Query) []*syntax.WatermarkTable {
	var found []*syntax.WatermarkTable
	var visit func(syntax.Query)
	var visitT func(syntax.TableExpr) syntax.TableExpr
	visitT = func(t syntax.TableExpr) syntax.TableExpr {
		switch x := t.(type) {
		case *syntax.WatermarkTable:
			found = append(found, x)
			return visitT(x.Unwrap())
		case *syntax.SubqueryTable:
			visit(x.Query)
		case *syntax.Join:
			x.Left = visitT(x.Left)
			x.Right = visitT(x.Right)
		}
		return t
	}
	visit = func(q syntax.Query) {
		switch q := q.(type) {
		case *syntax.Select:
			if q.From != nil {
				q.From = visitT(q.From)
			}
		case *syntax.FromQuery:
			q.From = visitT(q.From)
		case *syntax.With:
			for _, c := range q.CTEs {
				visit(c.Query)
			}
			visit(q.Body)
		case *syntax.SetOp:
			visit(q.Left)
			visit(q.Right)
		case *syntax.Pipe:
			visit(q.Input)
			if j, ok := q.Op.(*syntax.PipeJoin); ok {
				j.Right = visitT(j.Right)
			}
		}
	}
	visit(q)
	return found
}

// applyWatermarkClause makes the query's WATERMARK clause the stream's
// watermark; --watermark may repeat it but not contradict it.
func applyWatermarkClause(q syntax.Query, o *Options) error {
	ws := stripWatermarks(q)
	if len(ws) == 0 {
		return nil
	}
	if len(ws) > 1 {
		return fmt.Errorf("%w: more than one WATERMARK clause", ErrUnsupported)
	}
	w := ws[0]
	if w.TimeName != "" {
		return fmt.Errorf("%w: naming the watermark's time expression (WATERMARK … AS %s); watermark the window's column itself", ErrUnsupported, w.TimeName)
	}
	d, err := ParseDuration(w.Delay.Text)
	if err != nil {
		return syntax.Errorf(w.Delay.Position(), "WATERMARK delay: %v", err)
	}
	col := w.Time.String()
	if o.Watermark != 0 && (o.Watermark != d || (o.WatermarkColumn != "" && !strings.EqualFold(o.WatermarkColumn, col))) {
		return fmt.Errorf("%w: --watermark %s %s contradicts the query's WATERMARK %s DELAY OF %s", ErrUnsupported, o.WatermarkColumn, o.Watermark, col, w.Delay)
	}
	o.Watermark, o.WatermarkColumn = d, col
	return nil
}
