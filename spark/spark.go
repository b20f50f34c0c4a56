package spark

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	sc "github.com/apache/spark-connect-go/spark/sql"

	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/types"
)

// ErrConnect is wrapped by errors opening a session.
var ErrConnect = errors.New("cannot reach Spark Connect")

// ErrType is wrapped when a result column has an Arrow type nectar cannot
// hold in the kind the plan promised.
var ErrType = errors.New("unexpected Spark result type")

// Session is one Spark Connect session.
type Session struct {
	url     string
	secrets []string // the URL's token and secret-looking settings' values, hidden in errors
	s       sc.SparkSession
}

// IsURL reports whether s names a Spark Connect endpoint (sc://…).
func IsURL(s string) bool { return strings.HasPrefix(s, "sc://") }

// Connect opens a session on url, sc://host:port[/;token=…;user_id=…], and
// applies sqlconf.Fixed, so that Spark computes as nectar does: timestamps
// in UTC, ANSI mode failing on overflow and bad casts (Spark 4's default,
// made explicit for servers configured otherwise).
func Connect(ctx context.Context, url string, conf map[string]string) (*Session, error) {
	if !IsURL(url) {
		return nil, fmt.Errorf("%w: %q is not an sc://host:port URL", ErrConnect, redact(url))
	}
	secrets := []string{token(url)}
	for k, v := range conf {
		if sqlconf.Secret(k) {
			secrets = append(secrets, v)
		}
	}
	s, err := sc.NewSessionBuilder().Remote(url).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w", ErrConnect, redact(url), hide(err, secrets))
	}
	sess := &Session{url: url, secrets: secrets, s: s}
	// The user's settings first, so that ours win: answers must not
	// change with the cluster's time zone or ANSI mode.
	for _, k := range slices.Sorted(maps.Keys(conf)) {
		if err := s.Config().Set(ctx, k, conf[k]); err != nil {
			err = hide(err, secrets)
			if strings.Contains(err.Error(), "CANNOT_MODIFY_CONFIG") || strings.Contains(err.Error(), "static config") {
				return nil, fmt.Errorf("spark: set %s: %w\n  hint: %s is fixed when the Spark Connect server starts: give it there (--conf %s=…)", k, err, k, k)
			}
			return nil, fmt.Errorf("spark: set %s: %w", k, err)
		}
	}
	for k, v := range sqlconf.Fixed {
		if err := s.Config().Set(ctx, k, v); err != nil {
			return nil, fmt.Errorf("%w at %s: set %s: %w", ErrConnect, redact(url), k, hide(err, secrets))
		}
	}
	return sess, nil
}

// explain adds what to do to the Spark errors users meet first.
func explain(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "S3AFileSystem") && (strings.Contains(msg, "ClassNotFound") || strings.Contains(msg, "not found")) {
		return fmt.Errorf("%w\n  hint: this Spark cannot read s3a:// paths: start the Spark Connect server with the Hadoop S3 connector matching its Hadoop version, e.g. --packages org.apache.hadoop:hadoop-aws:3.4.1 (docs/SPARK.md)", err)
	}
	return err
}

// token returns the token=… parameter of a Spark Connect URL, or "".
func token(url string) string {
	i := strings.Index(url, "token=")
	if i < 0 {
		return ""
	}
	t := url[i+len("token="):]
	if j := strings.IndexByte(t, ';'); j >= 0 {
		t = t[:j]
	}
	return t
}

// hide returns err with each secret replaced in its text: the client
// library puts the whole URL in its messages, and Spark may quote a
// setting. errors.Is still sees err.
func hide(err error, secrets []string) error {
	var found []string
	for _, t := range secrets {
		if err != nil && t != "" && strings.Contains(err.Error(), t) {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return err
	}
	return &secretsHidden{err: err, secrets: found}
}

type secretsHidden struct {
	err     error
	secrets []string
}

func (e *secretsHidden) Error() string {
	msg := e.err.Error()
	for _, t := range e.secrets {
		msg = strings.ReplaceAll(msg, t, "…")
	}
	return msg
}
func (e *secretsHidden) Unwrap() error { return e.err }

// redact hides a token in url, for error messages.
func redact(url string) string {
	i := strings.Index(url, "token=")
	if i < 0 {
		return url
	}
	j := strings.IndexByte(url[i:], ';')
	if j < 0 {
		return url[:i] + "token=…"
	}
	return url[:i] + "token=…" + url[i+j:]
}

// Close ends the session.
func (s *Session) Close() error { return s.s.Stop() }

// Exec runs a statement whose result is not needed (CREATE VIEW).
func (s *Session) Exec(ctx context.Context, stmt string) error {
	if _, err := s.s.Sql(ctx, stmt); err != nil {
		return fmt.Errorf("spark: %w", explain(hide(err, s.secrets)))
	}
	return nil
}

// Query runs q and converts its rows to schema, the kinds nectar's plan
// promised; Spark's names are ignored, its column count must match.
func (s *Session) Query(ctx context.Context, q string, schema types.Schema) ([]*types.Batch, error) {
	df, err := s.s.Sql(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("spark: %w", explain(hide(err, s.secrets)))
	}
	tbl, err := df.ToArrow(ctx)
	if err != nil {
		return nil, fmt.Errorf("spark: %w", explain(hide(err, s.secrets)))
	}
	defer (*tbl).Release()
	return Convert(*tbl, schema)
}

// Column is one column of a result's schema as Spark reports it.
type Column struct {
	Name string
	Type arrow.DataType
}

// Convert turns an Arrow table into batches of the given schema, one per
// record batch. Timestamps become UTC microseconds, dates days, and
// integers of every width BIGINT.
func Convert(tbl arrow.Table, schema types.Schema) ([]*types.Batch, error) {
	if int(tbl.NumCols()) != len(schema) {
		return nil, fmt.Errorf("%w: Spark returned %d columns, the plan has %d", ErrType, tbl.NumCols(), len(schema))
	}
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	var out []*types.Batch
	for tr.Next() {
		rec := tr.RecordBatch()
		n := int(rec.NumRows())
		b := types.NewBatch(schema, n)
		for j, col := range schema {
			if err := appendArrow(b.Cols[j], rec.Column(j), col.Kind); err != nil {
				return nil, fmt.Errorf("column %s: %w", col.Name, err)
			}
		}
		b.Len = n
		out = append(out, b)
	}
	return out, tr.Err()
}

func appendArrow(dst *types.Vector, arr arrow.Array, k types.Kind) error {
	n := arr.Len()
	if k == types.Null {
		for i := 0; i < n; i++ {
			dst.AppendNull()
		}
		return nil
	}
	get, err := reader(arr, k)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			dst.AppendNull()
			continue
		}
		dst.Append(get(i))
	}
	return nil
}

// reader returns a function reading element i of arr as a value of kind k.
func reader(arr arrow.Array, k types.Kind) (func(int) types.Value, error) {
	bad := fmt.Errorf("%w: %s for %s", ErrType, arr.DataType(), k)
	switch a := arr.(type) {
	case *array.Null:
		return func(int) types.Value { return types.NullValue }, nil
	case *array.Boolean:
		if k == types.Bool {
			return func(i int) types.Value { return types.BoolValue(a.Value(i)) }, nil
		}
	case *array.Int8:
		return intReader(k, func(i int) int64 { return int64(a.Value(i)) }, bad)
	case *array.Int16:
		return intReader(k, func(i int) int64 { return int64(a.Value(i)) }, bad)
	case *array.Int32:
		return intReader(k, func(i int) int64 { return int64(a.Value(i)) }, bad)
	case *array.Int64:
		return intReader(k, a.Value, bad)
	case *array.Float32:
		if k == types.Float {
			return func(i int) types.Value { return types.FloatValue(float64(a.Value(i))) }, nil
		}
	case *array.Float64:
		if k == types.Float {
			return func(i int) types.Value { return types.FloatValue(a.Value(i)) }, nil
		}
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		if k == types.Float {
			return func(i int) types.Value { return types.FloatValue(a.Value(i).ToFloat64(scale)) }, nil
		}
	case *array.String:
		if k == types.String {
			return func(i int) types.Value { return types.StringValue(a.Value(i)) }, nil
		}
	case *array.LargeString:
		if k == types.String {
			return func(i int) types.Value { return types.StringValue(a.Value(i)) }, nil
		}
	case *array.Binary:
		if k == types.String {
			return func(i int) types.Value { return types.StringValue(string(a.Value(i))) }, nil
		}
		if k == types.Binary {
			return func(i int) types.Value { return types.BinaryValue(a.Value(i)) }, nil
		}
	case *array.Date32:
		if k == types.Date {
			return func(i int) types.Value { return types.DateValue(int64(a.Value(i))) }, nil
		}
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		if k == types.Timestamp {
			return func(i int) types.Value {
				return types.Value{K: types.Timestamp, I: toMicros(int64(a.Value(i)), unit)}
			}, nil
		}
	case *array.Duration:
		// Spark sends a day-time interval as an Arrow duration.
		unit := a.DataType().(*arrow.DurationType).Unit
		if k.IsDayTime() {
			return func(i int) types.Value {
				return types.Value{K: k, I: toMicros(int64(a.Value(i)), unit)}
			}, nil
		}
	case *array.MonthInterval:
		// and a year-month interval as an Arrow month interval.
		if k.IsYearMonth() {
			return func(i int) types.Value { return types.Value{K: k, I: int64(a.Value(i))} }, nil
		}
	case *array.Map:
		if k.IsMap() {
			keys, err := nullable(a.Keys(), k.MapKey())
			if err != nil {
				return nil, err
			}
			vals, err := nullable(a.Items(), k.MapValue())
			if err != nil {
				return nil, err
			}
			return func(i int) types.Value {
				start, end := a.ValueOffsets(i)
				ks := make([]types.Value, 0, end-start)
				vs := make([]types.Value, 0, end-start)
				for j := int(start); j < int(end); j++ {
					ks, vs = append(ks, keys(j)), append(vs, vals(j))
				}
				return types.MapValue(k, ks, vs)
			}, nil
		}
	case *array.List:
		if k.IsArray() {
			return listReader(k, a.ListValues(), a.ValueOffsets)
		}
	case *array.LargeList:
		if k.IsArray() {
			return listReader(k, a.ListValues(), a.ValueOffsets)
		}
	case *array.Struct:
		fs := k.Fields()
		if k.IsStruct() && len(fs) == a.NumField() {
			parts := make([]func(int) types.Value, len(fs))
			for j, f := range fs {
				r, err := nullable(a.Field(j), f.Kind)
				if err != nil {
					return nil, err
				}
				parts[j] = r
			}
			return func(i int) types.Value {
				vals := make([]types.Value, len(parts))
				for j, r := range parts {
					vals[j] = r(i)
				}
				return types.StructValue(k, vals)
			}, nil
		}
	}
	return nil, bad
}

// listReader reads an Arrow list of elements in values as an ARRAY of
// kind k.
func listReader(k types.Kind, values arrow.Array, offsets func(int) (int64, int64)) (func(int) types.Value, error) {
	elem, err := nullable(values, k.Elem())
	if err != nil {
		return nil, err
	}
	return func(i int) types.Value {
		start, end := offsets(i)
		vals := make([]types.Value, 0, end-start)
		for j := int(start); j < int(end); j++ {
			vals = append(vals, elem(j))
		}
		return types.ArrayValue(k, vals)
	}, nil
}

// nullable is reader for the parts of a nested value, NULL where arr is.
func nullable(arr arrow.Array, k types.Kind) (func(int) types.Value, error) {
	if k == types.Null {
		return func(int) types.Value { return types.NullValue }, nil
	}
	get, err := reader(arr, k)
	if err != nil {
		return nil, err
	}
	return func(i int) types.Value {
		if arr.IsNull(i) {
			return types.NullValue
		}
		return get(i)
	}, nil
}

func intReader(k types.Kind, get func(int) int64, bad error) (func(int) types.Value, error) {
	switch k {
	case types.Int:
		return func(i int) types.Value { return types.IntValue(get(i)) }, nil
	case types.Float:
		return func(i int) types.Value { return types.FloatValue(float64(get(i))) }, nil
	}
	return nil, bad
}

// toMicros converts a timestamp in unit to microseconds, flooring so that
// instants before 1970 keep their calendar second.
func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return int64(math.Floor(float64(v) / 1e3))
	}
	return v
}
