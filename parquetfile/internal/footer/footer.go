// Package footer reads a Parquet file's footer (its thrift-encoded
// FileMetaData) without decoding it: it finds the row groups, reads the
// statistics of chosen columns, and rewrites the footer with only some
// row groups.
package footer

import (
	"encoding/binary"
	"errors"
	"io"
	"iter"
)

// Hand-written on purpose. arrow-go decodes a whole Parquet footer into
// thrift structs, every column chunk of every row group, before a query
// can look at one statistic. Compacted Segment logs have about 300
// columns and 8k-row groups, and that decoding was 42% of the seed
// query's CPU over 3M compacted events (footers of 175 KB parsed at
// ~50 MB/s, most of it allocation). Index walks the footer's thrift
// compact encoding without building values, reads the statistics of the
// few columns a query filters on, and hands arrow-go a footer holding
// only the row groups those statistics keep.

// ErrFooter means the footer is not thrift this walker understands; the
// caller then lets arrow-go parse it and report any damage its own way.
var ErrFooter = errors.New("parquet footer: unexpected thrift")

// Thrift compact protocol type codes.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
)

// maxDepth bounds nesting, so a hostile footer cannot exhaust the stack.
const maxDepth = 32

type thriftReader struct {
	b   []byte
	p   int
	err error
}

func (t *thriftReader) fail() {
	t.err = ErrFooter
	t.p = len(t.b)
}

func (t *thriftReader) byte() byte {
	if t.p >= len(t.b) {
		t.fail()
		return 0
	}
	c := t.b[t.p]
	t.p++
	return c
}

func (t *thriftReader) uvarint() uint64 {
	v, n := binary.Uvarint(t.b[t.p:])
	if n <= 0 {
		t.fail()
		return 0
	}
	t.p += n
	return v
}

func (t *thriftReader) varint() int64 {
	u := t.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (t *thriftReader) binary() []byte {
	n := t.uvarint()
	if n > uint64(len(t.b)-t.p) {
		t.fail()
		return nil
	}
	s := t.b[t.p : t.p+int(n)]
	t.p += int(n)
	return s
}

// field reads a field header. It returns tStop at the end of the struct;
// last carries the previous field id, from which short headers count.
func (t *thriftReader) field(last *int16) (typ byte, id int16) {
	c := t.byte()
	typ = c & 0x0f
	if typ == tStop {
		return tStop, 0
	}
	if d := c >> 4; d != 0 {
		id = *last + int16(d)
	} else {
		id = int16(t.varint())
	}
	*last = id
	return typ, id
}

// fields yields the type and id of each field of the struct at t.p, up to
// its stop; the caller reads or skips each value before taking the next.
func (t *thriftReader) fields() iter.Seq2[byte, int16] {
	return func(yield func(byte, int16) bool) {
		var last int16
		for t.err == nil {
			typ, id := t.field(&last)
			if typ == tStop || !yield(typ, id) {
				return
			}
		}
	}
}

// structList reads the header of a list of structs and returns its length.
func (t *thriftReader) structList() int {
	elem, n := t.listHeader()
	if elem != tStruct && n > 0 {
		t.fail()
		return 0
	}
	return n
}

func (t *thriftReader) listHeader() (elem byte, n int) {
	c := t.byte()
	elem = c & 0x0f
	size := uint64(c >> 4)
	if size == 15 {
		size = t.uvarint()
	}
	// Every element takes at least one byte.
	if size > uint64(len(t.b)-t.p) {
		t.fail()
		return 0, 0
	}
	return elem, int(size)
}

// skip passes over one value of type typ. A boolean field's value lives in
// its header, so there is nothing to skip; inside a list a boolean is one
// byte, which skipElem handles.
func (t *thriftReader) skip(typ byte, depth int) {
	if depth > maxDepth {
		t.fail()
		return
	}
	switch typ {
	case tTrue, tFalse:
	case tByte:
		t.byte()
	case tI16, tI32, tI64:
		t.skipVarint()
	case tDouble:
		if len(t.b)-t.p < 8 {
			t.fail()
			return
		}
		t.p += 8
	case tBinary:
		t.binary()
	case tList, tSet:
		elem, n := t.listHeader()
		for i := 0; i < n && t.err == nil; i++ {
			t.skipElem(elem, depth+1)
		}
	case tMap:
		n := t.uvarint()
		if n == 0 {
			return
		}
		if n > uint64(len(t.b)-t.p) {
			t.fail()
			return
		}
		kv := t.byte()
		for i := uint64(0); i < n && t.err == nil; i++ {
			t.skipElem(kv>>4, depth+1)
			t.skipElem(kv&0x0f, depth+1)
		}
	case tStruct:
		t.skipStruct(depth + 1)
	default:
		t.fail()
	}
}

func (t *thriftReader) skipElem(typ byte, depth int) {
	if typ == tTrue || typ == tFalse {
		t.byte()
		return
	}
	t.skip(typ, depth)
}

// skipStruct is the walker's hot loop: a footer is mostly column chunks
// to pass over, so field ids are not tracked and integers and strings are
// skipped inline.
func (t *thriftReader) skipStruct(depth int) {
	for t.err == nil {
		c := t.byte()
		typ := c & 0x0f
		if typ == tStop {
			return
		}
		if c>>4 == 0 {
			t.uvarint() // a field id that does not fit the short header
		}
		switch typ {
		case tTrue, tFalse:
		case tI16, tI32, tI64:
			t.skipVarint()
		case tBinary:
			n := t.uvarint()
			if n > uint64(len(t.b)-t.p) {
				t.fail()
				return
			}
			t.p += int(n)
		default:
			t.skip(typ, depth)
		}
	}
}

func (t *thriftReader) skipVarint() {
	for i := t.p; i < len(t.b) && i < t.p+binary.MaxVarintLen64; i++ {
		if t.b[i] < 0x80 {
			t.p = i + 1
			return
		}
	}
	t.fail()
}

// span is a byte range [start, end) of the footer.
type span struct{ start, end int }

// Index locates the parts of a FileMetaData footer that pruning reads
// and rewrites: num_rows, the row_groups list, and in each row group its
// row count and where each column chunk starts.
type Index struct {
	buf     []byte
	numRows span // the num_rows value
	list    span // the row_groups list, header included
	groups  []group
	chunks  []int // column chunk offsets, group after group
}

type group struct {
	span
	rows           int64
	chunks, nchunk int // this group's column chunks are chunks[chunks:chunks+nchunk]
}

// FileMetaData, RowGroup, ColumnChunk, ColumnMetaData and Statistics
// field ids, from parquet.thrift.
const (
	fmNumRows         = 3
	fmRowGroups       = 4
	fmEncryption      = 8
	fmFooterSignature = 9

	rgColumns = 1
	rgNumRows = 3

	ccMetaData    = 3
	ccCrypto      = 8
	ccEncMetaData = 9

	cmNumValues  = 5
	cmStatistics = 12

	stMax       = 1
	stMin       = 2
	stNullCount = 3
	stDistinct  = 4
	stMaxValue  = 5
	stMinValue  = 6
)

// Parse walks the thrift bytes of a FileMetaData. Encrypted footers
// are refused: their column metadata needs keys the walker does not have.
func Parse(buf []byte) (*Index, error) {
	t := &thriftReader{b: buf}
	fi := &Index{buf: buf, numRows: span{-1, -1}, list: span{-1, -1}}
	for typ, id := range t.fields() {
		switch {
		case id == fmNumRows && typ == tI64:
			fi.numRows.start = t.p
			t.uvarint()
			fi.numRows.end = t.p
		case id == fmRowGroups && typ == tList:
			fi.list.start = t.p
			n := t.structList()
			fi.groups = make([]group, 0, n)
			for i := 0; i < n && t.err == nil; i++ {
				fi.groups = append(fi.groups, fi.rowGroup(t))
			}
			fi.list.end = t.p
		case id == fmEncryption || id == fmFooterSignature:
			t.fail()
		default:
			t.skip(typ, 1)
		}
	}
	if t.err != nil || fi.numRows.start < 0 || fi.list.start < 0 {
		return nil, ErrFooter
	}
	return fi, nil
}

// NumGroups is the number of row groups in the footer.
func (fi *Index) NumGroups() int { return len(fi.groups) }

// WithGroups returns the footer with only the row groups keep lists, in
// that order, and num_rows set to rows. Everything else is copied as is:
// thrift compact field headers count from the previous field id, which
// the rewrite leaves unchanged.
func (fi *Index) WithGroups(keep []int, rows int64) []byte {
	size := len(fi.buf) - (fi.list.end - fi.list.start) + 16
	for _, g := range keep {
		size += fi.groups[g].end - fi.groups[g].start
	}
	out := make([]byte, 0, size)
	edits := []struct {
		at  span
		put func([]byte) []byte
	}{
		{fi.numRows, func(b []byte) []byte { return binary.AppendUvarint(b, uint64(rows<<1^rows>>63)) }},
		{fi.list, func(b []byte) []byte {
			if len(keep) < 15 {
				b = append(b, byte(len(keep))<<4|tStruct)
			} else {
				b = binary.AppendUvarint(append(b, 0xf0|tStruct), uint64(len(keep)))
			}
			for _, g := range keep {
				b = append(b, fi.buf[fi.groups[g].start:fi.groups[g].end]...)
			}
			return b
		}},
	}
	if edits[1].at.start < edits[0].at.start {
		edits[0], edits[1] = edits[1], edits[0]
	}
	at := 0
	for _, e := range edits {
		out = append(out, fi.buf[at:e.at.start]...)
		out = e.put(out)
		at = e.at.end
	}
	return append(out, fi.buf[at:]...)
}

// Stats is one column chunk's Statistics as stored. It implements
// metadata.StatProvider, so arrow-go turns it into typed statistics
// exactly as it would from its own decoding.
type Stats struct {
	Set       bool // the chunk has a Statistics struct
	NumValues int64

	max, min, maxValue, minValue             []byte
	hasMax, hasMin, hasMaxValue, hasMinValue bool
	nullCount, distinct                      int64
	hasNullCount, hasDistinct                bool

	// TypeDefined says the column's order is type-defined, which makes
	// GetMin and GetMax answer min_value and max_value rather than the
	// deprecated min and max. The caller sets it from the schema.
	TypeDefined bool
}

func (s *Stats) GetMin() []byte {
	if s.TypeDefined {
		return s.minValue
	}
	return s.min
}

func (s *Stats) GetMax() []byte {
	if s.TypeDefined {
		return s.maxValue
	}
	return s.max
}

func (s *Stats) IsSetMin() bool {
	if s.TypeDefined {
		return s.hasMinValue
	}
	return s.hasMin
}

func (s *Stats) IsSetMax() bool {
	if s.TypeDefined {
		return s.hasMaxValue
	}
	return s.hasMax
}

func (s *Stats) GetNullCount() int64      { return s.nullCount }
func (s *Stats) GetDistinctCount() int64  { return s.distinct }
func (s *Stats) IsSetNullCount() bool     { return s.hasNullCount }
func (s *Stats) IsSetDistinctCount() bool { return s.hasDistinct }

// rowGroup walks one RowGroup, noting its row count and where its column
// chunks start.
func (fi *Index) rowGroup(t *thriftReader) group {
	g := group{span: span{start: t.p}, chunks: len(fi.chunks)}
	seen := false
	for typ, id := range t.fields() {
		switch {
		case id == rgNumRows && typ == tI64:
			g.rows = t.varint()
		case id == rgColumns && typ == tList && !seen:
			seen = true
			n := t.structList()
			for c := 0; c < n && t.err == nil; c++ {
				fi.chunks = append(fi.chunks, t.p)
				t.skipStruct(2)
			}
			g.nchunk = n
		default:
			t.skip(typ, 2)
		}
	}
	g.end = t.p
	return g
}

// GroupStats returns row group g's row count and reads the statistics of
// the leaves asked for into out (out[i] for leaves[i]; a leaf < 0 or past
// the group's columns gets none).
func (fi *Index) GroupStats(g int, leaves []int, out []Stats) (rows int64, err error) {
	grp := fi.groups[g]
	for i, l := range leaves {
		out[i] = Stats{}
		if l < 0 || l >= grp.nchunk {
			continue
		}
		t := &thriftReader{b: fi.buf[:grp.end], p: fi.chunks[grp.chunks+l]}
		t.columnChunk(&out[i])
		if t.err != nil {
			return 0, t.err
		}
	}
	return grp.rows, nil
}

func (t *thriftReader) columnChunk(s *Stats) {
	encrypted := false
	for typ, id := range t.fields() {
		switch {
		case id == ccMetaData && typ == tStruct:
			t.columnMeta(s)
		case id == ccCrypto || id == ccEncMetaData:
			encrypted = true
			t.skip(typ, 2)
		default:
			t.skip(typ, 2)
		}
	}
	if encrypted {
		// The plain metadata of an encrypted column is not to be trusted.
		*s = Stats{}
	}
}

func (t *thriftReader) columnMeta(s *Stats) {
	for typ, id := range t.fields() {
		switch {
		case id == cmNumValues && typ == tI64:
			s.NumValues = t.varint()
		case id == cmStatistics && typ == tStruct:
			s.Set = true
			t.statistics(s)
		default:
			t.skip(typ, 3)
		}
	}
}

func (t *thriftReader) statistics(s *Stats) {
	for typ, id := range t.fields() {
		switch {
		case id == stMax && typ == tBinary:
			s.max, s.hasMax = t.binary(), true
		case id == stMin && typ == tBinary:
			s.min, s.hasMin = t.binary(), true
		case id == stNullCount && typ == tI64:
			s.nullCount, s.hasNullCount = t.varint(), true
		case id == stDistinct && typ == tI64:
			s.distinct, s.hasDistinct = t.varint(), true
		case id == stMaxValue && typ == tBinary:
			s.maxValue, s.hasMaxValue = t.binary(), true
		case id == stMinValue && typ == tBinary:
			s.minValue, s.hasMinValue = t.binary(), true
		default:
			t.skip(typ, 4)
		}
	}
}

// Read reads the thrift bytes of an unencrypted footer ("PAR1" at
// both ends); ok is false for anything else.
func Read(r io.ReaderAt, size int64) ([]byte, bool) {
	var tail [8]byte
	if size < 12 {
		return nil, false
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil || string(tail[4:]) != "PAR1" {
		return nil, false
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n <= 0 || n > size-12 {
		return nil, false
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-8-n); err != nil {
		return nil, false
	}
	return buf, true
}
