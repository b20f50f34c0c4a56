package scan

import (
	"math"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/types"
)

func TestAppendRaw(t *testing.T) {
	ts := func(s string) types.Value {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return types.TimestampValue(tm)
	}
	tests := []struct {
		kind     types.Kind
		json     string // value of "v"; "" means missing
		want     types.Value
		conflict bool
	}{
		{types.Int, ``, types.NullValue, false},
		{types.Int, `null`, types.NullValue, false},
		{types.Int, `42`, types.IntValue(42), false},
		{types.Int, `-0`, types.IntValue(0), false},
		{types.Int, `-9223372036854775808`, types.IntValue(math.MinInt64), false},
		{types.Int, `9223372036854775807`, types.IntValue(math.MaxInt64), false},
		{types.Int, `9223372036854775808`, types.NullValue, true},
		// Spark reads only integer tokens as BIGINT: 1e3 and 2.0 are DOUBLE.
		{types.Int, `1e3`, types.NullValue, true},
		{types.Int, `2.0`, types.NullValue, true},
		{types.Int, `2.5`, types.NullValue, true},
		{types.Int, `1e19`, types.NullValue, true},
		{types.Int, `"1"`, types.NullValue, true},
		{types.Int, `true`, types.NullValue, true},
		{types.Int, `{"a":1}`, types.NullValue, true},
		{types.Float, `1.5`, types.FloatValue(1.5), false},
		{types.Float, `3`, types.FloatValue(3), false},
		{types.Float, `-2.5E-3`, types.FloatValue(-0.0025), false},
		// Past DOUBLE's range, as Jackson (Spark's JSON parser) reads it.
		{types.Float, `1e400`, types.FloatValue(math.Inf(1)), false},
		{types.Float, `-1e400`, types.FloatValue(math.Inf(-1)), false},
		{types.Float, `"1.5"`, types.NullValue, true},
		{types.Bool, `true`, types.BoolValue(true), false},
		{types.Bool, `false`, types.BoolValue(false), false},
		{types.Bool, `"true"`, types.NullValue, true},
		{types.Bool, `1`, types.NullValue, true},
		{types.String, `"plain"`, types.StringValue("plain"), false},
		{types.String, `""`, types.StringValue(""), false},
		{types.String, `"a\"b\\c\/d\n\u00e9\ud83d\ude00"`, types.StringValue("a\"b\\c/d\né😀"), false},
		{types.String, `"\ud800"`, types.StringValue("\uFFFD"), false},
		{types.String, `12.50`, types.StringValue("12.50"), false},
		{types.String, `true`, types.StringValue("true"), false},
		{types.String, `{"a": [1, "x"]}`, types.StringValue(`{"a": [1, "x"]}`), false},
		{types.String, `[]`, types.StringValue(`[]`), false},
		{types.Timestamp, `"2023-11-25T00:30:05.233Z"`, ts("2023-11-25T00:30:05.233Z"), false},
		{types.Timestamp, `"2023-11-25T00:30:05Z"`, ts("2023-11-25T00:30:05Z"), false},
		{types.Timestamp, `"2023-11-25T00:30:05.123456789Z"`, ts("2023-11-25T00:30:05.123456Z"), false},
		{types.Timestamp, `"2023-11-25T01:30:05.5+01:00"`, ts("2023-11-25T00:30:05.5Z"), false},
		{types.Timestamp, `"2023-11-25 00:30:05"`, ts("2023-11-25T00:30:05Z"), false},
		{types.Timestamp, `"2023-11-25"`, ts("2023-11-25T00:00:00Z"), false},
		{types.Timestamp, `"1969-12-31T23:59:59.5Z"`, ts("1969-12-31T23:59:59.5Z"), false},
		{types.Timestamp, `"2023-02-30T00:00:00Z"`, types.NullValue, true},
		{types.Timestamp, `"2023-11-25T24:00:00Z"`, types.NullValue, true},
		{types.Timestamp, `"yesterday"`, types.NullValue, true},
		{types.Timestamp, `1700870400`, types.NullValue, true},
		{types.Date, `"2023-11-25T23:59:59.999Z"`, types.DateValue(19686), false},
		{types.Date, `"1969-12-31T12:00:00Z"`, types.DateValue(-1), false},
		{types.Date, `"nope"`, types.NullValue, true},
		{types.Null, `null`, types.NullValue, false},
		{types.Null, `1`, types.NullValue, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String()+" "+tt.json, func(t *testing.T) {
			line := `{}`
			if tt.json != "" {
				line = `{"v":` + tt.json + `}`
			}
			e := NewExtractor([]jsonpath.Path{{{Key: "v"}}})
			if err := e.Extract([]byte(line)); err != nil {
				t.Fatal(err)
			}
			for _, a := range []*arena{nil, {}} {
				v := types.NewVector(tt.kind, 1)
				conflict := appendRaw(v, e.Get(0), a, true)
				if conflict != tt.conflict {
					t.Fatalf("conflict = %v, want %v", conflict, tt.conflict)
				}
				if v.Len() != 1 {
					t.Fatalf("vector has %d rows, want 1", v.Len())
				}
				if got := v.Get(0); !types.Equal(got, tt.want) || got.K != tt.want.K {
					t.Fatalf("got %#v, want %#v", got, tt.want)
				}
			}
		})
	}
}

// The hand parser must agree with types.ParseTimestamp wherever it answers.
func TestParseISOZAgreesWithCast(t *testing.T) {
	for _, s := range []string{
		"2023-11-25T00:30:05.233Z", "2000-02-29T23:59:59Z", "1999-12-31T00:00:00.000001Z",
		"2024-01-01T00:00:00.9999999Z", "0001-01-01T00:00:00Z", "2023-11-25T00:30:05.Z",
		"2023-13-01T00:00:00Z", "2023-04-31T00:00:00Z", "2023-11-25T00:30:60Z", "2023-11-25X00:30:05Z",
	} {
		got, ok := parseISOZ([]byte(s))
		tm, wantOK := types.ParseTimestamp(s)
		if ok && (!wantOK || tm.UnixMicro() != got) {
			t.Errorf("parseISOZ(%q) = %d, ParseTimestamp = %v %v", s, got, tm, wantOK)
		}
	}
}

func TestArenaStringsSurviveGrowth(t *testing.T) {
	var a arena
	var got []string
	for i := range 5000 {
		got = append(got, a.str([]byte(time.Duration(i).String())))
	}
	for i, s := range got {
		if s != time.Duration(i).String() {
			t.Fatalf("string %d = %q", i, s)
		}
	}
}
