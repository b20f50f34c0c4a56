package scancache

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"unsafe"

	"github.com/klauspost/compress/s2"

	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// An entry file: the magic (which names the format's version), the
// header's length and CRC-32, the header as JSON (the file's key, its
// counts, and where each column's bytes are), then each column and the
// row line numbers as an s2 frame of its own, so that a query reads only
// the columns it needs. Values are stored as the engine holds them (a
// NULL byte a row; 8-byte integers and doubles; string lengths, then the
// strings' bytes), so that reading one back is a decompression and a few
// slice headers: no parsing, no per-value conversion. Parquet through
// arrow-go would cost a conversion of every value each way.
var magic = []byte("NECTSC01")

const prefixLen = 8 + 4 + 4 // magic, header length, header CRC

var (
	errCorrupt    = errors.New("corrupt entry")
	errStale      = errors.New("stale entry")
	errOtherLimit = errors.New("entry read with another line limit")
)

type header struct {
	Build   string `json:"build"` // the nectar that wrote it (build)
	Path    string `json:"path"`  // keyPath
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns,omitempty"`
	Inode   uint64 `json:"inode,omitempty"`
	CTime   int64  `json:"ctime_ns,omitempty"`
	ETag    string `json:"etag,omitempty"`

	MaxLineBytes int                 `json:"max_line_bytes"`
	Lines        int64               `json:"lines"`
	Rows         int                 `json:"rows"`
	RowLines     blob                `json:"row_lines"`
	Malformed    int64               `json:"malformed,omitempty"`
	InvalidUTF8  int64               `json:"invalid_utf8,omitempty"`
	TooLong      int64               `json:"too_long,omitempty"`
	Truncated    bool                `json:"truncated,omitempty"`
	Repeated     int64               `json:"repeated,omitempty"`
	Columns      []col               `json:"columns"`
	NewKeys      map[string][]string `json:"new_keys,omitempty"`
	RawSize      int64               `json:"raw_size"` // bytes of the columns before compression
}

type col struct {
	Path    string    `json:"path"`
	Kind    string    `json:"kind"` // Kind.String: nested kinds' numbers are per process
	Guess   bool      `json:"guess,omitempty"`
	Observe bool      `json:"observe,omitempty"`
	Seen    scan.Seen `json:"seen"` // its Kind zero: SeenKind holds it
	// SeenKind is Seen.Kind as Kind.String spells it: a nested kind's
	// number is this process's alone.
	SeenKind string `json:"seen_kind"`
	Data     blob   `json:"data"`
}

// blob locates one s2 frame in the file.
type blob struct {
	Off int64  `json:"off"`
	Len int64  `json:"len"`
	Raw int64  `json:"raw"` // decompressed length
	CRC uint32 `json:"crc"` // of the compressed bytes
}

// sameVersion reports whether h, written by this build, describes f as it
// is now: the same size and ETag for S3; for a local file the same size,
// modification time, inode and status-change time.
func (h *header) sameVersion(f source.File) bool {
	if h.Build != build() || h.Path != keyPath(f.Path) || h.Size != f.Size {
		return false
	}
	if f.ETag != "" {
		return h.ETag == f.ETag
	}
	ino, ctime := fileIdentity(f.Path)
	return h.ETag == "" && h.ModTime == f.ModTime.UnixNano() && h.Inode == ino && h.CTime == ctime
}

func (c *Cache) encode(f source.File, e *scan.Entry) ([]byte, error) {
	h := header{Build: build(), Path: keyPath(f.Path), Size: f.Size, ETag: f.ETag, MaxLineBytes: e.MaxLineBytes, Lines: e.Lines, Rows: e.NumRows,
		Malformed: e.Malformed, InvalidUTF8: e.InvalidUTF8, TooLong: e.TooLong, Truncated: e.Truncated, Repeated: e.Repeated, NewKeys: e.NewKeys}
	if f.ETag == "" {
		// The listing's time, and the inode and ctime now: a file that
		// changed since the scan read it has another ctime by now, so its
		// copy never serves the new bytes.
		h.ModTime = f.ModTime.UnixNano()
		h.Inode, h.CTime = fileIdentity(f.Path)
	}
	var body, raw []byte
	add := func(raw []byte) blob {
		b := blob{Off: int64(len(body)), Raw: int64(len(raw))}
		body = append(body, s2.Encode(nil, raw)...)
		b.Len = int64(len(body)) - b.Off
		b.CRC = crc32.ChecksumIEEE(body[b.Off:])
		h.RawSize += b.Raw
		return b
	}
	if len(e.Rows) != e.NumRows {
		return nil, fmt.Errorf("scan cache: %d line numbers for %d rows", len(e.Rows), e.NumRows)
	}
	raw = make([]byte, 0, 8*len(e.Rows))
	for _, n := range e.Rows {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(n))
	}
	h.RowLines = add(raw)
	for _, ec := range e.Columns {
		if ec.Values == nil || ec.Values.Len() != e.NumRows {
			return nil, fmt.Errorf("scan cache: column %s has %d values for %d rows", ec.Path, ec.Values.Len(), e.NumRows)
		}
		raw = appendVector(raw[:0], ec.Values)
		seen := ec.Seen
		seen.Kind = types.Null
		h.Columns = append(h.Columns, col{Path: ec.Path, Kind: ec.Kind.String(), Guess: ec.Guess, Observe: ec.Observe,
			Seen: seen, SeenKind: ec.Seen.Kind.String(), Data: add(raw)})
	}
	hj, err := json.Marshal(&h)
	if err != nil {
		return nil, fmt.Errorf("scan cache: %w", err)
	}
	out := make([]byte, 0, prefixLen+len(hj)+len(body))
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(hj)))
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(hj))
	out = append(out, hj...)
	return append(out, body...), nil
}

// read decodes the entry in fh if it is f's current one, with the values
// of the columns in want only, and the line numbers if lines.
func (c *Cache) read(fh *os.File, f source.File, maxLine int, want []scan.CacheKey, lines bool) (*scan.Entry, error) {
	info, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	var pre [prefixLen]byte
	if _, err := io.ReadFull(fh, pre[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if string(pre[:8]) != string(magic) {
		return nil, fmt.Errorf("%w: not an entry of this version", errCorrupt)
	}
	hlen := int64(binary.LittleEndian.Uint32(pre[8:]))
	if prefixLen+hlen > size {
		return nil, fmt.Errorf("%w: header cut short", errCorrupt)
	}
	hj := make([]byte, hlen)
	if _, err := io.ReadFull(fh, hj); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if crc32.ChecksumIEEE(hj) != binary.LittleEndian.Uint32(pre[12:]) {
		return nil, fmt.Errorf("%w: header checksum", errCorrupt)
	}
	var h header
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if !h.sameVersion(f) {
		return nil, errStale
	}
	if h.MaxLineBytes != maxLine {
		return nil, errOtherLimit
	}
	base := prefixLen + hlen
	load := func(b blob) ([]byte, error) {
		if b.Off < 0 || b.Len < 0 || b.Raw < 0 || base+b.Off+b.Len > size {
			return nil, fmt.Errorf("%w: data cut short", errCorrupt)
		}
		buf := make([]byte, b.Len)
		if _, err := fh.ReadAt(buf, base+b.Off); err != nil {
			return nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		if crc32.ChecksumIEEE(buf) != b.CRC {
			return nil, fmt.Errorf("%w: data checksum", errCorrupt)
		}
		out, err := s2.Decode(make([]byte, b.Raw), buf)
		if err != nil || int64(len(out)) != b.Raw {
			return nil, fmt.Errorf("%w: data: %v", errCorrupt, err)
		}
		return out, nil
	}
	e := &scan.Entry{MaxLineBytes: h.MaxLineBytes, Lines: h.Lines, Malformed: h.Malformed, InvalidUTF8: h.InvalidUTF8,
		TooLong: h.TooLong, Truncated: h.Truncated, Repeated: h.Repeated, NewKeys: h.NewKeys}
	if h.Rows < 0 {
		return nil, fmt.Errorf("%w: %d rows", errCorrupt, h.Rows)
	}
	e.NumRows = h.Rows
	if lines {
		raw, err := load(h.RowLines)
		if err != nil {
			return nil, err
		}
		if len(raw) != 8*h.Rows {
			return nil, fmt.Errorf("%w: %d bytes of line numbers for %d rows", errCorrupt, len(raw), h.Rows)
		}
		e.Rows = make([]int64, h.Rows)
		for i := range e.Rows {
			e.Rows[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	for _, hc := range h.Columns {
		k, ok := types.ParseKind(hc.Kind)
		if !ok {
			return nil, fmt.Errorf("%w: kind %q", errCorrupt, hc.Kind)
		}
		ec := scan.CacheColumn{CacheKey: scan.CacheKey{Path: hc.Path, Kind: k, Guess: hc.Guess, Observe: hc.Observe}, Seen: hc.Seen}
		if ec.Seen.Kind, ok = types.ParseKind(hc.SeenKind); !ok {
			return nil, fmt.Errorf("%w: kind %q", errCorrupt, hc.SeenKind)
		}
		for _, w := range want {
			if w != ec.CacheKey {
				continue
			}
			raw, err := load(hc.Data)
			if err != nil {
				return nil, err
			}
			if ec.Values, err = decodeVector(raw, k, h.Rows); err != nil {
				return nil, err
			}
			break
		}
		e.Columns = append(e.Columns, ec)
	}
	return e, nil
}

// String columns are stored plain or, when they repeat few values (event
// names, variants, verticals), as a dictionary and one or two bytes a row:
// a row then decodes to a copy of a dictionary string header, which is
// about 5x faster than slicing its own bytes and makes the entry smaller.
const (
	plainStrings byte = iota
	dict8
	dict16
)

// appendVector appends v's values: whether it has NULLs and if so a byte
// a row, then 8 bytes a value for integers and doubles; strings as above.
func appendVector(dst []byte, v *types.Vector) []byte {
	if slices.Contains(v.Nulls, true) {
		dst = append(dst, 1)
		for _, null := range v.Nulls {
			dst = append(dst, b2u(null))
		}
	} else {
		dst = append(dst, 0)
	}
	switch v.Kind.Storage() {
	case types.Float:
		for _, f := range v.F {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
		}
	case types.String:
		dst = appendStrings(dst, v.S)
	default:
		for _, i := range v.I {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(i))
		}
	}
	return dst
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// appendStrings writes ss as a dictionary when fewer than 1 in 4 rows has
// a new value (and at most 65,536 values), else plain: each length as 4
// bytes, then the bytes.
func appendStrings(dst []byte, ss []string) []byte {
	index := map[string]int{}
	var dict []string
	for _, s := range ss {
		if _, ok := index[s]; !ok {
			if len(dict) == 1<<16 || 4*len(dict) > len(ss) {
				dict = nil
				break
			}
			index[s] = len(dict)
			dict = append(dict, s)
		}
	}
	plain := func(dst []byte, ss []string) []byte {
		for _, s := range ss {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)))
		}
		for _, s := range ss {
			dst = append(dst, s...)
		}
		return dst
	}
	if dict == nil {
		return plain(append(dst, plainStrings), ss)
	}
	mode := dict8
	if len(dict) > 1<<8 {
		mode = dict16
	}
	dst = append(dst, mode)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(dict)))
	dst = plain(dst, dict)
	for _, s := range ss {
		i := index[s]
		if mode == dict8 {
			dst = append(dst, byte(i))
		} else {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(i))
		}
	}
	return dst
}

// errShortColumn is made once: decodeVector runs for every column of
// every hit.
var errShortColumn = fmt.Errorf("%w: column cut short", errCorrupt)

// decodeVector reads n values of kind k. Strings point into src, which
// is the entry's alone and never changed.
func decodeVector(src []byte, k types.Kind, n int) (*types.Vector, error) {
	short := errShortColumn
	if len(src) < 1 {
		return nil, short
	}
	v := &types.Vector{Kind: k, Nulls: make([]bool, n)}
	hasNulls := src[0]
	src = src[1:]
	if hasNulls != 0 {
		if len(src) < n {
			return nil, short
		}
		for i, b := range src[:n] {
			v.Nulls[i] = b != 0
		}
		src = src[n:]
	}
	switch k.Storage() {
	case types.Float:
		if len(src) != 8*n {
			return nil, short
		}
		v.F = make([]float64, n)
		for i := range v.F {
			v.F[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
		}
	case types.String:
		if len(src) < 1 {
			return nil, short
		}
		mode := src[0]
		src = src[1:]
		if mode == plainStrings {
			ss, rest, ok := decodePlain(src, n)
			if !ok || len(rest) != 0 {
				return nil, short
			}
			v.S = ss
			break
		}
		if len(src) < 4 {
			return nil, short
		}
		nd := int(binary.LittleEndian.Uint32(src))
		if nd > len(src) {
			return nil, short
		}
		dict, idx, ok := decodePlain(src[4:], nd)
		width := 1
		if mode == dict16 {
			width = 2
		}
		if !ok || mode > dict16 || len(idx) != width*n {
			return nil, short
		}
		v.S = make([]string, n)
		for i := range v.S {
			j := int(idx[i])
			if width == 2 {
				j = int(binary.LittleEndian.Uint16(idx[2*i:]))
			}
			if j >= nd {
				return nil, short
			}
			v.S[i] = dict[j]
		}
	default:
		if len(src) != 8*n {
			return nil, short
		}
		v.I = make([]int64, n)
		for i := range v.I {
			v.I[i] = int64(binary.LittleEndian.Uint64(src[8*i:]))
		}
	}
	return v, nil
}

// decodePlain reads n strings written by appendStrings' plain form and
// returns what follows them.
func decodePlain(src []byte, n int) ([]string, []byte, bool) {
	if n < 0 || len(src) < 4*n {
		return nil, nil, false
	}
	lens, data := src[:4*n], src[4*n:]
	ss := make([]string, n)
	off := 0
	for i := range ss {
		l := int(binary.LittleEndian.Uint32(lens[4*i:]))
		if l > len(data)-off {
			return nil, nil, false
		}
		if l > 0 {
			ss[i] = unsafe.String(&data[off], l)
		}
		off += l
	}
	return ss, data[off:], true
}
