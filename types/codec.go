package types

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// A batch's bytes, for spilling rows to disk and reading them back: the
// row count, then each column's kind, its NULLs one byte a row, and its
// values, integers and doubles eight bytes each, strings as a length and
// their bytes. It is hand-written rather than gob because the engine
// spools whole query results through it: gob took 7 s to write and read
// back the 1M-row SELECT * of the benchmark, this takes a fraction.

// ErrCodec is wrapped by every DecodeBatch error.
var ErrCodec = errors.New("corrupt spilled batch")

// AppendBatch appends b's encoding to dst.
func AppendBatch(dst []byte, b *Batch) []byte {
	dst = binary.AppendUvarint(dst, uint64(b.Len))
	dst = binary.AppendUvarint(dst, uint64(len(b.Cols)))
	for _, v := range b.Cols {
		// The kind as its number: a spill is read back by the process
		// that wrote it, which has the same interned nested kinds.
		dst = binary.AppendUvarint(dst, uint64(v.Kind))
		for _, null := range v.Nulls[:b.Len] {
			dst = append(dst, b2u(null))
		}
		switch v.Kind.Storage() {
		case Float:
			for _, f := range v.F[:b.Len] {
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
			}
		case String:
			for _, s := range v.S[:b.Len] {
				dst = binary.AppendUvarint(dst, uint64(len(s)))
				dst = append(dst, s...)
			}
		default:
			for _, i := range v.I[:b.Len] {
				dst = binary.LittleEndian.AppendUint64(dst, uint64(i))
			}
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

// DecodeBatch reads one batch from the front of src and returns it with
// the rest of src. The batch's strings point into src, which must then
// not be changed.
func DecodeBatch(src []byte) (*Batch, []byte, error) {
	rows, src, err := uvarint(src)
	if err != nil {
		return nil, nil, err
	}
	ncols, src, err := uvarint(src)
	if err != nil {
		return nil, nil, err
	}
	if ncols > uint64(len(src)) || rows > uint64(len(src)) {
		return nil, nil, fmt.Errorf("%w: %d columns of %d rows in %d bytes", ErrCodec, ncols, rows, len(src))
	}
	n := int(rows)
	b := &Batch{Len: n, Cols: make([]*Vector, ncols)}
	for j := range b.Cols {
		var kind uint64
		if kind, src, err = uvarint(src); err != nil {
			return nil, nil, err
		}
		if len(src) < n || kind > uint64(^Kind(0)) {
			return nil, nil, fmt.Errorf("%w: column %d cut short", ErrCodec, j)
		}
		v := &Vector{Kind: Kind(kind), Nulls: make([]bool, n)}
		for i, c := range src[:n] {
			v.Nulls[i] = c != 0
		}
		src = src[n:]
		switch v.Kind.Storage() {
		case Float:
			if len(src) < 8*n {
				return nil, nil, fmt.Errorf("%w: column %d cut short", ErrCodec, j)
			}
			v.F = make([]float64, n)
			for i := range v.F {
				v.F[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
			}
			src = src[8*n:]
		case String:
			v.S = make([]string, n)
			for i := range v.S {
				var l uint64
				if l, src, err = uvarint(src); err != nil {
					return nil, nil, err
				}
				if l > uint64(len(src)) {
					return nil, nil, fmt.Errorf("%w: string of %d bytes in %d", ErrCodec, l, len(src))
				}
				if l > 0 {
					v.S[i] = unsafe.String(&src[0], int(l))
				}
				src = src[l:]
			}
		default:
			if len(src) < 8*n {
				return nil, nil, fmt.Errorf("%w: column %d cut short", ErrCodec, j)
			}
			v.I = make([]int64, n)
			for i := range v.I {
				v.I[i] = int64(binary.LittleEndian.Uint64(src[8*i:]))
			}
			src = src[8*n:]
		}
		b.Cols[j] = v
	}
	return b, src, nil
}

func uvarint(src []byte) (uint64, []byte, error) {
	x, n := binary.Uvarint(src)
	if n <= 0 {
		return 0, nil, fmt.Errorf("%w: bad length", ErrCodec)
	}
	return x, src[n:], nil
}
