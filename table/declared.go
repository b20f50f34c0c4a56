package table

import (
	"context"
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// OpenJSONSchema is read_json(pattern, schema => 'DDL'): the user gives
// the schema, in Spark's DDL, so nothing is sampled or guessed. As in
// Spark's PERMISSIVE mode, a value that does not fit its column is NULL
// in its row; nectar counts such values by column (Local.Notes), keeps
// their lines with --bad-lines, and stops on them with --strict. A name
// the schema lacks is an unknown column, whatever the data holds.
//
// STRUCT columns flatten to dotted leaf columns as inferred objects do,
// and read whole as the STRUCT declared; ARRAY and MAP columns are read as
// those kinds, and a path into them (properties.products[0].price) takes
// the kind the schema gives.
func OpenJSONSchema(ctx context.Context, pattern string, schema []syntax.ColumnDef, opts Options, onOpen func(*scan.Scanner)) (*JSON, error) {
	var leaves []scan.InferredColumn
	if err := declaredLeaves(&leaves, nil, schema); err != nil {
		return nil, fmt.Errorf("read_json schema: %w", err)
	}
	files, err := opts.stores().List(ctx, resolve(opts.Dir, pattern))
	if err != nil {
		return nil, err
	}
	s := newJSONSource(pattern, files, leaves, nil, opts, onOpen)
	s.declared, s.nullOnly = schema, map[string]bool{}
	return s, nil
}

// declaredLeaves appends the leaf columns of fields, below the path at.
func declaredLeaves(out *[]scan.InferredColumn, at jsonpath.Path, fields []syntax.ColumnDef) error {
	for _, f := range fields {
		p := at.Child(f.Name)
		if f.Type.Name == "STRUCT" {
			if err := declaredLeaves(out, p, f.Type.Fields); err != nil {
				return err
			}
			continue
		}
		k, err := declaredKind(f.Type)
		if err != nil {
			return fmt.Errorf("column %s: %w", p, err)
		}
		*out = append(*out, scan.InferredColumn{Name: p.String(), Path: p, Kind: k})
	}
	return nil
}

// declaredKind is the kind nectar reads a declared type as.
func declaredKind(t *syntax.DataType) (types.Kind, error) {
	k, err := t.Kind()
	if err != nil || k == types.Null || hasVoid(k) {
		return 0, fmt.Errorf("type %s is not one nectar reads from JSON (BOOLEAN, TINYINT to BIGINT, FLOAT, DOUBLE, DECIMAL, STRING, DATE, TIMESTAMP, ARRAY, MAP, STRUCT)", t)
	}
	if mk := firstMapKey(k); mk != types.Null && mk != types.String {
		return 0, fmt.Errorf("type %s: a JSON object's keys are strings, so a MAP read from JSON needs STRING keys", t)
	}
	return k, nil
}

// hasVoid reports whether k holds VOID anywhere.
func hasVoid(k types.Kind) bool {
	switch {
	case k == types.Null:
		return true
	case k.IsArray():
		return hasVoid(k.Elem())
	case k.IsMap():
		return hasVoid(k.MapKey()) || hasVoid(k.MapValue())
	}
	for _, f := range k.Fields() {
		if hasVoid(f.Kind) {
			return true
		}
	}
	return false
}

// firstMapKey returns the key kind of a MAP in k that has keys other than
// STRING, or types.Null when every map in k has STRING keys.
func firstMapKey(k types.Kind) types.Kind {
	switch {
	case k.IsArray():
		return firstMapKey(k.Elem())
	case k.IsMap():
		if k.MapKey() != types.String {
			return k.MapKey()
		}
		return firstMapKey(k.MapValue())
	}
	for _, f := range k.Fields() {
		if mk := firstMapKey(f.Kind); mk != types.Null {
			return mk
		}
	}
	return types.Null
}

// resolveDeclared finds a path in the declared schema: a leaf takes its
// kind, an object, array or map reads as its declared kind, and an array
// index leads into the element type.
func (s *JSON) resolveDeclared(p jsonpath.Path) (types.Kind, bool) {
	fields := s.declared
	var t *syntax.DataType
	for i, st := range p {
		switch {
		case st.IsIndex:
			if t == nil || t.Name != "ARRAY" {
				return 0, false
			}
			t = t.Elem
		default:
			if i > 0 {
				if t == nil || t.Name != "STRUCT" {
					return 0, false
				}
				fields = t.Fields
			}
			t = nil
			for _, f := range fields {
				if strings.EqualFold(f.Name, st.Key) {
					t = f.Type
					break
				}
			}
			if t == nil {
				return 0, false
			}
		}
	}
	k, err := declaredKind(t)
	return k, err == nil
}

// misfitNotes tells, by column, of the values a declared schema read as
// NULL because they did not fit it.
func misfitNotes(ls loggedScan) []string {
	var out []string
	for j, sn := range ls.sn.Seen() {
		if c := ls.cols[j]; sn.Misfits > 0 && !c.Guess && c.Hidden == scan.NotHidden {
			out = append(out, fmt.Sprintf("%s: %s in %s did not fit %s (the schema given); read as NULL",
				c.Name, sn.MisfitText(), plural(sn.MisfitFiles, "file"), c.Kind))
		}
	}
	return out
}
