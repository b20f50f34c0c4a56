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
// Objects flatten to dotted leaf columns as inferred ones do; ARRAY and
// MAP columns are read as their JSON text until nectar has those types,
// but a path into them (properties.products[0].price) takes the kind the
// schema gives.
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
	switch t.Name {
	case "ARRAY", "MAP", "STRUCT":
		return types.String, nil // as JSON text
	}
	k, ok := types.ParseKind(t.Name)
	if !ok || k == types.Null {
		return 0, fmt.Errorf("type %s is not one nectar reads from JSON (BOOLEAN, TINYINT to BIGINT, FLOAT, DOUBLE, DECIMAL, STRING, DATE, TIMESTAMP, ARRAY, MAP, STRUCT)", t)
	}
	return k, nil
}

// resolveDeclared finds a path in the declared schema: a leaf takes its
// kind, an object, array or map reads as its JSON text, and an array
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
