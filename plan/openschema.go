package plan

import (
	"context"
	"errors"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// OpenSchema is a Source whose columns come from a sample of its data, as
// read_json's do: a name the sample never saw may still be in the data.
// When a name resolves nowhere, Bind admits it to such a source and binds
// again: the scan then has it as a provisional column (SourceColumn.
// Provisional), and whoever runs the plan checks, after reading, that some
// line has it and which kind its values need, or fails the query.
type OpenSchema interface {
	Source
	// Admits reports whether path could be a column of the source.
	Admits(path string) bool
	// KindsOf reads the data for the kinds of paths the sample never
	// saw, from the first lines that have them, leaving out paths no
	// line has. Bind asks when a statement does not bind with STRING
	// placeholders for them (WHERE late, where late holds booleans).
	KindsOf(ctx context.Context, paths []string) (map[string]types.Kind, error)
}

// admittedName is a name admitted to an OpenSchema source, with the kind
// it is bound as: STRING until KindsOf gives a better one.
type admittedName struct {
	path string
	kind types.Kind
}

// UnknownName is the cause of an "unknown column" bind error: the name's
// parts as written (a.b[0].c is ["a", "b[0]", "c"]).
type UnknownName struct {
	Parts []string
}

func (u *UnknownName) Error() string { return "unknown column " + strings.Join(u.Parts, ".") }

// notAdmissible keeps an unknown name from being admitted: SET and DROP
// name columns to change, which must exist already.
func notAdmissible(err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		if _, ok := se.Err.(*UnknownName); ok {
			c := *se
			c.Err = nil
			return &c
		}
	}
	return err
}

// openRef is an OpenSchema source a statement reads, under its alias.
type openRef struct {
	src   OpenSchema
	alias string
}

// Bind resolves q against cat and returns its logical plan. A name that
// resolves nowhere is admitted to the one open-schema source it can
// belong to (the one its qualifier names, or the statement's only one)
// and the statement bound again.
func Bind(ctx context.Context, cat Catalog, q syntax.Query) (Node, error) {
	admitted := map[OpenSchema][]admittedName{}
	probed := false
	for {
		n, open, err := bindOnce(ctx, cat, q, admitted)
		if err == nil {
			return n, nil
		}
		var un *UnknownName
		if errors.As(err, &un) {
			if admit(open, un.Parts, admitted) {
				continue
			}
			return nil, err
		}
		// A type error may come from a STRING placeholder: learn the
		// admitted names' kinds from the data, once, and bind again.
		if probed || len(admitted) == 0 {
			return nil, err
		}
		probed = true
		changed, perr := refineKinds(ctx, admitted)
		if perr != nil {
			return nil, perr
		}
		if !changed {
			return nil, err
		}
	}
}

// refineKinds asks each source for the kinds of the names admitted to it.
func refineKinds(ctx context.Context, admitted map[OpenSchema][]admittedName) (bool, error) {
	changed := false
	for src, names := range admitted {
		paths := make([]string, len(names))
		for i, a := range names {
			paths[i] = a.path
		}
		kinds, err := src.KindsOf(ctx, paths)
		if err != nil {
			return false, err
		}
		for i, a := range names {
			if k, ok := kinds[a.path]; ok && k != types.Null && k != a.kind {
				names[i].kind = k
				changed = true
			}
		}
	}
	return changed, nil
}

// admit picks the source an unknown name belongs to and admits it there:
// the source whose alias is the name's first part, or else the only
// open-schema source of the statement. It reports false when there is
// none, or the name was admitted already, so binding again would not help.
func admit(open []openRef, parts []string, admitted map[OpenSchema][]admittedName) bool {
	add := func(src OpenSchema, path string) bool {
		for _, a := range admitted[src] {
			if strings.EqualFold(a.path, path) {
				return false
			}
		}
		if !src.Admits(path) {
			return false
		}
		admitted[src] = append(admitted[src], admittedName{path, types.String})
		return true
	}
	if len(parts) >= 2 {
		var hit []openRef
		for _, o := range open {
			if o.alias != "" && strings.EqualFold(o.alias, parts[0]) {
				hit = append(hit, o)
			}
		}
		if len(hit) == 1 {
			return add(hit[0].src, strings.Join(parts[1:], "."))
		}
	}
	var only OpenSchema
	for _, o := range open {
		if only != nil && o.src != only {
			return false // several: the name is ambiguous
		}
		only = o.src
	}
	return only != nil && add(only, strings.Join(parts, "."))
}
