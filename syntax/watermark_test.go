package syntax

import (
	"errors"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

func TestWatermarkClause(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"SELECT count(*) FROM read_json('logs/*.gz') WATERMARK timestamp DELAY OF INTERVAL 2 HOURS GROUP BY window(timestamp, '1 hour')",
			"SELECT count(*) FROM read_json('logs/*.gz') WATERMARK timestamp DELAY OF INTERVAL '02' HOUR GROUP BY window(timestamp, '1 hour')"},
		{"FROM read_json('x') watermark ts delay of interval '10 seconds' as e |> AGGREGATE count(*)",
			"FROM read_json('x') WATERMARK ts DELAY OF INTERVAL '10' SECOND AS e\n|> AGGREGATE count(*)"},
		{"SELECT * FROM stream_source WATERMARK to_timestamp(ts) AS event_time DELAY OF INTERVAL 10 SECONDS s",
			"SELECT * FROM stream_source WATERMARK to_timestamp(ts) AS event_time DELAY OF INTERVAL '10' SECOND AS s"},
		{"SELECT * FROM (SELECT * FROM t) WATERMARK ts DELAY OF INTERVAL '01' MINUTE",
			"SELECT * FROM (SELECT * FROM t) WATERMARK ts DELAY OF INTERVAL '01' MINUTE"},
		// WATERMARK is not reserved: without DELAY OF it is still an alias.
		{"SELECT watermark.a FROM t watermark", "SELECT watermark.a FROM t AS watermark"},
		{"SELECT * FROM t watermark WHERE a", "SELECT * FROM t AS watermark WHERE a"},
		{"SELECT * FROM t watermark JOIN u ON a", "SELECT * FROM t AS watermark JOIN u ON a"},
	}
	for _, tc := range tests {
		if got := checkRoundTrip(t, tc.src); got != tc.want {
			t.Errorf("canonical text of\n  %s\ngot\n  %s\nwant\n  %s", tc.src, got, tc.want)
		}
	}
}

func TestWatermarkTree(t *testing.T) {
	q, err := ParseQuery("SELECT * FROM read_json('x') WATERMARK ts AS et DELAY OF INTERVAL 2 HOURS AS e")
	if err != nil {
		t.Fatal(err)
	}
	w, ok := q.(*Select).From.(*WatermarkTable)
	if !ok {
		t.Fatalf("FROM is %T, want *WatermarkTable", q.(*Select).From)
	}
	want := &WatermarkTable{Input: &TableFunc{Name: "read_json", Args: []Expr{str("x")}},
		Time: id("ts"), TimeName: "et", Delay: &Interval{Value: types.Value{K: types.DayTimeKind(types.Hour, types.Hour), I: 2 * types.MicrosPerHour}}, Alias: "e"}
	if !sameTree(w, want) {
		t.Errorf("tree %s, want %s", w, want)
	}
	if got, want := w.Unwrap().String(), "read_json('x') AS e"; got != want {
		t.Errorf("Unwrap = %s, want %s", got, want)
	}
}

func TestWatermarkRejected(t *testing.T) {
	for _, src := range []string{
		"SELECT * FROM t WATERMARK ts DELAY OF '2 hours'",
		"SELECT * FROM t WATERMARK ts DELAY OF INTERVAL",
	} {
		_, err := ParseQuery(src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseQuery(%q) = %v, want a *syntax.Error", src, err)
		}
	}
}
