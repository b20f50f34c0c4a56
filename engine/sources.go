package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/parquetfile"
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
		Files:        pruneDays(s.files, cols, filters),
		Columns:      sc,
		MaxLineBytes: s.opts.MaxLineBytes,
		Strict:       s.opts.Strict,
		BadLines:     s.opts.BadLines,
		BatchRows:    s.opts.BatchRows,
	})
	if s.onOpen != nil {
		s.onOpen(sn)
	}
	return sn, nil
}

// ParquetSource is read_parquet(pattern).
type ParquetSource struct {
	pattern string
	files   []source.File
	cols    []plan.SourceColumn
}

// OpenParquet lists the files of pattern and reads the first one's schema.
func OpenParquet(ctx context.Context, pattern string, opts Options) (*ParquetSource, error) {
	files, err := source.List(ctx, resolve(opts.Dir, pattern))
	if err != nil {
		return nil, err
	}
	r, err := parquetfile.Open(ctx, files[0].Path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &ParquetSource{pattern: pattern, files: files}
	for _, c := range r.Schema() {
		s.cols = append(s.cols, plan.SourceColumn{Name: c.Name, Kind: c.Kind})
	}
	s.cols = append(s.cols, plan.SourceColumn{Name: "_file", Kind: types.String, Hidden: true})
	return s, nil
}

func (s *ParquetSource) String() string                    { return "read_parquet('" + s.pattern + "')" }
func (s *ParquetSource) Columns() []plan.SourceColumn      { return s.cols }
func (s *ParquetSource) Resolve(string) (types.Kind, bool) { return 0, false }
func (s *ParquetSource) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	return &parquetReader{files: s.files, cols: cols}, nil
}

// parquetReader reads the files one after another, projecting the wanted
// columns and filling _file.
type parquetReader struct {
	files []source.File
	cols  []plan.SourceColumn
	cur   *parquetfile.Reader
	pos   []int // for each wanted column, its index in cur's batches (-1: _file)
	i     int
	out   types.Batch
}

func (p *parquetReader) Next(ctx context.Context) (*types.Batch, error) {
	for {
		if p.cur == nil {
			if p.i >= len(p.files) {
				return nil, nil
			}
			var names []string
			for _, c := range p.cols {
				if c.Name != "_file" {
					names = append(names, c.Name)
				}
			}
			r, err := parquetfile.OpenColumns(ctx, p.files[p.i].Path, names)
			if err != nil {
				return nil, err
			}
			p.cur, p.pos = r, make([]int, len(p.cols))
			sch := r.Schema()
			for j, c := range p.cols {
				p.pos[j] = sch.Index(c.Name)
				if c.Name != "_file" && p.pos[j] < 0 {
					return nil, fmt.Errorf("read %s: no column %s", p.files[p.i].Path, c.Name)
				}
			}
		}
		b, err := p.cur.Next(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p.files[p.i].Path, err)
		}
		if b == nil || b.Len == 0 {
			p.cur.Close()
			p.cur = nil
			p.i++
			continue
		}
		p.out.Len = b.Len
		p.out.Cols = p.out.Cols[:0]
		for j, c := range p.cols {
			if p.pos[j] >= 0 {
				v := b.Cols[p.pos[j]]
				if v.Kind != c.Kind {
					v = castVector(v, c.Kind)
				}
				p.out.Cols = append(p.out.Cols, v)
				continue
			}
			v := types.NewVector(types.String, b.Len)
			for r := 0; r < b.Len; r++ {
				v.Append(types.StringValue(p.files[p.i].Path))
			}
			p.out.Cols = append(p.out.Cols, v)
		}
		return &p.out, nil
	}
}

// castVector converts a column whose kind differs between files (the
// first file's schema rules) to the expected kind; values that do not
// convert become NULL.
func castVector(v *types.Vector, k types.Kind) *types.Vector {
	out := types.NewVector(k, v.Len())
	for i := 0; i < v.Len(); i++ {
		c, err := types.Cast(v.Get(i), k)
		if err != nil {
			c = types.NullValue
		}
		out.Append(c)
	}
	return out
}

func (p *parquetReader) Close() error {
	if p.cur != nil {
		return p.cur.Close()
	}
	return nil
}

var _ io.Closer = (*parquetReader)(nil)
