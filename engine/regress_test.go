package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
)

// TestRegressions pins bugs found while hardening the engine, each with
// the query that showed it.
func TestRegressions(t *testing.T) {
	cases := []struct{ name, query, want string }{
		// start+count overflowed in the limit operator and in top-N's n+m.
		{"limit-max-offset", "SELECT id FROM t LIMIT 9223372036854775807 OFFSET 3", `{"id":4} {"id":5}`},
		{"top-n-max-offset", "SELECT id FROM t ORDER BY id DESC LIMIT 9223372036854775807 OFFSET 3", `{"id":2} {"id":1}`},
		// i+offset overflowed in window frames and read the wrong rows.
		// Offsets are INTs now, as in Spark; the largest still reads right.
		{"frame-huge-following", "SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 2147483647 FOLLOWING AND UNBOUNDED FOLLOWING) AS s FROM t ORDER BY id",
			`{"id":1,"s":null} {"id":2,"s":null} {"id":3,"s":null} {"id":4,"s":null} {"id":5,"s":null}`},
		{"frame-huge-end", "SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 2147483647 FOLLOWING) AS s FROM t ORDER BY id",
			`{"id":1,"s":22} {"id":2,"s":22} {"id":3,"s":22} {"id":4,"s":22} {"id":5,"s":22}`},
		// MinInt64 * 1 was reported as an overflow.
		{"min-int-times-one", "SELECT -9223372036854775807 - 1 AS m, (-9223372036854775807 - 1) * 1 AS p", `{"m":-9223372036854775808,"p":-9223372036854775808}`},
		// An unread window was kept (and sorted for) after pruning.
		{"unread-window", "FROM t |> EXTEND rank() OVER (ORDER BY v) AS r |> SELECT id |> ORDER BY id", `{"id":1} {"id":2} {"id":3} {"id":4} {"id":5}`},
		// A stream's WATERMARK clause was "unsupported FROM item" in a batch query.
		{"watermark-in-batch", "SELECT w.id FROM t WATERMARK CAST(v AS TIMESTAMP) DELAY OF INTERVAL 2 HOURS w WHERE w.id < 3 ORDER BY w.id", `{"id":1} {"id":2}`},
	}
	e := testEngine()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := collectLast(context.Background(), e, c.query)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(corpus.Render(res), " ")
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	// A huge MinInt64 DIV -1 must fail rather than wrap.
	if _, err := collectLast(context.Background(), e, "SELECT (-9223372036854775807 - 1) DIV -1 AS q"); err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Errorf("MinInt64 DIV -1: got %v, want an overflow error", err)
	}
}
