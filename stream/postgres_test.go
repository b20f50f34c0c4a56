package stream

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nectar-dev/nectar/sink/postgres"
	"github.com/nectar-dev/nectar/types"
)

// postgresURL returns the test server's URL or skips: the tests need a
// real PostgreSQL, which scripts/postgres-test.sh installs and starts.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("NECTAR_POSTGRES")
	if u == "" {
		t.Skip("NECTAR_POSTGRES is not set: run scripts/postgres-test.sh, which starts a throwaway PostgreSQL and runs these tests")
	}
	return u
}

// pgTable returns a table name unique to the test.
func pgTable(t *testing.T) string {
	return strings.ToLower(fmt.Sprintf("t_%s_%d", strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()), time.Now().UnixNano()%1e9))
}

// pgRows reads the table with every cell as text, sorted, like rowsText.
func pgRows(t *testing.T, url, query string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				cells[i] = "NULL"
			} else {
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestPostgresReplayAfterRowsWritten kills the stream after each batch's
// rows reached PostgreSQL but before the checkpoint committed the batch:
// the replay must not insert them again.
func TestPostgresReplayAfterRowsWritten(t *testing.T) {
	url := postgresURL(t)
	glob := genLogs(t, 6)
	q := "FROM read_json('" + glob + "') |> WHERE event = 'Product Viewed' |> SELECT messageId, userId"
	want := batchRun(t, q)
	for _, step := range []Step{StepSinkWritten, StepStateSaved} {
		t.Run(string(step), func(t *testing.T) {
			table := pgTable(t)
			o := opts(t, q, nil)
			o.MaxFilesPerBatch = 2
			crashed := map[int64]bool{}
			sink, crashes := untilDone(t, o, func() Sink {
				s, _ := postgres.New(url, table)
				return s
			}, func(s Step, b int64) bool {
				if s == step && !crashed[b] {
					crashed[b] = true
					return true
				}
				return false
			})
			if crashes < 3 {
				t.Fatalf("only %d crashes", crashes)
			}
			got := pgRows(t, url, `SELECT "messageId", "userId" FROM `+table)
			if !slices.Equal(got, want) {
				t.Errorf("table has %d rows, want %d (duplicates or losses)", len(got), len(want))
			}
			// The bookkeeping table holds each batch once, under this stream.
			id := sink.(*postgres.Sink).StreamID()
			batches := pgRows(t, url, fmt.Sprintf(`SELECT batch, mode, target FROM %s WHERE stream_id = '%s'`, postgres.BatchTable, id))
			if len(batches) != crashes || len(batches) != len(commits(t, o.Checkpoint)) {
				t.Errorf("bookkeeping rows %q, want one per batch (%d crashes, %d commits)", batches, crashes, len(commits(t, o.Checkpoint)))
			}
			for _, b := range batches {
				if !strings.HasSuffix(b, "|append|"+table) {
					t.Errorf("bookkeeping row %q", b)
				}
			}
		})
	}
}

// TestPostgresAggregationModes runs an aggregation in complete and update
// mode with random crashes; either way the table ends as the batch answer.
func TestPostgresAggregationModes(t *testing.T) {
	url := postgresURL(t)
	glob := genLogs(t, 6)
	q := "FROM read_json('" + glob + "') |> AGGREGATE count(*) AS c, count(DISTINCT userId) AS users GROUP BY event"
	want := batchRun(t, q)
	for _, mode := range []OutputMode{Complete, Update} {
		t.Run(string(mode), func(t *testing.T) {
			table := pgTable(t)
			o := opts(t, q, nil)
			o.Mode = mode
			o.MaxFilesPerBatch = 1
			n := 0
			untilDone(t, o, func() Sink {
				s, _ := postgres.New(url, table)
				return s
			}, func(s Step, b int64) bool {
				n++
				return n%5 == 0
			})
			got := pgRows(t, url, `SELECT event, c, users FROM `+table)
			if !slices.Equal(got, want) {
				t.Errorf("table\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestPostgresSinkWriteIdempotent drives the sink directly: a batch id
// delivered twice, even with different rows, is applied once; NULL keys
// upsert like any other key; types map to PostgreSQL's.
func TestPostgresSinkWriteIdempotent(t *testing.T) {
	url := postgresURL(t)
	ctx := context.Background()
	table := pgTable(t)
	schema := types.Schema{{Name: "k", Kind: types.String}, {Name: "n", Kind: types.Int},
		{Name: "x", Kind: types.Float}, {Name: "ok", Kind: types.Bool},
		{Name: "ts", Kind: types.Timestamp}, {Name: "d", Kind: types.Date}}
	s, err := postgres.New(url, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Open(ctx, SinkInfo{Schema: schema, Mode: Update, Dir: t.TempDir(), LastCommitted: -1, Keys: 1}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := types.TimestampValue(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	row := func(k types.Value, n int64) []types.Value {
		return []types.Value{k, types.IntValue(n), types.FloatValue(1.5), types.BoolValue(true), ts, types.DateValue(19844)}
	}
	steps := []struct {
		batch int64
		rows  [][]types.Value
		want  []string
	}{
		{0, [][]types.Value{row(types.StringValue("a"), 1), row(types.NullValue, 2)}, []string{"NULL|2", "a|1"}},
		{0, [][]types.Value{row(types.StringValue("a"), 99)}, []string{"NULL|2", "a|1"}}, // replay: ignored
		{1, [][]types.Value{row(types.NullValue, 3), row(types.StringValue("b"), 4)}, []string{"NULL|3", "a|1", "b|4"}},
		{1, nil, []string{"NULL|3", "a|1", "b|4"}},
	}
	for i, st := range steps {
		if err := s.Write(ctx, st.batch, st.rows); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := pgRows(t, url, `SELECT k, n FROM `+table); !slices.Equal(got, st.want) {
			t.Errorf("step %d: %q, want %q", i, got, st.want)
		}
	}
	got := pgRows(t, url, `SELECT x, ok, ts = '2024-05-01 12:00:00+00', d::text FROM `+table+` WHERE k = 'a'`)
	if want := []string{"1.5|true|true|2024-05-01"}; !slices.Equal(got, want) {
		t.Errorf("typed row %q, want %q", got, want)
	}
}

func TestPostgresSinkNeedsURLAndTable(t *testing.T) {
	for _, c := range [][2]string{{"", "t"}, {"postgres://x", ""}} {
		if _, err := postgres.New(c[0], c[1]); err == nil {
			t.Errorf("postgres.New(%q, %q) succeeded", c[0], c[1])
		}
	}
}

// TestPostgresWidensColumns: a column the stream widens after the table
// was created is altered in place, and the table ends equal to the batch
// engine's answer.
func TestPostgresWidensColumns(t *testing.T) {
	url := postgresURL(t)
	glob := driftLogs(t)
	q := "SELECT event, sum(properties.price) AS s FROM read_json('" + glob + "') GROUP BY event"
	table := pgTable(t)
	sink, err := postgres.New(url, table)
	if err != nil {
		t.Fatal(err)
	}
	o := opts(t, q, sink)
	o.MaxFilesPerBatch = 1
	mustRun(t, o)
	if got, want := pgRows(t, url, "SELECT event, s FROM "+table), []string{"Order Completed|44.99", "Product Viewed|14.5"}; !slices.Equal(got, want) {
		t.Errorf("table %q, want %q", got, want)
	}
	if got := pgRows(t, url, "SELECT data_type FROM information_schema.columns WHERE table_name = '"+table+"' AND column_name = 's'"); !slices.Equal(got, []string{"double precision"}) {
		t.Errorf("column s is %q, want double precision", got)
	}
}
