package engine

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/syntax"
)

// Views are views kept apart from any one session. A server holds one set
// per user and runs each request in a fresh session that shares it: the
// session lists files again and keeps no scans from the last request, and
// a view created in one request is still there in the next. Safe for
// concurrent use.
type Views struct {
	mu sync.Mutex
	m  map[string]syntax.Query
}

// NewViews returns an empty set.
func NewViews() *Views { return &Views{m: map[string]syntax.Query{}} }

// Names lists the views, sorted.
func (v *Views) Names() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Sorted(maps.Keys(v.m))
}

// Clone copies the set: a session that must not change the original (one
// that only describes a script) shares the copy.
func (v *Views) Clone() *Views {
	v.mu.Lock()
	defer v.mu.Unlock()
	return &Views{m: maps.Clone(v.m)}
}

func (v *Views) lookup(name string) (syntax.Query, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	q, ok := v.m[strings.ToLower(name)]
	return q, ok
}

func (v *Views) store(name string, q syntax.Query) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.m[strings.ToLower(name)] = q
}

// ShareViews makes CREATE VIEW in e store its views in v, and makes v's
// views visible in e before e's own names, as if they had been created in
// e: a shared view may replace one of nectar.yaml's sources.
func (e *Session) ShareViews(v *Views) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.shared = v
}

// viewExists reports whether a view or source named name (lower case) is
// the session's.
func (e *Session) viewExists(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.views[name]; ok {
		return true
	}
	if e.shared != nil {
		_, ok := e.shared.lookup(name)
		return ok
	}
	return false
}

// dropView forgets a view CREATE VIEW made, reporting whether there was
// one. Sources named in nectar.yaml are not views and stay.
func (e *Session) dropView(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shared != nil {
		return e.shared.drop(name)
	}
	_, ok := e.views[name]
	delete(e.views, name)
	return ok
}

func (v *Views) drop(name string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.m[name]
	delete(v.m, name)
	return ok
}

// storeView keeps a view CREATE VIEW made: in the shared set, if any.
func (e *Session) storeView(name string, q syntax.Query) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.named, name) // a view of a source's name hides the source
	if e.shared != nil {
		e.shared.store(name, q)
		return
	}
	e.views[name] = q
}

// Drop removes the view named name and reports whether there was one
// (Spark Connect's spark.catalog.dropTempView).
func (v *Views) Drop(name string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	k := strings.ToLower(name)
	_, ok := v.m[k]
	delete(v.m, k)
	return ok
}
