package tables

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Opener returns the store, opening it on first use: a query that reads
// no graph table never connects to a PostgreSQL server.
type Opener func(ctx context.Context) (graph.Store, error)

// Once makes an Opener that opens the store once and remembers the
// outcome; close closes it if it was opened.
func Once(open func(ctx context.Context) (graph.Store, error)) (o Opener, close func() error) {
	var mu sync.Mutex
	var s graph.Store
	var err error
	done := false
	o = func(ctx context.Context) (graph.Store, error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			s, err = open(ctx)
			done = true
		}
		return s, err
	}
	close = func() error {
		mu.Lock()
		defer mu.Unlock()
		if s != nil {
			return s.Close()
		}
		return nil
	}
	return o, close
}

func col(name string, k types.Kind) plan.SourceColumn { return plan.SourceColumn{Name: name, Kind: k} }

var nodeColumns = []plan.SourceColumn{
	col("id", types.String), col("kind", types.String), col("namespace", types.String), col("name", types.String),
	col("version", types.String), col("properties", types.String), col("source", types.String), col("observed_at", types.Timestamp),
}

var edgeColumns = []plan.SourceColumn{
	col("src", types.String), col("rel", types.String), col("dst", types.String), col("properties", types.String),
	col("source", types.String), col("observed_at", types.Timestamp),
}

var scoreColumns = []plan.SourceColumn{
	col("experiment", types.String), col("window_start", types.Timestamp), col("window_end", types.Timestamp),
	col("variant", types.String), col("metric", types.String), col("model_version", types.String), col("control", types.Bool),
	col("metric_type", types.String), col("units", types.Int), col("mean", types.Float),
	col("abs_lift", types.Float), col("abs_ci_low", types.Float), col("abs_ci_high", types.Float),
	col("abs_p", types.Float), col("abs_p_holm", types.Float), col("abs_p_bh", types.Float),
	col("rel_lift", types.Float), col("rel_ci_low", types.Float), col("rel_ci_high", types.Float),
	col("rel_p", types.Float), col("rel_p_holm", types.Float), col("rel_p_bh", types.Float),
	col("chance_to_win", types.Float), col("srm_p", types.Float), col("spec_hash", types.String), col("recorded_at", types.Timestamp),
}

var walkColumns = append(append([]plan.SourceColumn{}, nodeColumns[:6]...),
	col("distance", types.Int), col("path", types.String), col("path_ids", types.String))

// Sources returns graph_nodes, graph_edges and graph_scores.
func Sources(open Opener) map[string]plan.Source {
	return map[string]plan.Source{
		"graph_nodes": &source{name: "graph_nodes", cols: nodeColumns, open: open, rows: func(ctx context.Context, s graph.Store, emit func([]types.Value)) error {
			return s.ScanNodes(ctx, func(n *graph.Node) error { emit(nodeRow(n)); return nil })
		}},
		"graph_edges": &source{name: "graph_edges", cols: edgeColumns, open: open, rows: func(ctx context.Context, s graph.Store, emit func([]types.Value)) error {
			return s.ScanEdges(ctx, func(e *graph.Edge) error {
				emit([]types.Value{str(e.Src), str(string(e.Rel)), str(e.Dst), props(e.Props), str(e.Source), ts(e.Observed)})
				return nil
			})
		}},
		"graph_scores": &source{name: "graph_scores", cols: scoreColumns, open: open, rows: func(ctx context.Context, s graph.Store, emit func([]types.Value)) error {
			return s.ScanScores(ctx, func(sc *graph.Score) error { emit(scoreRow(sc)); return nil })
		}},
	}
}

func nodeRow(n *graph.Node) []types.Value {
	return []types.Value{str(n.ID()), str(string(n.Kind)), str(n.Namespace), str(n.Name), optStr(n.Version), props(n.Props), str(n.Source), ts(n.Observed)}
}

func scoreRow(s *graph.Score) []types.Value {
	return []types.Value{str(s.Experiment), ts(s.WindowStart), ts(s.WindowEnd), str(s.Variant), str(s.Metric), optStr(s.ModelVersion),
		types.BoolValue(s.Control), str(s.MetricType), types.IntValue(s.Units), types.FloatValue(s.Mean),
		optF(s.AbsLift), optF(s.AbsCILow), optF(s.AbsCIHigh), optF(s.AbsP), optF(s.AbsPHolm), optF(s.AbsPBH),
		optF(s.RelLift), optF(s.RelCILow), optF(s.RelCIHigh), optF(s.RelP), optF(s.RelPHolm), optF(s.RelPBH),
		optF(s.ChanceToWin), types.FloatValue(s.SRMP), str(s.SpecHash), ts(s.Recorded)}
}

func str(s string) types.Value { return types.StringValue(s) }

func optStr(s string) types.Value {
	if s == "" {
		return types.Value{}
	}
	return str(s)
}

func optF(f *float64) types.Value {
	if f == nil {
		return types.Value{}
	}
	return types.FloatValue(*f)
}

func ts(t time.Time) types.Value {
	if t.IsZero() {
		return types.Value{}
	}
	return types.TimestampValue(t)
}

func props(p map[string]any) types.Value {
	if len(p) == 0 {
		return str("{}")
	}
	b, err := json.Marshal(p)
	if err != nil {
		return types.Value{}
	}
	return str(string(b))
}

// source is one graph table: its rows are read from the store when a
// statement opens it, so every statement sees the graph as it is then.
type source struct {
	name string
	call string // the call text, for graph_walk
	cols []plan.SourceColumn
	open Opener
	rows func(ctx context.Context, s graph.Store, emit func([]types.Value)) error
}

var _ plan.Source = (*source)(nil)

func (s *source) Columns() []plan.SourceColumn      { return s.cols }
func (s *source) Resolve(string) (types.Kind, bool) { return 0, false }

func (s *source) String() string {
	if s.call != "" {
		return s.call
	}
	return s.name
}

// Open reads the rows, keeping the columns asked for. filters are left to
// the Filter above: the graph's tables are small beside the logs.
func (s *source) Open(ctx context.Context, columns []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	st, err := s.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.String(), err)
	}
	idx := make([]int, len(columns))
	schema := make(types.Schema, len(columns))
	for i, c := range columns {
		idx[i] = -1
		for j, sc := range s.cols {
			if strings.EqualFold(sc.Name, c.Name) {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("%s has no column %s", s.String(), c.Name)
		}
		schema[i] = types.Column{Name: c.Name, Kind: s.cols[idx[i]].Kind}
	}
	var rows [][]types.Value
	err = s.rows(ctx, st, func(r []types.Value) {
		out := make([]types.Value, len(idx))
		for i, j := range idx {
			out[i] = r[j]
		}
		rows = append(rows, out)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.String(), err)
	}
	return exec.Rows(schema, rows), nil
}

// WalkFunc is graph_walk(start_id, direction => 'down'|'up'|'both',
// depth => n, kinds => 'deployment,job'): the nodes a walk reaches, with
// their distance and one shortest path (as text, a -REL-> b, and as a JSON
// array of ids). Direction defaults to both, depth to graph.DefaultDepth.
func WalkFunc(open Opener) func(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	return func(ctx context.Context, call plan.TableCall) (plan.Source, error) {
		start, w, err := walkArgs(call)
		if err != nil {
			return nil, err
		}
		return &source{name: "graph_walk", call: call.String(), cols: walkColumns, open: open,
			rows: func(ctx context.Context, s graph.Store, emit func([]types.Value)) error {
				steps, err := s.Walk(ctx, start, w)
				if err != nil {
					return err
				}
				for _, st := range steps {
					ids, _ := json.Marshal(st.Path)
					emit(append(nodeRow(&st.Node)[:6], types.IntValue(int64(st.Distance)), str(st.PathString()), str(string(ids))))
				}
				return nil
			}}, nil
	}
}

const walkUsage = "graph_walk(start_id, direction => 'down'|'up'|'both', depth => n, kinds => 'kind,…')"

func walkArgs(call plan.TableCall) (string, graph.Walk, error) {
	w := graph.Walk{Direction: graph.Both, Depth: graph.DefaultDepth}
	bad := func(format string, args ...any) (string, graph.Walk, error) {
		return "", w, fmt.Errorf("graph_walk: "+format+"; call it as "+walkUsage, args...)
	}
	start, hasStart := call.Named["start_id"]
	switch {
	case len(call.Args) == 1 && !hasStart:
		start = call.Args[0]
	case len(call.Args) == 0 && hasStart:
	default:
		return bad("takes one start id")
	}
	if start.K != types.String || start.S == "" {
		return bad("the start id is a string such as 'model:recsys:food-recs'")
	}
	for name, v := range call.Named {
		switch name {
		case "start_id":
		case "direction":
			if v.K != types.String {
				return bad("direction is a string")
			}
			d, err := graph.ParseDirection(v.S)
			if err != nil {
				return bad("%v", err)
			}
			w.Direction = d
		case "depth":
			if v.K != types.Int || v.I < 1 || v.I > graph.MaxDepth {
				return bad("depth is a whole number from 1 to %d, got %s", graph.MaxDepth, v.String())
			}
			w.Depth = int(v.I)
		case "kinds":
			if v.K != types.String {
				return bad("kinds is a string of kinds separated by commas")
			}
			for _, k := range strings.Split(v.S, ",") {
				w.Kinds = append(w.Kinds, graph.Kind(strings.TrimSpace(k)))
			}
		default:
			return bad("no argument %s", name)
		}
	}
	return start.S, w, nil
}
