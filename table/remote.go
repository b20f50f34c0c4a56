package table

import (
	"context"
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// ErrRemote is returned by Remote.Open: only the engine that inferred a
// Remote source's schema (Spark) reads it.
var ErrRemote = fmt.Errorf("the source's schema came from Spark and only Spark reads it")

// Remote is a JSON source whose schema another engine (Spark) inferred
// from every line: it can be bound, and compiled for that engine, but not
// read here.
type Remote struct {
	pattern string
	cols    []plan.SourceColumn
	leaves  map[string]types.Kind
}

// NewRemote makes a Remote source of pattern with the given leaf columns;
// the hidden columns of JSON sources are added.
func NewRemote(pattern string, leaves []plan.SourceColumn) *Remote {
	r := &Remote{pattern: pattern, leaves: map[string]types.Kind{}}
	for _, l := range leaves {
		r.cols = append(r.cols, l)
		r.leaves[strings.ToLower(l.Name)] = l.Kind
	}
	for _, h := range hiddenColumns {
		r.cols = append(r.cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	return r
}

func (r *Remote) String() string               { return "read_json('" + r.pattern + "')" }
func (r *Remote) Columns() []plan.SourceColumn { return r.cols }

// Resolve implements plan.Source: an object read whole. The schema is
// every line's, so a name it lacks is in no line.
func (r *Remote) Resolve(name string) (types.Kind, bool) {
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) == 0 {
		return 0, false
	}
	lower := strings.ToLower(p.String())
	for leaf := range r.leaves {
		if strings.HasPrefix(leaf, lower+".") {
			return types.String, true
		}
	}
	return 0, false
}

// Open implements plan.Source.
func (r *Remote) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return nil, fmt.Errorf("read %s: %w", r.pattern, ErrRemote)
}
