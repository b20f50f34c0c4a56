package table

import (
	"context"
	"fmt"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Open opens a table function call: read_json(path[, schema => 'DDL']) or
// read_parquet(path). onOpen, if set, is told of every JSON scan.
func Open(ctx context.Context, call plan.TableCall, opts Options, onOpen func(*scan.Scanner)) (plan.Source, error) {
	path, schema, err := Args(call)
	if err != nil {
		return nil, err
	}
	switch {
	case call.Name == "read_json" && schema != nil:
		return OpenJSONSchema(ctx, path, schema, opts, onOpen)
	case call.Name == "read_json":
		return OpenJSON(ctx, path, opts, onOpen)
	}
	return OpenParquet(ctx, path, opts)
}

// Args checks a call of read_json or read_parquet and returns its
// path and, for read_json, the schema it was given (nil: inferred).
func Args(call plan.TableCall) (path string, schema []syntax.ColumnDef, err error) {
	named := map[string]bool{"path": true}
	switch call.Name {
	case "read_json":
		named["schema"] = true
	case "read_parquet":
	default:
		return "", nil, fmt.Errorf("unknown table function %s (nectar has read_json and read_parquet)", call.Name)
	}
	for n := range call.Named {
		if !named[n] {
			return "", nil, fmt.Errorf("%s has no argument %s (it takes a path%s)", call.Name, n, map[bool]string{true: " and schema => 'DDL'"}[named["schema"]])
		}
	}
	p, hasNamed := call.Named["path"]
	switch {
	case len(call.Args) == 1 && !hasNamed:
		p = call.Args[0]
	case len(call.Args) == 0 && hasNamed:
	default:
		return "", nil, fmt.Errorf("%s takes one path: a file, directory or glob", call.Name)
	}
	if p.K != types.String {
		return "", nil, fmt.Errorf("%s takes its path as a string: a file, directory or glob", call.Name)
	}
	if v, ok := call.Named["schema"]; ok {
		if v.K != types.String {
			return "", nil, fmt.Errorf("read_json's schema is a string in Spark's DDL, e.g. 'event STRING, properties STRUCT<price: DOUBLE>'")
		}
		if schema, err = syntax.ParseSchema(v.S); err != nil {
			return "", nil, fmt.Errorf("read_json schema: %w", err)
		}
	}
	return p.S, schema, nil
}
