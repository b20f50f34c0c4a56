package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// catalog is the session as the binder sees it. Sources go through the
// backend, which may read them its own way (Spark infers read_json's
// schema itself); with --explain nothing may need the backend's server.
type catalog struct{ *Session }

func (e *Session) catalog() plan.Catalog { return catalog{e} }

// Register names a source, as nectar.yaml's sources section does.
func (e *Session) Register(name string, src plan.Source) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sources[strings.ToLower(name)] = src
}

// Table implements plan.Catalog.
func (c catalog) Table(name string) (syntax.Query, plan.Source, bool) {
	src := func(s plan.Source) plan.Source { return c.backend.Source(s, !c.Opts.ExplainOnly) }
	v, s, ok := c.Session.Table(name)
	if s != nil {
		s = src(s)
	}
	return v, s, ok
}

// Table returns a view's query, or a source the session names.
func (e *Session) Table(name string) (syntax.Query, plan.Source, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.state.lookup(name); ok {
		return v, nil, true
	}
	if v, ok := e.views[strings.ToLower(name)]; ok {
		return v, nil, true
	}
	if s, ok := e.sources[strings.ToLower(name)]; ok {
		return nil, s, true
	}
	if e.lookup != nil {
		if s, ok := e.lookup(name); ok {
			return nil, s, true
		}
	}
	return nil, nil, false
}

// LookupTables makes names the catalog does not know go to fn, as
// `nectar query --stream-endpoint` does for a running stream's tables.
func (e *Session) LookupTables(fn func(name string) (plan.Source, bool)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lookup = fn
}

// TableFunc implements plan.Catalog: the backend opens the call, given
// how the session opens it (read_json and read_parquet over files it
// lists itself, each opened once per session).
func (c catalog) TableFunc(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	return c.backend.OpenTable(ctx, call, func() (plan.Source, error) { return c.Session.TableFunc(ctx, call) }, !c.Opts.ExplainOnly)
}

// TableFuncOpener opens a call of a table function registered with
// RegisterTableFunc.
type TableFuncOpener func(ctx context.Context, call plan.TableCall) (plan.Source, error)

// RegisterTableFunc adds a table function: FROM name(…) opens its call
// with open, each time a statement binds it (it is not cached as
// read_json's files are: such sources, the model graph's, change between
// statements). The session imports nothing of what provides it; cmd/nectar
// registers the graph's graph_walk.
func (e *Session) RegisterTableFunc(name string, open TableFuncOpener) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.funcs == nil {
		e.funcs = map[string]TableFuncOpener{}
	}
	e.funcs[strings.ToLower(name)] = open
}

// TableFunc opens read_json(path[, schema => 'DDL']) or read_parquet(path)
// as this process reads them, once per call text, or a call of a function
// RegisterTableFunc added.
func (e *Session) TableFunc(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	e.mu.Lock()
	fn := e.funcs[call.Name]
	e.mu.Unlock()
	if fn != nil {
		return fn(ctx, call)
	}
	key := call.String()
	e.mu.Lock()
	src, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return src, nil
	}
	src, err := table.Open(ctx, call, e.Opts.Table(), func(s *scan.Scanner) { e.reads.Track(key, s) })
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cache[key] = src
	e.mu.Unlock()
	return src, nil
}

// forgetTables drops the table function calls opened so far, so that the
// next statement lists their files again.
func (e *Session) forgetTables() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.cache)
}

// TableKind says where a name in the catalog comes from.
type TableKind string

const (
	SourceTable TableKind = "source" // nectar.yaml's sources (and DefineSource, DefineCompacted, Register)
	ViewTable   TableKind = "view"   // CREATE VIEW
)

// TableInfo is one name SHOW TABLES lists.
type TableInfo struct {
	Name string
	Kind TableKind
}

// Tables lists the session's sources and views by name. Tables known only
// through LookupTables (a stream's) are not listed: they are found when
// named.
func (e *Session) Tables() []TableInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	views := e.state.Names()
	out := make([]TableInfo, 0, len(views)+len(e.views)+len(e.sources))
	for _, n := range views {
		out = append(out, TableInfo{n, ViewTable})
	}
	for n := range e.views {
		if k := ViewTable; !slices.Contains(views, n) {
			if e.named[n] {
				k = SourceTable
			}
			out = append(out, TableInfo{n, k})
		}
	}
	for n := range e.sources {
		if _, shadowed := e.views[n]; !shadowed && !slices.Contains(views, n) {
			out = append(out, TableInfo{n, SourceTable})
		}
	}
	slices.SortFunc(out, func(a, b TableInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// showTables is SHOW TABLES's result: (tableName, kind), the names that
// match pattern as Spark matches it (* any text, | between alternatives,
// case-insensitive).
func showTables(tables []TableInfo, pattern string) *Result {
	schema := types.Schema{{Name: "tableName", Kind: types.String}, {Name: "kind", Kind: types.String}}
	var rows [][]types.Value
	for _, t := range tables {
		if pattern == "" || syntax.MatchTablePattern(pattern, t.Name) {
			rows = append(rows, []types.Value{types.StringValue(t.Name), types.StringValue(string(t.Kind))})
		}
	}
	return &Result{Kind: Rows, Schema: schema, Rows: exec.Rows(schema, rows)}
}

// DefineSource names a table-function call: FROM name then reads the
// source with every column, hidden ones included, as FROM fn('path') does.
// The source is opened (and its schema inferred) on first use.
func (e *Session) DefineSource(name, fn, path string) { e.DefineSourceSchema(name, fn, path, "") }

// DefineSourceSchema is DefineSource with the schema read_json is given
// ("": inferred).
func (e *Session) DefineSourceSchema(name, fn, path, schema string) {
	lit := func(s string) syntax.Expr {
		return &syntax.Literal{At: syntax.At{P: syntax.NoPos}, Value: types.StringValue(s)}
	}
	call := &syntax.TableFunc{At: syntax.At{P: syntax.NoPos}, Name: fn, Args: []syntax.Expr{lit(path)}}
	if schema != "" {
		call.Named = []syntax.NamedArg{{Name: "schema", Value: lit(schema)}}
	}
	q := &syntax.FromQuery{At: syntax.At{P: syntax.NoPos}, From: call}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.views[strings.ToLower(name)] = q
	e.named[strings.ToLower(name)] = true
}

// DefineCompacted names a source read from rawPattern with the compacted
// copy in compactedDir used where it is up to date. The source is opened
// (files listed, manifest read, uncovered files sampled) on first use.
func (e *Session) DefineCompacted(name, rawPattern, compactedDir string) {
	e.Register(name, table.NewCompacted(name, table.ResolvePath(e.Opts.Dir, rawPattern), table.ResolvePath(e.Opts.Dir, compactedDir),
		e.Opts.Table(), func(s *scan.Scanner) { e.reads.Track("compacted:"+name, s) }))
}
