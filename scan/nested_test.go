package scan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/types"
)

// readNested extracts path x from line and appends it to a vector of kind k.
func readNested(t *testing.T, line string, k types.Kind, strictKeys bool) (types.Value, bool) {
	t.Helper()
	e := NewExtractor([]jsonpath.Path{{{Key: "x"}}})
	if err := e.Extract([]byte(line)); err != nil {
		t.Fatalf("Extract(%s): %v", line, err)
	}
	v := types.NewVector(k, 1)
	conflict := appendRaw(v, e.Get(0), &arena{}, strictKeys)
	return v.Get(0), conflict
}

func TestAppendNested(t *testing.T) {
	products := types.MustParseKind("ARRAY<STRUCT<price: DOUBLE, sku: STRING>>")
	tests := []struct {
		line     string
		kind     types.Kind
		want     string // Value.String, or NULL
		conflict bool
	}{
		{`{"x":[1,2,null]}`, types.ArrayOf(types.Int), "[1, 2, null]", false},
		{`{"x":[]}`, types.ArrayOf(types.Int), "[]", false},
		{`{"x":null}`, types.ArrayOf(types.Int), "NULL", false},
		{`{"x":[1,2.5]}`, types.ArrayOf(types.Int), "[1, null]", true},
		{`{"x":[1,2.5,"a",true,{"b":1},[2]]}`, types.ArrayOf(types.String), `[1, 2.5, a, true, {"b":1}, [2]]`, false},
		{`{"x":"[1]"}`, types.ArrayOf(types.Int), "NULL", true},
		{`{"x":[{"sku":"a\"b","price":1.5,"url":"u"},{"price":2}]}`, products, `[{1.5, a"b}, {2.0, null}]`, true},
		{`{"x":[{"sku":"a","price":1.5},{"price":2}]}`, products, `[{1.5, a}, {2.0, null}]`, false},
		{`{"x":[{"sku":"a","price":"1.5"}]}`, products, `[{null, a}]`, true},
		{`{"x":[{"sku":"a","sku":"b"}]}`, products, `[{null, b}]`, false},
		{`{"x":[[1,2],[],null,[3]]}`, types.ArrayOf(types.ArrayOf(types.Int)), "[[1, 2], [], null, [3]]", false},
		{`{"x":{"a":1,"b\u0020c":null}}`, types.MapOf(types.String, types.Int), "{a -> 1, b c -> null}", false},
		{`{"x":{"b":{"c":true}},"y":1}`, types.MustParseKind("STRUCT<a: BIGINT, b: STRUCT<c: BOOLEAN>>"), "{null, {true}}", false},
		{`{"x":["2019-02-01T00:00:00Z","nope"]}`, types.ArrayOf(types.Timestamp), "[2019-02-01T00:00:00Z, null]", true},
		{`{"x" : [ 1 , 2 ] }`, types.ArrayOf(types.Int), "[1, 2]", false},
	}
	for _, tt := range tests {
		v, conflict := readNested(t, tt.line, tt.kind, true)
		if v.String() != tt.want || conflict != tt.conflict {
			t.Errorf("%s as %s = %s (conflict %v), want %s (conflict %v)", tt.line, tt.kind, v, conflict, tt.want, tt.conflict)
		}
	}
	// A declared schema ignores keys it does not name, as Spark's reader does.
	if v, conflict := readNested(t, `{"x":[{"sku":"a","url":"u"}]}`, products, false); conflict || v.String() != "[{null, a}]" {
		t.Errorf("declared struct with an extra key = %s, %v", v, conflict)
	}
}

// TestNestedMatchesInference checks, over random JSON values, that a
// value read as the kind inference gives it never misfits, and reads back
// as the same text a second conversion gives: inference and reading agree.
func TestNestedMatchesInference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var gen func(depth int) string
	gen = func(depth int) string {
		switch n := rng.Intn(9); {
		case n == 0:
			return "null"
		case n == 1:
			return fmt.Sprint(rng.Intn(100) - 50)
		case n == 2:
			return fmt.Sprintf("%.2f", rng.Float64()*10)
		case n == 3:
			return `"s` + fmt.Sprint(rng.Intn(5)) + `\n"`
		case n == 4:
			return "true"
		case depth > 3:
			return "1"
		case n <= 6:
			parts := make([]string, rng.Intn(4))
			for i := range parts {
				parts[i] = gen(depth + 1)
			}
			return "[" + strings.Join(parts, ",") + "]"
		}
		keys := []string{"a", "b", "C", "d e"}
		var parts []string
		for _, k := range keys[:rng.Intn(len(keys))+1] {
			if rng.Intn(3) > 0 {
				parts = append(parts, fmt.Sprintf("%q:%s", k, gen(depth+1)))
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	for i := 0; i < 3000; i++ {
		var vals []string
		for range 3 {
			vals = append(vals, "["+gen(1)+","+gen(1)+"]")
		}
		var in Inferrer
		for _, v := range vals {
			if err := in.Add([]byte(`{"x":` + v + `}`)); err != nil {
				t.Fatalf("%s: %v", v, err)
			}
		}
		k := in.Schema()[0].Kind
		if !k.IsArray() {
			t.Fatalf("%v inferred %s", vals, k)
		}
		for _, v := range vals {
			got, conflict := readNested(t, `{"x":`+v+`}`, k, true)
			if conflict {
				t.Fatalf("%s as inferred %s: conflict (%s)", v, k, got)
			}
			if rk := ValueKind([]byte(v)); types.Merge(rk, k) != k {
				t.Fatalf("%s: ValueKind %s does not merge into %s", v, rk, k)
			}
		}
	}
}
