package functions

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Functions over ARRAY, MAP and STRUCT values. Constructors, from_json and
// the higher-order functions, which need more than their arguments' kinds
// to bind, are the binder's (plan/nestedbind.go); these take values, whose
// kinds they carry.

// ErrIndex is wrapped when an index falls outside an array, which Spark's
// ANSI mode refuses (INVALID_ARRAY_INDEX, INVALID_ARRAY_INDEX_IN_ELEMENT_AT,
// INVALID_INDEX_OF_ZERO); try_element_at gives NULL instead.
var ErrIndex = errors.New("array index out of bounds")

// ErrMapKey is wrapped when a map would get a NULL key or the same key
// twice (Spark's NULL_MAP_KEY and DUPLICATED_MAP_KEY).
var ErrMapKey = errors.New("invalid map key")

func wantArray(args []types.Kind, i int) error {
	if k := args[i]; k != types.Null && !k.IsArray() {
		return &ArgTypeError{Arg: i + 1, Want: "an ARRAY", Got: k}
	}
	return nil
}

func elemOf(k types.Kind) types.Kind {
	if k.IsArray() {
		return k.Elem()
	}
	return types.Null
}

// comparable reports whether values of kinds a and b can be compared for
// equality (array_contains, array_position): the same kind, two numbers,
// or a NULL.
func comparable(a, b types.Kind) bool {
	return a == b || a == types.Null || b == types.Null || (a.IsNumeric() && b.IsNumeric()) ||
		(a == types.Date || a == types.Timestamp) && (b == types.Date || b == types.Timestamp)
}

func init() {
	sizeOf := func(a []types.Value) (types.Value, error) { return types.IntValue(int64(types.Count(a[0]))), nil }
	sizeCheck := func(args []types.Kind) (types.Kind, error) {
		if k := args[0]; k != types.Null && !k.IsArray() && !k.IsMap() {
			return types.Null, &ArgTypeError{Arg: 1, Want: "an ARRAY or a MAP", Got: k}
		}
		return types.Int, nil
	}
	register(&Func{Name: "size", MinArgs: 1, MaxArgs: 1, Check: sizeCheck, Eval: sizeOf,
		Doc: "size(a) → BIGINT: elements of an array, entries of a map; NULL for NULL (Spark's ANSI mode)"}, "cardinality")
	register(&Func{Name: "array_size", MinArgs: 1, MaxArgs: 1, Eval: sizeOf,
		Check: func(args []types.Kind) (types.Kind, error) { return types.Int, wantArray(args, 0) },
		Doc:   "array_size(a) → BIGINT: elements of an array; NULL for NULL"})

	register(&Func{Name: "array_contains", MinArgs: 2, MaxArgs: 2,
		Doc: "array_contains(a, v) → BOOLEAN: whether a has an element equal to v; NULL when it has not but has a NULL element, or v is NULL",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := wantArray(args, 0); err != nil {
				return types.Null, err
			}
			if e := elemOf(args[0]); !comparable(e, args[1]) {
				return types.Null, &ArgTypeError{Arg: 2, Want: "a value of the array's element type " + e.String(), Got: args[1]}
			}
			return types.Bool, nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			it := types.Iter(a[0])
			sawNull := false
			for x, ok := it.Next(); ok; x, ok = it.Next() {
				if x.IsNull() {
					sawNull = true
				} else if types.Compare(x, a[1]) == 0 {
					return types.BoolValue(true), nil
				}
			}
			if sawNull {
				return types.NullValue, it.Err()
			}
			return types.BoolValue(false), it.Err()
		}})
	register(&Func{Name: "array_position", MinArgs: 2, MaxArgs: 2,
		Doc: "array_position(a, v) → BIGINT: the 1-based position of the first element equal to v, 0 if none",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := wantArray(args, 0); err != nil {
				return types.Null, err
			}
			if e := elemOf(args[0]); !comparable(e, args[1]) {
				return types.Null, &ArgTypeError{Arg: 2, Want: "a value of the array's element type " + e.String(), Got: args[1]}
			}
			return types.Int, nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			it := types.Iter(a[0])
			for i := int64(1); ; i++ {
				x, ok := it.Next()
				if !ok {
					return types.IntValue(0), it.Err()
				}
				if !x.IsNull() && types.Compare(x, a[1]) == 0 {
					return types.IntValue(i), nil
				}
			}
		}})

	register(&Func{Name: "sort_array", MinArgs: 1, MaxArgs: 2,
		Doc: "sort_array(a[, asc]) → ARRAY: a sorted ascending (NULLs first) or, with asc false, descending (NULLs last)",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := wantArray(args, 0); err != nil {
				return types.Null, err
			}
			if len(args) == 2 && args[1] != types.Bool {
				return types.Null, &ArgTypeError{Arg: 2, Want: "a boolean constant", Got: args[1]}
			}
			if e := elemOf(args[0]); e != types.Null && !e.Orderable() {
				return types.Null, &ArgTypeError{Arg: 1, Want: "an ARRAY of orderable elements", Got: args[0]}
			}
			return args[0], nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			asc := len(a) < 2 || a[1].Bool()
			return sortArray(a[0], asc, asc)
		}})

	elementAt := func(try bool) func(a []types.Value) (types.Value, error) {
		return func(a []types.Value) (types.Value, error) {
			if a[0].K.IsMap() {
				return MapGet(a[0], a[1])
			}
			n, i := int64(types.Count(a[0])), a[1].I
			switch {
			case i == 0 && !try:
				return types.NullValue, fmt.Errorf("%w: [INVALID_INDEX_OF_ZERO] element_at's index starts at 1 (-1 is the last element); use try_element_at for NULL", ErrIndex)
			case i == 0, i > n || -i > n:
				if try {
					return types.NullValue, nil
				}
				return types.NullValue, fmt.Errorf("%w: [INVALID_ARRAY_INDEX_IN_ELEMENT_AT] index %d is out of bounds: the array has %d elements; use try_element_at for NULL", ErrIndex, i, n)
			case i < 0:
				i += n
			default:
				i--
			}
			return types.At(a[0], int(i)), nil
		}
	}
	elementCheck := func(args []types.Kind) (types.Kind, error) {
		switch k := args[0]; {
		case k.IsMap():
			if !comparable(k.MapKey(), args[1]) {
				return types.Null, &ArgTypeError{Arg: 2, Want: "a key of type " + k.MapKey().String(), Got: args[1]}
			}
			return k.MapValue(), nil
		case k.IsArray():
			if args[1] != types.Int && args[1] != types.Null {
				return types.Null, &ArgTypeError{Arg: 2, Want: "an integer index", Got: args[1]}
			}
			return k.Elem(), nil
		case k == types.Null:
			return types.Null, nil
		default:
			return types.Null, &ArgTypeError{Arg: 1, Want: "an ARRAY or a MAP", Got: k}
		}
	}
	register(&Func{Name: "element_at", MinArgs: 2, MaxArgs: 2, Check: elementCheck, Eval: elementAt(false),
		Doc: "element_at(a, i) → the element at the 1-based i (negative from the end; an error outside the array), or element_at(m, k) → the value under key k (NULL if none)"})
	register(&Func{Name: "try_element_at", MinArgs: 2, MaxArgs: 2, Check: elementCheck, Eval: elementAt(true),
		Doc: "try_element_at(a, i) → as element_at, NULL where element_at fails"})

	mapPart := func(name string, values bool) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1,
			Doc: fmt.Sprintf("%s(m) → ARRAY: the map's %s, in its order", name, map[bool]string{false: "keys", true: "values"}[values]),
			Check: func(args []types.Kind) (types.Kind, error) {
				switch k := args[0]; {
				case k == types.Null:
					return types.ArrayOf(types.Null), nil
				case !k.IsMap():
					return types.Null, &ArgTypeError{Arg: 1, Want: "a MAP", Got: k}
				case values:
					return types.ArrayOf(k.MapValue()), nil
				default:
					return types.ArrayOf(k.MapKey()), nil
				}
			},
			Eval: func(a []types.Value) (types.Value, error) {
				parts, err := types.Parts(nil, a[0])
				var out []types.Value
				for i := 0; i+1 < len(parts); i += 2 {
					out = append(out, parts[i+btoi(values)])
				}
				k := a[0].K.MapKey()
				if values {
					k = a[0].K.MapValue()
				}
				return types.ArrayValue(types.ArrayOf(k), out), err
			}})
	}
	mapPart("map_keys", false)
	mapPart("map_values", true)

	sameArray := func(args []types.Kind) (types.Kind, error) { return args[0], wantArray(args, 0) }
	register(&Func{Name: "array_distinct", MinArgs: 1, MaxArgs: 1, Check: sameArray,
		Doc: "array_distinct(a) → ARRAY: a without repeated elements, in first-seen order",
		Eval: func(a []types.Value) (types.Value, error) {
			parts, err := types.Parts(nil, a[0])
			seen := map[string]bool{}
			var out []types.Value
			for _, x := range parts {
				key := string(types.AppendKey(nil, x))
				if !seen[key] {
					seen[key] = true
					out = append(out, x)
				}
			}
			return types.ArrayValue(a[0].K, out), err
		}})
	extreme := func(name string, sign int) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1,
			Doc: name + "(a) → the " + map[int]string{1: "largest", -1: "smallest"}[sign] + " non-NULL element of a; NULL if none",
			Check: func(args []types.Kind) (types.Kind, error) {
				if err := wantArray(args, 0); err != nil {
					return types.Null, err
				}
				return elemOf(args[0]), nil
			},
			Eval: func(a []types.Value) (types.Value, error) {
				best := types.NullValue
				it := types.Iter(a[0])
				for x, ok := it.Next(); ok; x, ok = it.Next() {
					if !x.IsNull() && (best.IsNull() || types.Compare(x, best)*sign > 0) {
						best = x
					}
				}
				return best, it.Err()
			}})
	}
	extreme("array_max", 1)
	extreme("array_min", -1)
	register(&Func{Name: "array_join", MinArgs: 2, MaxArgs: 3,
		Doc: "array_join(a, sep[, null_text]) → STRING: the elements as text joined by sep; NULL elements skipped, or written as null_text",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := wantArray(args, 0); err != nil {
				return types.Null, err
			}
			return types.String, checkArgs(args[1:], strArg)
		},
		Eval: func(a []types.Value) (types.Value, error) {
			var b strings.Builder
			it := types.Iter(a[0])
			first := true
			for x, ok := it.Next(); ok; x, ok = it.Next() {
				s := ""
				switch {
				case !x.IsNull():
					s = x.String()
				case len(a) == 3 && !a[2].IsNull():
					s = a[2].S
				default:
					continue
				}
				if !first {
					b.WriteString(a[1].S)
				}
				first = false
				b.WriteString(s)
			}
			return str(b.String()), it.Err()
		}})

	// to_json and schema_of_json take no options yet: Spark's second
	// argument (a map of options) would otherwise be ignored silently.
	register(&Func{Name: "to_json", MinArgs: 1, MaxArgs: 1,
		Doc: "to_json(x) → STRING: a STRUCT, ARRAY or MAP as JSON text (a struct's NULL fields left out, as Spark does)",
		Check: func(args []types.Kind) (types.Kind, error) {
			if k := args[0]; k != types.Null && !k.IsNested() {
				return types.Null, &ArgTypeError{Arg: 1, Want: "a STRUCT, ARRAY or MAP", Got: k}
			}
			if !types.JSONKeyWritable(args[0]) {
				return types.Null, &ArgTypeError{Arg: 1, Want: "maps keyed by scalars or structs of scalars (Spark names other keys by their internal objects)", Got: args[0]}
			}
			return types.String, nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			return str(string(types.AppendJSON(nil, a[0], true))), nil
		}})
	register(&Func{Name: "schema_of_json", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, strArg),
		Doc: "schema_of_json(json) → STRING: the type Spark infers for a constant JSON text, in DDL (STRUCT<a: BIGINT, b: ARRAY<STRING>>)",
		Eval: func(a []types.Value) (types.Value, error) {
			k, err := SchemaOfJSON(a[0].S)
			if err != nil {
				return types.NullValue, err
			}
			return str(k.String()), nil
		}})
	register(&Func{Name: "json_object_keys", MinArgs: 1, MaxArgs: 1, Check: fixed(types.ArrayOf(types.String), strArg),
		Doc: "json_object_keys(json) → ARRAY<STRING>: the keys of a JSON object's outermost level; NULL for anything else",
		Eval: func(a []types.Value) (types.Value, error) {
			d := json.NewDecoder(strings.NewReader(ToString(a[0])))
			if t, err := d.Token(); err != nil || t != json.Delim('{') {
				return types.NullValue, nil
			}
			var keys []types.Value
			for d.More() {
				t, err := d.Token()
				if err != nil {
					return types.NullValue, nil
				}
				keys = append(keys, str(t.(string)))
				var skip json.RawMessage
				if d.Decode(&skip) != nil {
					return types.NullValue, nil
				}
			}
			return types.ArrayValue(types.ArrayOf(types.String), keys), nil
		}})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MapGet is m's value under key, NULL when m has no such key.
func MapGet(m, key types.Value) (types.Value, error) {
	if m.IsNull() || key.IsNull() {
		return types.NullValue, nil
	}
	it := types.Iter(m)
	for {
		k, ok := it.Next()
		if !ok {
			return types.NullValue, it.Err()
		}
		v, _ := it.Next()
		if types.Compare(k, key) == 0 {
			return v, nil
		}
	}
}

// sortArray sorts a's elements ascending or descending, NULLs first or
// last.
func sortArray(a types.Value, asc, nullsFirst bool) (types.Value, error) {
	parts, err := types.Parts(nil, a)
	if err != nil {
		return types.NullValue, err
	}
	sort.SliceStable(parts, func(i, j int) bool {
		x, y := parts[i], parts[j]
		if x.IsNull() || y.IsNull() {
			if x.IsNull() == y.IsNull() {
				return false
			}
			return x.IsNull() == nullsFirst
		}
		c := types.Compare(x, y)
		if !asc {
			c = -c
		}
		return c < 0
	})
	return types.ArrayValue(a.K, parts), nil
}

// SortArray is array_sort without a comparator: ascending, NULLs last.
func SortArray(a types.Value) (types.Value, error) { return sortArray(a, true, false) }

// FromJSON reads JSON text as a value of kind k, as Spark's from_json does
// in its default PERMISSIVE mode: for a STRUCT, text that is not a JSON
// object is a STRUCT of NULLs (JSON null is NULL); for an ARRAY or MAP,
// text not of that shape is NULL (an ARRAY of STRUCTs takes one object as
// an array of one), and so is an ARRAY with an element of the wrong
// shape; deeper down, a field or element of the wrong type is NULL.
func FromJSON(text string, k types.Kind) types.Value {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	v, err := decodeOrdered(d)
	if err == nil {
		if _, terr := d.Token(); terr == nil {
			err = ErrInvalidArg // trailing text
		}
	}
	if k.IsStruct() {
		// A malformed record is a STRUCT of NULLs in PERMISSIVE mode.
		if _, isObj := v.(jsonObject); err != nil || !isObj && v != nil {
			return types.StructValue(k, make([]types.Value, len(k.Fields())))
		}
	}
	if err != nil {
		return types.NullValue
	}
	switch {
	case k.IsStruct(), k.IsMap():
		if _, ok := v.(jsonObject); !ok {
			return types.NullValue
		}
	case k.IsArray():
		arr, ok := v.([]any)
		if obj, isObj := v.(jsonObject); isObj && k.Elem().IsStruct() {
			// Spark reads one object as an array of one struct.
			arr, ok = []any{obj}, true
		}
		if !ok {
			return types.NullValue
		}
		// An element of the wrong shape makes the whole record bad, which
		// PERMISSIVE mode answers with NULL (Spark: from_json('[1, "2"]',
		// 'array<int>') is NULL, not [1, null]).
		for _, e := range arr {
			if e != nil && !jsonFits(e, k.Elem()) {
				return types.NullValue
			}
		}
		return jsonValue(arr, k)
	}
	return jsonValue(v, k)
}

// jsonFits reports whether a decoded JSON value has the shape of kind k.
func jsonFits(v any, k types.Kind) bool {
	switch {
	case k.IsStruct(), k.IsMap():
		_, ok := v.(jsonObject)
		return ok
	case k.IsArray():
		_, ok := v.([]any)
		return ok
	}
	switch k {
	case types.Int:
		n, ok := v.(json.Number)
		if ok {
			_, err := n.Int64()
			return err == nil
		}
		return false
	case types.Float:
		_, ok := v.(json.Number)
		return ok
	case types.Bool:
		_, ok := v.(bool)
		return ok
	case types.String, types.Date, types.Timestamp:
		_, ok := v.(string)
		return ok
	}
	return true
}

// jsonObject is a JSON object with its keys in document order, which a
// MAP keeps (Spark's from_json does).
type jsonObject []jsonMember

type jsonMember struct {
	key string
	val any
}

func (o jsonObject) get(name string) (any, bool) {
	for _, m := range o {
		if m.key == name {
			return m.val, true
		}
	}
	for _, m := range o {
		if strings.EqualFold(m.key, name) {
			return m.val, true
		}
	}
	return nil, false
}

// decodeOrdered decodes one JSON value: objects as jsonObject, arrays as
// []any, numbers as json.Number.
func decodeOrdered(d *json.Decoder) (any, error) {
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		var o jsonObject
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			v, err := decodeOrdered(d)
			if err != nil {
				return nil, err
			}
			o = append(o, jsonMember{key, v})
		}
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		if o == nil {
			o = jsonObject{}
		}
		return o, nil
	case json.Delim('['):
		arr := []any{}
		for d.More() {
			v, err := decodeOrdered(d)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		return arr, nil
	}
	return t, nil
}

// jsonValue converts a decoded JSON value to kind k, NULL where it does
// not fit.
func jsonValue(v any, k types.Kind) types.Value {
	if v == nil {
		return types.NullValue
	}
	switch {
	case k.IsStruct():
		obj, ok := v.(jsonObject)
		if !ok {
			return types.NullValue
		}
		fs := k.Fields()
		vals := make([]types.Value, len(fs))
		for i, f := range fs {
			if x, ok := obj.get(f.Name); ok {
				vals[i] = jsonValue(x, f.Kind)
			}
		}
		return types.StructValue(k, vals)
	case k.IsArray():
		arr, ok := v.([]any)
		if !ok {
			return types.NullValue
		}
		vals := make([]types.Value, len(arr))
		for i, x := range arr {
			vals[i] = jsonValue(x, k.Elem())
		}
		return types.ArrayValue(k, vals)
	case k.IsMap():
		obj, ok := v.(jsonObject)
		if !ok {
			return types.NullValue
		}
		var keys, vals []types.Value
		for _, m := range obj {
			kv, err := types.Cast(str(m.key), k.MapKey())
			if err != nil {
				return types.NullValue
			}
			keys = append(keys, kv)
			vals = append(vals, jsonValue(m.val, k.MapValue()))
		}
		return types.MapValue(k, keys, vals)
	}
	switch x := v.(type) {
	case bool:
		if k == types.Bool {
			return types.BoolValue(x)
		}
		if k == types.String {
			return str(strconv.FormatBool(x))
		}
	case json.Number:
		switch k {
		case types.Int:
			if n, err := x.Int64(); err == nil {
				return types.IntValue(n)
			}
		case types.Float:
			if f, err := x.Float64(); err == nil {
				return types.FloatValue(f)
			}
		case types.String:
			return str(x.String())
		}
	case string:
		if k == types.String {
			return str(x)
		}
		if k == types.Float {
			// Spark reads "NaN" and "Infinity" as doubles.
			switch x {
			case "NaN":
				return types.FloatValue(math.NaN())
			case "Infinity", "+Infinity":
				return types.FloatValue(math.Inf(1))
			case "-Infinity":
				return types.FloatValue(math.Inf(-1))
			}
		}
		if k == types.Timestamp || k == types.Date {
			if c, err := types.Cast(str(x), k); err == nil {
				return c
			}
		}
	default:
		if k == types.String {
			return str(string(appendOrdered(nil, x)))
		}
	}
	return types.NullValue
}

// appendOrdered writes a decoded JSON value back as compact JSON, keys in
// document order.
func appendOrdered(dst []byte, v any) []byte {
	switch x := v.(type) {
	case jsonObject:
		dst = append(dst, '{')
		for i, m := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = types.AppendJSONString(dst, m.key)
			dst = append(dst, ':')
			dst = appendOrdered(dst, m.val)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendOrdered(dst, e)
		}
		return append(dst, ']')
	case string:
		return types.AppendJSONString(dst, x)
	case json.Number:
		return append(dst, x.String()...)
	case bool:
		return strconv.AppendBool(dst, x)
	}
	return append(dst, "null"...)
}

// SchemaOfJSON is the type Spark infers for a JSON text: integers BIGINT,
// other numbers DOUBLE, objects STRUCTs of their fields sorted by name,
// arrays of their elements' common type, and null STRING.
func SchemaOfJSON(text string) (types.Kind, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	v, err := decodeOrdered(d)
	if err != nil {
		return types.Null, fmt.Errorf("%w: schema_of_json needs valid JSON: %v", ErrInvalidArg, err)
	}
	return fillNull(inferJSON(v)), nil
}

func inferJSON(v any) types.Kind {
	switch x := v.(type) {
	case nil:
		return types.Null
	case bool:
		return types.Bool
	case string:
		return types.String
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return types.Int
		}
		return types.Float
	case []any:
		k := types.Null
		for _, e := range x {
			k = types.Merge(k, inferJSON(e))
		}
		return types.ArrayOf(k)
	case jsonObject:
		fs := make([]types.Field, 0, len(x))
		for _, m := range x {
			f := types.Field{Name: m.key, Kind: inferJSON(m.val)}
			if i := slices.IndexFunc(fs, func(g types.Field) bool { return g.Name == m.key }); i >= 0 {
				fs[i] = f // a repeated key: its last value, as the reader does
				continue
			}
			fs = append(fs, f)
		}
		slices.SortFunc(fs, func(a, b types.Field) int { return strings.Compare(a.Name, b.Name) })
		return types.StructOf(fs...)
	}
	return types.String
}

// fillNull replaces the kind of values only ever seen as null with STRING,
// as Spark's inference does.
func fillNull(k types.Kind) types.Kind {
	switch {
	case k == types.Null:
		return types.String
	case k.IsArray():
		return types.ArrayOf(fillNull(k.Elem()))
	case k.IsStruct():
		fs := slices.Clone(k.Fields())
		for i := range fs {
			fs[i].Kind = fillNull(fs[i].Kind)
		}
		return types.StructOf(fs...)
	}
	return k
}
