package parquetfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/nectar-dev/nectar/parquetfile/internal/footer"
	"github.com/nectar-dev/nectar/types"
)

// ErrCorrupt is wrapped when a file is not valid Parquet or its data cannot
// be decoded (including decoder panics inside arrow-go, which are turned
// back into errors here).
var ErrCorrupt = errors.New("corrupt parquet file")

// Reader streams a Parquet file as nectar batches.
type Reader struct {
	path    string
	src     File
	pf      *file.Reader
	rr      pqarrow.RecordReader // nil when no stored column is read
	schema  types.Schema
	cols    []column // one per schema column
	numRows int64
	done    int64 // rows returned so far
	batch   *types.Batch
	pending arrow.RecordBatch // current record and the next row to convert
	pendOff int

	rowGroups, rowGroupsRead int // in the file; selected for reading
	fresh                    bool
}

// column says where one output column comes from in a record batch.
type column struct {
	name  string
	kind  types.Kind
	path  []int    // field index at the top, then struct child indices
	names []string // the same path as field names, to match Parquet leaves
	typ   arrow.DataType
	json  bool // render the value as JSON text (lists, maps, whole structs)
	src   int  // position in the projected flattening; -1: absent, all NULL
}

// Open reads every column of the Parquet file at path.
func Open(ctx context.Context, path string) (*Reader, error) {
	return OpenColumns(ctx, path, nil)
}

// OpenColumns reads only the named columns, in the order given, matching
// names case-insensitively against the flattened schema (struct leaves as
// "a.b.c"; naming a struct itself yields its JSON text). A name the file
// lacks becomes an all-NULL VOID column, so files with evolving schemas line
// up. names == nil reads every column; an empty non-nil slice reads none,
// which still yields batches with the right row counts (for count(*)).
func OpenColumns(ctx context.Context, path string, names []string) (r *Reader, err error) {
	return OpenWith(ctx, path, ReadOptions{Columns: names})
}

// OpenWith opens the local file at path for reading with projection and
// row-group skipping; see ReadOptions.
func OpenWith(ctx context.Context, path string, opts ReadOptions) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	return OpenFile(ctx, path, localFile{f, st.Size()}, opts)
}

// File is random access to a Parquet file's bytes: a local file, or an
// object store read with ranged requests (source.RandomReader). The
// reader asks for the footer and then for each column chunk it decodes.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

type localFile struct {
	*os.File
	size int64
}

func (l localFile) Size() int64 { return l.size }

// seekable gives a File the Seek arrow-go's reader wants; it only ever
// asks for the size.
type seekable struct {
	File
	pos int64
}

func (s *seekable) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += s.pos
	case io.SeekEnd:
		off += s.Size()
	default:
		return 0, fmt.Errorf("seek: bad whence %d", whence)
	}
	if off < 0 {
		return 0, errors.New("seek: negative position")
	}
	s.pos = off
	return off, nil
}

// OpenFile reads the Parquet file f, named path in errors, like OpenWith.
// The Reader closes f, also when OpenFile fails.
func OpenFile(ctx context.Context, path string, f File, opts ReadOptions) (_ *Reader, err error) {
	names := opts.Columns
	src := &seekable{File: f}
	r := &Reader{path: path, src: f, fresh: opts.FreshBatches}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	defer recoverCorrupt(path, &err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// With row-group selection, the footer is first read without its row
	// groups (internal/footer); pf then serves only the schema until the
	// selection is known. Without it, or when the walker cannot read the
	// footer, arrow-go reads the whole footer.
	var index *indexedFooter
	var meta *metadata.FileMetaData
	if opts.KeepRowGroup != nil {
		index, meta = openIndex(src)
	}
	pf, err := file.NewParquetReader(src, file.WithMetadata(meta))
	if err != nil {
		return nil, fmt.Errorf("open parquet %s: %w: %w", path, ErrCorrupt, err)
	}
	r.pf, r.numRows = pf, pf.NumRows()
	// This reader serves the schema. It also reads, unless the row groups
	// are pruned to a new footer or some columns are read as dictionaries.
	fr, err := pqarrow.NewFileReader(pf, readProps(), memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("open parquet %s: %w: %w", path, ErrCorrupt, err)
	}
	full, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("parquet schema of %s: %w: %w", path, ErrCorrupt, err)
	}
	all := flatten(full.Fields(), nil, nil, nil)
	markVoidColumns(pf, all)

	var want []column
	if names == nil {
		want = all
	} else {
		want = make([]column, len(names))
		for i, n := range names {
			if c, ok := findColumn(full, all, n); ok {
				want[i] = c
			} else {
				want[i] = column{name: n, kind: types.Null, src: -1}
			}
		}
	}

	r.rowGroups = pf.NumRowGroups()
	r.rowGroupsRead = r.rowGroups
	var groups []int // nil: every row group
	if opts.KeepRowGroup != nil {
		var stats footerStats = decodedFooter{pf.MetaData()}
		if index != nil {
			stats = index
			r.rowGroups = index.numGroups()
		}
		groups, r.numRows, err = selectRowGroups(pf.MetaData().Schema, stats, want, opts.KeepRowGroup)
		if err != nil {
			return nil, fmt.Errorf("parquet footer of %s: %w: %w", path, ErrCorrupt, err)
		}
		r.rowGroupsRead = len(groups)
		if index != nil {
			// Reopen on a footer holding only the kept row groups: arrow-go
			// decodes those alone, and reads all of them.
			kept, err := metadata.NewFileMetaData(index.ix.WithGroups(groups, r.numRows), nil)
			if err != nil {
				return nil, fmt.Errorf("parquet footer of %s: %w: %w", path, ErrCorrupt, err)
			}
			if r.pf, err = file.NewParquetReader(src, file.WithMetadata(kept)); err != nil {
				return nil, fmt.Errorf("open parquet %s: %w: %w", path, ErrCorrupt, err)
			}
			pf, groups = r.pf, nil
		}
	}
	leaves := leafIndices(pf, want)
	if dict := dictLeaves(pf.MetaData(), groups, want); len(dict) > 0 || pf != fr.ParquetReader() {
		props := readProps()
		for _, l := range dict {
			props.SetReadDict(l, true)
		}
		if fr, err = pqarrow.NewFileReader(pf, props, memory.DefaultAllocator); err != nil {
			return nil, fmt.Errorf("open parquet %s: %w: %w", path, ErrCorrupt, err)
		}
	}
	if len(leaves) > 0 && r.numRows > 0 {
		if pf, ok := f.(prefetcher); ok {
			pf.Prefetch(chunkRanges(r.pf.MetaData(), groups, leaves))
		}
		r.rr, err = fr.GetRecordReader(ctx, leaves, groups)
		if err != nil {
			return nil, fmt.Errorf("read parquet %s: %w", path, err)
		}
		// The record reader prunes unread struct children, so field
		// positions change: resolve every column again in its schema.
		proj := r.rr.Schema()
		pall := flatten(proj.Fields(), nil, nil, nil)
		for i := range want {
			if want[i].src < 0 {
				continue
			}
			c, ok := findPath(proj, pall, want[i].names)
			if !ok {
				return nil, fmt.Errorf("read parquet %s: column %s lost by projection", path, want[i].name)
			}
			c.name, c.kind = want[i].name, want[i].kind
			want[i] = c
		}
	}
	r.cols = want
	r.schema = make(types.Schema, len(want))
	for i, c := range want {
		r.schema[i] = types.Column{Name: c.name, Kind: c.kind}
	}
	r.batch = types.NewBatch(r.schema, types.BatchSize)
	return r, nil
}

func readProps() pqarrow.ArrowReadProperties {
	return pqarrow.ArrowReadProperties{BatchSize: types.BatchSize}
}

// prefetcher is a File that fetches byte ranges ahead of the reads when
// told which are coming (source.Prefetcher: an S3 object).
type prefetcher interface {
	Prefetch(ranges [][2]int64)
}

// chunkRanges lists the byte ranges of the column chunks of leaves in
// groups (nil: all), as [offset, length], in the order the record reader
// asks for them: row group by row group. Each is what arrow-go reads for
// the chunk: from its dictionary page, if any, for its compressed size.
func chunkRanges(md *metadata.FileMetaData, groups []int, leaves []int) [][2]int64 {
	if groups == nil {
		groups = allGroups(md)
	}
	var out [][2]int64
	for _, g := range groups {
		rg := md.RowGroup(g)
		for _, l := range leaves {
			cc, err := rg.ColumnChunk(l)
			if err != nil {
				continue
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			out = append(out, [2]int64{start, cc.TotalCompressedSize()})
		}
	}
	return out
}

func allGroups(md *metadata.FileMetaData) []int {
	groups := make([]int, md.NumRowGroups())
	for g := range groups {
		groups[g] = g
	}
	return groups
}

// dictLeaves lists the string leaves to read as dictionaries: those whose
// data pages are dictionary-encoded in every row group read (nil groups:
// all). Such a column then costs a small dictionary and an index per row,
// instead of a copy of every value (copying was about a third of the seed
// query's CPU over compacted logs). A chunk that fell back to plain pages (a column
// of many distinct values) is left alone: arrow-go would hash every value
// into a new dictionary.
func dictLeaves(md *metadata.FileMetaData, groups []int, want []column) []int {
	if groups == nil {
		groups = allGroups(md)
	}
	if len(groups) == 0 {
		return nil
	}
	sch := md.Schema
	var out []int
	for _, c := range want {
		if c.src < 0 || c.json || c.kind != types.String {
			continue
		}
		switch c.typ.ID() {
		case arrow.STRING, arrow.BINARY:
		default:
			continue
		}
		for l := 0; l < sch.NumColumns(); l++ {
			if equalNames(sch.Column(l).ColumnPath(), c.names) {
				if allDictionary(md, groups, l) {
					out = append(out, l)
				}
				break
			}
		}
	}
	return out
}

// allDictionary reports whether leaf l has only dictionary-encoded data
// pages in the given row groups, by the footer's page encoding stats.
func allDictionary(md *metadata.FileMetaData, groups []int, l int) bool {
	for _, g := range groups {
		cc, err := md.RowGroup(g).ColumnChunk(l)
		if err != nil {
			return false
		}
		stats := cc.EncodingStats()
		if len(stats) == 0 {
			return false
		}
		for _, st := range stats {
			// Page types from parquet.thrift: 0 DATA_PAGE, 3 DATA_PAGE_V2.
			if pt := int(st.PageType); pt != 0 && pt != 3 {
				continue
			}
			if st.Encoding != parquet.Encodings.PlainDict && st.Encoding != parquet.Encodings.RLEDict {
				return false
			}
		}
	}
	return true
}

// openIndex reads src's footer with the walker and decodes it without its
// row groups. Both results are nil when the walker cannot read it.
func openIndex(src File) (*indexedFooter, *metadata.FileMetaData) {
	buf, ok := footer.Read(src, src.Size())
	if !ok {
		return nil, nil
	}
	ix, err := footer.Parse(buf)
	if err != nil {
		return nil, nil
	}
	md, err := metadata.NewFileMetaData(ix.WithGroups(nil, 0), nil)
	if err != nil {
		return nil, nil
	}
	return &indexedFooter{ix: ix, md: md}, md
}

// markVoidColumns gives back VOID to the all-NULL string columns our
// writer recorded in the footer.
func markVoidColumns(pf *file.Reader, all []column) {
	kv := pf.MetaData().KeyValueMetadata()
	if kv == nil {
		return
	}
	js := kv.FindValue(voidColumnsKey)
	if js == nil {
		return
	}
	var void []string
	if json.Unmarshal([]byte(*js), &void) != nil {
		return
	}
	for i := range all {
		if len(all[i].names) == 1 && all[i].kind == types.String && !all[i].json && slices.Contains(void, all[i].name) {
			all[i].kind = types.Null
		}
	}
}

// flatten lists the columns of fields: struct children are walked into
// (named parent.child); every other field is one column.
func flatten(fields []arrow.Field, path []int, names []string, out []column) []column {
	for j, f := range fields {
		p := append(append([]int(nil), path...), j)
		n := append(append([]string(nil), names...), f.Name)
		if st, ok := f.Type.(*arrow.StructType); ok && st.NumFields() > 0 {
			out = flatten(st.Fields(), p, n, out)
			continue
		}
		k, js := kindOf(f.Type)
		if nk, ok := nestedKindOf(f.Type); ok {
			k, js = nk, false
		}
		out = append(out, column{name: strings.Join(n, "."), kind: k, path: p, names: n, typ: f.Type, json: js})
	}
	return out
}

// findColumn resolves a user's column name: first a flattened leaf, then a
// struct node, which is read whole as a STRUCT.
func findColumn(s *arrow.Schema, all []column, name string) (column, bool) {
	for _, c := range all {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	for _, c := range all {
		for k := len(c.names) - 1; k > 0; k-- {
			if strings.EqualFold(strings.Join(c.names[:k], "."), name) {
				return structColumn(s, c.names[:k])
			}
		}
	}
	return column{}, false
}

// findPath finds the column with exactly these field names.
func findPath(s *arrow.Schema, all []column, names []string) (column, bool) {
	for _, c := range all {
		if equalNames(c.names, names) {
			return c, true
		}
	}
	return structColumn(s, names)
}

// structColumn builds the column for the struct node at names.
func structColumn(s *arrow.Schema, names []string) (column, bool) {
	fields := s.Fields()
	var path []int
	var typ arrow.DataType
	for depth, n := range names {
		idx := -1
		for j, f := range fields {
			if f.Name == n {
				idx = j
				break
			}
		}
		if idx < 0 {
			return column{}, false
		}
		path = append(path, idx)
		typ = fields[idx].Type
		st, ok := typ.(*arrow.StructType)
		if !ok {
			return column{}, false
		}
		if depth < len(names)-1 {
			fields = st.Fields()
		}
	}
	nm := append([]string(nil), names...)
	k, _ := nestedKindOf(typ)
	return column{name: strings.Join(nm, "."), kind: k, path: path, names: nm, typ: typ}, true
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// leafIndices returns the Parquet leaf columns under the wanted columns:
// a leaf belongs to a column when its path starts with the column's field
// names (a list "tags" owns "tags.list.element").
func leafIndices(pf *file.Reader, want []column) []int {
	sch := pf.MetaData().Schema
	var out []int
	for i := 0; i < sch.NumColumns(); i++ {
		lp := sch.Column(i).ColumnPath()
		for _, c := range want {
			if c.src >= 0 && len(c.names) <= len(lp) && equalNames(c.names, lp[:len(c.names)]) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// kindOf maps an Arrow type to a nectar kind, and says whether values are
// rendered as JSON text.
func kindOf(t arrow.DataType) (types.Kind, bool) {
	if ext, ok := t.(arrow.ExtensionType); ok {
		return kindOf(ext.StorageType())
	}
	if d, ok := t.(*arrow.DictionaryType); ok {
		return kindOf(d.ValueType)
	}
	switch t.ID() {
	case arrow.NULL:
		return types.Null, false
	case arrow.BOOL:
		return types.Bool, false
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return types.Int, false
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return types.Float, false
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.STRING_VIEW, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return types.String, false
	case arrow.TIMESTAMP:
		return types.Timestamp, false
	case arrow.DATE32, arrow.DATE64:
		return types.Date, false
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.MAP,
		arrow.STRUCT, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return types.String, true
	}
	// Times of day, intervals and the like: their text form.
	return types.String, false
}

// Schema is the flattened schema of the columns being read.
func (r *Reader) Schema() types.Schema { return r.schema }

// NumRows is how many rows the reader returns: the file's row count from
// its footer, less the rows of skipped row groups.
func (r *Reader) NumRows() int64 { return r.numRows }

// Next returns the next batch of up to types.BatchSize rows, or nil at the
// end. The batch is reused by the following call.
func (r *Reader) Next(ctx context.Context) (b *types.Batch, err error) {
	defer recoverCorrupt(r.path, &err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.done >= r.numRows {
		return nil, nil
	}
	if r.fresh {
		r.batch = types.NewBatch(r.schema, types.BatchSize)
	}
	b = r.batch
	b.Reset()
	if r.rr == nil {
		n := int(min(int64(types.BatchSize), r.numRows-r.done))
		for _, c := range b.Cols {
			for range n {
				c.AppendNull()
			}
		}
		b.Len = n
		r.done += int64(n)
		return b, nil
	}
	for b.Len < types.BatchSize {
		if r.pending == nil {
			if !r.rr.Next() {
				if err := r.rr.Err(); err != nil {
					return nil, fmt.Errorf("read parquet %s: %w: %w", r.path, ErrCorrupt, err)
				}
				break
			}
			r.pending = r.rr.RecordBatch()
			r.pending.Retain()
			r.pendOff = 0
		}
		rec := r.pending
		n := min(int(rec.NumRows())-r.pendOff, types.BatchSize-b.Len)
		for j, c := range r.cols {
			if c.src < 0 {
				for range n {
					b.Cols[j].AppendNull()
				}
				continue
			}
			if err := appendColumn(b.Cols[j], rec, c, r.pendOff, n); err != nil {
				return nil, fmt.Errorf("read parquet %s column %s: %w", r.path, c.name, err)
			}
		}
		b.Len += n
		r.pendOff += n
		if r.pendOff >= int(rec.NumRows()) {
			rec.Release()
			r.pending = nil
		}
	}
	r.done += int64(b.Len)
	if b.Len == 0 {
		// The footer promised more rows than the pages held.
		if r.done < r.numRows {
			return nil, fmt.Errorf("read parquet %s: %w: %d of %d rows", r.path, ErrCorrupt, r.done, r.numRows)
		}
		return nil, nil
	}
	return b, nil
}

// Close releases the file.
func (r *Reader) Close() error {
	if r.pending != nil {
		r.pending.Release()
		r.pending = nil
	}
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	r.pf = nil
	if r.src != nil {
		err := r.src.Close()
		r.src = nil
		if err != nil {
			return fmt.Errorf("close parquet %s: %w", r.path, err)
		}
	}
	return nil
}

// recoverCorrupt turns a decoder panic into ErrCorrupt: arrow-go trusts
// page headers and lengths, and a damaged file must fail one query, not the
// process.
func recoverCorrupt(path string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("read parquet %s: %w: %v", path, ErrCorrupt, p)
	}
}

// leafArray walks c.path down rec's struct columns. parents collects the
// structs passed through, whose NULLs hide the leaf's values.
func leafArray(rec arrow.RecordBatch, c column, parents []*array.Struct) (arrow.Array, []*array.Struct) {
	arr := rec.Column(c.path[0])
	for _, idx := range c.path[1:] {
		st := arr.(*array.Struct)
		parents = append(parents, st)
		arr = st.Field(idx)
	}
	return arr, parents
}
