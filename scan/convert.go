package scan

import (
	"bytes"
	"errors"
	"strconv"
	"time"
	"unsafe"

	"github.com/nectar-dev/nectar/types"
)

// AppendRaw converts r to v.Kind and appends it. Missing and JSON null
// append NULL. A number becomes BIGINT only when integral and in range, a
// DOUBLE when finite; anything becomes STRING (strings unescaped, numbers and
// booleans as their text, objects and arrays as their JSON text); a string
// becomes TIMESTAMP or DATE via types.ParseTimestamp; an array or object
// becomes a value of an ARRAY, MAP or STRUCT kind, part by part by the same
// rules. A value that cannot convert appends NULL and reports conflict, so
// one odd value never drops a row; so does a nested value with a part that
// does not fit (that part is NULL) or a key its struct lacks.
func AppendRaw(v *types.Vector, r Raw) (conflict bool) {
	return appendRaw(v, r, nil, true)
}

// arena hands out strings carved from large shared chunks, turning one
// allocation per string value into one per chunk. A chunk is never written
// again once a string points into it, so strings stay valid for as long as
// anyone holds them (retaining one pins its chunk, a bounded cost). It also
// keeps the worker's reader of nested values and its buffers.
type arena struct {
	buf []byte
	nr  nestedReader
}

const (
	arenaChunk = 64 << 10
	// Strings larger than this get their own allocation rather than wasting
	// the rest of a chunk.
	arenaMaxShared = arenaChunk / 8
)

// reserve makes room for n more bytes without moving bytes already handed out.
func (a *arena) reserve(n int) {
	if len(a.buf)+n > cap(a.buf) {
		a.buf = make([]byte, 0, max(arenaChunk, n))
	}
}

func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a == nil || len(b) > arenaMaxShared {
		return string(b)
	}
	a.reserve(len(b))
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

// unescaped returns the decoded body of a JSON string token (with quotes).
func (a *arena) unescaped(tok []byte) string {
	body := tok[1 : len(tok)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return a.str(body)
	}
	if a == nil || len(body) > arenaMaxShared {
		return string(appendUnescaped(nil, body))
	}
	a.reserve(len(body)) // decoding never grows the text
	start := len(a.buf)
	a.buf = appendUnescaped(a.buf, body)
	if len(a.buf) == start {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}

// view returns b as a string without copying, for calls that do not retain
// their argument (number and time parsing).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// appendRaw is AppendRaw with the worker's arena; strictKeys says whether
// a key a struct lacks is a conflict (for kinds guessed from a sample: the
// data holds more than the guess) or ignored (a declared schema, which
// Spark's reader also lets ignore keys).
func appendRaw(v *types.Vector, r Raw, a *arena, strictKeys bool) (conflict bool) {
	if r.Type == Missing || r.Type == Null {
		v.AppendNull()
		return false
	}
	switch v.Kind {
	case types.String:
		var s string
		if r.Type == String {
			s = a.unescaped(r.Bytes)
		} else {
			s = a.str(r.Bytes)
		}
		v.Nulls = append(v.Nulls, false)
		v.S = append(v.S, s)
		return false
	case types.Int:
		if r.Type == Number {
			if n, ok := parseInt(r.Bytes); ok {
				v.Nulls = append(v.Nulls, false)
				v.I = append(v.I, n)
				return false
			}
		}
	case types.Float:
		if r.Type == Number {
			// Out of range is ±Inf, as Jackson (Spark's JSON parser) reads
			// 1e400; a validated token has no other error.
			if f, err := strconv.ParseFloat(view(r.Bytes), 64); err == nil || errors.Is(err, strconv.ErrRange) {
				v.Nulls = append(v.Nulls, false)
				v.F = append(v.F, f)
				return false
			}
		}
	case types.Bool:
		if r.Type == Bool {
			v.Nulls = append(v.Nulls, false)
			v.I = append(v.I, int64(b2i(r.Bytes[0] == 't')))
			return false
		}
	case types.Timestamp, types.Date:
		if r.Type == String {
			if us, ok := parseTime(r.Bytes); ok {
				if v.Kind == types.Date {
					us = floorDiv(us, 86400e6)
				}
				v.Nulls = append(v.Nulls, false)
				v.I = append(v.I, us)
				return false
			}
		}
	default:
		if v.Kind.IsNested() {
			return appendNested(v, r, a, strictKeys)
		}
	}
	v.AppendNull()
	return true
}

// appendNested is appendRaw for the nested kinds.
func appendNested(v *types.Vector, r Raw, a *arena, strictKeys bool) (conflict bool) {
	if a == nil {
		a = &arena{}
	}
	enc, ok, misfit := a.nr.read(r.Bytes, v.Kind, strictKeys)
	if !ok {
		v.AppendNull()
		return true
	}
	v.Nulls = append(v.Nulls, false)
	v.S = append(v.S, a.str(enc))
	return misfit
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// parseInt reads a validated JSON number written as an integer (no
// fraction, no exponent) that fits in int64. Spark's inference and its
// BIGINT reader take only such tokens: 2.0 and 1e3 are DOUBLE values, and
// an integer too large for BIGINT is read as a DOUBLE.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	d := b
	if neg {
		d = d[1:]
	}
	if len(d) <= 18 { // cannot overflow: fast path for the common case
		var n int64
		for _, c := range d {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, true
	}
	n, err := strconv.ParseInt(view(b), 10, 64)
	return n, err == nil
}

// parseTime reads a JSON string token as a timestamp in microseconds. The
// shape Segment writes (2023-11-25T00:30:05.233Z) is parsed by hand because
// it is in every event; anything else goes through types.ParseTimestamp so
// the accepted forms stay those of CAST.
func parseTime(tok []byte) (int64, bool) {
	body := tok[1 : len(tok)-1]
	if us, ok := parseISOZ(body); ok {
		return us, true
	}
	var s string
	if bytes.IndexByte(body, '\\') >= 0 {
		s = string(appendUnescaped(nil, body))
	} else {
		s = view(body)
	}
	t, ok := types.ParseTimestamp(s)
	if !ok {
		return 0, false
	}
	return t.UnixMicro(), true
}

// parseISOZ parses exactly YYYY-MM-DDTHH:MM:SS[.1-9 digits]Z, the layout
// time.RFC3339Nano accepts with a Z zone, and reports false for anything else
// (including out-of-range fields) so the caller falls back.
func parseISOZ(s []byte) (int64, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(s[0:4]), num(s[5:7]), num(s[8:10])
	hour, minute, sec := num(s[11:13]), num(s[14:16]), num(s[17:19])
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return 0, false
	}
	nsec := 0
	if rest := s[19 : len(s)-1]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return 0, false
		}
		frac := num(rest[1:])
		if frac < 0 {
			return 0, false
		}
		for range 10 - len(rest) {
			frac *= 10
		}
		nsec = frac
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 April and friends normalise into the next month
		return 0, false
	}
	return t.UnixMicro(), true
}
