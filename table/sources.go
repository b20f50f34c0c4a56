package table

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
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

// JSON is read_json(pattern): newline-delimited JSON files, with
// their schema inferred by sampling. The sample is a guess that every
// query checks: the scan reports values that do not fit their column and
// names the sample never saw (see drift.go), and the statement runner
// widens the schema here and runs the statement again, so an answer is the
// one a schema inferred from every line would give.
type JSON struct {
	pattern  string
	files    []source.File
	opts     Options
	onOpen   func(*scan.Scanner)
	declared []syntax.ColumnDef // the schema the user gave (see OpenJSONSchema); nil: inferred
	complete bool               // the schema was inferred from every line (withFullSchema): nothing is a guess

	mu     sync.Mutex
	cols   []plan.SourceColumn   // the sample's leaves, kinds widened by what reads found, then the hidden columns; replaced, never changed in place
	leaves map[string]types.Kind // lower-cased name of every visible column → kind
	extra  map[string]*extraPath // lower-cased path → a path beyond the sample's leaves known to be in the data
	// nullOnly holds the columns the sample saw only as null: read as
	// STRING placeholders while the scans work out their kind.
	nullOnly map[string]bool
	absent   map[string]bool // paths a read of every line did not find
	empty    []jsonpath.Path // objects the sample saw only empty ({}): no column, but not new
	sample   [][]byte        // lines kept to resolve array paths; loaded on first need
	sampled  bool
}

// extraPath is a path the sample's leaves do not name that is known to be
// in the data: an array element the sample has
// (properties.products[0].price), or a name a query used that the sample
// never saw and a read found.
type extraPath struct {
	name string // as the query first wrote it
	kind types.Kind
}

// OpenJSON lists the files of pattern and infers their schema.
func OpenJSON(ctx context.Context, pattern string, opts Options, onOpen func(*scan.Scanner)) (*JSON, error) {
	files, err := opts.stores().List(ctx, resolve(opts.Dir, pattern))
	if err != nil {
		return nil, err
	}
	cache := opts.Cache
	if opts.Live {
		// A stream's files may grow while sampled: a schema kept under
		// the size listed could hold lines past it.
		cache = nil
	}
	inferred, empty, err := scan.InferFilesCached(ctx, files, opts.SampleLines, cache)
	if err != nil {
		return nil, fmt.Errorf("infer schema of %s: %w", pattern, err)
	}
	return newJSONSource(pattern, files, inferred, empty, opts, onOpen), nil
}

func newJSONSource(pattern string, files []source.File, inferred []scan.InferredColumn, empty []jsonpath.Path, opts Options, onOpen func(*scan.Scanner)) *JSON {
	s := &JSON{pattern: pattern, files: files, opts: opts, leaves: map[string]types.Kind{}, extra: map[string]*extraPath{}, nullOnly: map[string]bool{}, empty: empty, onOpen: onOpen}
	for _, c := range inferred {
		k := c.Kind
		if k == types.Null {
			// Only nulls in the sample: text until a read shows values,
			// as Spark reads a field it sees only as null.
			k = types.String
			s.nullOnly[strings.ToLower(c.Name)] = true
		}
		s.cols = append(s.cols, plan.SourceColumn{Name: c.Name, Kind: k})
		s.leaves[strings.ToLower(c.Name)] = k
	}
	for _, h := range hiddenColumns {
		s.cols = append(s.cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	return s
}

func resolve(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(dir, p)
}

func (s *JSON) String() string { return "read_json('" + s.pattern + "')" }

// Files lists the files the source reads.
func (s *JSON) Files() []source.File { return s.files }

// Columns implements plan.Source.
func (s *JSON) Columns() []plan.SourceColumn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cols
}

// Resolve implements plan.Source: an object that has inferred leaves below
// it reads as a STRUCT of them (structObject); a path through an array
// index takes the kind its values have in the sample; a path an earlier
// read found is a column. Anything else is unknown, and the binder may
// admit it (Admits).
func (s *JSON) Resolve(name string) (types.Kind, bool) {
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) == 0 {
		return 0, false
	}
	if s.declared != nil {
		return s.resolveDeclared(p)
	}
	lower := strings.ToLower(p.String())
	s.mu.Lock()
	if x, ok := s.extra[lower]; ok {
		s.mu.Unlock()
		return x.kind, true
	}
	if k, ok := s.structOf(p); ok {
		s.extra[lower] = &extraPath{name: name, kind: k}
		s.mu.Unlock()
		return k, true
	}
	s.mu.Unlock()
	hasIndex := false
	for _, st := range p {
		hasIndex = hasIndex || st.IsIndex
	}
	if hasIndex {
		if k, ok := s.sampleKind(p); ok {
			s.mu.Lock()
			s.extra[lower] = &extraPath{name: name, kind: k}
			s.mu.Unlock()
			return k, true
		}
	}
	return 0, false
}

// structOf is the STRUCT an object path reads as whole: the leaf
// columns below it, objects among them as STRUCTs in turn, each struct's
// fields in name order, as Spark's inference orders them. The leaves stay
// columns of their own (SELECT * flattens objects); the STRUCT serves a
// reference to the whole object (to_json(properties), properties.*). The
// caller holds s.mu.
func (s *JSON) structOf(p jsonpath.Path) (types.Kind, bool) {
	type node struct {
		kind     types.Kind
		children map[string]*node
		order    []string
	}
	root := &node{}
	found := false
	for _, c := range s.cols {
		if c.Hidden {
			continue
		}
		cp, err := jsonpath.Parse(c.Name)
		if err != nil || len(cp) <= len(p) || !prefixFold(cp, p) {
			continue
		}
		n := root
		ok := true
		for _, st := range cp[len(p):] {
			if st.IsIndex {
				ok = false
				break
			}
			if n.children == nil {
				n.children = map[string]*node{}
			}
			next := n.children[st.Key]
			if next == nil {
				next = &node{}
				n.children[st.Key] = next
				n.order = append(n.order, st.Key)
			}
			n = next
		}
		if ok {
			n.kind, found = c.Kind, true
		}
	}
	if !found {
		return types.Null, false
	}
	var kindOf func(n *node) types.Kind
	kindOf = func(n *node) types.Kind {
		if n.children == nil {
			return n.kind
		}
		keys := slices.Clone(n.order)
		slices.Sort(keys)
		fields := make([]types.Field, len(keys))
		for i, k := range keys {
			fields[i] = types.Field{Name: k, Kind: kindOf(n.children[k])}
		}
		return types.StructOf(fields...)
	}
	return kindOf(root), true
}

// prefixFold reports whether p starts with the steps of prefix, keys
// compared case-insensitively.
func prefixFold(p, prefix jsonpath.Path) bool {
	for i, st := range prefix {
		q := p[i]
		if st.IsIndex != q.IsIndex || st.Index != q.Index || !strings.EqualFold(st.Key, q.Key) {
			return false
		}
	}
	return true
}

func (s *JSON) emptyObjects() []jsonpath.Path {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.empty
}

func (s *JSON) isNullOnly(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nullOnly[pathKey(name)]
}

// readsAll reports whether cols hold every column of the sample: a read of
// them (SELECT *) notes keys the sample lacks, as those are columns too.
func (s *JSON) readsAll(cols []plan.SourceColumn) bool {
	have := map[string]bool{}
	for _, c := range cols {
		have[pathKey(c.Name)] = true
	}
	for _, c := range s.Columns() {
		if !c.Hidden && !have[pathKey(c.Name)] {
			return false
		}
	}
	return true
}

// Admits implements plan.OpenSchema: any well-formed path may be in data
// the sample did not show.
func (s *JSON) Admits(path string) bool {
	p, err := jsonpath.Parse(path)
	return err == nil && len(p) > 0 && s.declared == nil && !s.complete
}

// KindsOf implements plan.OpenSchema.
func (s *JSON) KindsOf(ctx context.Context, paths []string) (map[string]types.Kind, error) {
	found, err := s.probe(ctx, paths)
	if err != nil {
		return nil, err
	}
	out := map[string]types.Kind{}
	for _, p := range paths {
		if k, ok := found[pathKey(p)]; ok {
			out[p] = k
		}
	}
	return out, nil
}

var _ plan.OpenSchema = (*JSON)(nil)

// sampleKind infers the kind of one path from the sample lines.
func (s *JSON) sampleKind(p jsonpath.Path) (types.Kind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sampled {
		s.sampled = true
		s.sample = sampleLines(s.files, max(s.opts.SampleLines, 2000))
	}
	ex := scan.NewExtractor([]jsonpath.Path{p})
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
		k = types.Merge(k, scan.RawKind(r))
	}
	if seen && k == types.Null {
		k = types.String
	}
	return scan.CanonicalKind(k), seen
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

// Open implements plan.Source. Every column's kind is the sample's guess
// (scan.Column.Guess) and a provisional column's is worked out by the scan
// (scan.Column.Observe); the scan is logged in ctx for the statement
// runner to check (see drift.go).
func (s *JSON) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	sc := make([]scan.Column, len(cols))
	for i, c := range cols {
		sc[i] = scan.Column{Name: c.Name, Kind: c.Kind, Guess: s.declared == nil && !s.complete}
		hidden := false
		for _, h := range hiddenColumns {
			if c.Name == h.name {
				sc[i].Hidden, hidden = h.hidden, true
			}
		}
		if !hidden {
			p, err := jsonpath.Parse(c.Name)
			if err != nil {
				return nil, err
			}
			sc[i].Path = p
			sc[i].Observe = c.Provisional || s.isNullOnly(c.Name)
		}
	}
	files := pruneDays(s.files, cols, filters, s.opts.LateArrivals)
	sn := scan.NewScanner(scan.Options{
		Files:        files,
		Columns:      sc,
		MaxLineBytes: s.opts.MaxLineBytes,
		Strict:       s.opts.Strict,
		BadLines:     s.opts.BadLines,
		BatchRows:    s.opts.BatchRows,
		Require:      requirements(cols, filters),
		NewKeys:      s.declared == nil && !s.complete && s.readsAll(cols),
		Live:         s.opts.Live,
		EmptyObjects: s.emptyObjects(),
		Cache:        s.opts.Cache,
	})
	prov := make([]bool, len(cols))
	for i, c := range cols {
		prov[i] = c.Provisional
	}
	logScan(ctx, loggedScan{src: s, sn: sn, cols: sc, prov: prov, allFiles: len(files) == len(s.files)})
	if s.onOpen != nil {
		s.onOpen(sn)
	}
	return sn, nil
}
