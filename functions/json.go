package functions

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

func init() {
	register(&Func{Name: "get_json_object", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg),
		Doc: "get_json_object(json, path) → STRING: the value at a JSONPath ($.a.b[0], $['a'], [*]); strings unquoted, objects and arrays as JSON text; NULL if absent or invalid",
		Eval: func(a []types.Value) (types.Value, error) {
			raw, ok := jsonPath([]byte(ToString(a[0])), ToString(a[1]))
			if !ok {
				return types.NullValue, nil
			}
			return jsonResult(raw), nil
		}})
	register(&Func{Name: "json_array_length", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, strArg),
		Doc: "json_array_length(json) → BIGINT: number of elements of a JSON array; NULL for anything else",
		Eval: func(a []types.Value) (types.Value, error) {
			var arr []json.RawMessage
			if err := json.Unmarshal([]byte(ToString(a[0])), &arr); err != nil || arr == nil {
				return types.NullValue, nil
			}
			return types.IntValue(int64(len(arr))), nil
		}})
}

// jsonResult turns a raw JSON value into get_json_object's output: a JSON
// string yields its contents, null yields NULL, anything else its compact
// text (Spark re-serialises objects and arrays without whitespace).
func jsonResult(raw json.RawMessage) types.Value {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		return types.NullValue
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return types.NullValue
		}
		return str(s)
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return types.NullValue
	}
	return str(b.String())
}

// jsonPath walks doc along a Spark JSONPath: "$" followed by ".name",
// "['name']", "[n]" or "[*]" steps. A wildcard collects the matches of the
// rest of the path into an array; as in Spark, a single match is returned
// as itself rather than as a one-element array.
func jsonPath(doc []byte, path string) (json.RawMessage, bool) {
	if !strings.HasPrefix(path, "$") {
		return nil, false
	}
	if !json.Valid(doc) {
		return nil, false
	}
	steps, ok := parseJSONPath(path[1:])
	if !ok {
		return nil, false
	}
	return walkJSON(doc, steps)
}

type jsonStep struct {
	key   string
	index int  // ≥ 0 for [n]
	wild  bool // [*]
	isKey bool
}

func parseJSONPath(p string) ([]jsonStep, bool) {
	var steps []jsonStep
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			if end == 0 {
				return nil, false
			}
			if p[:end] == "*" {
				return nil, false // Spark does not support $.*
			}
			steps = append(steps, jsonStep{key: p[:end], isKey: true})
			p = p[end:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false
			}
			inner := p[1:end]
			switch {
			case inner == "*":
				steps = append(steps, jsonStep{wild: true})
			case len(inner) >= 2 && inner[0] == '\'' && inner[len(inner)-1] == '\'':
				steps = append(steps, jsonStep{key: inner[1 : len(inner)-1], isKey: true})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, false
				}
				steps = append(steps, jsonStep{index: n})
			}
			p = p[end+1:]
		default:
			return nil, false
		}
	}
	return steps, true
}

func walkJSON(doc json.RawMessage, steps []jsonStep) (json.RawMessage, bool) {
	for i, st := range steps {
		switch {
		case st.isKey:
			var obj map[string]json.RawMessage
			if json.Unmarshal(doc, &obj) != nil {
				return nil, false
			}
			v, ok := obj[st.key]
			if !ok {
				return nil, false
			}
			doc = v
		case st.wild:
			var arr []json.RawMessage
			if json.Unmarshal(doc, &arr) != nil {
				return nil, false
			}
			var out []json.RawMessage
			for _, el := range arr {
				if v, ok := walkJSON(el, steps[i+1:]); ok {
					out = append(out, v)
				}
			}
			switch len(out) {
			case 0:
				return nil, false
			case 1:
				return out[0], true
			}
			var b bytes.Buffer
			b.WriteByte('[')
			for j, v := range out {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(v)
			}
			b.WriteByte(']')
			return b.Bytes(), true
		default:
			var arr []json.RawMessage
			if json.Unmarshal(doc, &arr) != nil || st.index >= len(arr) {
				return nil, false
			}
			doc = arr[st.index]
		}
	}
	return doc, true
}

// jsonStringArray renders ss as a JSON array of strings.
func jsonStringArray(ss []string) string {
	if ss == nil {
		ss = []string{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // Spark's JSON writer leaves <, > and & alone
	_ = enc.Encode(ss)       // cannot fail for []string
	return strings.TrimSuffix(b.String(), "\n")
}
