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

// Resolve implements plan.Source: an object read whole is a STRUCT of
// the leaves below it, in Spark's order; a path into an ARRAY or MAP leaf
// takes the part's type. The schema is every line's, so a name it lacks
// is in no line.
func (r *Remote) Resolve(name string) (types.Kind, bool) {
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) == 0 {
		return 0, false
	}
	lower := strings.ToLower(p.String())
	var below []plan.SourceColumn
	for _, c := range r.cols {
		if !c.Hidden && strings.HasPrefix(strings.ToLower(c.Name), lower+".") {
			below = append(below, plan.SourceColumn{Name: c.Name[len(lower)+1:], Kind: c.Kind})
		}
	}
	if len(below) > 0 {
		return structOfLeaves(below), true
	}
	for i := len(p) - 1; i > 0; i-- {
		k, ok := r.leaves[strings.ToLower(p[:i].String())]
		if ok && k.IsNested() {
			return partKind(k, p[i:])
		}
	}
	return 0, false
}

// structOfLeaves builds the STRUCT whose flattened leaves are cols (names
// relative to it, dotted below).
func structOfLeaves(cols []plan.SourceColumn) types.Kind {
	var fields []types.Field
	sub := map[string][]plan.SourceColumn{}
	for _, c := range cols {
		head, rest, nested := strings.Cut(c.Name, ".")
		if !nested {
			fields = append(fields, types.Field{Name: head, Kind: c.Kind})
			continue
		}
		if _, seen := sub[head]; !seen {
			fields = append(fields, types.Field{Name: head})
		}
		sub[head] = append(sub[head], plan.SourceColumn{Name: rest, Kind: c.Kind})
	}
	for i, f := range fields {
		if cs, ok := sub[f.Name]; ok && f.Kind == types.Null {
			fields[i].Kind = structOfLeaves(cs)
		}
	}
	return types.StructOf(fields...)
}

// partKind is the kind of the part of a value of kind k that steps reach.
func partKind(k types.Kind, steps jsonpath.Path) (types.Kind, bool) {
	for _, st := range steps {
		switch {
		case st.IsIndex && k.IsArray():
			k = k.Elem()
		case !st.IsIndex && k.IsStruct():
			i := k.FieldIndex(st.Key)
			if i < 0 {
				return 0, false
			}
			k = k.Fields()[i].Kind
		case !st.IsIndex && k.IsMap():
			k = k.MapValue()
		default:
			return 0, false
		}
	}
	return k, true
}

// Open implements plan.Source.
func (r *Remote) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return nil, fmt.Errorf("read %s: %w", r.pattern, ErrRemote)
}
