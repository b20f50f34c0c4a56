package engine

import (
	"context"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
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
	if e.shared != nil {
		if v, ok := e.shared.lookup(name); ok {
			return v, nil, true
		}
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
	src, err := table.Open(ctx, call, e.Opts.Table(), func(s *scan.Scanner) { e.track(key, s) })
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
