package bench

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// duckSession puts DuckDB on the same footing as nectar: UTC for hour() and
// Spark's NULL ordering, so sorted text results compare equal.
var duckSession = []string{
	"SET TimeZone = 'UTC'",
	"SET default_null_order = 'nulls_first_on_asc_last_on_desc'",
}

// RunDuckDB runs query on a fresh in-memory DuckDB limited to threads
// threads and writes its rows to w as CSV with a header, the shape nectar's
// --format csv has. It is the body of the duckdb-worker subcommand, which
// runs in its own process so that its peak RSS can be measured apart.
func RunDuckDB(ctx context.Context, query string, threads int, w io.Writer) error {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect duckdb: %w", err)
	}
	defer conn.Close()
	setup := append([]string{fmt.Sprintf("SET threads = %d", threads)}, duckSession...)
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb %q: %w", s, err)
		}
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("duckdb query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("duckdb columns: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	dest := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	rec := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("duckdb scan: %w", err)
		}
		for i, v := range dest {
			rec[i] = duckText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duckdb rows: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

// DuckDBVersion reports the linked DuckDB library's version.
func DuckDBVersion(ctx context.Context) (string, error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return "", fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("duckdb version: %w", err)
	}
	return v, nil
}

// duckText renders a value the way nectar's CSV writer does where it
// matters for comparison: NULL is empty, timestamps are ISO-8601 UTC.
// Numbers are normalised again by Normalize, so their spelling is free.
func duckText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	default:
		return fmt.Sprint(x)
	}
}
