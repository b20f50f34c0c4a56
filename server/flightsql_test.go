package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// seedSQL is the seed analysis.
const seedSQL = `SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS added_to_cart
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY variant, hour_of_day
ORDER BY variant, hour_of_day`

// Every kind of column, NULLs, EXPLAIN and DESCRIBE come back through
// database/sql as the engine gives them directly.
func TestFlightSQLAnswersEqualEngine(t *testing.T) {
	ts := start(t, nil)
	db := ts.db(t, "", "")
	for _, q := range []string{
		seedSQL,
		`SELECT messageId, event, CAST(timestamp AS TIMESTAMP) AS ts, to_date(timestamp) AS day,
		        properties.price AS price, properties.price > 20 AS dear, properties.quantity AS quantity, NULL AS nothing
		 FROM events ORDER BY messageId LIMIT 500`,
		"SELECT count(*) AS n, count(DISTINCT userId) AS users FROM events",
		"SELECT * FROM (SELECT event, properties.vertical FROM events) AS q01 WHERE (0 = 1)",
		"DESCRIBE SELECT * FROM events",
		"FROM events |> WHERE event = 'Order Completed' |> AGGREGATE count(*) AS n GROUP BY context.library.name AS lib |> ORDER BY lib",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got, want := sqlRows(t, rows), ts.engineRows(t, q)
		if len(want) == 0 && !strings.Contains(q, "(0 = 1)") {
			t.Errorf("%s: no rows; the comparison needs some", q)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\nFlight SQL %d rows %.300q\nengine     %d rows %.300q", q, len(got), got, len(want), want)
		}
	}
}

func TestFlightSQLPrepared(t *testing.T) {
	ts := start(t, nil)
	db := ts.db(t, "", "")
	const q = "SELECT messageId, properties.price AS price FROM events WHERE event = ? AND properties.price > ? AND properties.quantity >= ? ORDER BY messageId"
	stmt, err := db.Prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for _, args := range [][]any{{"Added to Cart", 20.5, int64(2)}, {"Product Viewed", 99.0, int64(1)}} {
		rows, err := stmt.Query(args...)
		if err != nil {
			t.Fatal(err)
		}
		got := sqlRows(t, rows)
		want := ts.engineRows(t, fmt.Sprintf("SELECT messageId, properties.price AS price FROM events WHERE event = '%s' AND properties.price > %v AND properties.quantity >= %d ORDER BY messageId", args...))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%v: %d rows, want %d equal to the query with literals", args, len(got), len(want))
		}
	}
	// A value is a value: its quotes do not end the literal.
	rows, err := db.Query("SELECT count(*) FROM events WHERE event = ?", "x' OR '1' = '1")
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); !slices.Equal(got, []string{"0"}) {
		t.Errorf("a quote in a parameter changed the query: %v", got)
	}
	// Too many or too few values are refused.
	if _, err := db.Query("SELECT count(*) FROM events WHERE event = ?", "a", "b"); err == nil {
		t.Error("two values for one placeholder were accepted")
	}
}

// Views live per user across requests; each request lists the files anew.
func TestFlightSQLViews(t *testing.T) {
	ts := start(t, nil)
	db := ts.db(t, "", "")
	if _, err := db.Exec("CREATE VIEW carts AS SELECT * FROM events WHERE event = 'Added to Cart'"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT count(*) FROM carts")
	if err != nil {
		t.Fatal(err)
	}
	got := sqlRows(t, rows)
	want := ts.engineRows(t, "SELECT count(*) FROM events WHERE event = 'Added to Cart'")
	if !slices.Equal(got, want) {
		t.Errorf("view: %v, want %v", got, want)
	}
	// A script: its views, then its last query's rows.
	rows, err = db.Query("CREATE VIEW foods AS SELECT * FROM carts WHERE properties.vertical = 'Food'; SELECT count(*) FROM foods")
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 1 || got[0] == "0" {
		t.Errorf("script: %v", got)
	}
	if _, err := db.Exec("CREATE VIEW carts AS SELECT 1 AS one"); status.Code(errors.Unwrap(err)) != codes.InvalidArgument && !strings.Contains(fmt.Sprint(err), "already exists") {
		t.Errorf("a second CREATE VIEW carts: %v", err)
	}
}

// flightClient is a raw Flight SQL client, for what database/sql does not
// reach (catalogs, SqlInfo, cancellation, tickets).
func flightClient(t testing.TB, addr string) *flightsql.Client {
	t.Helper()
	cl, err := flightsql.NewClient(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

func TestFlightSQLCatalog(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	if _, err := cl.ExecuteUpdate(ctx, "CREATE VIEW carts AS SELECT event, userId FROM events WHERE event = 'Added to Cart'"); err != nil {
		t.Fatal(err)
	}
	read := func(info *flight.FlightInfo, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ep := range info.Endpoint {
			r, err := cl.DoGet(ctx, ep.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				rec := r.RecordBatch()
				for i := 0; i < int(rec.NumRows()); i++ {
					var cells []string
					for j := 0; j < int(rec.NumCols()); j++ {
						col := rec.Column(j)
						switch {
						case col.IsNull(i):
							cells = append(cells, "NULL")
						case rec.ColumnName(j) == "table_schema":
							cells = append(cells, fmt.Sprintf("%d bytes", len(col.(*array.Binary).Value(i))))
						default:
							cells = append(cells, col.ValueStr(i))
						}
					}
					out = append(out, strings.Join(cells, "|"))
				}
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			r.Release()
		}
		return out
	}
	if got := read(cl.GetCatalogs(ctx)); len(got) != 0 {
		t.Errorf("catalogs: %v, want none", got)
	}
	if got := read(cl.GetDBSchemas(ctx, &flightsql.GetDBSchemasOpts{})); !slices.Equal(got, []string{"NULL|"}) {
		t.Errorf("schemas: %v", got)
	}
	if got := read(cl.GetTableTypes(ctx)); !slices.Equal(got, []string{"TABLE", "VIEW"}) {
		t.Errorf("table types: %v", got)
	}
	if got := read(cl.GetTables(ctx, &flightsql.GetTablesOpts{})); !slices.Equal(got, []string{"NULL||carts|VIEW", "NULL||events|TABLE", "NULL||typed|TABLE"}) {
		t.Errorf("tables: %v", got)
	}
	pattern := "ev%"
	if got := read(cl.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: &pattern})); !slices.Equal(got, []string{"NULL||events|TABLE"}) {
		t.Errorf("tables like ev%%: %v", got)
	}
	if got := read(cl.GetTables(ctx, &flightsql.GetTablesOpts{TableTypes: []string{"VIEW"}})); !slices.Equal(got, []string{"NULL||carts|VIEW"}) {
		t.Errorf("views: %v", got)
	}
	// With schemas: the view's columns, with nectar's type names.
	info, err := cl.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: ptr("carts"), IncludeSchema: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() || r.RecordBatch().NumRows() != 1 {
		t.Fatalf("carts with its schema: %v", r.Err())
	}
	schema, err := flight.DeserializeSchema(r.RecordBatch().Column(4).(*array.Binary).Value(0), cl.Alloc)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range schema.Fields() {
		md := flightsql.ColumnMetadata{Data: &f.Metadata}
		typ, _ := md.TypeName()
		cols = append(cols, f.Name+" "+f.Type.String()+" "+typ)
	}
	if got := strings.Join(cols, ", "); got != "event utf8 STRING, userId utf8 STRING" {
		t.Errorf("carts' schema: %s", got)
	}

	infos := read(cl.GetSqlInfo(ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerName, flightsql.SqlInfoFlightSqlServerReadOnly, flightsql.SqlInfoIdentifierQuoteChar}))
	joined := strings.Join(infos, "\n")
	for _, want := range []string{"nectar", "true", "`"} {
		if !strings.Contains(joined, want) {
			t.Errorf("SqlInfo lacks %q: %s", want, joined)
		}
	}
	types := read(cl.GetXdbcTypeInfo(ctx, nil))
	if len(types) != len(xdbcTypes) || !strings.HasPrefix(types[1], "BIGINT|-5|") {
		t.Errorf("type info: %v", types)
	}
	if got := read(cl.GetXdbcTypeInfo(ctx, ptr(int32(93)))); len(got) != 1 || !strings.HasPrefix(got[0], "TIMESTAMP|93|") {
		t.Errorf("type info of TIMESTAMP: %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// GetSchema and preparing find the schema without running the query: no
// query shows in the server's log, and the schema is the one DoGet sends.
func TestFlightSQLSchemaWithoutRunning(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	res, err := cl.GetExecuteSchema(ctx, seedSQL)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := flight.DeserializeSchema(res.GetSchema(), cl.Alloc)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := cl.Prepare(ctx, "SELECT messageId, properties.price AS price FROM events WHERE properties.price > ? AND event = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close(ctx)
	if got := fmt.Sprint(stmt.DatasetSchema().Fields()); !strings.Contains(got, "messageId: type=utf8") || !strings.Contains(got, "price: type=float64") {
		t.Errorf("prepared dataset schema: %s", got)
	}
	if got := fmt.Sprint(stmt.ParameterSchema().Fields()); !strings.Contains(got, "p1: type=float64") || !strings.Contains(got, "p2: type=utf8") {
		t.Errorf("parameter schema: %s", got)
	}
	if strings.Contains(ts.log.String(), `"msg":"query"`) {
		t.Errorf("a query ran to find a schema:\n%s", ts.log.String())
	}
	info, err := cl.Execute(ctx, seedSQL)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Schema().Equal(schema) {
		t.Errorf("GetSchema %v, DoGet %v", schema, r.Schema())
	}
}

// A large result arrives in many record batches, the first while the
// query still runs: a cross join of 400 million rows is read one batch
// deep and then cancelled.
func TestFlightSQLStreamsLargeResults(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	info, err := cl.Execute(ctx, "SELECT * FROM events")
	if err != nil {
		t.Fatal(err)
	}
	r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	rows, batches := 0, 0
	for r.Next() {
		rows += int(r.RecordBatch().NumRows())
		batches++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	r.Release()
	want := ts.engineRows(t, "SELECT count(*) FROM events")
	if fmt.Sprint(rows) != want[0] || batches < 10 {
		t.Errorf("SELECT *: %d rows in %d batches, want %s rows in many batches", rows, batches, want[0])
	}

	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	info, err = cl.Execute(qctx, "SELECT a.messageId, b.messageId FROM typed a CROSS JOIN typed b")
	if err != nil {
		t.Fatal(err)
	}
	r, err = cl.DoGet(qctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.RecordBatch().NumRows() == 0 {
		t.Fatalf("no first batch: %v", r.Err())
	}
	cancel()
	for r.Next() {
	}
	r.Release()
	waitIdle(t, ts)
}

// waitIdle waits until the server runs no query: a cancelled query must
// stop, not run on for nobody.
func waitIdle(t testing.TB, ts *testServer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for ts.runningCount() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d queries still running", ts.runningCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFlightSQLCancel(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	const endless = "SELECT a.messageId, b.messageId FROM typed a CROSS JOIN typed b"

	// CancelFlightInfo: the DoGet in progress ends with Canceled.
	info, err := cl.Execute(ctx, endless)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatalf("no first batch: %v", r.Err())
	}
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("CancelFlightInfo: %v, %v", res.Status, err)
	}
	for r.Next() {
	}
	if status.Code(r.Err()) != codes.Canceled {
		t.Errorf("the cancelled stream ended with %v, want Canceled", r.Err())
	}
	r.Release()
	waitIdle(t, ts)
	// Cancelled before it is read: the DoGet fails at once.
	info, err = cl.Execute(ctx, endless)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info}); err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("CancelFlightInfo before DoGet: %v, %v", res.Status, err)
	}
	r, err = cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err == nil {
		for r.Next() {
		}
		err = r.Err()
		r.Release()
	}
	if status.Code(err) != codes.Canceled {
		t.Errorf("DoGet of a cancelled query: %v, want Canceled", err)
	}

	// database/sql: a context cancelled mid-result stops the query.
	db := ts.db(t, "", "")
	qctx, cancel := context.WithCancel(ctx)
	rows, err := db.QueryContext(qctx, endless)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no first row: %v", rows.Err())
	}
	cancel()
	for rows.Next() {
	}
	rows.Close()
	waitIdle(t, ts)
	// The server goes on answering.
	rows, err = db.Query("SELECT count(*) FROM events")
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 1 {
		t.Errorf("after cancellations: %v", got)
	}
}

// Bad requests get clear errors, never a crash.
func TestFlightSQLBadRequests(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	_, err := cl.Execute(ctx, "SELECT event FRM events")
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "error at 1:14") || !strings.Contains(err.Error(), "^") {
		t.Errorf("a syntax error: %v", err)
	}
	_, err = cl.Execute(ctx, "SELECT properties.vertcal FROM events")
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "vertical") {
		t.Errorf("a misspelt column: %v", err)
	}
	if _, err := cl.DoGet(ctx, &flight.Ticket{Ticket: []byte("garbage")}); err == nil {
		t.Error("a garbage ticket was accepted")
	} else if r, err := cl.DoGet(ctx, &flight.Ticket{Ticket: []byte("garbage")}); err == nil {
		r.Release()
	}
	raw, _ := flightsql.CreateStatementQueryTicket([]byte(`{"id":"x","q":"SELECT 1","p":[{"k":99}]}`))
	r, err := cl.DoGet(ctx, &flight.Ticket{Ticket: raw})
	if err == nil {
		r.Next()
		err = r.Err()
		r.Release()
	}
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a forged ticket: %v", err)
	}
	stmt, err := cl.Prepare(ctx, "SELECT count(*) FROM events WHERE event = ?")
	if err != nil {
		t.Fatal(err)
	}
	handle := stmt.Handle()
	if err := stmt.Close(ctx); err != nil {
		t.Fatal(err)
	}
	closed, err := cl.LoadPreparedStatementFromResult(&flightsql.CreatePreparedStatementResult{PreparedStatementHandle: handle})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := closed.Execute(ctx); status.Code(err) != codes.InvalidArgument {
		t.Errorf("a closed prepared statement: %v", err)
	}
	// A runtime error after rows were sent ends the stream with the error.
	info, err := cl.Execute(ctx, "SELECT CAST(CASE WHEN _line > 3000 THEN 'x' ELSE '1' END AS INT) AS n FROM typed")
	if err != nil {
		t.Fatal(err)
	}
	r, err = cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err == nil {
		n := 0
		for r.Next() {
			n += int(r.RecordBatch().NumRows())
		}
		err = r.Err()
		r.Release()
		if n == 0 {
			t.Errorf("the failing query sent no rows before failing: the test needs it to fail mid-stream")
		}
	}
	if err == nil || !strings.Contains(err.Error(), "'x'") {
		t.Errorf("a query failing mid-stream: %v", err)
	}
}

// Stopping the server cancels the queries it runs: their clients see
// Unavailable, not a result cut short.
func TestStopCancelsQueries(t *testing.T) {
	ts := start(t, nil)
	ctx := context.Background()
	cl := flightClient(t, ts.flightAddr)
	info, err := cl.Execute(ctx, "SELECT a.messageId, b.messageId FROM typed a CROSS JOIN typed b")
	if err != nil {
		t.Fatal(err)
	}
	r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatalf("no first batch: %v", r.Err())
	}
	ts.cancel()
	for r.Next() {
	}
	if status.Code(r.Err()) != codes.Unavailable || !strings.Contains(r.Err().Error(), "stopping") {
		t.Errorf("a query running when the server stopped: %v", r.Err())
	}
}
