package stream

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/sink/memory"
)

// TestWatermarkClause runs the append-mode window test with the watermark
// given in the query (Spark's WATERMARK … DELAY OF clause) instead of
// --watermark: the late row is dropped and counted the same way.
func TestWatermarkClause(t *testing.T) {
	dir := threeFiles(t)
	q := "FROM read_json('" + dir + "') WATERMARK timestamp DELAY OF INTERVAL 30 MINUTES |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour')"
	m := memory.New("w")
	o := opts(t, q, m)
	o.Mode = Append
	o.MaxFilesPerBatch = 1
	mustRun(t, o)
	checkLateWindow(t, dir, o)
}

func TestWatermarkClauseRefused(t *testing.T) {
	dir := threeFiles(t)
	src := "FROM read_json('" + dir + "') "
	agg := " |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour')"
	tests := []struct {
		name, query string
		flag        time.Duration
	}{
		{"contradicts flag", src + "WATERMARK timestamp DELAY OF INTERVAL 30 MINUTES" + agg, time.Hour},
		{"named time", src + "WATERMARK timestamp AS et DELAY OF INTERVAL 30 MINUTES" + agg, 0},
		{"other column", src + "WATERMARK event DELAY OF INTERVAL 30 MINUTES" + agg, 0},
		{"no window", src + "WATERMARK timestamp DELAY OF INTERVAL 30 MINUTES |> AGGREGATE count(*) AS c GROUP BY event", 0},
	}
	for _, tc := range tests {
		o := opts(t, tc.query, memory.New("w"))
		o.Watermark = tc.flag
		if err := runErr(o); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err %v, want ErrUnsupported", tc.name, err)
		}
	}
}

func runErr(o Options) error { return Run(context.Background(), o) }
