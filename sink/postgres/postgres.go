package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

var (
	_ sink.Sink  = (*Sink)(nil)
	_ sink.Named = (*Sink)(nil)
)

// BatchTable is the bookkeeping table a Sink keeps next to its
// result table: one row per delivered batch, written in the same
// transaction as the batch's rows.
const BatchTable = "nectar_stream_batches"

// ErrPostgres is wrapped by every error of the PostgreSQL sink.
var ErrPostgres = errors.New("postgres sink")

// Sink writes each batch to a PostgreSQL table in one transaction
// that also records (stream id, batch id) in BatchTable. A batch whose id
// is already recorded is skipped, so the replay of a batch that was
// written but not committed in the checkpoint changes nothing — the
// idempotence Spark's foreachBatch asks its writers to provide by hand.
//
// Append mode inserts the batch's rows; update mode replaces the rows whose
// grouping keys the batch changed (NULL keys match NULL keys); complete
// mode deletes the table's rows and inserts the full result, so readers
// see the old or the new result, never a mix. The table is created when
// missing, with columns named and typed after the query's result.
//
// The stream id lives in the checkpoint, so a new checkpoint is a new
// stream whose batch ids start again at 0 without colliding.
type Sink struct {
	URL   string
	Table string // table name, optionally schema-qualified (schema.table)

	conn     *pgx.Conn
	info     sink.Info
	streamID string
	table    pgx.Identifier
	ident    string // table, quoted
	cols     []string
}

// New returns a sink writing into table at the server url
// (postgres://user:pass@host:port/db or a key=value DSN).
func New(url, table string) (*Sink, error) {
	if strings.TrimSpace(url) == "" || strings.TrimSpace(table) == "" {
		return nil, fmt.Errorf("%w: needs both --postgres URL and --table NAME", ErrPostgres)
	}
	return &Sink{URL: url, Table: table}, nil
}

// Name identifies the sink in the checkpoint. The URL is left out: it may
// hold a password, and a moved server is still the same sink.
func (s *Sink) Name() string { return "postgres:" + strings.ToLower(s.Table) }

// StreamID is the id the sink records its batches under (after Open).
func (s *Sink) StreamID() string { return s.streamID }

// Open implements sink.Sink: it connects, creates the bookkeeping and result
// tables when missing, and reads or creates the stream id.
func (s *Sink) Open(ctx context.Context, info sink.Info) error {
	s.info = info
	id, err := loadStreamID(filepath.Join(info.Dir, "postgres-stream-id"))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPostgres, err)
	}
	s.streamID = id
	s.table = pgx.Identifier(strings.Split(s.Table, "."))
	s.ident = s.table.Sanitize()
	s.cols = make([]string, len(info.Schema))
	for i, c := range info.Schema {
		s.cols[i] = c.Name
	}
	if s.conn, err = pgx.Connect(ctx, s.URL); err != nil {
		return fmt.Errorf("%w: connect: %w", ErrPostgres, err)
	}
	defs := make([]string, len(info.Schema))
	for i, c := range info.Schema {
		defs[i] = pgx.Identifier{c.Name}.Sanitize() + " " + pgType(c.Kind)
	}
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS ` + BatchTable + ` (
			stream_id text NOT NULL,
			target text NOT NULL,
			batch bigint NOT NULL,
			mode text NOT NULL,
			rows bigint NOT NULL,
			written_at timestamptz NOT NULL DEFAULT now(),
			PRIMARY KEY (stream_id, batch))`,
		`CREATE TABLE IF NOT EXISTS ` + s.ident + ` (` + strings.Join(defs, ", ") + `)`,
	}
	for _, q := range stmts {
		if _, err := s.conn.Exec(ctx, q); err != nil {
			// Two streams creating the same table at once race on the
			// catalog; the loser's table exists by now.
			if _, err2 := s.conn.Exec(ctx, q); err2 != nil {
				return fmt.Errorf("%w: %s: %w", ErrPostgres, firstLine(q), err)
			}
		}
	}
	return s.widenColumns(ctx)
}

// pgTypeOIDs are the type OIDs of pgType's answers (pg_type.dat).
var pgTypeOIDs = map[string]uint32{"boolean": 16, "bigint": 20, "text": 25, "double precision": 701, "date": 1082, "timestamptz": 1184}

// widenColumns alters the columns of an existing table whose type is not
// the one the result has now: the stream widened a column (BIGINT to
// DOUBLE, anything to TEXT) after the table was created. PostgreSQL casts
// the existing values, and the ALTER is transactional.
func (s *Sink) widenColumns(ctx context.Context) error {
	rows, err := s.conn.Query(ctx, "SELECT * FROM "+s.ident+" LIMIT 0")
	if err != nil {
		return fmt.Errorf("%w: read the columns of %s: %w", ErrPostgres, s.Table, err)
	}
	have := map[string]uint32{}
	for _, f := range rows.FieldDescriptions() {
		have[f.Name] = f.DataTypeOID
	}
	rows.Close()
	for _, c := range s.info.Schema {
		want := pgType(c.Kind)
		if oid, ok := have[c.Name]; !ok || oid == pgTypeOIDs[want] {
			continue
		}
		col := pgx.Identifier{c.Name}.Sanitize()
		q := "ALTER TABLE " + s.ident + " ALTER COLUMN " + col + " TYPE " + want + " USING " + col + "::" + want
		if _, err := s.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%w: widen %s.%s to %s: %w", ErrPostgres, s.Table, c.Name, want, err)
		}
	}
	return nil
}

// loadStreamID reads the id at path, or creates one and saves it before
// any batch can be recorded under it.
func loadStreamID(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(data))) > 0 {
		return strings.TrimSpace(string(data)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read stream id: %w", err)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("stream id: %w", err)
	}
	if err := source.WriteFileAtomic(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("stream id: %w", err)
	}
	return id, nil
}

func firstLine(q string) string {
	l, _, _ := strings.Cut(q, "(")
	return strings.TrimSpace(l)
}

func pgType(k types.Kind) string {
	switch k {
	case types.Bool:
		return "boolean"
	case types.Int:
		return "bigint"
	case types.Float:
		return "double precision"
	case types.Timestamp:
		return "timestamptz"
	case types.Date:
		return "date"
	case types.Binary:
		return "bytea"
	}
	return "text"
}

// Write implements sink.Sink: one transaction that claims the batch id in the
// bookkeeping table and writes the rows; if the id was claimed before,
// nothing changes.
func (s *Sink) Write(ctx context.Context, batch int64, rows [][]types.Value) (err error) {
	if s.conn == nil {
		return fmt.Errorf("%w: write before open", ErrPostgres)
	}
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%w: begin batch %d: %w", ErrPostgres, batch, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	// Claiming first also serialises two writers of the same batch: the
	// second waits on the primary key and then finds it taken.
	tag, err := tx.Exec(ctx, `INSERT INTO `+BatchTable+` (stream_id, target, batch, mode, rows) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (stream_id, batch) DO NOTHING`, s.streamID, s.Table, batch, string(s.info.Mode), int64(len(rows)))
	if err != nil {
		return fmt.Errorf("%w: record batch %d: %w", ErrPostgres, batch, err)
	}
	if tag.RowsAffected() == 0 {
		return tx.Rollback(ctx) // written before: a replay
	}
	switch {
	case s.info.Mode == sink.Complete:
		if _, err = tx.Exec(ctx, `DELETE FROM `+s.ident); err != nil {
			return fmt.Errorf("%w: batch %d: clear %s: %w", ErrPostgres, batch, s.Table, err)
		}
		err = s.copy(ctx, tx, s.table, rows)
	case s.info.Mode == sink.Update && s.info.Keys > 0:
		err = s.upsert(ctx, tx, rows)
	default:
		err = s.copy(ctx, tx, s.table, rows)
	}
	if err != nil {
		return fmt.Errorf("%w: batch %d: %w", ErrPostgres, batch, err)
	}
	if err = tx.Commit(ctx); err != nil {
		return fmt.Errorf("%w: commit batch %d: %w", ErrPostgres, batch, err)
	}
	return nil
}

// copy loads rows with the COPY protocol, the fastest way into PostgreSQL.
func (s *Sink) copy(ctx context.Context, tx pgx.Tx, table pgx.Identifier, rows [][]types.Value) error {
	if len(rows) == 0 {
		return nil
	}
	src := &rowSource{rows: rows, i: -1}
	if _, err := tx.CopyFrom(ctx, table, s.cols, src); err != nil {
		return fmt.Errorf("copy into %s: %w", table.Sanitize(), err)
	}
	return nil
}

// upsert stages the changed groups in a temp table, deletes the rows with
// the same keys and inserts the staged ones: a merge that treats NULL keys
// as equal, which ON CONFLICT cannot.
func (s *Sink) upsert(ctx context.Context, tx pgx.Tx, rows [][]types.Value) error {
	if len(rows) == 0 {
		return nil
	}
	stage := "nectar_stage"
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+stage+` (LIKE `+s.ident+`) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if err := s.copy(ctx, tx, pgx.Identifier{stage}, rows); err != nil {
		return err
	}
	conds := make([]string, s.info.Keys)
	for i := range conds {
		c := pgx.Identifier{s.cols[i]}.Sanitize()
		conds[i] = "t." + c + " IS NOT DISTINCT FROM u." + c
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+s.ident+` t USING `+stage+` u WHERE `+strings.Join(conds, " AND ")); err != nil {
		return fmt.Errorf("delete changed groups: %w", err)
	}
	list := make([]string, len(s.cols))
	for i, c := range s.cols {
		list[i] = pgx.Identifier{c}.Sanitize()
	}
	cl := strings.Join(list, ", ")
	if _, err := tx.Exec(ctx, `INSERT INTO `+s.ident+` (`+cl+`) SELECT `+cl+` FROM `+stage); err != nil {
		return fmt.Errorf("insert changed groups: %w", err)
	}
	return nil
}

// Close implements sink.Sink.
func (s *Sink) Close() error {
	if s.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.conn.Close(ctx)
	s.conn = nil
	return err
}

// rowSource feeds rows to CopyFrom, converting each value once into the
// one reusable slice.
type rowSource struct {
	rows [][]types.Value
	i    int
	buf  []any
}

func (r *rowSource) Next() bool { r.i++; return r.i < len(r.rows) }
func (r *rowSource) Err() error { return nil }
func (r *rowSource) Values() ([]any, error) {
	row := r.rows[r.i]
	if cap(r.buf) < len(row) {
		r.buf = make([]any, len(row))
	}
	r.buf = r.buf[:len(row)]
	for j, v := range row {
		r.buf[j] = pgValue(v)
	}
	return r.buf, nil
}

func pgValue(v types.Value) any {
	switch v.K {
	case types.Bool:
		return v.I != 0
	case types.Int:
		return v.I
	case types.Float:
		return v.F
	case types.String:
		return v.S
	case types.Binary:
		return []byte(v.S)
	case types.Timestamp:
		return time.UnixMicro(v.I).UTC()
	case types.Date:
		return time.Unix(v.I*86400, 0).UTC()
	}
	if v.K.IsInterval() {
		return v.String() // a text column, as pgType says
	}
	return nil
}
