package functions

import (
	"testing"

	"github.com/nectar-dev/nectar/types"
)

func TestConditionalFunctions(t *testing.T) {
	run(t, []evalCase{
		{"coalesce", vals(null, I(1), null), I(1), nil}, // doc
		{"coalesce", vals(null, null), null, nil},
		{"coalesce", vals(I(1), F(2.5)), F(1), nil}, // widened to the common kind
		{"coalesce", vals(null, S("x"), I(3)), S("x"), nil},
		{"coalesce", vals(I(3), S("x")), S("3"), nil},
		{"coalesce", vals(null, D("2024-02-29"), TS("2024-01-01T00:00:00Z")), TS("2024-02-29T00:00:00Z"), nil},
		{"nvl", vals(null, S("x")), S("x"), nil},
		{"nvl", vals(S(""), S("x")), S(""), nil}, // empty is not NULL
		{"ifnull", vals(null, I(2)), I(2), nil},
		{"nvl2", vals(null, I(2), I(1)), I(1), nil}, // doc
		{"nvl2", vals(I(0), I(2), I(1)), I(2), nil},
		{"nvl2", vals(S("x"), null, F(1)), null, nil},
		{"if", vals(B(true), I(1), I(2)), I(1), nil},
		{"if", vals(B(false), I(1), I(2)), I(2), nil},
		{"if", vals(null, I(1), I(2)), I(2), nil},
		{"if", vals(B(true), I(1), F(2)), F(1), nil},
		{"iff", vals(B(true), null, S("b")), null, nil},
		{"nullif", vals(I(2), I(2)), null, nil}, // doc
		{"nullif", vals(I(2), I(3)), I(2), nil},
		{"nullif", vals(I(2), F(2)), null, nil},
		{"nullif", vals(S(""), S("")), null, nil},
		{"nullif", vals(null, I(1)), null, nil},
		{"nullif", vals(I(1), null), I(1), nil},
		{"isnull", vals(null), B(true), nil},
		{"isnull", vals(I(1)), B(false), nil},
		{"isnotnull", vals(null), B(false), nil},
		{"isnotnull", vals(S("")), B(true), nil},
		{"isnan", vals(NaN()), B(true), nil},
		{"isnan", vals(F(1)), B(false), nil},
		{"isnan", vals(null), B(false), nil},
		{"isnan", vals(S("NaN")), B(true), nil},
	})
	// The result kind of the NULL-tolerant functions follows their inputs.
	kinds := []struct {
		fn   string
		args []types.Kind
		want types.Kind
	}{
		{"coalesce", []types.Kind{types.Null, types.Int, types.Float}, types.Float},
		{"coalesce", []types.Kind{types.Null, types.Null}, types.Null},
		{"nvl2", []types.Kind{types.String, types.Int, types.Int}, types.Int},
		{"if", []types.Kind{types.Bool, types.Date, types.Timestamp}, types.Timestamp},
		{"nullif", []types.Kind{types.String, types.Int}, types.String},
		{"greatest", []types.Kind{types.Int, types.Null, types.Int}, types.Int},
	}
	for _, c := range kinds {
		f, _ := Lookup(c.fn)
		if got, err := f.CheckCall(c.args); err != nil || got != c.want {
			t.Errorf("%s%v: %s, %v; want %s", c.fn, c.args, got, err, c.want)
		}
	}
}

func TestJSONFunctions(t *testing.T) {
	doc := `{"a":{"b":[10,{"c":"x"}]},"s":"str","n":1.50,"t":true,"z":null,"o":{"k" : [1, 2]},"key with.dot":5,"html":"<b>"}`
	run(t, []evalCase{
		{"get_json_object", vals(S(`{"a":"b"}`), S("$.a")), S("b"), nil}, // doc
		{"get_json_object", vals(S(doc), S("$.a.b[0]")), S("10"), nil},
		{"get_json_object", vals(S(doc), S("$.a.b[1].c")), S("x"), nil},
		{"get_json_object", vals(S(doc), S("$.a.b[1]")), S(`{"c":"x"}`), nil},
		{"get_json_object", vals(S(doc), S("$.o")), S(`{"k":[1,2]}`), nil}, // compacted
		{"get_json_object", vals(S(doc), S("$.n")), S("1.50"), nil},        // number text kept
		{"get_json_object", vals(S(doc), S("$.t")), S("true"), nil},
		{"get_json_object", vals(S(doc), S("$.z")), null, nil},
		{"get_json_object", vals(S(doc), S("$.missing")), null, nil},
		{"get_json_object", vals(S(doc), S("$.a.b[5]")), null, nil},
		{"get_json_object", vals(S(doc), S("$.s.x")), null, nil},
		{"get_json_object", vals(S(doc), S("$['key with.dot']")), S("5"), nil},
		{"get_json_object", vals(S(doc), S("$.html")), S("<b>"), nil},
		{"get_json_object", vals(S(`[{"a":1},{"a":2}]`), S("$[*].a")), S("[1,2]"), nil},
		{"get_json_object", vals(S(`[{"a":1},{"b":2}]`), S("$[*].a")), S("1"), nil},
		{"get_json_object", vals(S(`{"a":1}`), S("$")), S(`{"a":1}`), nil},
		{"get_json_object", vals(S(`{"a":1}`), S("a")), null, nil},
		{"get_json_object", vals(S(`{"a":1}`), S("$.")), null, nil},
		{"get_json_object", vals(S(`{"a":1}`), S("$[x]")), null, nil},
		{"get_json_object", vals(S(`{"a":`), S("$.a")), null, nil},
		{"get_json_object", vals(S(""), S("$.a")), null, nil},
		{"get_json_object", vals(S(`{"é":"ü"}`), S("$.é")), S("ü"), nil},
		{"json_array_length", vals(S("[1,2,3,4]")), I(4), nil},                     // doc
		{"json_array_length", vals(S(`[1,2,3,{"f1":1,"f2":[5,6]},4]`)), I(5), nil}, // doc
		{"json_array_length", vals(S("[1,2")), null, nil},                          // doc
		{"json_array_length", vals(S("[]")), I(0), nil},
		{"json_array_length", vals(S(`{"a":1}`)), null, nil},
		{"json_array_length", vals(S("null")), null, nil},
	})
}
