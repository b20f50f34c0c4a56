package connect

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/listen"
	"github.com/nectar-dev/nectar/types"
)

// fixture is a running endpoint over a small NDJSON table, events, and a
// client of it.
type fixture struct {
	t      *testing.T
	client pb.SparkConnectServiceClient
	svc    *Service
	dir    string
	sessID string
}

type users map[string]string

func (u users) Check(name, password string) bool { p, ok := u[name]; return ok && p == password }

func newFixture(t *testing.T, auth Authenticator) *fixture {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	events := []string{"Added to Cart", "Order Completed", "Product Viewed"}
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, `{"event":%q,"userId":"u%d","properties":{"price":%d.5,"vertical":%q},"timestamp":"2024-01-0%dT%02d:00:00Z"}`+"\n",
			events[i%3], i%17, i%40, []string{"Food", "Books"}[i%2], 1+i%3, i%24)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.json"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{NewSession: func() *engine.Session {
		e := engine.New(engine.Options{Dir: dir})
		if err := e.Run(context.Background(), "CREATE VIEW events AS SELECT * FROM read_json('events.json')", func(*engine.Result) error { return nil }); err != nil {
			t.Error(err)
		}
		return e
	}, Users: auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Serve(ctx, ln); close(done) }()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); cancel(); <-done })
	return &fixture{t: t, client: pb.NewSparkConnectServiceClient(conn), svc: svc, dir: dir, sessID: "00112233-4455-6677-8899-aabbccddeeff"}
}

// query runs sql locally, as `nectar query` would, for the expected rows.
func (f *fixture) query(sql string) [][]types.Value {
	f.t.Helper()
	e := f.svc.cfg.NewSession()
	_, rows, err := engine.QueryRows(context.Background(), e, sql)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

func sqlRel(q string) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: q}}}
}

func attr(name string) *pb.Expression {
	return &pb.Expression{ExprType: &pb.Expression_UnresolvedAttribute_{UnresolvedAttribute: &pb.Expression_UnresolvedAttribute{UnparsedIdentifier: name}}}
}

func lit(s string) *pb.Expression {
	return &pb.Expression{ExprType: &pb.Expression_Literal_{Literal: &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_String_{String_: s}}}}
}

func fn(name string, args ...*pb.Expression) *pb.Expression {
	return &pb.Expression{ExprType: &pb.Expression_UnresolvedFunction_{UnresolvedFunction: &pb.Expression_UnresolvedFunction{FunctionName: name, Arguments: args}}}
}

func alias(e *pb.Expression, name string) *pb.Expression {
	return &pb.Expression{ExprType: &pb.Expression_Alias_{Alias: &pb.Expression_Alias{Expr: e, Name: []string{name}}}}
}

func readJSON(path string) *pb.Relation {
	f := "json"
	return &pb.Relation{RelType: &pb.Relation_Read{Read: &pb.Read{ReadType: &pb.Read_DataSource_{DataSource: &pb.Read_DataSource{Format: &f, Paths: []string{path}}}}}}
}

// execute runs a relation and returns its rows as text, or the error.
func (f *fixture) execute(ctx context.Context, r *pb.Relation, opts ...grpc.CallOption) ([][]string, error) {
	stream, err := f.client.ExecutePlan(ctx, &pb.ExecutePlanRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"},
		Plan: &pb.Plan{OpType: &pb.Plan_Root{Root: r}}}, opts...)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if b := resp.GetArrowBatch(); b != nil {
			got, err := arrowRows(b.GetData())
			if err != nil {
				return nil, err
			}
			if int64(len(got)) != b.GetRowCount() {
				return nil, fmt.Errorf("batch says %d rows, holds %d", b.GetRowCount(), len(got))
			}
			rows = append(rows, got...)
		}
	}
}

func arrowRows(data []byte) ([][]string, error) {
	rd, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	var rows [][]string
	batches := 0
	for rd.Next() {
		batches++
		rec := rd.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, rec.NumCols())
			for j := range row {
				v, err := arrowValue(rec.Column(j), i)
				if err != nil {
					return nil, err
				}
				row[j] = v.String()
			}
			rows = append(rows, row)
		}
	}
	if batches != 1 {
		return nil, fmt.Errorf("%d record batches in one ArrowBatch (pyspark expects one)", batches)
	}
	return rows, rd.Err()
}

func text(rows [][]types.Value) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = v.String()
		}
	}
	return out
}

func same(t *testing.T, got, want [][]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %d rows %v\nwant %d rows %v", len(got), head(got), len(want), head(want))
	}
}

func head(r [][]string) [][]string {
	if len(r) > 5 {
		return r[:5]
	}
	return r
}

func TestSQLAndDataFrameAnswersAsTheEngine(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	seed := "SELECT properties.vertical AS v, hour(timestamp) AS h, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY v, h ORDER BY v, h"
	got, err := f.execute(ctx, sqlRel(seed))
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, text(f.query(seed)))

	// The same in DataFrame relations, over read_json.
	filter := &pb.Relation{RelType: &pb.Relation_Filter{Filter: &pb.Filter{Input: readJSON("events.json"), Condition: fn("==", attr("event"), lit("Added to Cart"))}}}
	agg := &pb.Relation{RelType: &pb.Relation_Aggregate{Aggregate: &pb.Aggregate{Input: filter, GroupType: pb.Aggregate_GROUP_TYPE_GROUPBY,
		GroupingExpressions:  []*pb.Expression{alias(attr("properties.vertical"), "v"), alias(fn("hour", attr("timestamp")), "h")},
		AggregateExpressions: []*pb.Expression{alias(fn("count", &pb.Expression{ExprType: &pb.Expression_UnresolvedStar_{UnresolvedStar: &pb.Expression_UnresolvedStar{}}}), "n")}}}}
	sorted := &pb.Relation{RelType: &pb.Relation_Sort{Sort: &pb.Sort{Input: agg, Order: []*pb.Expression_SortOrder{{Child: attr("v")}, {Child: attr("h")}}}}}
	got, err = f.execute(ctx, sorted)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, text(f.query(seed)))

	// More than one ArrowBatch, each with its own row count and offset.
	all := "SELECT userId, event FROM events ORDER BY userId, event"
	got, err = f.execute(ctx, sqlRel("SELECT * FROM events a CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) b"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9000 {
		t.Fatalf("cross join: %d rows, want 9000", len(got))
	}
	got, err = f.execute(ctx, sqlRel(all))
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, text(f.query(all)))
}

func TestEmptyResultHasOneBatch(t *testing.T) {
	f := newFixture(t, nil)
	stream, err := f.client.ExecutePlan(context.Background(), &pb.ExecutePlanRequest{SessionId: f.sessID,
		Plan: &pb.Plan{OpType: &pb.Plan_Root{Root: sqlRel("SELECT event FROM events WHERE 1 = 0")}}})
	if err != nil {
		t.Fatal(err)
	}
	batches, schema := 0, false
	for {
		r, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.GetArrowBatch() != nil {
			batches++
		}
		schema = schema || r.GetSchema() != nil
		if r.GetSessionId() != f.sessID || r.GetServerSideSessionId() == "" || r.GetResponseId() == "" {
			t.Fatalf("response without ids: %v", r)
		}
	}
	if batches != 1 || !schema {
		t.Fatalf("%d batches, schema %v: want one (empty) batch and the schema", batches, schema)
	}
}

// errorOf is the gRPC code and Spark error class of err.
func errorOf(err error) (codes.Code, string, string) {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return st.Code(), info.GetMetadata()["errorClass"], st.Message()
		}
	}
	return st.Code(), "", st.Message()
}

// Every malformed or unsupported plan gets a clear error, and the server
// goes on answering.
func TestBadPlansAreRefused(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	neg := int32(-1)
	_ = neg
	cases := []struct {
		name  string
		rel   *pb.Relation
		code  codes.Code
		class string
		msg   string
	}{
		{"no type", &pb.Relation{}, codes.InvalidArgument, "", "relation with no type"},
		{"filter without condition", &pb.Relation{RelType: &pb.Relation_Filter{Filter: &pb.Filter{Input: sqlRel("SELECT 1")}}}, codes.InvalidArgument, "", "no condition"},
		{"filter without input", &pb.Relation{RelType: &pb.Relation_Filter{Filter: &pb.Filter{Condition: lit("x")}}}, codes.InvalidArgument, "", "no type"},
		{"negative limit", &pb.Relation{RelType: &pb.Relation_Limit{Limit: &pb.Limit{Input: sqlRel("SELECT 1"), Limit: -1}}}, codes.InvalidArgument, "", "negative"},
		{"sample", &pb.Relation{RelType: &pb.Relation_Sample{Sample: &pb.Sample{Input: sqlRel("SELECT 1")}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "relation sample"},
		{"summary with percentiles", &pb.Relation{RelType: &pb.Relation_Summary{Summary: &pb.StatSummary{Input: sqlRel("SELECT 1 AS a")}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "25%"},
		{"transpose", &pb.Relation{RelType: &pb.Relation_Transpose{Transpose: &pb.Transpose{Input: sqlRel("SELECT 1 AS a")}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "relation transpose"},
		{"unpivot without names", &pb.Relation{RelType: &pb.Relation_Unpivot{Unpivot: &pb.Unpivot{Input: sqlRel("SELECT 1 AS a")}}}, codes.InvalidArgument, "", "variable and value column names"},
		{"negative tail", &pb.Relation{RelType: &pb.Relation_Tail{Tail: &pb.Tail{Input: sqlRel("SELECT 1"), Limit: -2}}}, codes.InvalidArgument, "", "negative"},
		{"lambda", &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: sqlRel("SELECT 1 AS a"), Expressions: []*pb.Expression{
			{ExprType: &pb.Expression_LambdaFunction_{LambdaFunction: &pb.Expression_LambdaFunction{}}}}}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "lambda"},
		{"unknown function", &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: sqlRel("SELECT 1 AS a"), Expressions: []*pb.Expression{fn("no_such_fn", attr("a"))}}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "no_such_fn"},
		{"expression with no type", &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: sqlRel("SELECT 1 AS a"), Expressions: []*pb.Expression{{}}}}}, codes.InvalidArgument, "", "no type"},
		{"bad Arrow", &pb.Relation{RelType: &pb.Relation_LocalRelation{LocalRelation: &pb.LocalRelation{Data: []byte("not arrow")}}}, codes.InvalidArgument, "", "Arrow"},
		{"csv source", &pb.Relation{RelType: &pb.Relation_Read{Read: &pb.Read{ReadType: &pb.Read_DataSource_{DataSource: &pb.Read_DataSource{Format: ptr("csv"), Paths: []string{"x.csv"}}}}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "csv"},
		{"pivot without aggregates", &pb.Relation{RelType: &pb.Relation_Aggregate{Aggregate: &pb.Aggregate{Input: sqlRel("SELECT 1 AS a"), GroupType: pb.Aggregate_GROUP_TYPE_PIVOT,
			GroupingExpressions: []*pb.Expression{attr("a")}, Pivot: &pb.Aggregate_Pivot{Col: attr("a")}}}}, codes.InvalidArgument, "", "no aggregate"},
		{"bad column", sqlRel("SELECT nosuch FROM events"), codes.InvalidArgument, "UNRESOLVED_COLUMN", "nosuch"},
		{"unknown table", sqlRel("SELECT * FROM nosuch"), codes.InvalidArgument, "TABLE_OR_VIEW_NOT_FOUND", "nosuch"},
		{"syntax", sqlRel("SELECT FROM WHERE"), codes.InvalidArgument, "PARSE_SYNTAX_ERROR", "SQLSTATE: 42601\n  SELECT FROM WHERE\n         ^"},
		{"range step 0", &pb.Relation{RelType: &pb.Relation_Range{Range: &pb.Range{End: 3}}}, codes.InvalidArgument, "INVALID_PARAMETER_VALUE", "step"},
		{"bad identifier", &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: sqlRel("SELECT 1 AS a"), Expressions: []*pb.Expression{attr("a.`b")}}}}, codes.InvalidArgument, "INVALID_IDENTIFIER", "backquote"},
		{"unbound named parameter", &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: "SELECT :b", NamedArguments: map[string]*pb.Expression{"a": lit("x")}}}}, codes.InvalidArgument, "UNBOUND_SQL_PARAMETER", "SELECT :b\n         ^"},
		{"an argument that is not a literal", &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: "SELECT :a", NamedArguments: map[string]*pb.Expression{"a": attr("x")}}}}, codes.Unimplemented, "UNSUPPORTED_CONNECT_FEATURE", "not a literal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.execute(ctx, c.rel)
			if err == nil {
				t.Fatal("no error")
			}
			code, class, msg := errorOf(err)
			if code != c.code || class != c.class || !strings.Contains(msg, c.msg) {
				t.Fatalf("got %v %q %q, want %v %q containing %q", code, class, msg, c.code, c.class, c.msg)
			}
		})
	}
	// Still answering.
	if _, err := f.execute(ctx, sqlRel("SELECT 1")); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestJoinKeepsDuplicateNamesApart(t *testing.T) {
	f := newFixture(t, nil)
	id := func(r *pb.Relation, plan int64) *pb.Relation {
		r.Common = &pb.RelationCommon{PlanId: &plan}
		return r
	}
	left := id(sqlRel("SELECT userId, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY userId"), 1)
	right := id(sqlRel("SELECT userId, count(*) AS n FROM events WHERE event = 'Order Completed' GROUP BY userId"), 2)
	ref := func(name string, plan int64) *pb.Expression {
		e := attr(name)
		e.GetUnresolvedAttribute().PlanId = &plan
		return e
	}
	join := &pb.Relation{RelType: &pb.Relation_Join{Join: &pb.Join{Left: left, Right: right, JoinType: pb.Join_JOIN_TYPE_INNER,
		JoinCondition: fn("==", ref("userId", 1), ref("userId", 2))}}}
	proj := &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: join, Expressions: []*pb.Expression{ref("userId", 1), alias(ref("n", 1), "adds"), alias(ref("n", 2), "orders")}}}}
	sorted := &pb.Relation{RelType: &pb.Relation_Sort{Sort: &pb.Sort{Input: proj, Order: []*pb.Expression_SortOrder{{Child: attr("userId")}}}}}
	got, err := f.execute(context.Background(), sorted)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, text(f.query(`SELECT a.userId, a.n AS adds, o.n AS orders FROM
		(SELECT userId, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY userId) a JOIN
		(SELECT userId, count(*) AS n FROM events WHERE event = 'Order Completed' GROUP BY userId) o ON a.userId = o.userId ORDER BY userId`)))

	// Without plan ids the name is ambiguous, as in Spark.
	bad := &pb.Relation{RelType: &pb.Relation_Project{Project: &pb.Project{Input: join, Expressions: []*pb.Expression{attr("n")}}}}
	_, err = f.execute(context.Background(), bad)
	if _, class, _ := errorOf(err); class != "AMBIGUOUS_REFERENCE" {
		t.Fatalf("got %v, want AMBIGUOUS_REFERENCE", err)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, users{"analyst": "s3cret-token"})
	ctx := context.Background()
	with := func(tok string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	if _, err := f.execute(with("s3cret-token"), sqlRel("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []context.Context{ctx, with("wrong-token")} {
		_, err := f.execute(c, sqlRel("SELECT 1"))
		code, _, msg := errorOf(err)
		if code != codes.Unauthenticated || strings.Contains(msg, "wrong-token") {
			t.Fatalf("got %v %q", code, msg)
		}
	}
	_, err := f.client.Config(with("wrong-token"), &pb.ConfigRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"},
		Operation: &pb.ConfigRequest_Operation{OpType: &pb.ConfigRequest_Operation_GetAll{GetAll: &pb.ConfigRequest_GetAll{}}}})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("Config with a wrong token: %v", err)
	}
}

// A reattachable operation whose stream breaks continues, on
// ReattachExecute, after the last response its client saw.
func TestReattachContinuesAfterTheLastResponse(t *testing.T) {
	f := newFixture(t, nil)
	q := "SELECT userId, event, timestamp FROM events a CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) b ORDER BY userId, event, timestamp, k"
	want := text(f.query(q))
	opID := "11111111-2222-3333-4444-555555555555"
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := f.client.ExecutePlan(ctx, &pb.ExecutePlanRequest{SessionId: f.sessID, OperationId: &opID,
		RequestOptions: []*pb.ExecutePlanRequest_RequestOption{{RequestOption: &pb.ExecutePlanRequest_RequestOption_ReattachOptions{ReattachOptions: &pb.ReattachOptions{Reattachable: true}}}},
		Plan:           &pb.Plan{OpType: &pb.Plan_Root{Root: sqlRel(q)}}})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	var last string
	for len(rows) == 0 {
		r, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		last = r.GetResponseId()
		if b := r.GetArrowBatch(); b != nil {
			got, err := arrowRows(b.GetData())
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, got...)
		}
	}
	cancel() // the stream breaks
	time.Sleep(100 * time.Millisecond)
	re, err := f.client.ReattachExecute(context.Background(), &pb.ReattachExecuteRequest{SessionId: f.sessID, OperationId: opID, LastResponseId: &last})
	if err != nil {
		t.Fatal(err)
	}
	complete := false
	for {
		r, err := re.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if b := r.GetArrowBatch(); b != nil {
			if b.GetStartOffset() != int64(len(rows)) {
				t.Fatalf("batch starts at %d after %d rows", b.GetStartOffset(), len(rows))
			}
			got, err := arrowRows(b.GetData())
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, got...)
		}
		complete = complete || r.GetResultComplete() != nil
	}
	if !complete {
		t.Fatal("no ResultComplete")
	}
	same(t, rows, want)
	if _, err := f.client.ReleaseExecute(context.Background(), &pb.ReleaseExecuteRequest{SessionId: f.sessID, OperationId: opID,
		Release: &pb.ReleaseExecuteRequest_ReleaseAll_{ReleaseAll: &pb.ReleaseExecuteRequest_ReleaseAll{}}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.ReattachExecute(context.Background(), &pb.ReattachExecuteRequest{SessionId: f.sessID, OperationId: opID})
	if err == nil {
		_, err = func() (any, error) {
			s, _ := f.client.ReattachExecute(context.Background(), &pb.ReattachExecuteRequest{SessionId: f.sessID, OperationId: opID})
			return s.Recv()
		}()
	}
	if _, class, _ := errorOf(err); class != "INVALID_HANDLE.OPERATION_NOT_FOUND" {
		t.Fatalf("reattach after release: %v", err)
	}
}

func TestInterruptStopsTheQuery(t *testing.T) {
	f := newFixture(t, nil)
	// 27 billion rows: minutes of work unless the interrupt stops it. The
	// deadline bounds a failing test.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tag := "long-one"
	errs := make(chan error, 1)
	began := time.Now()
	go func() {
		stream, err := f.client.ExecutePlan(ctx, &pb.ExecutePlanRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"}, Tags: []string{tag},
			Plan: &pb.Plan{OpType: &pb.Plan_Root{Root: sqlRel("SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c")}}})
		for err == nil {
			_, err = stream.Recv()
		}
		errs <- err
	}()
	interrupt := func(typ pb.InterruptRequest_InterruptType, tag string) []string {
		resp, err := f.client.Interrupt(ctx, &pb.InterruptRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"},
			InterruptType: typ, Interrupt: &pb.InterruptRequest_OperationTag{OperationTag: tag}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetInterruptedIds()
	}
	var ids []string
	for len(ids) == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		// Another tag stops nothing; the query's tag stops it.
		if got := interrupt(pb.InterruptRequest_INTERRUPT_TYPE_TAG, "another"); len(got) != 0 {
			t.Fatalf("tag another interrupted %v", got)
		}
		ids = interrupt(pb.InterruptRequest_INTERRUPT_TYPE_TAG, tag)
	}
	err := <-errs
	if len(ids) != 1 {
		t.Fatalf("interrupted %v", ids)
	}
	code, class, _ := errorOf(err)
	if code != codes.Canceled || class != "OPERATION_CANCELED" || time.Since(began) > 20*time.Second {
		t.Fatalf("got %v after %v, want OPERATION_CANCELED promptly", err, time.Since(began))
	}
	// A user's interrupt does not reach another user's session of the same id.
	if got := interrupt(pb.InterruptRequest_INTERRUPT_TYPE_ALL, ""); len(got) != 0 {
		t.Fatalf("nothing runs, yet %v interrupted", got)
	}
}

func TestConfig(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	call := func(op *pb.ConfigRequest_Operation) (*pb.ConfigResponse, error) {
		return f.client.Config(ctx, &pb.ConfigRequest{SessionId: f.sessID, Operation: op})
	}
	set := func(k, v string) error {
		_, err := call(&pb.ConfigRequest_Operation{OpType: &pb.ConfigRequest_Operation_Set{Set: &pb.ConfigRequest_Set{Pairs: []*pb.KeyValue{{Key: k, Value: &v}}}}})
		return err
	}
	get := func(k string) (string, error) {
		r, err := call(&pb.ConfigRequest_Operation{OpType: &pb.ConfigRequest_Operation_Get{Get: &pb.ConfigRequest_Get{Keys: []string{k}}}})
		if err != nil {
			return "", err
		}
		return r.GetPairs()[0].GetValue(), nil
	}
	if err := set("spark.sql.shuffle.partitions", "4"); err != nil {
		t.Fatal(err)
	}
	if v, err := get("spark.sql.shuffle.partitions"); err != nil || v != "4" {
		t.Fatalf("get: %q %v", v, err)
	}
	if err := set("spark.sql.session.timeZone", "Europe/Paris"); status.Code(err) != codes.Unimplemented {
		t.Fatalf("a time zone other than UTC: %v", err)
	}
	if v, _ := get("spark.sql.session.timeZone"); v != "UTC" {
		t.Fatalf("time zone %q", v)
	}
	if _, err := get("no.such.key"); status.Code(err) != codes.NotFound {
		t.Fatalf("unknown key: %v", err)
	}
	// Another session has its own settings.
	r, err := f.client.Config(ctx, &pb.ConfigRequest{SessionId: "other", Operation: &pb.ConfigRequest_Operation{OpType: &pb.ConfigRequest_Operation_Get{Get: &pb.ConfigRequest_Get{Keys: []string{"spark.sql.shuffle.partitions"}}}}})
	if err != nil || r.GetPairs()[0].GetValue() != "200" {
		t.Fatalf("other session: %v %v", r, err)
	}
	// A client that saw another server-side session is told so.
	gone := "not-this-one"
	_, err = f.client.Config(ctx, &pb.ConfigRequest{SessionId: f.sessID, ClientObservedServerSideSessionId: &gone,
		Operation: &pb.ConfigRequest_Operation{OpType: &pb.ConfigRequest_Operation_GetAll{GetAll: &pb.ConfigRequest_GetAll{}}}})
	if _, class, _ := errorOf(err); class != "INVALID_HANDLE.SESSION_CHANGED" {
		t.Fatalf("changed session: %v", err)
	}
}

func TestShowStringAsSpark(t *testing.T) {
	schema := types.Schema{{Name: "event", Kind: types.String}, {Name: "n", Kind: types.Int}}
	rows := [][]types.Value{{types.StringValue("Added to Cart"), types.IntValue(383)}, {types.Value{}, types.IntValue(7)}, {types.StringValue("x"), types.IntValue(1)}}
	want := "+-------------+---+\n" +
		"|        event|  n|\n" +
		"+-------------+---+\n" +
		"|Added to Cart|383|\n" +
		"|         NULL|  7|\n" +
		"+-------------+---+\n" +
		"only showing top 2 rows"
	if got := showString(schema, rows, 2, 20, false); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := showString(schema, rows[:1], 20, 5, false); !strings.Contains(got, "|Ad...|383|") {
		t.Fatalf("truncate 5:\n%s", got)
	}
	if got := showString(schema, rows[:1], 20, 0, false); !strings.Contains(got, "|Added to Cart|383|") {
		t.Fatalf("truncate 0:\n%s", got)
	}
	if got := showString(schema, rows[:1], 20, 20, true); got != "-RECORD 0--------------\n event | Added to Cart \n n     | 383           \n" {
		t.Fatalf("vertical:\n%q", got)
	}
}

func TestParseIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"a": "[a]", "a.b": "[a b]", "`a.b`": "[a.b]", "`a``b`.c": "[a`b c]", "properties.recommender.variant": "[properties recommender variant]",
	} {
		got, err := parseIdentifier(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a.", ".a", "`a", "a..b"} {
		if _, err := parseIdentifier(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseSchemaString(t *testing.T) {
	for in, want := range map[string]string{
		"a INT, b STRING":  "a BIGINT, b STRING",
		"struct<a:bigint>": "a BIGINT",
		`{"type":"struct","fields":[{"name":"x","type":"double","nullable":true,"metadata":{}}]}`: "x DOUBLE",
		"p DECIMAL(10,2) NOT NULL": "p DOUBLE",
	} {
		got, err := parseSchemaString(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"a ARRAY<INT>", "a MAP<STRING,INT>", `{"type":"struct","fields":[{"name":"x","type":{"type":"array"}}]}`} {
		if _, err := parseSchemaString(bad); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", bad, err)
		}
	}
}

// fillna fills the columns of its value's family (numbers, strings,
// booleans), NaN as NULL in DOUBLE columns, as Spark's na.fill; tail
// keeps the last rows in the input's order.
func TestFillNAAndTail(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	base := sqlRel(`SELECT 1 AS id, CAST(NULL AS DOUBLE) AS x, CAST(NULL AS STRING) AS s, CAST(NULL AS BIGINT) AS n
		UNION ALL SELECT 2, 1.5, 'a', 3 UNION ALL SELECT 3, CAST('NaN' AS DOUBLE), NULL, NULL`)
	long := func(v int64) *pb.Expression_Literal {
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Long{Long: v}}
	}
	str := func(v string) *pb.Expression_Literal {
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_String_{String_: v}}
	}
	fill := func(cols []string, vals ...*pb.Expression_Literal) *pb.Relation {
		r := &pb.Relation{RelType: &pb.Relation_FillNa{FillNa: &pb.NAFill{Input: base, Cols: cols, Values: vals}}}
		return &pb.Relation{RelType: &pb.Relation_Sort{Sort: &pb.Sort{Input: r, Order: []*pb.Expression_SortOrder{{Child: attr("id")}}}}}
	}
	for _, c := range []struct {
		name string
		rel  *pb.Relation
		want string
	}{
		{"a number fills the numeric columns", fill(nil, long(0)),
			`SELECT 1 AS id, 0.0 AS x, CAST(NULL AS STRING) AS s, 0 AS n UNION ALL SELECT 2, 1.5, 'a', 3 UNION ALL SELECT 3, 0.0, NULL, 0 ORDER BY id`},
		{"a string fills the string columns of the subset", fill([]string{"s", "x"}, str("z")),
			`SELECT 1 AS id, CAST(NULL AS DOUBLE) AS x, 'z' AS s, CAST(NULL AS BIGINT) AS n UNION ALL SELECT 2, 1.5, 'a', 3 UNION ALL SELECT 3, CAST('NaN' AS DOUBLE), 'z', NULL ORDER BY id`},
		{"a value per column", fill([]string{"n", "s"}, long(7), str("q")),
			`SELECT 1 AS id, CAST(NULL AS DOUBLE) AS x, 'q' AS s, 7 AS n UNION ALL SELECT 2, 1.5, 'a', 3 UNION ALL SELECT 3, CAST('NaN' AS DOUBLE), 'q', 7 ORDER BY id`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.execute(ctx, c.rel)
			if err != nil {
				t.Fatal(err)
			}
			same(t, got, text(f.query(c.want)))
		})
	}
	if _, err := f.execute(ctx, fill([]string{"nosuch", "s"}, long(1), str("q"))); err == nil {
		t.Fatal("fillna of a missing column: no error")
	}

	sorted := &pb.Relation{RelType: &pb.Relation_Sort{Sort: &pb.Sort{Input: sqlRel("SELECT userId, count(*) AS n FROM events GROUP BY userId"),
		Order: []*pb.Expression_SortOrder{{Child: attr("n")}, {Child: attr("userId"), Direction: pb.Expression_SortOrder_SORT_DIRECTION_DESCENDING}}}}}
	got, err := f.execute(ctx, &pb.Relation{RelType: &pb.Relation_Tail{Tail: &pb.Tail{Input: sorted, Limit: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	all := text(f.query("SELECT userId, count(*) AS n FROM events GROUP BY userId ORDER BY n, userId DESC"))
	same(t, got, all[len(all)-4:])
}

// describe: a STRING column per numeric or string column, a row per
// statistic in Spark's order, computed as the engine computes the
// aggregates.
func TestDescribe(t *testing.T) {
	f := newFixture(t, nil)
	in := sqlRel("SELECT event, userId, properties.price AS price, timestamp > '2024-01-02' AS late FROM events")
	got, err := f.execute(context.Background(), &pb.Relation{RelType: &pb.Relation_Describe{Describe: &pb.StatDescribe{Input: in}}})
	if err != nil {
		t.Fatal(err)
	}
	e := "(SELECT event, userId, properties.price AS price FROM events) AS e"
	row := func(stat, fn string) string {
		return fmt.Sprintf("SELECT '%s', CAST(%s(event) AS STRING), CAST(%s(userId) AS STRING), CAST(%s(price) AS STRING) FROM %s", stat, fn, fn, fn, e)
	}
	want := f.query(row("count", "count") +
		" UNION ALL SELECT 'mean', CAST(avg(try_cast(event AS DOUBLE)) AS STRING), CAST(avg(try_cast(userId AS DOUBLE)) AS STRING), CAST(avg(price) AS STRING) FROM " + e +
		" UNION ALL SELECT 'stddev', NULL, NULL, CAST(stddev_samp(price) AS STRING) FROM " + e +
		" UNION ALL " + row("min", "min") + " UNION ALL " + row("max", "max"))
	same(t, got, text(want))
	if got[0][0] != "count" || got[0][1] != "3000" || got[4][3] != "39.5" {
		t.Fatalf("describe: %v", got)
	}
}

// spark.catalog: the session's temporary views and the sources, their
// columns, dropTempView; what the catalog cannot do is refused.
func TestCatalog(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	cat := func(c *pb.Catalog) *pb.Relation { return &pb.Relation{RelType: &pb.Relation_Catalog{Catalog: c}} }
	run := func(c *pb.Catalog) [][]string {
		t.Helper()
		got, err := f.execute(ctx, cat(c))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	stream, err := f.client.ExecutePlan(ctx, &pb.ExecutePlanRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"},
		Plan: &pb.Plan{OpType: &pb.Plan_Command{Command: &pb.Command{CommandType: &pb.Command_CreateDataframeView{CreateDataframeView: &pb.CreateDataFrameViewCommand{
			Input: sqlRel("SELECT userId, count(*) AS n FROM events GROUP BY userId"), Name: "per_user", Replace: true}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = stream.Recv()
	}
	if err != io.EOF {
		t.Fatal(err)
	}
	list := &pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{}}}
	same(t, run(list), [][]string{{"events", "NULL", "NULL", "NULL", "TEMPORARY", "true"}, {"per_user", "NULL", "NULL", "NULL", "TEMPORARY", "true"}})
	pattern := "per*"
	same(t, run(&pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{Pattern: &pattern}}}), [][]string{{"per_user", "NULL", "NULL", "NULL", "TEMPORARY", "true"}})
	same(t, run(&pb.Catalog{CatType: &pb.Catalog_ListColumns{ListColumns: &pb.ListColumns{TableName: "per_user"}}}),
		[][]string{{"userId", "NULL", "string", "true", "false", "false", "false"}, {"n", "NULL", "long", "true", "false", "false", "false"}})
	exists := func(name string) string {
		return run(&pb.Catalog{CatType: &pb.Catalog_TableExists{TableExists: &pb.TableExists{TableName: name}}})[0][0]
	}
	if exists("per_user") != "true" || exists("default.per_user") != "true" || exists("nosuch") != "false" {
		t.Fatal("tableExists")
	}
	if got := run(&pb.Catalog{CatType: &pb.Catalog_DropTempView{DropTempView: &pb.DropTempView{ViewName: "per_user"}}}); got[0][0] != "true" {
		t.Fatalf("dropTempView: %v", got)
	}
	if exists("per_user") != "false" {
		t.Fatal("the view is still there")
	}
	if got := run(&pb.Catalog{CatType: &pb.Catalog_CurrentDatabase{CurrentDatabase: &pb.CurrentDatabase{}}}); got[0][0] != "default" {
		t.Fatalf("currentDatabase: %v", got)
	}
	other := "sales"
	_, err = f.execute(ctx, cat(&pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{DbName: &other}}}))
	if _, class, _ := errorOf(err); class != "SCHEMA_NOT_FOUND" {
		t.Fatalf("another database: %v", err)
	}
	_, err = f.execute(ctx, cat(&pb.Catalog{CatType: &pb.Catalog_CreateTable{CreateTable: &pb.CreateTable{TableName: "t"}}}))
	if _, class, msg := errorOf(err); class != "UNSUPPORTED_CONNECT_FEATURE" || !strings.Contains(msg, "create_table") {
		t.Fatalf("createTable: %v", err)
	}
}

// The endpoint listens beyond loopback only with TLS and users, and with
// TLS a client must speak TLS.
func TestListenAndTLS(t *testing.T) {
	newSession := func() *engine.Session { return engine.New(engine.Options{Dir: t.TempDir()}) }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	plain, err := New(Config{NewSession: newSession, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Listen("0.0.0.0:0"); !errors.Is(err, listen.ErrNotLoopback) {
		t.Fatalf("0.0.0.0 without TLS and users: %v", err)
	}
	authOnly, _ := New(Config{NewSession: newSession, Logger: quiet, Users: users{"analyst": "pw"}})
	if _, err := authOnly.Listen("0.0.0.0:0"); !errors.Is(err, listen.ErrNotLoopback) {
		t.Fatalf("0.0.0.0 with users but no TLS: %v", err)
	}

	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nectar test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	svc, err := New(Config{NewSession: newSession, Logger: quiet, Users: users{"analyst": "pw"},
		TLS: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := svc.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()
	version := func(creds credentials.TransportCredentials) (string, error) {
		conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(creds))
		if err != nil {
			return "", err
		}
		defer conn.Close()
		c, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer pw"), 5*time.Second)
		defer cancel()
		r, err := pb.NewSparkConnectServiceClient(conn).AnalyzePlan(c, &pb.AnalyzePlanRequest{SessionId: "s", UserContext: &pb.UserContext{UserId: "analyst"},
			Analyze: &pb.AnalyzePlanRequest_SparkVersion_{SparkVersion: &pb.AnalyzePlanRequest_SparkVersion{}}})
		return r.GetSparkVersion().GetVersion(), err
	}
	if v, err := version(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})); err != nil || v != SparkVersion {
		t.Fatalf("over TLS: %q %v", v, err)
	}
	if _, err := version(insecure.NewCredentials()); err == nil {
		t.Fatal("a plaintext client was answered by a TLS endpoint")
	}
}

// pyspark sends a createDataFrame's rows with every action on the frame:
// the session keeps them once.
func TestLocalRelationKeptOnce(t *testing.T) {
	f := newFixture(t, nil)
	data, err := localData(types.Schema{{Name: "id", Kind: types.Int}, {Name: "v", Kind: types.String}},
		[][]types.Value{{types.IntValue(1), types.StringValue("a")}, {types.IntValue(2), types.Value{}}})
	if err != nil {
		t.Fatal(err)
	}
	local := &pb.Relation{RelType: &pb.Relation_LocalRelation{LocalRelation: &pb.LocalRelation{Data: data}}}
	for range 3 {
		got, err := f.execute(context.Background(), local)
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, [][]string{{"1", "a"}, {"2", "NULL"}})
	}
	other := &pb.Relation{RelType: &pb.Relation_Range{Range: &pb.Range{End: 4, Step: 2}}}
	for range 2 {
		got, err := f.execute(context.Background(), other)
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, [][]string{{"0"}, {"2"}})
	}
	f.svc.mu.Lock()
	sess := f.svc.sessions[sessionKey{"analyst", f.sessID}]
	f.svc.mu.Unlock()
	if n := len(sess.tables); n != 2 {
		t.Fatalf("the session keeps %d tables, want 2 (the rows once, the range once)", n)
	}
}

// An endpoint of nectar serve shares the server's query slots and limits
// (Config.Admit): a refusal is UNAVAILABLE, a query past the time limit
// ends with the limit's reason.
func TestAdmission(t *testing.T) {
	f := newFixture(t, nil)
	busy := errors.New("the server is busy")
	f.svc.cfg.Busy = busy
	f.svc.cfg.Admit = func(ctx context.Context, user string) (context.Context, func(), error) {
		return nil, nil, fmt.Errorf("%w: 8 queries running", busy)
	}
	_, err := f.execute(context.Background(), sqlRel("SELECT 1"))
	if code, _, msg := errorOf(err); code != codes.Unavailable || !strings.Contains(msg, "8 queries running") {
		t.Fatalf("refused: %v", err)
	}
	released := make(chan string, 1)
	f.svc.cfg.Admit = func(ctx context.Context, user string) (context.Context, func(), error) {
		ctx, cancel := context.WithTimeoutCause(ctx, 50*time.Millisecond, errors.New("query ran past the server's time limit"))
		return ctx, func() { cancel(); released <- user }, nil
	}
	_, err = f.execute(context.Background(), sqlRel("SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c"))
	if _, _, msg := errorOf(err); !strings.Contains(msg, "time limit") {
		t.Fatalf("past the limit: %v", err)
	}
	if u := <-released; u != "analyst" {
		t.Fatalf("the slot was released for %q", u)
	}
}

// spark.sql(query, args={…}): :name parameters are bound as literals, a
// value never becomes query text.
func TestNamedArguments(t *testing.T) {
	f := newFixture(t, nil)
	q := &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: "SELECT count(*) AS n FROM events WHERE event = :ev AND properties.price > :p",
		NamedArguments: map[string]*pb.Expression{"ev": lit("Added to Cart"), "p": {ExprType: &pb.Expression_Literal_{Literal: &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Double{Double: 20.5}}}}}}}}
	got, err := f.execute(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, text(f.query("SELECT count(*) AS n FROM events WHERE event = 'Added to Cart' AND properties.price > 20.5")))
	inject := &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: "SELECT count(*) AS n FROM events WHERE event = :ev",
		NamedArguments: map[string]*pb.Expression{"ev": lit("x' OR 'a' = 'a")}}}}
	if got, err := f.execute(context.Background(), inject); err != nil || got[0][0] != "0" {
		t.Fatalf("a quote in a value: %v %v", got, err)
	}
}

// spark.sql("SET …") reads and writes the session's settings, as
// spark.conf does, and answers (key, value) rows.
func TestSQLSet(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	run := func(q string) ([][]string, error) {
		stream, err := f.client.ExecutePlan(ctx, &pb.ExecutePlanRequest{SessionId: f.sessID, UserContext: &pb.UserContext{UserId: "analyst"},
			Plan: &pb.Plan{OpType: &pb.Plan_Command{Command: &pb.Command{CommandType: &pb.Command_SqlCommand{SqlCommand: &pb.SqlCommand{Input: sqlRel(q)}}}}}})
		if err != nil {
			return nil, err
		}
		var rows [][]string
		for {
			r, err := stream.Recv()
			if err == io.EOF {
				return rows, nil
			}
			if err != nil {
				return nil, err
			}
			if l := r.GetSqlCommandResult().GetRelation().GetLocalRelation(); l != nil {
				got, err := arrowRows(l.GetData())
				if err != nil {
					return nil, err
				}
				rows = append(rows, got...)
			}
		}
	}
	for _, c := range []struct {
		q    string
		want [][]string
	}{
		{"SET spark.sql.shuffle.partitions = 4", [][]string{{"spark.sql.shuffle.partitions", "4"}}},
		{"set spark.sql.shuffle.partitions;", [][]string{{"spark.sql.shuffle.partitions", "4"}}},
		{"SET no.such.key", [][]string{{"no.such.key", "<undefined>"}}},
		{"SET spark.sql.session.timeZone=UTC", [][]string{{"spark.sql.session.timeZone", "UTC"}}},
	} {
		q, want := c.q, c.want
		got, err := run(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		same(t, got, want)
	}
	if _, err := run("SET spark.sql.session.timeZone=Europe/Paris"); status.Code(err) != codes.Unimplemented {
		t.Fatalf("a time zone other than UTC: %v", err)
	}
	all, err := run("SET")
	if err != nil || len(all) < 20 {
		t.Fatalf("SET: %d rows, %v", len(all), err)
	}
}
