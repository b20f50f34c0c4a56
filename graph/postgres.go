package graph

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Postgres is the store for teams: the same tables on a PostgreSQL server,
// properties as jsonb and times as timestamptz.
type Postgres struct {
	*sqlStore
}

var _ Store = (*Postgres)(nil)

// OpenPostgres connects to the server at url (postgres://user:pass@host/db
// or a key=value DSN) and creates the graph's tables when missing. The
// password never appears in its errors or Describe.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	d := pgDialect{url: url, secrets: secrets(url)}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("graph: open %s: %w", d.describe(), d.wrap(err))
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("graph: connect to %s: %w", d.describe(), d.wrap(err))
	}
	s := &Postgres{&sqlStore{db: db, d: d}}
	if err := s.createSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

type pgDialect struct {
	url     string
	secrets []string
}

func (pgDialect) name() string           { return "postgres" }
func (d pgDialect) describe() string     { return Redact(d.url) }
func (pgDialect) rebind(q string) string { return rebindDollar(q) }
func (pgDialect) rows() int              { return chunk }
func (d pgDialect) wrap(err error) error { return hide(err, d.secrets) }
func (pgDialect) jsonParam(s string) any { return s }
func (pgDialect) ts(t time.Time) any     { return t.UTC() }
func (pgDialect) truncate() []string {
	return []string{"TRUNCATE graph_nodes, graph_edges, graph_scores"}
}

// lockKey is the advisory lock writers take: any constant, "nectar" in
// ASCII.
const lockKey = 0x6e6563746172

// begin takes a transaction-scoped advisory lock: writers of the graph run
// one at a time. A merge reads a node's properties and writes them back
// merged; under READ COMMITTED two merges of the same node could both
// start from the old properties and one's keys would be lost. Imports are
// short, and one at a time is what SQLite does too.
func (d pgDialect) begin(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (pgDialect) schema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS graph_nodes (
			id text PRIMARY KEY,
			kind text NOT NULL,
			namespace text NOT NULL,
			name text NOT NULL,
			version text,
			properties jsonb NOT NULL DEFAULT '{}',
			source text NOT NULL DEFAULT '',
			observed_at timestamptz NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS graph_nodes_kind_name ON graph_nodes (kind, name)`,
		`CREATE TABLE IF NOT EXISTS graph_edges (
			src text NOT NULL,
			rel text NOT NULL,
			dst text NOT NULL,
			properties jsonb NOT NULL DEFAULT '{}',
			source text NOT NULL DEFAULT '',
			observed_at timestamptz NOT NULL,
			PRIMARY KEY (src, rel, dst))`,
		`CREATE INDEX IF NOT EXISTS graph_edges_dst ON graph_edges (dst, rel, src)`,
		`CREATE TABLE IF NOT EXISTS graph_scores (` + scoreColumnDefs("timestamptz", "boolean", "double precision") + `)`,
		`CREATE TABLE IF NOT EXISTS graph_raw (
			seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			kind text NOT NULL,
			origin text NOT NULL,
			digest text NOT NULL UNIQUE,
			params jsonb NOT NULL,
			body bytea NOT NULL,
			received_at timestamptz NOT NULL)`,
		`CREATE OR REPLACE FUNCTION graph_raw_append_only() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'graph_raw is append-only'; END $$`,
		`DO $$ BEGIN
			IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'graph_raw_append_only') THEN
				CREATE TRIGGER graph_raw_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON graph_raw
					FOR EACH STATEMENT EXECUTE FUNCTION graph_raw_append_only();
			END IF;
		END $$`,
	}
}

// walkSQL is sqliteDialect.walkSQL's query for PostgreSQL, which allows
// one recursive reference only: both directions go in one LATERAL
// subquery, each branch an index lookup.
func (pgDialect) walkSQL(d Direction) string {
	down := `SELECT e.dst AS id, e.rel, 0 AS up FROM graph_edges e WHERE e.src = w.id AND e.dst IS DISTINCT FROM w.via`
	up := `SELECT e.src AS id, e.rel, 1 AS up FROM graph_edges e WHERE e.dst = w.id AND e.src IS DISTINCT FROM w.via`
	rec := map[Direction]string{Down: down, Up: up, Both: down + " UNION ALL " + up}[d]
	return `WITH RECURSIVE walk(id, depth, via, rel, up) AS (
		SELECT $1::text, 0, NULL::text, NULL::text, NULL::int
		UNION
		SELECT n.id, w.depth + 1, w.id, n.rel, n.up FROM walk w CROSS JOIN LATERAL (` + rec + `) n WHERE w.depth < $2)
	SELECT id, depth, via, rel, up FROM walk`
}
