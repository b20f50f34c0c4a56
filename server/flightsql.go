package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/server/streams"
	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// flightSQL is the Flight SQL service, over arrow-go's flightsql.BaseServer
// (which answers what nectar does not do, writes and transactions, with
// Unimplemented).
type flightSQL struct {
	flightsql.BaseServer
	s *Server
}

func newFlightSQL(s *Server) *flightSQL {
	f := &flightSQL{s: s}
	f.Alloc = s.mem
	for id, v := range sqlInfo() {
		if err := f.RegisterSqlInfo(id, v); err != nil {
			panic(err) // a value of a type RegisterSqlInfo does not take: a bug
		}
	}
	return f
}

// newID returns a random id for a query or a prepared statement.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// arrowSchema is the Arrow schema of a result: parquetfile's types, and
// the column metadata Flight SQL defines for its type name (nectar's, which
// JDBC tools show) and read-only.
func arrowSchema(schema types.Schema, table string) *arrow.Schema {
	fields := parquetfile.ArrowSchema(schema).Fields()
	for i := range fields {
		b := flightsql.NewColumnMetadataBuilder().TypeName(schema[i].Kind.String()).IsReadOnly(true)
		if table != "" {
			b.TableName(table)
		}
		fields[i].Metadata = b.Metadata()
	}
	return arrow.NewSchema(fields, nil)
}

// paramSchema is the parameter schema of a prepared statement. The JDBC
// driver binds setX values with the converter of each parameter's Arrow
// type and refuses a parameter count other than the schema's. Its
// timestamp converter writes milliseconds whatever the unit, so a
// TIMESTAMP or DATE placeholder is announced as STRING: setString("2019-02-01
// 10:00:00") works, and nectar casts the string where a time is compared,
// as Spark does. ADBC and Go's driver send values of their own types.
func paramSchema(kinds []types.Kind) *arrow.Schema {
	cols := make(types.Schema, len(kinds))
	for i, k := range kinds {
		if k == types.Timestamp || k == types.Date || k == types.Null {
			k = types.String
		}
		cols[i] = types.Column{Name: "p" + strconv.Itoa(i+1), Kind: k}
	}
	return parquetfile.ArrowSchema(cols)
}

var emptySchema = arrow.NewSchema(nil, nil)

// statusError turns an error of a query on script into a gRPC status: the
// code says whose fault it is, the message is what the CLI would print
// (syntax and name errors with line:column, the line and a caret).
func (s *Server) statusError(ctx context.Context, err error, script string) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	err = withCause(ctx, err)
	var se *syntax.Error
	var sl syntax.ErrorList
	switch {
	case errors.Is(err, ErrBusy):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, errTimeout):
		return status.Error(codes.DeadlineExceeded, "query cancelled: "+err.Error())
	case errors.Is(err, errStalled):
		return status.Error(codes.Canceled, "query cancelled: "+err.Error())
	case errors.Is(err, errCancelled):
		return status.Error(codes.Canceled, "query cancelled: "+err.Error())
	case errors.Is(err, errStopping):
		return status.Error(codes.Unavailable, "query cancelled: "+err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "query cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "query cancelled: deadline exceeded")
	case errors.As(err, &se), errors.As(err, &sl):
		return status.Error(codes.InvalidArgument, syntax.Format(script, err))
	case errors.Is(err, exec.ErrMemoryLimit):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, streams.ErrNoResultYet):
		return status.Error(codes.Unavailable, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// info answers GetFlightInfo for script with params: where its rows are
// and their schema, found without running it. A script that gives no rows
// (CREATE VIEW) runs here, and its info has no endpoint to read.
func (f *flightSQL) info(ctx context.Context, desc *flight.FlightDescriptor, script string, params []types.Value, d *engine.Description) (*flight.FlightInfo, error) {
	user := userOf(ctx)
	if d == nil {
		var err error
		if d, err = f.s.describe(ctx, user, script); err != nil {
			return nil, f.s.statusError(ctx, err, script)
		}
	}
	info := &flight.FlightInfo{FlightDescriptor: desc, TotalRecords: -1, TotalBytes: -1}
	if d.Schema == nil || f.s.onlySettings(user, script, params) {
		// Run it now: a script without rows has no DoGet, and a client
		// that sends SET without reading its (key, value) answer (ADBC's
		// cursor.execute) expects the setting made. SET and RESET run
		// again at DoGet, which changes nothing, for the answer.
		began := time.Now()
		err := f.s.run(ctx, user, script, params, func(*engine.Result) error { return nil })
		f.s.logQuery(ctx, "flightsql", user, script, began, 0, err)
		if err != nil {
			return nil, f.s.statusError(ctx, err, script)
		}
		if d.Schema == nil {
			info.Schema = flight.SerializeSchema(emptySchema, f.Alloc)
			return info, nil
		}
	}
	tk, err := encodeTicket(ticket{ID: newID(), Query: script, Params: ticketValues(params)})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	raw, err := flightsql.CreateStatementQueryTicket(tk)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	info.Schema = flight.SerializeSchema(arrowSchema(d.Schema, ""), f.Alloc)
	info.Endpoint = []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: raw}}}
	return info, nil
}

// GetFlightInfoStatement implements flightsql.Server.
func (f *flightSQL) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.info(ctx, desc, cmd.GetQuery(), nil, nil)
}

// GetSchemaStatement implements flightsql.Server: the schema without
// running the query.
func (f *flightSQL) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	d, err := f.s.describe(ctx, userOf(ctx), cmd.GetQuery())
	if err != nil {
		return nil, f.s.statusError(ctx, err, cmd.GetQuery())
	}
	schema := emptySchema
	if d.Schema != nil {
		schema = arrowSchema(d.Schema, "")
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, f.Alloc)}, nil
}

// DoGetStatement implements flightsql.Server: it runs the ticket's query.
func (f *flightSQL) DoGetStatement(ctx context.Context, cmd flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	t, err := decodeTicket(cmd.GetStatementHandle())
	if err != nil {
		return nil, nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return f.stream(ctx, t)
}

// stream runs t's query and sends its rows as record batches while the
// executor produces them. It returns once the first result has its
// schema, or the query has failed.
func (f *flightSQL) stream(ctx context.Context, t ticket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	params, err := t.values()
	if err != nil {
		return nil, nil, status.Error(codes.InvalidArgument, err.Error())
	}
	user := userOf(ctx)
	qctx, done := f.s.start(ctx, t.ID, user)
	// A small buffer: the executor works ahead of the network by a
	// batch or two, no more (gRPC flow control holds the rest back).
	ch := make(chan flight.StreamChunk, 2)
	started := make(chan *arrow.Schema, 1)
	failed := make(chan error, 1)
	go func() {
		defer close(ch)
		defer done()
		began := time.Now()
		rows := 0
		sent := false
		stall := time.NewTimer(time.Hour)
		defer stall.Stop()
		err := f.s.run(qctx, user, t.Query, params, func(r *engine.Result) error {
			recs := parquetfile.NewRecords(f.Alloc, r.Schema)
			defer recs.Release()
			schema := arrowSchema(r.Schema, "")
			sent = true
			started <- schema
			for {
				b, err := r.Rows.Next(qctx)
				if err != nil {
					return err
				}
				if b == nil || b.Len == 0 {
					return nil
				}
				plain, err := recs.Record(b)
				if err != nil {
					return err
				}
				// The same columns under the schema with Flight SQL's
				// column metadata.
				rec := array.NewRecordBatch(schema, plain.Columns(), plain.NumRows())
				plain.Release()
				rows += b.Len
				stall.Reset(f.s.admission.lim.ClientStall)
				select {
				case ch <- flight.StreamChunk{Data: rec}:
				case <-qctx.Done():
					rec.Release()
					return context.Cause(qctx)
				case <-stall.C:
					rec.Release()
					return errStalled
				}
			}
		})
		f.s.logQuery(qctx, "flightsql", user, t.Query, began, rows, err)
		if !sent {
			if err == nil {
				started <- emptySchema
			} else {
				failed <- f.s.statusError(qctx, err, t.Query)
			}
			return
		}
		if err != nil {
			// The error ends the stream, so that the client does not take
			// the rows before it for the whole result; it is sent while the
			// client listens, whatever cancelled the query.
			select {
			case ch <- flight.StreamChunk{Err: f.s.statusError(qctx, err, t.Query)}:
			case <-ctx.Done():
			}
		}
	}()
	select {
	case schema := <-started:
		return schema, ch, nil
	case err := <-failed:
		return nil, nil, err
	}
}

// logQuery logs one query: who, what, how long, how many rows, and how it
// ended. The text is cut short; it is the user's query, never a password.
func (s *Server) logQuery(ctx context.Context, protocol, user, script string, began time.Time, rows int, err error) {
	const maxText = 300
	text := sqlconf.RedactSQL(script)
	if len(text) > maxText {
		text = text[:maxText] + "…"
	}
	attrs := []any{"protocol", protocol, "user", user, "ms", time.Since(began).Milliseconds(), "rows", rows, "sql", text}
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.Canceled) {
			err = cause
		}
		s.log.LogAttrs(ctx, slog.LevelWarn, "query failed", slog.Any("error", err), slog.Group("", attrs...))
		return
	}
	s.log.Info("query", attrs...)
}

// prepared is a prepared statement: its text, what Describe found, and the
// parameter values bound last.
type prepared struct {
	user  string
	query string
	desc  *engine.Description

	mu     sync.Mutex
	params []types.Value
	used   time.Time
}

// maxPrepared bounds the prepared statements a user keeps open: clients
// that never close theirs lose the oldest, not the server its memory.
const maxPrepared = 1000

func (f *flightSQL) lookup(ctx context.Context, handle []byte) (*prepared, error) {
	f.s.mu.Lock()
	p, ok := f.s.prepared[string(handle)]
	f.s.mu.Unlock()
	if !ok || p.user != userOf(ctx) {
		return nil, status.Error(codes.InvalidArgument, "no such prepared statement (closed, or never prepared here)")
	}
	p.mu.Lock()
	p.used = time.Now()
	p.mu.Unlock()
	return p, nil
}

// CreatePreparedStatement implements flightsql.Server: the statement is
// described (its schema and parameter kinds) without running.
func (f *flightSQL) CreatePreparedStatement(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	var res flightsql.ActionCreatePreparedStatementResult
	user := userOf(ctx)
	d, err := f.s.describe(ctx, user, req.GetQuery())
	if err != nil {
		return res, f.s.statusError(ctx, err, req.GetQuery())
	}
	handle := newID()
	f.s.mu.Lock()
	f.s.prepared[handle] = &prepared{user: user, query: req.GetQuery(), desc: d, used: time.Now()}
	f.s.evictPrepared(user)
	f.s.mu.Unlock()
	update := d.Schema == nil
	res.Handle = []byte(handle)
	res.IsUpdate = &update
	res.DatasetSchema = emptySchema
	if d.Schema != nil {
		res.DatasetSchema = arrowSchema(d.Schema, "")
	}
	res.ParameterSchema = paramSchema(d.Params)
	return res, nil
}

// evictPrepared drops user's least recently used prepared statements past
// maxPrepared; s.mu is held.
func (s *Server) evictPrepared(user string) {
	var mine []string
	for h, p := range s.prepared {
		if p.user == user {
			mine = append(mine, h)
		}
	}
	for len(mine) > maxPrepared {
		oldest := 0
		for i, h := range mine {
			if s.prepared[h].lastUsed().Before(s.prepared[mine[oldest]].lastUsed()) {
				oldest = i
			}
		}
		delete(s.prepared, mine[oldest])
		mine = append(mine[:oldest], mine[oldest+1:]...)
	}
}

func (p *prepared) lastUsed() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used
}

// ClosePreparedStatement implements flightsql.Server.
func (f *flightSQL) ClosePreparedStatement(ctx context.Context, req flightsql.ActionClosePreparedStatementRequest) error {
	if _, err := f.lookup(ctx, req.GetPreparedStatementHandle()); err != nil {
		return err
	}
	f.s.mu.Lock()
	delete(f.s.prepared, string(req.GetPreparedStatementHandle()))
	f.s.mu.Unlock()
	return nil
}

// DoPutPreparedStatementQuery implements flightsql.Server: it binds the
// parameter values the client sends.
func (f *flightSQL) DoPutPreparedStatementQuery(ctx context.Context, cmd flightsql.PreparedStatementQuery, rdr flight.MessageReader, _ flight.MetadataWriter) ([]byte, error) {
	p, err := f.lookup(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	values, err := f.bind(p, rdr)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.params = values
	p.mu.Unlock()
	return cmd.GetPreparedStatementHandle(), nil
}

func (f *flightSQL) bind(p *prepared, rdr flight.MessageReader) ([]types.Value, error) {
	values, err := paramValues(rdr)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if values != nil && len(values) != len(p.desc.Params) {
		return nil, status.Errorf(codes.InvalidArgument, "%d parameter values bound for %d ? placeholders", len(values), len(p.desc.Params))
	}
	return values, nil
}

func (p *prepared) bound() []types.Value {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.params
}

// GetFlightInfoPreparedStatement implements flightsql.Server.
func (f *flightSQL) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	p, err := f.lookup(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	return f.info(ctx, desc, p.query, p.bound(), p.desc)
}

// GetSchemaPreparedStatement implements flightsql.Server.
func (f *flightSQL) GetSchemaPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	p, err := f.lookup(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	schema := emptySchema
	if p.desc.Schema != nil {
		schema = arrowSchema(p.desc.Schema, "")
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, f.Alloc)}, nil
}

// DoGetPreparedStatement implements flightsql.Server, for clients that
// read a prepared statement's command as its ticket.
func (f *flightSQL) DoGetPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	p, err := f.lookup(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, nil, err
	}
	return f.stream(ctx, ticket{ID: newID(), Query: p.query, Params: ticketValues(p.bound())})
}

// DoPutPreparedStatementUpdate implements flightsql.Server: the JDBC
// driver runs a prepared statement that gives no rows (CREATE VIEW) as an
// update.
func (f *flightSQL) DoPutPreparedStatementUpdate(ctx context.Context, cmd flightsql.PreparedStatementUpdate, rdr flight.MessageReader) (int64, error) {
	p, err := f.lookup(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return 0, err
	}
	values, err := f.bind(p, rdr)
	if err != nil {
		return 0, err
	}
	if values == nil {
		values = p.bound()
	}
	return f.update(ctx, p.query, values)
}

// DoPutCommandStatementUpdate implements flightsql.Server.
func (f *flightSQL) DoPutCommandStatementUpdate(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	return f.update(ctx, cmd.GetQuery(), nil)
}

// update runs a script for its effect (views); it changes no rows.
func (f *flightSQL) update(ctx context.Context, script string, params []types.Value) (int64, error) {
	user := userOf(ctx)
	began := time.Now()
	err := f.s.run(ctx, user, script, params, func(r *engine.Result) error { return nil })
	f.s.logQuery(ctx, "flightsql", user, script, began, 0, err)
	if err != nil {
		return 0, f.s.statusError(ctx, err, script)
	}
	return 0, nil
}

// CancelFlightInfo implements flightsql.Server: it cancels the query the
// info's ticket names, through that query's context.
func (f *flightSQL) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	// The result is built in each return: it holds a lock, which go vet
	// will not have copied.
	if req.GetInfo() == nil {
		return flight.CancelFlightInfoResult{}, status.Error(codes.InvalidArgument, "no FlightInfo to cancel")
	}
	st := flight.CancelStatusNotCancellable
	for _, ep := range req.GetInfo().GetEndpoint() {
		tq, err := flightsql.GetStatementQueryTicket(ep.GetTicket())
		if err != nil {
			return flight.CancelFlightInfoResult{}, status.Error(codes.InvalidArgument, "not a ticket of this server")
		}
		t, err := decodeTicket(tq.GetStatementHandle())
		if err != nil {
			return flight.CancelFlightInfoResult{}, status.Error(codes.InvalidArgument, err.Error())
		}
		if _, ok := f.s.cancelQuery(t.ID, userOf(ctx)); ok {
			st = flight.CancelStatusCancelled
		}
	}
	return flight.CancelFlightInfoResult{Status: st}, nil
}

// ---- catalog ----

func (f *flightSQL) infoFor(desc *flight.FlightDescriptor, schema *arrow.Schema) *flight.FlightInfo {
	return &flight.FlightInfo{
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: desc.Cmd}}},
		FlightDescriptor: desc,
		Schema:           flight.SerializeSchema(schema, f.Alloc),
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
}

// one sends a single record batch.
func one(rec arrow.RecordBatch) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: rec}
	close(ch)
	return rec.Schema(), ch, nil
}

// GetFlightInfoCatalogs implements flightsql.Server. nectar has one
// namespace: no catalog, one schema named "" (as the SQLite example and
// Dremio do), so that clients write table names unqualified.
func (f *flightSQL) GetFlightInfoCatalogs(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.Catalogs), nil
}

// DoGetCatalogs implements flightsql.Server: no catalogs.
func (f *flightSQL) DoGetCatalogs(context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(f.Alloc, schema_ref.Catalogs)
	defer b.Release()
	return one(b.NewRecordBatch())
}

// GetFlightInfoSchemas implements flightsql.Server.
func (f *flightSQL) GetFlightInfoSchemas(_ context.Context, _ flightsql.GetDBSchemas, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.DBSchemas), nil
}

// DoGetDBSchemas implements flightsql.Server: the one schema, "".
func (f *flightSQL) DoGetDBSchemas(_ context.Context, cmd flightsql.GetDBSchemas) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(f.Alloc, schema_ref.DBSchemas)
	defer b.Release()
	if inCatalog(cmd.GetCatalog()) && matches(cmd.GetDBSchemaFilterPattern(), "") {
		b.Field(0).AppendNull()
		b.Field(1).(*array.StringBuilder).Append("")
	}
	return one(b.NewRecordBatch())
}

// inCatalog reports whether a catalog filter admits nectar's tables,
// which are in no catalog.
func inCatalog(c *string) bool { return c == nil || *c == "" }

func matches(pattern *string, s string) bool { return pattern == nil || like(*pattern, s) }

// GetFlightInfoTables implements flightsql.Server.
func (f *flightSQL) GetFlightInfoTables(_ context.Context, cmd flightsql.GetTables, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if cmd.GetIncludeSchema() {
		return f.infoFor(desc, schema_ref.TablesWithIncludedSchema), nil
	}
	return f.infoFor(desc, schema_ref.Tables), nil
}

// DoGetTables implements flightsql.Server. With the schemas included,
// each comes from its source's sample, as in GetSchema; a table whose
// schema cannot be found (its files are gone) is listed with no columns
// and the reason logged, so that one broken view does not hide the rest.
func (f *flightSQL) DoGetTables(ctx context.Context, cmd flightsql.GetTables) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	schema := schema_ref.Tables
	if cmd.GetIncludeSchema() {
		schema = schema_ref.TablesWithIncludedSchema
	}
	b := array.NewRecordBuilder(f.Alloc, schema)
	defer b.Release()
	user := userOf(ctx)
	kinds := map[string]bool{}
	for _, t := range cmd.GetTableTypes() {
		kinds[t] = true
	}
	if inCatalog(cmd.GetCatalog()) && matches(cmd.GetDBSchemaFilterPattern(), "") {
		for _, t := range f.s.tables(user) {
			if !matches(cmd.GetTableNameFilterPattern(), t.Name) || len(kinds) > 0 && !kinds[t.Kind] {
				continue
			}
			b.Field(0).AppendNull()
			b.Field(1).(*array.StringBuilder).Append("")
			b.Field(2).(*array.StringBuilder).Append(t.Name)
			b.Field(3).(*array.StringBuilder).Append(t.Kind)
			if cmd.GetIncludeSchema() {
				cols, err := f.s.tableSchema(ctx, user, t.Name)
				if err != nil {
					f.s.log.Warn("catalog: no schema", "table", t.Name, "error", err)
				}
				b.Field(4).(*array.BinaryBuilder).Append(flight.SerializeSchema(arrowSchema(cols, t.Name), f.Alloc))
			}
		}
	}
	return one(b.NewRecordBatch())
}

// GetFlightInfoTableTypes implements flightsql.Server.
func (f *flightSQL) GetFlightInfoTableTypes(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.TableTypes), nil
}

// DoGetTableTypes implements flightsql.Server.
func (f *flightSQL) DoGetTableTypes(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(f.Alloc, schema_ref.TableTypes)
	defer b.Release()
	for _, k := range tableKinds(f.s.tables(userOf(ctx))) {
		b.Field(0).(*array.StringBuilder).Append(k)
	}
	return one(b.NewRecordBatch())
}

// GetFlightInfoXdbcTypeInfo implements flightsql.Server.
func (f *flightSQL) GetFlightInfoXdbcTypeInfo(_ context.Context, _ flightsql.GetXdbcTypeInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.XdbcTypeInfo), nil
}

// DoGetXdbcTypeInfo implements flightsql.Server.
func (f *flightSQL) DoGetXdbcTypeInfo(_ context.Context, cmd flightsql.GetXdbcTypeInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return one(xdbcTypeInfo(f.Alloc, cmd.GetDataType()))
}

// Primary and foreign keys: nectar's tables have none. Answering with
// empty results (rather than Unimplemented) keeps tools that ask, such as
// DBeaver's table view, working.

// GetFlightInfoPrimaryKeys implements flightsql.Server.
func (f *flightSQL) GetFlightInfoPrimaryKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.PrimaryKeys), nil
}

// DoGetPrimaryKeys implements flightsql.Server.
func (f *flightSQL) DoGetPrimaryKeys(context.Context, flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return f.empty(schema_ref.PrimaryKeys)
}

// GetFlightInfoImportedKeys implements flightsql.Server.
func (f *flightSQL) GetFlightInfoImportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.ImportedKeys), nil
}

// DoGetImportedKeys implements flightsql.Server.
func (f *flightSQL) DoGetImportedKeys(context.Context, flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return f.empty(schema_ref.ImportedKeys)
}

// GetFlightInfoExportedKeys implements flightsql.Server.
func (f *flightSQL) GetFlightInfoExportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return f.infoFor(desc, schema_ref.ExportedKeys), nil
}

// DoGetExportedKeys implements flightsql.Server.
func (f *flightSQL) DoGetExportedKeys(context.Context, flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return f.empty(schema_ref.ExportedKeys)
}

func (f *flightSQL) empty(schema *arrow.Schema) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(f.Alloc, schema)
	defer b.Release()
	return one(b.NewRecordBatch())
}

var _ flightsql.Server = (*flightSQL)(nil)
