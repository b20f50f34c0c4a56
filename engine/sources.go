package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// Hidden columns every JSON source offers; SELECT * leaves them out.
var hiddenColumns = []struct {
	name   string
	kind   types.Kind
	hidden scan.Hidden
}{
	{"_file", types.String, scan.FileColumn},
	{"_received_day", types.Date, scan.ReceivedDayColumn},
	{"_line", types.Int, scan.LineColumn},
}

// JSONSource is read_json(pattern): newline-delimited JSON files, with
// their schema inferred by sampling.
type JSONSource struct {
	pattern string
	files   []source.File
	opts    Options
	cols    []plan.SourceColumn
	leaves  map[string]types.Kind // lower-cased inferred column name → kind
	onOpen  func(*scan.Scanner)

	mu      sync.Mutex
	sample  [][]byte // lines kept to resolve array paths; loaded on first need
	sampled bool
}

// OpenJSON lists the files of pattern and infers their schema.
func OpenJSON(ctx context.Context, pattern string, opts Options, onOpen func(*scan.Scanner)) (*JSONSource, error) {
	files, err := source.List(ctx, resolve(opts.Dir, pattern))
	if err != nil {
		return nil, err
	}
	inferred, err := scan.InferFiles(ctx, files, opts.SampleLines)
	if err != nil {
		return nil, fmt.Errorf("infer schema of %s: %w", pattern, err)
	}
	s := &JSONSource{pattern: pattern, files: files, opts: opts, leaves: map[string]types.Kind{}, onOpen: onOpen}
	for _, c := range inferred {
		k := c.Kind
		if k == types.Null {
			// Only nulls in the sample: read whatever comes later as text
			// rather than count every later value as a type conflict.
			k = types.String
		}
		s.cols = append(s.cols, plan.SourceColumn{Name: c.Name, Kind: k})
		s.leaves[strings.ToLower(c.Name)] = k
	}
	for _, h := range hiddenColumns {
		s.cols = append(s.cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	return s, nil
}

func resolve(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(dir, p)
}

func (s *JSONSource) String() string { return "read_json('" + s.pattern + "')" }

// Files lists the files the source reads.
func (s *JSONSource) Files() []source.File { return s.files }

// Columns implements plan.Source.
func (s *JSONSource) Columns() []plan.SourceColumn { return s.cols }

// Resolve implements plan.Source: an object that has inferred leaves below
// it reads as its JSON text; a path through an array index takes the kind
// its values have in the sample.
func (s *JSONSource) Resolve(name string) (types.Kind, bool) {
	p, err := scan.ParsePath(name)
	if err != nil || len(p) == 0 {
		return 0, false
	}
	lower := strings.ToLower(p.String())
	for leaf := range s.leaves {
		if strings.HasPrefix(leaf, lower+".") {
			return types.String, true
		}
	}
	hasIndex := false
	for _, st := range p {
		hasIndex = hasIndex || st.IsIndex
	}
	if hasIndex {
		if k, ok := s.sampleKind(p); ok {
			return k, true
		}
	}
	// A path below an object the sample has seen (properties.nope) may
	// simply be absent from the sample: it reads as NULL where missing, and
	// as text where present. Unknown top-level names stay errors, so a typo
	// in a column name is caught.
	if len(p) > 1 && !p[0].IsIndex {
		root := strings.ToLower(p[0].Key) + "."
		for leaf := range s.leaves {
			if strings.HasPrefix(leaf, root) {
				return types.String, true
			}
		}
	}
	return 0, false
}

// sampleKind infers the kind of one path from the sample lines.
func (s *JSONSource) sampleKind(p scan.Path) (types.Kind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sampled {
		s.sampled = true
		s.sample = sampleLines(s.files, max(s.opts.SampleLines, 2000))
	}
	ex := scan.NewExtractor([]scan.Path{p})
	seen := false
	k := types.Null
	for _, line := range s.sample {
		if ex.Extract(line) != nil {
			continue
		}
		r := ex.Get(0)
		if r.Type == scan.Missing {
			continue
		}
		seen = true
		k = types.Widen(k, rawKind(r))
	}
	return k, seen
}

func rawKind(r scan.Raw) types.Kind {
	switch r.Type {
	case scan.Bool:
		return types.Bool
	case scan.Number:
		if strings.ContainsAny(string(r.Bytes), ".eE") {
			return types.Float
		}
		return types.Int
	case scan.Null:
		return types.Null
	}
	return types.String
}

func sampleLines(files []source.File, n int) [][]byte {
	var out [][]byte
	for _, f := range files {
		r, err := source.Open(context.Background(), f)
		if err != nil {
			continue
		}
		lr := source.NewLineReader(r, 0)
		for len(out) < n {
			line, _, err := lr.Next()
			if errors.Is(err, source.ErrLineTooLong) {
				continue
			}
			if err != nil {
				break
			}
			out = append(out, append([]byte{}, line...))
		}
		r.Close()
		if len(out) >= n {
			break
		}
	}
	return out
}

// requirements picks the filters the scanner can test on raw bytes to drop
// lines early: a JSON column compared for equality with a string, or IN a
// list of strings. The Filter above the scan still applies every filter.
func requirements(cols []plan.SourceColumn, filters []plan.Expr) []scan.Require {
	var out []scan.Require
	for _, f := range filters {
		op, ok := f.(*plan.Op)
		if !ok || (op.Op != plan.OpEq && op.Op != plan.OpIn) || len(op.Args) < 2 {
			continue
		}
		args := op.Args
		if op.Op == plan.OpEq {
			if _, ok := args[0].(*plan.Const); ok {
				args = []plan.Expr{args[1], args[0]}
			}
		}
		c, ok := args[0].(*plan.ColRef)
		if !ok || c.Idx >= len(cols) || cols[c.Idx].Kind != types.String {
			continue
		}
		if values, ok := stringConstants(args[1:]); ok && len(values) > 0 {
			out = append(out, scan.Require{Column: c.Idx, Values: values})
		}
	}
	return out
}

// stringConstants returns the strings of a list of string constants, or
// false if anything else is in it. A NULL in the list admits nothing, so
// it adds no value.
func stringConstants(es []plan.Expr) ([]string, bool) {
	var out []string
	for _, e := range es {
		k, ok := e.(*plan.Const)
		if !ok || (k.V.K != types.String && k.V.K != types.Null) {
			return nil, false
		}
		if k.V.K == types.String {
			out = append(out, k.V.S)
		}
	}
	return out, true
}

// Open implements plan.Source.
func (s *JSONSource) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	sc := make([]scan.Column, len(cols))
	for i, c := range cols {
		sc[i] = scan.Column{Name: c.Name, Kind: c.Kind}
		hidden := false
		for _, h := range hiddenColumns {
			if c.Name == h.name {
				sc[i].Hidden, hidden = h.hidden, true
			}
		}
		if !hidden {
			p, err := scan.ParsePath(c.Name)
			if err != nil {
				return nil, err
			}
			sc[i].Path = p
		}
	}
	sn := scan.NewScanner(scan.Options{
		Files:        pruneDays(s.files, cols, filters, s.opts.LateArrivals),
		Columns:      sc,
		MaxLineBytes: s.opts.MaxLineBytes,
		Strict:       s.opts.Strict,
		BadLines:     s.opts.BadLines,
		BatchRows:    s.opts.BatchRows,
		Require:      requirements(cols, filters),
	})
	if s.onOpen != nil {
		s.onOpen(sn)
	}
	return sn, nil
}
