package sparksql_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/spark"
	"github.com/nectar-dev/nectar/sparksql"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

func TestReadJSON(t *testing.T) {
	cases := []struct {
		pattern string
		isDir   bool
		want    sparksql.Read
		err     error
	}{
		{"/data/a.jsonl", false, sparksql.Read{Format: "json", Path: "/data/a.jsonl"}, nil},
		{"/data/logs", true, sparksql.Read{Format: "json", Path: "/data/logs", Recursive: true}, nil},
		{"/data/*.jsonl", false, sparksql.Read{Format: "json", Path: "/data/*.jsonl"}, nil},
		{"/data/**/*.gz", false, sparksql.Read{Format: "json", Path: "/data", Recursive: true, GlobFilter: "*.gz"}, nil},
		{"/data/**", false, sparksql.Read{Format: "json", Path: "/data", Recursive: true}, nil},
		{"s3://bucket/segment-logs/**/*.gz", false, sparksql.Read{Format: "json", Path: "s3a://bucket/segment-logs", Recursive: true, GlobFilter: "*.gz"}, nil},
		{"s3://bucket/segment-logs/src/*/x.gz", false, sparksql.Read{Format: "json", Path: "s3a://bucket/segment-logs/src/*/x.gz"}, nil},
		{"/data/**/2024/*.gz", false, sparksql.Read{}, sparksql.ErrUnsupported},
		{"/data/*/**/*.gz", false, sparksql.Read{}, sparksql.ErrUnsupported},
		{"/data/x**/*.gz", false, sparksql.Read{}, sparksql.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			got, err := sparksql.ReadJSON(c.pattern, c.isDir)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ReadJSON(%q) = %+v, %v; want %+v", c.pattern, got, err, c.want)
			}
		})
	}
}

// compile binds query against t (testdata/t.jsonl) as the Spark engine does
// and compiles it, without a server.
func compile(t *testing.T, query string) (*sparksql.Query, error) {
	t.Helper()
	dir := t.TempDir()
	data := `{"id":1,"g":"a","v":2.5,"ok":true,"properties":{"price":10,"recommender":{"variant":"A"},"products":[{"sku":"s1","price":1.5}]},"context":{"page":{"url":"/x"}}}
{"id":2,"g":"b","v":1,"ok":false,"properties":{"price":4,"products":[]},"context":{"page":{"url":"/y"}}}
`
	if err := os.WriteFile(filepath.Join(dir, "t.jsonl"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	// ExplainOnly: the sources as Spark reads them, without a server.
	e := engine.New(engine.Options{Dir: dir, Backend: spark.NewBackend("sc://127.0.0.1:1"), ExplainOnly: true})
	e.DefineSource("t", "read_json", "t.jsonl")
	q, err := syntax.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.Plan(context.Background(), q)
	if err != nil {
		return nil, err
	}
	return sparksql.Compile(n)
}

// TestCompileShapes checks the parts of the generated SQL that carry
// nectar's meaning; the corpus on a real server checks the answers.
func TestCompileShapes(t *testing.T) {
	cases := []struct {
		name, query string
		want        []string // substrings of the whole script
	}{
		{"nested paths become a struct schema",
			"SELECT properties.recommender.variant AS v, context.page.url FROM t",
			[]string{"`properties` STRUCT<`recommender`: STRUCT<`variant`: STRING>>", "`context`.`page`.`url` AS c", "AS `v`", "AS `url`"}},
		{"array subscripts read NULL past the end",
			"SELECT properties.products[0].price AS p FROM t",
			[]string{"ARRAY<STRUCT<`price`: DOUBLE>>", "get(`properties`.`products`, 0).`price`"}},
		{"an object read whole and in parts is a STRUCT and a field of it",
			"SELECT properties.recommender AS r, properties.recommender.variant AS v FROM t",
			[]string{"`recommender`: STRUCT<variant: STRING>", "`properties`.`recommender`.`variant` AS c"}},
		{"LATERAL VIEW explode and a lambda",
			"SELECT p.price, transform(properties.products, x -> x.price * 2) AS d FROM t LATERAL VIEW OUTER explode(properties.products) g AS p",
			[]string{"LATERAL VIEW OUTER explode(c0)", "transform(c0, lv0 -> CAST(((lv0).`price` * 2e+00D) AS DOUBLE))"}},
		{"constructors and element access",
			"SELECT named_struct('a', id, 'b', array(v, 2))['b'] AS x, map('k', id)['k'] AS y, array(1, 2)[id] AS z FROM t",
			[]string{"named_struct('a', c", "map('k', c", "[CAST(c0 AS INT)]"}},
		{"literals keep nectar's types",
			"SELECT id + 1 AS a, v * 1.5 AS b, 'it''s' AS c FROM t",
			[]string{"1L", "1.5e+00D", `'it\'s'`}},
		{"division is DOUBLE",
			"SELECT id / 2 AS d FROM t",
			[]string{"AS DOUBLE) / CAST(2e+00D AS DOUBLE))"}},
		{"sort keeps NULL placement",
			"SELECT id FROM t ORDER BY g DESC, id",
			[]string{"DESC NULLS LAST", "ASC NULLS FIRST"}},
		{"approx_count_distinct is exact",
			"SELECT approx_count_distinct(g) AS n FROM t",
			[]string{"count(DISTINCT c0)"}},
		{"min_by and max_by break ties on the value and skip NULL orderings",
			"SELECT g, min_by(v, id) AS lo, max_by(v, id) FILTER (WHERE id > 0) AS hi FROM t GROUP BY g",
			[]string{"min_by(c2, CASE WHEN (c0) IS NOT NULL THEN struct(c0, c2) END)", "max_by(c2, CASE WHEN (c0) IS NOT NULL THEN struct(c0, c2) END) FILTER (WHERE"}},
		{"window frames are explicit",
			"SELECT id, sum(v) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t",
			[]string{"ROWS BETWEEN 1 PRECEDING AND CURRENT ROW"}},
		{"ranking windows take no frame, offsets are INT",
			"SELECT lag(v, 2) OVER (ORDER BY id) AS l, row_number() OVER (ORDER BY id) AS r FROM t",
			[]string{"lag(c", ", 2) OVER (ORDER BY", "row_number() OVER (ORDER BY c0 ASC NULLS FIRST)"}},
		{"intervals are Spark literals of their type; RANGE offsets keep theirs",
			"SELECT id, INTERVAL 1 DAY 2 HOURS * 1.5 AS i, count(*) OVER (ORDER BY CAST(id AS DATE) RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) AS n FROM t",
			[]string{"(INTERVAL '1 02' DAY TO HOUR * CAST(1.5e+00D AS DECIMAL(38, 18)))", "RANGE BETWEEN INTERVAL '1' DAY PRECEDING AND CURRENT ROW"}},
		{"timestampadd's unit is a word",
			"SELECT timestampadd(HOUR, 1, CAST(id AS TIMESTAMP)) AS t, try_add(INTERVAL 1 MONTH, INTERVAL 2 MONTH) AS m FROM t",
			[]string{"timestampadd(HOUR, 1L, ", "try_add(INTERVAL '1' MONTH, INTERVAL '2' MONTH)"}},
		{"semi join",
			"SELECT id FROM t LEFT SEMI JOIN t AS u ON t.id = u.id",
			[]string{"LEFT SEMI JOIN"}},
		{"set operations say DISTINCT or ALL",
			"SELECT g FROM t UNION SELECT g FROM t",
			[]string{"UNION DISTINCT"}},
		{"hidden columns come from the file name",
			"SELECT _file, _received_day FROM t",
			[]string{"input_file_name()", "date_from_unix_date"}},
		{"a cast to INT keeps INT's range, then widens to nectar's BIGINT",
			"SELECT TRY_CAST(g AS INT) AS a, CAST(g AS SMALLINT) AS b, CAST(g AS BIGINT) AS c FROM t",
			[]string{"CAST(TRY_CAST(c0 AS INT) AS BIGINT)", "CAST(CAST(c0 AS SMALLINT) AS BIGINT)", "CAST(c0 AS BIGINT)"}},
		{"QUALIFY filters above the window",
			"SELECT g, row_number() OVER w AS r FROM t QUALIFY r = 1 WINDOW w AS (PARTITION BY g ORDER BY id)",
			[]string{"row_number() OVER (PARTITION BY c1 ORDER BY c0", ") t2 WHERE (c2 = 1L)"}},
		{"LIKE ANY is the OR of the LIKEs",
			"SELECT g FROM t WHERE g LIKE ANY ('a%', 'b%')",
			[]string{"LIKE 'a%'", " OR ", "LIKE 'b%'"}},
		{"NATURAL JOIN is an equi-join on the common columns",
			"SELECT * FROM t NATURAL JOIN t AS u",
			[]string{" JOIN ", " ON "}},
		{"PIVOT is a grouping with filtered aggregates",
			"SELECT * FROM (SELECT g, id, v FROM t) PIVOT (sum(v) FOR id IN (1 AS one, 2))",
			[]string{"GROUP BY", "sum(", "FILTER (WHERE", "CASE WHEN"}},
		{"UNPIVOT is inline over an array of structs",
			"SELECT * FROM (SELECT g, id, v FROM t) UNPIVOT (x FOR k IN (id, v))",
			[]string{"inline(array(named_struct(", "'id'", "IS NULL"}},
		{"ILIKE is lower(x) LIKE lower(p), Spark's own definition",
			"SELECT g ILIKE 'A%' AS m FROM t",
			[]string{"lower(c0)", "LIKE 'a%'"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := compile(t, c.query)
			if err != nil {
				t.Fatal(err)
			}
			s := q.String()
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("missing %q in\n%s", w, s)
				}
			}
		})
	}
}

func TestCompileUnsupported(t *testing.T) {
	for _, query := range []string{
		"SELECT _line FROM t",
	} {
		_, err := compile(t, query)
		var ue *sparksql.UnsupportedError
		if !errors.Is(err, sparksql.ErrUnsupported) || !errors.As(err, &ue) || ue.Construct == "" {
			t.Errorf("%s: err = %v, want an UnsupportedError", query, err)
		}
	}
}

// opaque is a source Spark cannot read (not sparksql.Readable).
type opaque struct{}

func (opaque) Columns() []plan.SourceColumn      { return []plan.SourceColumn{{Name: "x", Kind: types.Int}} }
func (opaque) Resolve(string) (types.Kind, bool) { return 0, false }
func (opaque) String() string                    { return "opaque()" }
func (opaque) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return nil, errors.New("not used")
}

func TestCompileUnreadableSource(t *testing.T) {
	n := &plan.Scan{Source: opaque{}, Columns: opaque{}.Columns()}
	if _, err := sparksql.Compile(n); !errors.Is(err, sparksql.ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
}

func TestLiteralsRoundTrip(t *testing.T) {
	// A Project of constants over OneRow shows each literal's text.
	vals := []struct {
		v    types.Value
		want string
	}{
		{types.IntValue(-9223372036854775808), "CAST('-9223372036854775808' AS BIGINT)"},
		{types.FloatValue(1e20), "1e+20D"},
		{types.StringValue("a\\b\n"), `'a\\b\n'`},
		{types.DateValue(1), "DATE_FROM_UNIX_DATE(1)"},
		{types.Value{K: types.Timestamp, I: 1500}, "TIMESTAMP_MICROS(1500L)"},
		{types.NullValue, "NULL"},
	}
	for _, c := range vals {
		n := &plan.Project{Input: &plan.OneRow{}, Exprs: []plan.Expr{&plan.Const{V: c.v}}, Names: []string{"x"}}
		q, err := sparksql.Compile(n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(q.SQL, c.want+" AS c0") {
			t.Errorf("%v: want %s in %s", c.v, c.want, q.SQL)
		}
	}
}
