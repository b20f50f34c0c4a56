package scan

import (
	"errors"
	"strconv"

	"github.com/nectar-dev/nectar/types"
)

// Reading JSON arrays and objects into nested values (ARRAY, MAP and
// STRUCT columns). The extractor hands over the value's validated text;
// this walks it once and writes the value's encoding (types/nestedvalue.go)
// for the column's kind, which may hold only some of the fields the data
// has. Nothing is allocated per value once the buffers have grown: the
// encoding is built in per-depth scratch buffers and copied into the
// scan's string arena.

// nestedReader converts JSON text to nested encodings. One per worker.
type nestedReader struct {
	// levels holds scratch buffers per depth of nesting: the payload being
	// built and, for structs, where each field's value lies in the text.
	levels []*nestedLevel // pointers, so a level stays put when deeper ones are added
	// misfit is set when a part of the value did not fit its kind (it is
	// then NULL) or, with strictKeys, when an object had a key its struct
	// lacks: the value is not what the column's kind says the data holds.
	misfit     bool
	strictKeys bool
	scratch    []byte
}

type nestedLevel struct {
	items []byte
	out   []byte
	spans []span
}

type span struct{ start, end int }

func (nr *nestedReader) level(depth int) *nestedLevel {
	for len(nr.levels) <= depth {
		nr.levels = append(nr.levels, &nestedLevel{})
	}
	return nr.levels[depth]
}

// read converts the JSON value d (validated, not null) to an encoding of
// kind k, a nested kind. ok is false when d is not an array, object or
// map at all; misfit reports parts that did not fit. The bytes returned
// are valid until the next call.
func (nr *nestedReader) read(d []byte, k types.Kind, strictKeys bool) (enc []byte, ok, misfit bool) {
	nr.misfit, nr.strictKeys = false, strictKeys
	enc, _, ok = nr.payload(d, skipWS(d, 0), k, 0)
	return enc, ok, nr.misfit
}

// payload converts the nested value at d[i] to the encoding of k and
// returns it with the index past the value.
func (nr *nestedReader) payload(d []byte, i int, k types.Kind, depth int) ([]byte, int, bool) {
	lv := nr.level(depth)
	switch {
	case k.IsArray():
		if d[i] != '[' {
			return nil, skipValidated(d, i), false
		}
		elem := k.Elem()
		lv.items = lv.items[:0]
		n := 0
		i = skipWS(d, i+1)
		if d[i] != ']' {
			for {
				var err error
				if i, err = nr.item(d, i, elem, depth, &lv.items); err != nil {
					return nil, i, false
				}
				n++
				i = skipWS(d, i)
				if d[i] == ']' {
					break
				}
				i = skipWS(d, i+1)
			}
		}
		lv.out = types.AppendCount(lv.out[:0], n)
		lv.out = append(lv.out, lv.items...)
		return lv.out, i + 1, true
	case k.IsMap():
		if d[i] != '{' {
			return nil, skipValidated(d, i), false
		}
		kk, vk := k.MapKey(), k.MapValue()
		lv.items = lv.items[:0]
		n := 0
		i = skipWS(d, i+1)
		if d[i] != '}' {
			for {
				end, esc, _ := scanString(d, i+1)
				key := d[i+1 : end-1]
				if esc {
					nr.scratch = appendUnescaped(nr.scratch[:0], key)
					key = nr.scratch
				}
				kv, ok := mapKey(key, kk)
				if !ok {
					nr.misfit = true
				}
				lv.items = types.AppendItem(lv.items, kk, kv)
				i, _ = colon(d, end)
				var err error
				if i, err = nr.item(d, i, vk, depth, &lv.items); err != nil {
					return nil, i, false
				}
				n++
				i = skipWS(d, i)
				if d[i] == '}' {
					break
				}
				i = skipWS(d, i+1)
			}
		}
		lv.out = types.AppendCount(lv.out[:0], n)
		lv.out = append(lv.out, lv.items...)
		return lv.out, i + 1, true
	}
	// STRUCT: note where each field's value lies (the last occurrence of a
	// repeated key wins, as elsewhere), then encode the fields in order.
	if d[i] != '{' {
		return nil, skipValidated(d, i), false
	}
	fields := k.Fields()
	lv.spans = lv.spans[:0]
	for range fields {
		lv.spans = append(lv.spans, span{-1, -1})
	}
	i = skipWS(d, i+1)
	if d[i] != '}' {
		for {
			end, esc, _ := scanString(d, i+1)
			key := d[i+1 : end-1]
			if esc {
				nr.scratch = appendUnescaped(nr.scratch[:0], key)
				key = nr.scratch
			}
			f := fieldOf(fields, key)
			i, _ = colon(d, end)
			vend := skipValidated(d, i)
			if f >= 0 {
				lv.spans[f] = span{i, vend}
			} else if nr.strictKeys {
				nr.misfit = true
			}
			i = skipWS(d, vend)
			if d[i] == '}' {
				break
			}
			i = skipWS(d, i+1)
		}
	}
	end := i + 1
	lv.items = lv.items[:0]
	for f, fd := range fields {
		sp := lv.spans[f]
		if sp.start < 0 {
			lv.items = append(lv.items, 0)
			continue
		}
		if _, err := nr.item(d, sp.start, fd.Kind, depth, &lv.items); err != nil {
			return nil, end, false
		}
	}
	lv.out = append(lv.out[:0], lv.items...)
	return lv.out, end, true
}

var errDeep = errors.New("nested value too deep")

// item appends the item for the value at d[i], of kind k, to *dst and
// returns the index past the value.
func (nr *nestedReader) item(d []byte, i int, k types.Kind, depth int, dst *[]byte) (int, error) {
	if depth > maxDepth {
		return i, errDeep
	}
	c := d[i]
	if c == 'n' {
		*dst = append(*dst, 0)
		return i + 4, nil
	}
	if k.IsNested() {
		enc, end, ok := nr.payload(d, i, k, depth+1)
		if !ok {
			nr.misfit = true
			*dst = append(*dst, 0)
			return end, nil
		}
		*dst = types.AppendNestedItem(*dst, enc)
		return end, nil
	}
	end := skipValidated(d, i)
	tok := d[i:end]
	v, ok := nr.scalar(tok, k)
	if !ok {
		nr.misfit = true
	}
	*dst = types.AppendItem(*dst, k, v)
	return end, nil
}

// scalar converts one JSON token to kind k as appendRaw does for a
// column; the value it returns for a string points into scratch or tok.
func (nr *nestedReader) scalar(tok []byte, k types.Kind) (types.Value, bool) {
	t := typeOf(tok[0])
	switch k {
	case types.String:
		if t == String {
			body := tok[1 : len(tok)-1]
			if hasBackslash(body) {
				nr.scratch = appendUnescaped(nr.scratch[:0], body)
				body = nr.scratch
			}
			return types.Value{K: types.String, S: view(body)}, true
		}
		return types.Value{K: types.String, S: view(tok)}, true
	case types.Int:
		if t == Number {
			if n, ok := parseInt(tok); ok {
				return types.IntValue(n), true
			}
		}
	case types.Float:
		if t == Number {
			if f, err := strconv.ParseFloat(view(tok), 64); err == nil || errors.Is(err, strconv.ErrRange) {
				return types.FloatValue(f), true
			}
		}
	case types.Bool:
		if t == Bool {
			return types.BoolValue(tok[0] == 't'), true
		}
	case types.Timestamp, types.Date:
		if t == String {
			if us, ok := parseTime(tok); ok {
				if k == types.Date {
					return types.DateValue(floorDiv(us, 86400e6)), true
				}
				return types.Value{K: types.Timestamp, I: us}, true
			}
		}
	}
	return types.NullValue, false
}

// mapKey reads an object's key as a map key of kind k.
func mapKey(key []byte, k types.Kind) (types.Value, bool) {
	v, err := types.Cast(types.StringValue(string(key)), k)
	if err != nil || v.IsNull() {
		return types.StringValue(""), false
	}
	return v, true
}

// fieldOf finds the struct field a JSON key names: the exact name, as
// Spark's JSON reader matches keys.
func fieldOf(fields []types.Field, key []byte) int {
	for i := range fields {
		if fields[i].Name == string(key) { // no allocation
			return i
		}
	}
	return -1
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// skipValidated returns the index past the value at d[i], which was
// validated already.
func skipValidated(d []byte, i int) int {
	end, _ := skipValue(d, i, 0)
	return end
}
