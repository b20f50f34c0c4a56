package oracle

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/types"
)

// duckHarness runs corpus cases on a fresh in-memory DuckDB database each.
type duckHarness struct{}

var _ corpus.Harness = duckHarness{}

// session puts DuckDB in Spark's shoes where a setting can: Spark sorts
// NULLs first for ASC and last for DESC; DuckDB's default is NULLS LAST.
var session = []string{
	"SET default_null_order = 'nulls_first_on_asc_last_on_desc'",
	"SET TimeZone = 'UTC'",
}

func (duckHarness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect duckdb: %w", err)
	}
	defer conn.Close()
	setup := append([]string{}, session...)
	setup = append(setup, fmt.Sprintf("SET file_search_path = '%s'", dir))
	for name, path := range inputs {
		setup = append(setup, fmt.Sprintf(
			"CREATE VIEW %s AS SELECT * FROM read_json('%s', format = 'newline_delimited')", name, path))
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("setup %q: %w", s, err)
		}
	}
	stmts := splitStatements(rewrite(script))
	if len(stmts) == 0 {
		return nil, fmt.Errorf("empty script")
	}
	for _, s := range stmts[:len(stmts)-1] {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, translate(err)
		}
	}
	last := stmts[len(stmts)-1]
	res, nested, err := query(ctx, conn, last)

	if err != nil {
		return nil, translate(err)
	}
	if len(nested) == 0 {
		return res, nil
	}
	// database/sql hands STRUCTs back as Go maps, which lose field order;
	// DuckDB's own to_json keeps it, so nested columns are re-selected
	// through it.
	cols := make([]string, len(res.Schema))
	for i, c := range res.Schema {
		q := `"` + strings.ReplaceAll(c.Name, `"`, `""`) + `"`
		cols[i] = q
		if _, ok := nested[i]; ok {
			cols[i] = "to_json(" + q + ")::VARCHAR AS " + q
		}
	}
	wrapped := "SELECT " + strings.Join(cols, ", ") + " FROM (" + last + ") AS _oracle"
	res2, _, err := query(ctx, conn, wrapped)
	if err != nil {
		return nil, fmt.Errorf("re-select nested columns: %w", err)
	}
	// The JSON text becomes the nested value of the column's type, so
	// that ARRAYs, MAPs and STRUCTs compare as nectar's do.
	for i, typeName := range nested {
		k, ok := duckNested(typeName)
		if !ok {
			continue
		}
		res2.Schema[i].Kind = k
		for _, row := range res2.Rows {
			if !row[i].IsNull() {
				row[i] = functions.FromJSON(row[i].S, k)
			}
		}
	}
	return res2, nil
}

// duckNested reads a DuckDB nested type name (VARCHAR[], STRUCT("a"
// BIGINT, b VARCHAR), MAP(VARCHAR, INTEGER)) as nectar's kind.
func duckNested(name string) (types.Kind, bool) {
	name = strings.TrimSpace(name)
	switch {
	case strings.HasSuffix(name, "[]"):
		e, ok := duckNested(strings.TrimSuffix(name, "[]"))
		return types.ArrayOf(e), ok
	case strings.HasPrefix(name, "MAP(") && strings.HasSuffix(name, ")"):
		parts := splitTop(name[len("MAP(") : len(name)-1])
		if len(parts) != 2 {
			return types.Null, false
		}
		k, ok1 := duckNested(parts[0])
		v, ok2 := duckNested(parts[1])
		return types.MapOf(k, v), ok1 && ok2
	case strings.HasPrefix(name, "STRUCT(") && strings.HasSuffix(name, ")"):
		var fields []types.Field
		for _, p := range splitTop(name[len("STRUCT(") : len(name)-1]) {
			p = strings.TrimSpace(p)
			var fname, rest string
			if strings.HasPrefix(p, `"`) {
				end := strings.Index(p[1:], `"`)
				if end < 0 {
					return types.Null, false
				}
				fname, rest = p[1:end+1], p[end+2:]
			} else {
				fname, rest, _ = strings.Cut(p, " ")
			}
			k, ok := duckNested(rest)
			if !ok {
				return types.Null, false
			}
			fields = append(fields, types.Field{Name: fname, Kind: k})
		}
		return types.StructOf(fields...), true
	}
	k, nestedScalar := kindOf(name)
	return k, !nestedScalar
}

// splitTop splits a type list at its top-level commas.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// query runs one statement and converts its rows; nested gives the type
// of the columns that hold STRUCT, LIST or MAP values.
func query(ctx context.Context, conn *sql.Conn, stmt string) (*corpus.Result, map[int]string, error) {
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	res := &corpus.Result{Schema: make(types.Schema, len(cts))}
	nested := map[int]string{}
	for i, ct := range cts {
		kind, isNested := kindOf(ct.DatabaseTypeName())
		res.Schema[i] = types.Column{Name: ct.Name(), Kind: kind}
		if isNested {
			nested[i] = ct.DatabaseTypeName()
		}
	}
	dest := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]types.Value, len(dest))
		for i, d := range dest {
			row[i] = toValue(d, res.Schema[i].Kind)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nested, rows.Err()
}

// kindOf maps a DuckDB type name to nectar's kind.
func kindOf(name string) (types.Kind, bool) {
	switch {
	case strings.HasPrefix(name, "STRUCT"), strings.HasPrefix(name, "MAP"),
		strings.HasSuffix(name, "]"), strings.HasPrefix(name, "UNION"):
		return types.String, true
	case strings.HasPrefix(name, "DECIMAL"), name == "DOUBLE", name == "FLOAT":
		return types.Float, false
	case strings.HasSuffix(name, "INT"), name == "BIGINT", name == "INTEGER", name == "HUGEINT",
		name == "SMALLINT", name == "TINYINT", name == "UHUGEINT":
		return types.Int, false
	case name == "BOOLEAN":
		return types.Bool, false
	case name == "DATE":
		return types.Date, false
	case strings.HasPrefix(name, "TIMESTAMP"):
		return types.Timestamp, false
	case name == "NULL", name == "\"NULL\"":
		return types.Null, false
	}
	return types.String, false
}

func toValue(d any, kind types.Kind) types.Value {
	switch x := d.(type) {
	case nil:
		return types.NullValue
	case bool:
		return types.BoolValue(x)
	case int8:
		return types.IntValue(int64(x))
	case int16:
		return types.IntValue(int64(x))
	case int32:
		return types.IntValue(int64(x))
	case int64:
		return types.IntValue(x)
	case uint8:
		return types.IntValue(int64(x))
	case uint16:
		return types.IntValue(int64(x))
	case uint32:
		return types.IntValue(int64(x))
	case uint64:
		return types.IntValue(int64(x))
	case *big.Int:
		return types.IntValue(x.Int64())
	case float32:
		return types.FloatValue(float64(x))
	case float64:
		return types.FloatValue(x)
	case duckdb.Decimal:
		return types.FloatValue(x.Float64())
	case string:
		return types.StringValue(x)
	case []byte:
		return types.StringValue(string(x))
	case time.Time:
		if kind == types.Date {
			return types.DateValue(x.UTC().Unix() / 86400)
		}
		return types.TimestampValue(x)
	case driver.Valuer:
		v, err := x.Value()
		if err == nil {
			return toValue(v, kind)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return types.StringValue(fmt.Sprint(d))
	}
	return types.StringValue(string(b))
}

// splitStatements splits a script on ';' outside quotes and comments.
func splitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			for i < len(script) && script[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
			continue
		case c == ';':
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// rewrites are the oracle's only edits to query text: places where Spark and
// DuckDB spell the same operation differently. Semantics must be identical,
// or the case belongs in differences instead. Keep this list short; the
// README lists it.
var rewrites = []struct {
	re   *regexp.Regexp
	repl string
	why  string
}{
	{regexp.MustCompile(`(?i)\bLEFT\s+SEMI\s+JOIN\b`), "SEMI JOIN", "DuckDB spells LEFT SEMI JOIN as SEMI JOIN"},
	{regexp.MustCompile(`(?i)\bLEFT\s+ANTI\s+JOIN\b`), "ANTI JOIN", "DuckDB spells LEFT ANTI JOIN as ANTI JOIN"},
	{regexp.MustCompile(`(?i)([\w.]+)\s+RLIKE\s+('[^']*')`), "regexp_matches($1, $2)", "DuckDB has no RLIKE operator; regexp_matches is the same unanchored search"},
	{regexp.MustCompile(`(?i)\bpercentile_approx\(`), "quantile_disc(", "Spark's percentile_approx returns the smallest input value whose rank is at least p·n, which on small inputs is exactly DuckDB's quantile_disc"},
	{regexp.MustCompile(`(?i)\bevery\(`), "bool_and(", "DuckDB has bool_and but not Spark's synonym every"},
	{regexp.MustCompile(`(?i)\b(some|any)\(`), "bool_or(", "DuckDB has bool_or but not Spark's synonyms some and any"},
	{regexp.MustCompile(`<=>`), "IS NOT DISTINCT FROM", "DuckDB spells Spark's null-safe equality <=> as IS NOT DISTINCT FROM"},
	{regexp.MustCompile("`"), `"`, "DuckDB quotes identifiers with \" where Spark uses backticks"},
	{regexp.MustCompile(`(?i)\b(current_timestamp|current_date)\(\)`), "$1", "DuckDB spells current_timestamp() and current_date() without parentheses"},
}

func rewrite(script string) string {
	for _, r := range rewrites {
		script = r.re.ReplaceAllString(script, r.repl)
	}
	return script
}

// errorPhrases translate DuckDB's error messages into the short, stable
// phrases the corpus expects from nectar, so error cases are checked too.
// Each entry pairs a DuckDB message pattern with the nectar phrase.
var errorPhrases = []struct {
	re     *regexp.Regexp
	phrase string
}{
	{regexp.MustCompile(`Referenced column .* not found|Values list .* does not have a column named`), "unknown column"},
	{regexp.MustCompile(`Table with name .* does not exist`), "unknown table"},
	{regexp.MustCompile(`Could not find key .* in struct`), "FIELD_NOT_FOUND"},
	{regexp.MustCompile(`Function with name .* does not exist`), "unknown function"},
	{regexp.MustCompile(`No function matches the given name and argument types`), "expects"},
	{regexp.MustCompile(`Parser Error`), "syntax error"},
	{regexp.MustCompile(`Conversion Error`), "cannot cast"},
	{regexp.MustCompile(`(?i)division by zero`), "division by zero"},
	{regexp.MustCompile(`must appear in the GROUP BY clause`), "must be aggregated"},
	{regexp.MustCompile(`GROUP BY term out of range`), "GROUP BY position"},
}

func translate(err error) error {
	for _, p := range errorPhrases {
		if p.re.MatchString(err.Error()) {
			return fmt.Errorf("%s: %w", p.phrase, err)
		}
	}
	return err
}
