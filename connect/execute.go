package connect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// ExecutePlan runs a plan and streams its responses: a query's schema,
// then its rows as Arrow batches while the executor makes them, or a
// command's result.
func (s *Service) ExecutePlan(req *pb.ExecutePlanRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	ctx := stream.Context()
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return err
	}
	id := req.GetOperationId()
	if id == "" {
		id = uuid.NewString()
	}
	reattachable := false
	for _, o := range req.GetRequestOptions() {
		if o.GetReattachOptions().GetReattachable() {
			reattachable = true
		}
	}
	// A reattachable operation runs on when its stream breaks, until its
	// client reattaches or detachedTimeout passes; a plain one ends with
	// its stream.
	parent := ctx
	if reattachable {
		parent = context.WithoutCancel(ctx)
	}
	runCtx, stopRun := context.WithCancelCause(parent)
	unhook := context.AfterFunc(s.stopping, func() { stopRun(errStopping) })
	op, err := sess.startOp(runCtx, id, req.GetTags(), reattachable)
	if err != nil {
		unhook()
		stopRun(nil)
		return err
	}
	go func() {
		defer unhook()
		defer stopRun(nil)
		began := time.Now()
		n := 0
		emit := func(r *pb.ExecutePlanResponse) error {
			r.SessionId, r.ServerSideSessionId, r.OperationId, r.ResponseId = sess.id, sess.serverSide, id, uuid.NewString()
			if b := r.GetArrowBatch(); b != nil {
				n += int(b.GetRowCount())
			}
			select {
			case op.out <- r:
				return nil
			case <-op.ctx.Done():
				return context.Cause(op.ctx)
			}
		}
		what, script, err := s.executeSafely(op.ctx, sess, req.GetPlan(), emit)
		if err == nil && reattachable {
			err = emit(&pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ResultComplete_{ResultComplete: &pb.ExecutePlanResponse_ResultComplete{}}})
		}
		s.logOp(sess, id, what, script, began, n, err, op.ctx)
		op.finish(toStatus(op.ctx, err, script))
	}()
	return op.attach(stream, "")
}

// logOp writes one line per operation: never the token, and the SQL only
// as far as its first 200 characters.
func (s *Service) logOp(sess *session, id, what, script string, began time.Time, rows int, err error, ctx context.Context) {
	if len(script) > 200 {
		script = script[:200] + "…"
	}
	attrs := []any{"user", sess.user, "session", sess.id, "operation", id, "plan", what, "ms", time.Since(began).Milliseconds(), "rows", rows, "sql", sqlconf.RedactSQL(script)}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			if c := context.Cause(ctx); c != nil {
				err = c
			}
		}
		s.log.Info("Spark Connect operation failed", append(attrs, "error", err.Error())...)
		return
	}
	s.log.Info("Spark Connect operation", attrs...)
}

// ReattachExecute continues a reattachable operation after the last
// response its client saw.
func (s *Service) ReattachExecute(req *pb.ReattachExecuteRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	sess, err := s.sessionFor(stream.Context(), req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return err
	}
	op := sess.op(req.GetOperationId())
	if op == nil || !op.reattachable {
		// pyspark reads this error class in the message: before any
		// response it sends the ExecutePlan again.
		return sparkError{code: codes.NotFound, class: "org.apache.spark.SparkSQLException",
			errorClass: "INVALID_HANDLE.OPERATION_NOT_FOUND", msg: "Operation not found: " + req.GetOperationId()}.status()
	}
	return op.attach(stream, req.GetLastResponseId())
}

// ReleaseExecute drops the responses a client has read, or the whole
// operation.
func (s *Service) ReleaseExecute(ctx context.Context, req *pb.ReleaseExecuteRequest) (*pb.ReleaseExecuteResponse, error) {
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return nil, err
	}
	resp := &pb.ReleaseExecuteResponse{SessionId: sess.id, ServerSideSessionId: sess.serverSide}
	op := sess.op(req.GetOperationId())
	if op == nil {
		// Already gone: releasing is idempotent.
		return resp, nil
	}
	resp.OperationId = &op.id
	switch r := req.GetRelease().(type) {
	case *pb.ReleaseExecuteRequest_ReleaseAll_:
		sess.removeOp(op)
	case *pb.ReleaseExecuteRequest_ReleaseUntil_:
		op.release(r.ReleaseUntil.GetResponseId())
	}
	return resp, nil
}

// executeSafely is execute with a panic turned into an error: it runs
// in the operation's own goroutine, where the gRPC interceptor's recover
// does not reach, and a plan nectar mishandles must cost its client an
// error, not the server. It holds one of the server's query slots while
// it runs (Config.Admit).
func (s *Service) executeSafely(ctx context.Context, sess *session, plan *pb.Plan, emit func(*pb.ExecutePlanResponse) error) (what, script string, err error) {
	if s.cfg.Admit != nil {
		qctx, done, aerr := s.cfg.Admit(ctx, sess.user)
		if aerr != nil {
			if s.cfg.Busy != nil && errors.Is(aerr, s.cfg.Busy) {
				aerr = sparkError{code: codes.Unavailable, class: "org.apache.spark.SparkException", msg: aerr.Error()}.status()
			}
			return "admission", "", aerr
		}
		defer done()
		ctx = qctx
		defer func() {
			// The server's limits end a query through qctx: say why.
			if err != nil && qctx.Err() != nil {
				if cause := context.Cause(qctx); cause != nil && !errors.Is(cause, context.Canceled) {
					err = cause
				}
			}
		}()
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("Spark Connect operation panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "internal error: %v", r)
		}
	}()
	return s.execute(ctx, sess, plan, emit)
}

// execute runs plan, handing its responses to emit. It returns what ran
// (for the log) and the nectar SQL it ran (for errors' carets).
func (s *Service) execute(ctx context.Context, sess *session, plan *pb.Plan, emit func(*pb.ExecutePlanResponse) error) (string, string, error) {
	switch op := plan.GetOpType().(type) {
	case *pb.Plan_Root:
		root := op.Root
		e := s.engineSession(sess)
		t := &translator{ctx: ctx, e: e, sess: sess}
		if show := root.GetShowString(); show != nil {
			script, err := s.show(ctx, t, show, emit)
			return "show_string", script, err
		}
		r, err := t.relation(root)
		if err != nil {
			return relationName(root), sqlOf(err), err
		}
		script := t.rootSQL(r)
		return relationName(root), script, s.rows(ctx, e, script, emit)
	case *pb.Plan_Command:
		return s.command(ctx, sess, op.Command, emit)
	case *pb.Plan_CompressedOperation_:
		return "compressed_operation", "", unsupported("compressed plans (the client sends them when the server announces spark.connect.session.planCompression.threshold, which nectar does not)")
	}
	return "", "", invalid("a plan with neither a relation nor a command")
}

// sqlOf is the SQL a translation error is about, if any.
func sqlOf(err error) string {
	var qe *queryError
	if errors.As(err, &qe) {
		return qe.sql
	}
	return ""
}

// batchRows is about how many rows one ArrowBatch response carries:
// Spark's spark.sql.execution.arrow.maxRecordsPerBatch is 10,000.
const batchRows = 8192

// rows runs script and streams its last result: the schema, then Arrow
// batches of about batchRows rows, at least one (pyspark expects a batch
// even for an empty result).
func (s *Service) rows(ctx context.Context, e *engine.Session, script string, emit func(*pb.ExecutePlanResponse) error) error {
	got := false
	err := e.Run(ctx, script, func(r *engine.Result) error {
		if r.Kind == engine.Text {
			r = &engine.Result{Kind: engine.Rows, Schema: engine.TextSchema,
				Rows: exec.Rows(engine.TextSchema, [][]types.Value{{types.StringValue(r.Text)}})}
		}
		if r.Rows == nil {
			return nil
		}
		got = true
		return streamResult(ctx, r, emit)
	})
	if err != nil {
		return &queryError{sql: script, err: err}
	}
	if !got {
		return emit(&pb.ExecutePlanResponse{Schema: structType(nil)})
	}
	return nil
}

func streamResult(ctx context.Context, r *engine.Result, emit func(*pb.ExecutePlanResponse) error) error {
	defer r.Rows.Close()
	if err := emit(&pb.ExecutePlanResponse{Schema: structType(r.Schema)}); err != nil {
		return err
	}
	recs := parquetfile.NewRecords(memory.DefaultAllocator, r.Schema)
	defer recs.Release()
	acc := types.NewBatch(r.Schema, batchRows)
	var offset int64
	sent := false
	flush := func() error {
		rec, err := recs.Record(acc)
		if err != nil {
			return err
		}
		data, err := ipcBytes(rec)
		rec.Release()
		if err != nil {
			return err
		}
		n := int64(acc.Len)
		start := offset
		offset += n
		sent = true
		acc.Reset()
		return emit(&pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ArrowBatch_{
			ArrowBatch: &pb.ExecutePlanResponse_ArrowBatch{RowCount: n, Data: data, StartOffset: &start}}})
	}
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil || b.Len == 0 {
			break
		}
		for off := 0; off < b.Len; {
			n := min(b.Len-off, batchRows-acc.Len)
			for j, v := range b.Cols {
				acc.Cols[j].AppendRange(v, off, n)
			}
			acc.Len += n
			off += n
			if acc.Len >= batchRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if acc.Len > 0 || !sent {
		return flush()
	}
	return nil
}

// ipcBytes is one record batch as an Arrow IPC stream, the form
// ArrowBatch.data takes (pyspark opens each with pyarrow.ipc.open_stream
// and expects exactly row_count rows in it).
func ipcBytes(rec arrow.RecordBatch) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("write Arrow batch: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write Arrow batch: %w", err)
	}
	return buf.Bytes(), nil
}

// command runs a Command: spark.sql's statements and temporary views.
func (s *Service) command(ctx context.Context, sess *session, c *pb.Command, emit func(*pb.ExecutePlanResponse) error) (string, string, error) {
	switch x := c.GetCommandType().(type) {
	case *pb.Command_SqlCommand:
		script, err := s.sqlCommand(ctx, sess, x.SqlCommand, emit)
		return "sql_command", script, err
	case *pb.Command_CreateDataframeView:
		script, err := s.createView(ctx, sess, x.CreateDataframeView)
		return "create_dataframe_view", script, err
	case *pb.Command_WriteOperation, *pb.Command_WriteOperationV2:
		return "write_operation", "", unsupported("writing DataFrames (df.write): nectar serves reads; use nectar query -o FILE")
	case *pb.Command_RegisterFunction, *pb.Command_RegisterTableFunction, *pb.Command_RegisterDataSource:
		return "register_function", "", unsupported("registering Python functions and data sources: nectar runs no Python code")
	case *pb.Command_WriteStreamOperationStart, *pb.Command_StreamingQueryCommand, *pb.Command_StreamingQueryManagerCommand:
		return "streaming", "", unsupported("Structured Streaming commands (use nectar stream)")
	case *pb.Command_MlCommand:
		// pyspark cleans its ML cache when it exits: there is none.
		if x.MlCommand.GetCleanCache() != nil {
			return "ml_command.clean_cache", "", nil
		}
		return "ml_command", "", unsupported("Spark ML (pyspark.ml over Spark Connect)")
	case nil:
		return "", "", invalid("a command with no type")
	}
	name := fmt.Sprintf("%T", c.GetCommandType())
	name = snake(strings.TrimPrefix(name, "*sparkpb.Command_"))
	return name, "", unsupported("the command %s", name)
}

// sqlCommand is spark.sql(text): a query answers with its relation (run
// when an action asks for rows, as Spark does); other statements (CREATE
// VIEW, DESCRIBE, EXPLAIN, SHOW) run now and answer with their rows as a
// local relation.
func (s *Service) sqlCommand(ctx context.Context, sess *session, c *pb.SqlCommand, emit func(*pb.ExecutePlanResponse) error) (string, error) {
	in := c.GetInput()
	if in == nil {
		// Older clients put the statement in the command's own fields.
		in = &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: c.GetSql(), Args: c.GetArgs(), PosArgs: c.GetPosArgs(),
			NamedArguments: c.GetNamedArguments(), PosArguments: c.GetPosArguments()}}}
	}
	sqlRel := in.GetSql()
	if sqlRel == nil {
		return "", unsupported("a SQL command over a %s relation", relationName(in))
	}
	e := s.engineSession(sess)
	t := &translator{ctx: ctx, e: e, sess: sess}
	stmts, err := t.sqlStatements(sqlRel)
	if err != nil {
		return sqlRel.GetQuery(), err
	}
	if len(stmts) == 1 {
		if _, ok := stmts[0].(*syntax.QueryStmt); ok {
			// Bind it now so that a mistake is reported by spark.sql, as
			// Spark's analysis does, not by the first action.
			if _, err := t.relation(in); err != nil {
				return sqlRel.GetQuery(), err
			}
			return sqlRel.GetQuery(), emit(&pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_SqlCommandResult_{
				SqlCommandResult: &pb.ExecutePlanResponse_SqlCommandResult{Relation: in}}})
		}
	}
	script := sqlRel.GetQuery()
	var parts []string
	for _, st := range stmts {
		parts = append(parts, st.String())
	}
	if len(sqlRel.GetPosArgs()) > 0 || len(sqlRel.GetPosArguments()) > 0 || len(sqlRel.GetArgs()) > 0 || len(sqlRel.GetNamedArguments()) > 0 {
		// The statements with their arguments bound, as literals.
		script = strings.Join(parts, ";\n")
	}
	var schema types.Schema
	var rows [][]types.Value
	err = e.Run(ctx, script, func(r *engine.Result) error {
		if r.Kind == engine.Text {
			schema, rows = engine.TextSchema, [][]types.Value{{types.StringValue(r.Text)}}
			return nil
		}
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		schema, rows = r.Schema, nil
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil || b.Len == 0 {
				return nil
			}
			for i := 0; i < b.Len; i++ {
				rows = append(rows, b.Row(nil, i))
				if len(rows) > maxLocalRows {
					return unsupported("a statement of more than %d rows in spark.sql; select them with a query", maxLocalRows)
				}
			}
		}
	})
	if err != nil {
		return script, &queryError{sql: script, err: err}
	}
	data, err := localData(schema, rows)
	if err != nil {
		return script, err
	}
	return script, emit(&pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_SqlCommandResult_{
		SqlCommandResult: &pb.ExecutePlanResponse_SqlCommandResult{Relation: &pb.Relation{
			Common:  &pb.RelationCommon{},
			RelType: &pb.Relation_LocalRelation{LocalRelation: &pb.LocalRelation{Data: data}}}}}})
}

// localData is rows as a LocalRelation's Arrow IPC stream.
func localData(schema types.Schema, rows [][]types.Value) ([]byte, error) {
	recs := parquetfile.NewRecords(memory.DefaultAllocator, schema)
	defer recs.Release()
	b := types.NewBatch(schema, len(rows))
	for _, r := range rows {
		b.AppendRow(r)
	}
	rec, err := recs.Record(b)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return ipcBytes(rec)
}

// createView is df.createOrReplaceTempView(name): a nectar view of the
// frame's SQL, in the Spark session's views.
func (s *Service) createView(ctx context.Context, sess *session, v *pb.CreateDataFrameViewCommand) (string, error) {
	if v.GetIsGlobal() {
		return "", unsupported("global temporary views (createGlobalTempView): use createOrReplaceTempView")
	}
	e := s.engineSession(sess)
	t := &translator{ctx: ctx, e: e, sess: sess}
	r, err := t.relation(v.GetInput())
	if err != nil {
		return sqlOf(err), err
	}
	parts, err := parseIdentifier(v.GetName())
	if err != nil {
		return "", err
	}
	if len(parts) != 1 {
		return "", &analysisError{class: "TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS", msg: fmt.Sprintf("a temporary view's name is one part: %s", v.GetName())}
	}
	create := "CREATE VIEW "
	if v.GetReplace() {
		create = "CREATE OR REPLACE VIEW "
	}
	script := create + syntax.QuoteIdent(parts[0]) + " AS " + t.rootSQL(r)
	if err := e.Run(ctx, script, func(r *engine.Result) error {
		if r.Rows != nil {
			return r.Rows.Close()
		}
		return nil
	}); err != nil {
		return script, &queryError{sql: script, err: err}
	}
	return script, nil
}
