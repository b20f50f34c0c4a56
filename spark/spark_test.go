package spark_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/nectar-dev/nectar/spark"
	"github.com/nectar-dev/nectar/types"
)

// table builds a one-row-group Arrow table of the given columns.
func table(t *testing.T, fields []arrow.Field, build func(b *array.RecordBuilder)) arrow.Table {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	build(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
}

func TestConvert(t *testing.T) {
	fields := []arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "n", Type: arrow.Null, Nullable: true},
	}
	tbl := table(t, fields, func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int32Builder).AppendValues([]int32{7, 0}, []bool{true, false})
		b.Field(1).(*array.Int64Builder).AppendValues([]int64{-1, 1 << 40}, nil)
		b.Field(2).(*array.Float64Builder).AppendValues([]float64{1.5, 0}, []bool{true, false})
		b.Field(3).(*array.StringBuilder).AppendValues([]string{"x", ""}, []bool{true, true})
		b.Field(4).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
		b.Field(5).(*array.Date32Builder).AppendValues([]arrow.Date32{17928, 0}, nil)
		b.Field(6).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1548999900123000, -1}, nil)
		b.Field(7).(*array.NullBuilder).AppendNulls(2)
	})
	defer tbl.Release()
	schema := types.Schema{{Name: "i32", Kind: types.Int}, {Name: "i64", Kind: types.Int}, {Name: "f", Kind: types.Float},
		{Name: "s", Kind: types.String}, {Name: "b", Kind: types.Bool}, {Name: "d", Kind: types.Date},
		{Name: "ts", Kind: types.Timestamp}, {Name: "n", Kind: types.Null}}
	batches, err := spark.Convert(tbl, schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || batches[0].Len != 2 {
		t.Fatalf("got %d batches", len(batches))
	}
	want := [][]types.Value{
		{types.IntValue(7), types.IntValue(-1), types.FloatValue(1.5), types.StringValue("x"), types.BoolValue(true),
			types.DateValue(17928), {K: types.Timestamp, I: 1548999900123000}, types.NullValue},
		{types.NullValue, types.IntValue(1 << 40), types.NullValue, types.StringValue(""), types.BoolValue(false),
			types.DateValue(0), {K: types.Timestamp, I: -1}, types.NullValue},
	}
	for i, w := range want {
		got := batches[0].Row(nil, i)
		for j := range w {
			if got[j] != w[j] {
				t.Errorf("row %d col %s: got %#v, want %#v", i, schema[j].Name, got[j], w[j])
			}
		}
	}
}

func TestConvertRejects(t *testing.T) {
	fields := []arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}
	tbl := table(t, fields, func(b *array.RecordBuilder) { b.Field(0).(*array.StringBuilder).Append("x") })
	defer tbl.Release()
	cases := []struct {
		name   string
		schema types.Schema
	}{
		{"kind mismatch", types.Schema{{Name: "s", Kind: types.Int}}},
		{"column count", types.Schema{{Name: "s", Kind: types.String}, {Name: "t", Kind: types.String}}},
	}
	for _, c := range cases {
		if _, err := spark.Convert(tbl, c.schema); !errors.Is(err, spark.ErrType) {
			t.Errorf("%s: err = %v, want ErrType", c.name, err)
		}
	}
}

func TestConnectRejectsNonURL(t *testing.T) {
	for _, u := range []string{"", "local", "http://h:15002", "host:15002"} {
		if _, err := spark.Connect(t.Context(), u, nil); !errors.Is(err, spark.ErrConnect) {
			t.Errorf("Connect(%q) = %v, want ErrConnect", u, err)
		}
	}
}

// TestSparkSessionRoundTrip runs SQL on a real server: Spark's types come back
// as nectar kinds, in UTC.
func TestSparkSessionRoundTrip(t *testing.T) {
	url := os.Getenv("NECTAR_SPARK")
	if url == "" {
		t.Skip("NECTAR_SPARK is not set: run scripts/spark-test.sh or set NECTAR_SPARK=sc://host:15002")
	}
	s, err := spark.Connect(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	schema := types.Schema{{Name: "i", Kind: types.Int}, {Name: "ts", Kind: types.Timestamp}, {Name: "d", Kind: types.Float}, {Name: "tz", Kind: types.String}}
	bs, err := s.Query(t.Context(), "SELECT length('abc'), TIMESTAMP '2019-02-01 13:05:00.123', 1.25, current_timezone()", schema)
	if err != nil {
		t.Fatal(err)
	}
	got := bs[0].Row(nil, 0)
	want := []types.Value{types.IntValue(3), {K: types.Timestamp, I: 1549026300123000}, types.FloatValue(1.25), types.StringValue("UTC")}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %s: got %v, want %v", schema[i].Name, got[i], want[i])
		}
	}
}

// TestTokenNeverInErrors: a Spark Connect token never appears in an error,
// however the connection fails (the client library quotes the URL whole).
func TestTokenNeverInErrors(t *testing.T) {
	const secret = "TOKEN-MARKER-7f3a"
	for _, url := range []string{
		"sc://127.0.0.1:notaport/;token=" + secret,
		"sc://127.0.0.1:1/;token=" + secret + ";user_id=me",
		"http://127.0.0.1:1/;token=" + secret,
	} {
		_, err := spark.Connect(t.Context(), url, nil)
		if err == nil {
			t.Fatalf("%s: connected", url)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the token: %v", err)
		}
		if !errors.Is(err, spark.ErrConnect) {
			t.Errorf("%v is not ErrConnect", err)
		}
	}
}

// TestSparkConf: settings given by the user reach the session (a runtime
// SQL setting, a Hadoop credential for s3a://), a setting fixed at the
// server's start is refused with how to give it, a credential's value
// never appears in an error, and reading s3a:// on a Spark without the
// Hadoop S3 connector says which package to add.
func TestSparkConf(t *testing.T) {
	url := os.Getenv("NECTAR_SPARK")
	if url == "" {
		t.Skip("NECTAR_SPARK is not set: run scripts/spark-test.sh or set NECTAR_SPARK=sc://host:15002")
	}
	const secret = "S3A-SECRET-MARKER-91c2"
	s, err := spark.Connect(t.Context(), url, map[string]string{
		"spark.sql.shuffle.partitions":   "3",
		"spark.hadoop.fs.s3a.secret.key": secret,
		"spark.sql.session.timeZone":     "America/New_York", // nectar's own setting wins
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	str := types.Schema{{Name: "k", Kind: types.String}, {Name: "v", Kind: types.String}}
	for key, want := range map[string]string{"spark.sql.shuffle.partitions": "3", "spark.sql.session.timeZone": "UTC"} {
		bs, err := s.Query(t.Context(), "SET "+key, str)
		if err != nil {
			t.Fatal(err)
		}
		if got := bs[0].Row(nil, 0)[1].S; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// As the backend reads read_json: a view over the path. pyspark's
	// Spark has no hadoop-aws, so this is the error users meet first.
	err = s.Exec(t.Context(), "CREATE OR REPLACE TEMPORARY VIEW s3view USING json OPTIONS (path 's3a://no-such-bucket/x.json')")
	if err == nil {
		t.Fatal("read s3a:// on a Spark without the S3 connector")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the secret: %v", err)
	}
	if !strings.Contains(err.Error(), "S3AFileSystem") || !strings.Contains(err.Error(), "hadoop-aws") {
		t.Errorf("want the missing S3AFileSystem and a hint to add hadoop-aws: %v", err)
	}

	_, err = spark.Connect(t.Context(), url, map[string]string{"spark.executor.memory": "2g"})
	if err == nil || !strings.Contains(err.Error(), "when the Spark Connect server starts") {
		t.Errorf("a static setting: %v", err)
	}
}

// Spark sends day-time intervals as Arrow durations and year-month ones
// as month intervals; they come back as the kinds the plan gave them.
func TestConvertIntervals(t *testing.T) {
	fields := []arrow.Field{
		{Name: "dt", Type: &arrow.DurationType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "ym", Type: arrow.FixedWidthTypes.MonthInterval, Nullable: true},
	}
	tbl := table(t, fields, func(b *array.RecordBuilder) {
		b.Field(0).(*array.DurationBuilder).AppendValues([]arrow.Duration{-3600000000, 0}, []bool{true, false})
		b.Field(1).(*array.MonthIntervalBuilder).AppendValues([]arrow.MonthInterval{14, 0}, []bool{true, false})
	})
	defer tbl.Release()
	hour := types.DayTimeKind(types.Hour, types.Hour)
	schema := types.Schema{{Name: "dt", Kind: hour}, {Name: "ym", Kind: types.YearMonth}}
	batches, err := spark.Convert(tbl, schema)
	if err != nil {
		t.Fatal(err)
	}
	got := batches[0].Row(nil, 0)
	if want := (types.Value{K: hour, I: -3600000000}); got[0] != want {
		t.Errorf("duration: got %#v, want %#v", got[0], want)
	}
	if want := (types.Value{K: types.YearMonth, I: 14}); got[1] != want {
		t.Errorf("month interval: got %#v, want %#v", got[1], want)
	}
	if nulls := batches[0].Row(nil, 1); !nulls[0].IsNull() || !nulls[1].IsNull() {
		t.Errorf("NULLs: got %v", nulls)
	}
}
