package table

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/table/manifest"
	"github.com/nectar-dev/nectar/types"
)

// Partition columns a compacted dataset exposes (hidden, so SELECT * over
// the compacted copy gives the same columns as over the raw logs). "day"
// and "_received_day" are the day partition; the event partition needs no
// column of its own, since every row carries its "event".
const (
	dayColumn   = "day"
	eventColumn = "event"
)

// Parquet is read_parquet(pattern): Parquet files, or a directory
// laid out in Hive-style partitions (day=YYYY-MM-DD/event=…/part-….parquet)
// such as nectar compact writes. A directory with a compaction manifest is
// read through it: only the files it names, which are complete, and with
// the partition values it records. Files may have different columns: the
// schema is their union (kinds widened), and a column a file lacks reads
// as NULL there.
type Parquet struct {
	stores  *source.Stores
	pattern string
	files   []parquetFileInfo
	cols    []plan.SourceColumn
	hasDay  bool
	roots   map[string]bool // lower-cased first segments of dotted columns

	filesTotal, filesRead         atomic.Int64
	rowGroupsTotal, rowGroupsRead atomic.Int64
}

type parquetFileInfo struct {
	path   string
	part   manifest.Partition
	schema types.Schema // from the manifest; nil: read the footer
}

// PruneStats counts what the source's scans read, summed over every Open
// since the source was made: files listed and files left after partition
// pruning, and row groups in those files and row groups left after
// statistics pruning.
type PruneStats struct {
	FilesTotal, FilesRead         int64
	RowGroupsTotal, RowGroupsRead int64
}

// PruneStats returns the counters; see the type.
func (s *Parquet) PruneStats() PruneStats {
	return PruneStats{
		FilesTotal: s.filesTotal.Load(), FilesRead: s.filesRead.Load(),
		RowGroupsTotal: s.rowGroupsTotal.Load(), RowGroupsRead: s.rowGroupsRead.Load(),
	}
}

// OpenParquet lists the files of pattern (or the outputs named by the
// manifest of a compacted directory) and reads every footer's schema.
func OpenParquet(ctx context.Context, pattern string, opts Options) (*Parquet, error) {
	path := resolve(opts.Dir, pattern)
	var infos []parquetFileInfo
	m, err := manifest.Read(ctx, opts.stores(), path)
	switch {
	case err == nil:
		for _, o := range m.Outputs() {
			infos = append(infos, outputInfo(path, o, m.PartitionByEvent))
		}
		if len(infos) == 0 {
			return nil, fmt.Errorf("read_parquet %s: manifest names no files: %w", pattern, source.ErrNoFiles)
		}
	case errors.Is(err, manifest.ErrNoManifest):
		files, err := opts.stores().List(ctx, path)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			infos = append(infos, parquetFileInfo{path: f.Path, part: manifest.ParsePath(f.Path)})
		}
	default:
		return nil, err
	}
	return newParquetSource(ctx, opts.stores(), pattern, infos)
}

func outputInfo(dir string, o manifest.Output, byEvent bool) parquetFileInfo {
	info := parquetFileInfo{path: manifest.Path(dir, o.Path), part: outputPartition(o, byEvent)}
	for _, c := range o.Columns {
		k, ok := types.ParseKind(c.Kind)
		if !ok {
			return parquetFileInfo{path: info.path, part: info.part}
		}
		info.schema = append(info.schema, types.Column{Name: c.Name, Kind: k})
	}
	return info
}

func outputPartition(o manifest.Output, byEvent bool) manifest.Partition {
	p := manifest.Partition{HasDay: true}
	if o.Day != "" {
		d, err := time.Parse(time.DateOnly, o.Day)
		if err != nil {
			p.HasDay = false
		}
		p.Day = d
	}
	if byEvent {
		p.HasEvent = true
		if o.Event != nil {
			p.Event = *o.Event
		} else {
			p.NullEvent = true
		}
	}
	return p
}

func newParquetSource(ctx context.Context, stores *source.Stores, pattern string, infos []parquetFileInfo) (*Parquet, error) {
	s := &Parquet{stores: stores, pattern: pattern, files: infos, roots: map[string]bool{}}
	at := map[string]int{}
	for _, f := range infos {
		sch := f.schema
		if sch == nil {
			r, err := openParquet(ctx, stores, f.path, parquetfile.ReadOptions{})
			if err != nil {
				return nil, err
			}
			sch = r.Schema()
			r.Close()
		}
		for _, c := range sch {
			key := strings.ToLower(c.Name)
			if i, ok := at[key]; ok {
				s.cols[i].Kind = types.Widen(s.cols[i].Kind, c.Kind)
				continue
			}
			at[key] = len(s.cols)
			s.cols = append(s.cols, plan.SourceColumn{Name: c.Name, Kind: c.Kind})
		}
		s.hasDay = s.hasDay || f.part.HasDay
	}
	for i := range s.cols {
		if s.cols[i].Kind == types.Null {
			// As read_json does: text, rather than a column nothing can use.
			s.cols[i].Kind = types.String
		}
		if root, _, ok := strings.Cut(s.cols[i].Name, "."); ok {
			s.roots[strings.ToLower(root)] = true
		}
	}
	hidden := []plan.SourceColumn{{Name: "_file", Kind: types.String, Hidden: true}}
	if s.hasDay {
		hidden = append(hidden,
			plan.SourceColumn{Name: dayColumn, Kind: types.Date, Hidden: true},
			plan.SourceColumn{Name: "_received_day", Kind: types.Date, Hidden: true})
	}
	for _, h := range hidden {
		if _, clash := at[strings.ToLower(h.Name)]; !clash {
			s.cols = append(s.cols, h)
		}
	}
	return s, nil
}

func (s *Parquet) String() string               { return "read_parquet('" + s.pattern + "')" }
func (s *Parquet) Columns() []plan.SourceColumn { return s.cols }

// Resolve implements plan.Source: a dotted path below an object the data
// has (properties.nope) reads as NULL text, as over the raw JSON, where a
// field absent from the sample reads as NULL.
func (s *Parquet) Resolve(name string) (types.Kind, bool) {
	root, _, ok := strings.Cut(name, ".")
	if ok && s.roots[strings.ToLower(root)] && !strings.ContainsAny(name, "[]") {
		return types.String, true
	}
	return 0, false
}

// virtual says how a column that is not stored in the files is filled.
type virtual uint8

const (
	stored virtual = iota
	fileName
	dayValue
)

func (s *Parquet) virtualOf(c plan.SourceColumn) virtual {
	if !c.Hidden {
		return stored
	}
	switch c.Name {
	case "_file":
		return fileName
	case dayColumn, "_received_day":
		if s.hasDay {
			return dayValue
		}
	}
	return stored
}

// Open implements plan.Source: files whose partition cannot hold a wanted
// row are skipped, then row groups whose statistics exclude every wanted
// row.
func (s *Parquet) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	files := s.pruneFiles(cols, filters)
	s.filesTotal.Add(int64(len(s.files)))
	s.filesRead.Add(int64(len(files)))
	virt := make([]virtual, len(cols))
	var names []string
	pos := make([]int, len(cols)) // index among names, for stored columns
	for i, c := range cols {
		virt[i] = s.virtualOf(c)
		pos[i] = -1
		if virt[i] == stored {
			pos[i] = len(names)
			names = append(names, c.Name)
		}
	}
	if names == nil {
		names = []string{} // read no column, only row counts
	}
	conds := rowGroupConditions(cols, filters)
	return startParquetReader(ctx, s, files, cols, virt, names, pos, conds), nil
}

// pruneFiles keeps the files whose partition values can satisfy filters.
// A filter that reads only partition columns (day, _received_day, and
// event when the file is partitioned by it) is evaluated once per file:
// every row of the file has the same values there. A filter on receivedAt
// bounds the day as for Segment's day folders (see dayCondition).
func (s *Parquet) pruneFiles(cols []plan.SourceColumn, filters []plan.Expr) []parquetFileInfo {
	if len(filters) == 0 {
		return s.files
	}
	var dayConds []func(time.Time) bool
	var partConds []plan.Expr
	for _, f := range filters {
		if k := dayCondition(f, cols, 0); k != nil {
			dayConds = append(dayConds, k)
		}
		if s.partitionOnly(f, cols) {
			partConds = append(partConds, f)
		}
	}
	if len(dayConds) == 0 && len(partConds) == 0 {
		return s.files
	}
	out := make([]parquetFileInfo, 0, len(s.files))
	row := make([]types.Value, len(cols))
next:
	for _, f := range s.files {
		if f.part.HasDay && !f.part.Day.IsZero() {
			for _, keep := range dayConds {
				if !keep(f.part.Day) {
					continue next
				}
			}
		}
		for _, e := range partConds {
			if !partitionKnown(e, cols, f.part) {
				continue
			}
			for i, c := range cols {
				row[i] = partitionValue(c, f.part)
			}
			v, err := exec.EvalRow(e, row)
			if err == nil && !(v.K == types.Bool && v.I != 0) {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

// partitionOnly reports whether e reads only partition columns and is
// built from operators, columns and constants alone, so evaluating it once
// per file is exact (no function with side effects or randomness).
func (s *Parquet) partitionOnly(e plan.Expr, cols []plan.SourceColumn) bool {
	ok, refs := true, 0
	plan.Walk(e, func(x plan.Expr) {
		switch x := x.(type) {
		case *plan.ColRef:
			refs++
			if x.Idx >= len(cols) || !isPartitionColumn(cols[x.Idx]) {
				ok = false
			}
		case *plan.Op, *plan.Const:
		default:
			ok = false
		}
	})
	return ok && refs > 0
}

func isPartitionColumn(c plan.SourceColumn) bool {
	switch {
	case c.Hidden && (c.Name == dayColumn || c.Name == "_received_day"):
		return true
	case !c.Hidden && strings.EqualFold(c.Name, eventColumn):
		return true
	}
	return false
}

// partitionKnown reports whether f's path gives every column e reads.
func partitionKnown(e plan.Expr, cols []plan.SourceColumn, p manifest.Partition) bool {
	used := map[int]bool{}
	plan.Columns(e, used)
	for i := range used {
		if c := cols[i]; c.Hidden && !p.HasDay || !c.Hidden && !p.HasEvent {
			return false
		}
	}
	return true
}

func partitionValue(c plan.SourceColumn, p manifest.Partition) types.Value {
	switch {
	case !isPartitionColumn(c):
		return types.NullValue
	case c.Hidden:
		if !p.HasDay || p.Day.IsZero() {
			return types.NullValue
		}
		return types.DateValue(p.Day.Unix() / 86400)
	case p.HasEvent && !p.NullEvent:
		return types.StringValue(p.Event)
	}
	return types.NullValue
}

// rgCond is "column op constants" usable against row-group statistics.
type rgCond struct {
	col    int // index in the scan's columns
	op     plan.OpCode
	consts []types.Value
}

// rowGroupConditions picks the filters of the form column op constant
// (=, <, <=, >, >=, IN; BETWEEN arrives as two of them), with the column
// on either side.
func rowGroupConditions(cols []plan.SourceColumn, filters []plan.Expr) []rgCond {
	var out []rgCond
	for _, f := range filters {
		o, ok := f.(*plan.Op)
		if !ok || len(o.Args) < 2 {
			continue
		}
		switch o.Op {
		case plan.OpEq, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
			if len(o.Args) != 2 {
				continue
			}
			op, a, b := o.Op, o.Args[0], o.Args[1]
			if _, isConst := a.(*plan.Const); isConst {
				a, b, op = b, a, flip(op)
			}
			ref, ok1 := a.(*plan.ColRef)
			k, ok2 := b.(*plan.Const)
			if ok1 && ok2 && ref.Idx < len(cols) && !k.V.IsNull() && comparableKinds(ref.K, k.V.K) {
				out = append(out, rgCond{col: ref.Idx, op: op, consts: []types.Value{k.V}})
			}
		case plan.OpIn:
			ref, ok := o.Args[0].(*plan.ColRef)
			if !ok || ref.Idx >= len(cols) {
				continue
			}
			c := rgCond{col: ref.Idx, op: plan.OpIn}
			for _, a := range o.Args[1:] {
				k, ok := a.(*plan.Const)
				if !ok || !comparableKinds(ref.K, k.V.K) && !k.V.IsNull() {
					c.consts = nil
					break
				}
				if !k.V.IsNull() { // x IN (NULL, …) is never true through the NULL
					c.consts = append(c.consts, k.V)
				}
			}
			if c.consts != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// comparableKinds reports whether comparing a column of kind a with a
// constant of kind b orders values as the statistics do.
func comparableKinds(a, b types.Kind) bool {
	return a == b && a != types.Null || a.IsNumeric() && b.IsNumeric()
}

// mayMatch reports whether a row group with statistics st can hold a row
// passing c. colKind is the column's kind in the query.
func (c rgCond) mayMatch(st parquetfile.ColumnStats, rows int64, colKind types.Kind) bool {
	if !st.Known {
		return true
	}
	if st.NullCount == rows {
		return false // a comparison with NULL is never true
	}
	if !st.HasMinMax {
		return true
	}
	sk := st.Min.K
	if sk != colKind && !(sk.IsNumeric() && colKind.IsNumeric()) {
		// The file stores another kind than the query sees (schema drift
		// widened BIGINT to STRING, say): its order is not the query's.
		return true
	}
	float := sk == types.Float || colKind == types.Float
	lo, hi := st.Min, st.Max
	switch c.op {
	case plan.OpEq, plan.OpIn:
		for _, k := range c.consts {
			if float && k.K == types.Float && k.F != k.F {
				return true // NaN: statistics leave NaN out
			}
			if types.Compare(lo, k) <= 0 && types.Compare(k, hi) <= 0 {
				return true
			}
		}
		return false
	case plan.OpLt:
		return types.Compare(lo, c.consts[0]) < 0
	case plan.OpLe:
		return types.Compare(lo, c.consts[0]) <= 0
	case plan.OpGt, plan.OpGe:
		if float {
			// NaN sorts above every double and passes; writers leave it
			// out of the maximum.
			return true
		}
		if c.op == plan.OpGt {
			return types.Compare(hi, c.consts[0]) > 0
		}
		return types.Compare(hi, c.consts[0]) >= 0
	}
	return true
}

// parquetReader reads files in parallel, one goroutine per file up to
// GOMAXPROCS, and hands batches out in file order.
type parquetReader struct {
	cancel context.CancelFunc
	order  chan chan pqResult
	cur    chan pqResult
	wg     sync.WaitGroup
	err    error
}

type pqResult struct {
	b   *types.Batch
	err error
}

// openParquet opens a local or S3 Parquet file; an S3 file's footer comes
// with the first request, its column chunks with a ranged GET each,
// fetched ahead of the reads.
func openParquet(ctx context.Context, stores *source.Stores, path string, opts parquetfile.ReadOptions) (*parquetfile.Reader, error) {
	f, err := stores.OpenRandom(ctx, path)
	if err != nil {
		return nil, err // names the path
	}
	return parquetfile.OpenFile(ctx, path, f, opts)
}

// s3Workers is how many Parquet files on S3 are read at once.
const s3Workers = 8

func startParquetReader(ctx context.Context, s *Parquet, files []parquetFileInfo, cols []plan.SourceColumn,
	virt []virtual, names []string, pos []int, conds []rgCond) *parquetReader {
	ctx, cancel := context.WithCancel(ctx)
	workers := runtime.GOMAXPROCS(0)
	if len(files) > 0 && source.IsS3(files[0].path) {
		// Reading S3 mostly waits on requests: more files in flight
		// hide their latency. Each holds a few batches at most.
		workers = max(workers, s3Workers)
	}
	r := &parquetReader{cancel: cancel, order: make(chan chan pqResult, workers)}
	sem := make(chan struct{}, workers)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(r.order)
		for _, f := range files {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			ch := make(chan pqResult, 4)
			select {
			case r.order <- ch:
			case <-ctx.Done():
				return
			}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer func() { <-sem }()
				defer close(ch)
				err := readParquetFile(ctx, s, f, cols, virt, names, pos, conds, ch)
				if err != nil {
					select {
					case ch <- pqResult{err: err}:
					case <-ctx.Done():
					}
				}
			}()
		}
	}()
	return r
}

func readParquetFile(ctx context.Context, s *Parquet, f parquetFileInfo, cols []plan.SourceColumn,
	virt []virtual, names []string, pos []int, conds []rgCond, ch chan<- pqResult) error {
	opts := parquetfile.ReadOptions{Columns: names, FreshBatches: true}
	if len(conds) > 0 {
		opts.KeepRowGroup = func(st parquetfile.RowGroupStats) bool {
			for _, c := range conds {
				p := pos[c.col]
				if p < 0 {
					continue
				}
				if !c.mayMatch(st.Columns[p], st.Rows, cols[c.col].Kind) {
					return false
				}
			}
			return true
		}
	}
	pr, err := openParquet(ctx, s.stores, f.path, opts)
	if err != nil {
		return err
	}
	defer pr.Close()
	total, read := pr.RowGroups()
	s.rowGroupsTotal.Add(int64(total))
	s.rowGroupsRead.Add(int64(read))
	day := types.NullValue
	if f.part.HasDay && !f.part.Day.IsZero() {
		day = types.DateValue(f.part.Day.Unix() / 86400)
	}
	for {
		b, err := pr.Next(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		if b == nil || b.Len == 0 {
			return nil
		}
		out := &types.Batch{Len: b.Len, Cols: make([]*types.Vector, len(cols))}
		for j, c := range cols {
			switch virt[j] {
			case fileName:
				out.Cols[j] = constVector(types.StringValue(f.path), types.String, b.Len)
			case dayValue:
				out.Cols[j] = constVector(day, types.Date, b.Len)
			default:
				v := b.Cols[pos[j]]
				if v.Kind != c.Kind {
					v = castVector(v, c.Kind)
				}
				out.Cols[j] = v
			}
		}
		select {
		case ch <- pqResult{b: out}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func constVector(v types.Value, k types.Kind, n int) *types.Vector {
	out := types.NewVector(k, n)
	for range n {
		out.Append(v)
	}
	return out
}

// castVector converts a column whose kind differs between files to the
// kind of the union schema; values that do not convert become NULL.
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

// Next implements plan.BatchReader.
func (r *parquetReader) Next(ctx context.Context) (*types.Batch, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.cur == nil {
			ch, ok := <-r.order
			if !ok {
				return nil, nil
			}
			r.cur = ch
		}
		res, ok := <-r.cur
		if !ok {
			r.cur = nil
			continue
		}
		if res.err != nil {
			r.err = res.err
			return nil, res.err
		}
		return res.b, nil
	}
}

// Close stops the readers and waits for them.
func (r *parquetReader) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}
