package stream

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nectar-dev/nectar/sink/memory"
)

// TestDedupKeyMatchesRowNumber streams generated logs (2% duplicate
// deliveries) with --dedup messageId through random crashes, and compares
// with the batch engine's row_number() = 1 formulation of the same dedup.
func TestDedupKeyMatchesRowNumber(t *testing.T) {
	glob := genLogs(t, 6)
	src := "read_json('" + glob + "')"
	deduped := "(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn FROM " + src + ") WHERE rn = 1)"
	tests := []struct{ name, stream, batch string }{
		{"stateless",
			"FROM " + src + " |> WHERE event = 'Product Viewed' |> SELECT messageId, userId",
			"FROM " + deduped + " |> WHERE event = 'Product Viewed' |> SELECT messageId, userId"},
		{"aggregate",
			"FROM " + src + " |> AGGREGATE count(*) AS c GROUP BY event",
			"FROM " + deduped + " |> AGGREGATE count(*) AS c GROUP BY event"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := batchRun(t, tc.batch)
			if plain := batchRun(t, tc.stream); slices.Equal(plain, want) {
				t.Fatal("the generated logs have no duplicates to drop")
			}
			o := opts(t, tc.stream, nil)
			o.DedupKey, o.MaxFilesPerBatch = "messageId", 2
			rng := rand.New(rand.NewPCG(3, 4))
			sink, _ := untilDone(t, o, func() Sink { return memory.New("t") }, func(Step, int64) bool { return rng.IntN(5) == 0 })
			if got := table(sink.(*memory.Sink)); !slices.Equal(got, want) {
				t.Errorf("%d rows, want %d", len(got), len(want))
			}
		})
	}
}

// TestDedupWithinWatermark checks Spark's dropDuplicatesWithinWatermark
// semantics batch by batch: a key is remembered until the watermark passes
// its event time + delay; rows older than the watermark are late.
func TestDedupWithinWatermark(t *testing.T) {
	dir := t.TempDir()
	ev := func(id, ts string) string { return `{"messageId":"` + id + `","timestamp":"` + ts + `"}` }
	q := "FROM read_json('" + dir + "') WATERMARK timestamp DELAY OF INTERVAL 30 MINUTES |> SELECT messageId, timestamp"
	steps := []struct {
		lines []string
		want  []string // new rows of the batch
		late  int64
	}{
		{[]string{ev("a", "2019-02-01T10:00:00Z"), ev("a", "2019-02-01T10:00:00Z"), ev("b", "2019-02-01T10:10:00Z")},
			[]string{"a|2019-02-01T10:00:00Z", "b|2019-02-01T10:10:00Z"}, 0},
		// Watermark is now 09:40: a repeat of b is a duplicate, c is new.
		{[]string{ev("b", "2019-02-01T10:10:00Z"), ev("c", "2019-02-01T11:00:00Z")},
			[]string{"c|2019-02-01T11:00:00Z"}, 0},
		// Watermark 10:30: a (expires 10:30) is kept, b (10:40) too, so a
		// b sent again at 10:35 is a duplicate; a at 10:00 is late.
		{[]string{ev("a", "2019-02-01T10:00:00Z"), ev("b", "2019-02-01T10:35:00Z"), ev("d", "2019-02-01T12:00:00Z")},
			[]string{"d|2019-02-01T12:00:00Z"}, 1},
		// Watermark 11:30 has passed b's expiry: b at 11:45 is a new row.
		{[]string{ev("b", "2019-02-01T11:45:00Z")},
			[]string{"b|2019-02-01T11:45:00Z"}, 0},
	}
	var ck string
	for i, st := range steps {
		writeLog(t, dir, "f"+string(rune('0'+i))+".json", st.lines...)
		f := memory.New("t")
		o := opts(t, q, f)
		if ck == "" {
			ck = o.Checkpoint
		}
		o.Checkpoint, o.DedupKey = ck, "messageId"
		mustRun(t, o)
		_, rows, _ := f.Table()
		all := rowsText(rows)
		cs := commits(t, ck)
		last := cs[len(cs)-1]
		if last.Late != st.late {
			t.Errorf("batch %d: %d late rows, want %d", i, last.Late, st.late)
		}
		if got := int(last.RowsOut); got != len(st.want) {
			t.Errorf("batch %d: %d rows out, want %d (%q)", i, got, len(st.want), st.want)
		}
		for _, w := range st.want {
			if !slices.Contains(all, w) {
				t.Errorf("batch %d: table lacks %s", i, w)
			}
		}
	}
}

func TestSelectDistinctStream(t *testing.T) {
	dir := threeFiles(t)
	q := "SELECT DISTINCT event FROM read_json('" + dir + "')"
	m := memory.New("t")
	o := opts(t, q, m)
	o.MaxFilesPerBatch = 1
	mustRun(t, o)
	if got, want := table(m), batchRun(t, q); !slices.Equal(got, want) {
		t.Errorf("table %q, want %q", got, want)
	}
}

func TestRowNumberShapeRefused(t *testing.T) {
	dir := threeFiles(t)
	q := "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY timestamp) AS rn FROM read_json('" + dir + "')) WHERE rn = 1"
	if err := runErr(opts(t, q, memory.New("t"))); !errors.Is(err, ErrUnsupported) {
		t.Errorf("err %v, want ErrUnsupported", err)
	}
}
