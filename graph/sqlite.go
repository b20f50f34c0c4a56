package graph

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver: the default build needs no C compiler
)

// SQLite is the embedded store: one file, written in WAL mode so that
// readers never wait for a writer, with writers queued by SQLite's busy
// timeout rather than failing.
type SQLite struct {
	*sqlStore
	path string
}

var _ Store = (*SQLite)(nil)

// busyTimeout is how long a writer waits for another to finish before
// failing with SQLITE_BUSY. Imports are short transactions; a minute
// covers a 100k-event import holding the lock.
const busyTimeout = 60 * time.Second

// OpenSQLite opens (creating when missing) the graph in the SQLite file
// at path.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("graph: SQLite path %q: ? and # are not allowed in the file name", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("graph: SQLite file %s: %w", path, err)
		}
	}
	// _txlock=immediate: a write transaction takes the write lock when it
	// begins, so two importers queue on the busy timeout instead of both
	// reading and then one failing with SQLITE_BUSY on its first write
	// (a deferred transaction cannot wait for the lock it upgrades to).
	dsn := "file:" + path + fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)&_txlock=immediate", busyTimeout.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("graph: open SQLite file %s: %w", path, err)
	}
	s := &SQLite{sqlStore: &sqlStore{db: db, d: sqliteDialect{path: path}}, path: path}
	if err := s.createSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

type sqliteDialect struct{ path string }

func (sqliteDialect) name() string           { return "sqlite" }
func (d sqliteDialect) describe() string     { return "sqlite:" + d.path }
func (sqliteDialect) rebind(q string) string { return q }
func (sqliteDialect) rows() int              { return 64 }
func (sqliteDialect) wrap(err error) error   { return err }
func (sqliteDialect) jsonParam(s string) any { return s }

// ts stores times as RFC 3339 text in UTC, which sorts and compares as
// time does.
func (sqliteDialect) ts(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) }

func (sqliteDialect) begin(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	return db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, from _txlock
}

func (sqliteDialect) truncate() []string {
	return []string{"DELETE FROM graph_nodes", "DELETE FROM graph_edges", "DELETE FROM graph_scores"}
}

func (sqliteDialect) schema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS graph_nodes (
			id TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			namespace TEXT NOT NULL,
			name TEXT NOT NULL,
			version TEXT,
			properties TEXT NOT NULL DEFAULT '{}',
			source TEXT NOT NULL DEFAULT '',
			observed_at TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS graph_nodes_kind_name ON graph_nodes (kind, name)`,
		`CREATE TABLE IF NOT EXISTS graph_edges (
			src TEXT NOT NULL,
			rel TEXT NOT NULL,
			dst TEXT NOT NULL,
			properties TEXT NOT NULL DEFAULT '{}',
			source TEXT NOT NULL DEFAULT '',
			observed_at TEXT NOT NULL,
			PRIMARY KEY (src, rel, dst))`,
		`CREATE INDEX IF NOT EXISTS graph_edges_dst ON graph_edges (dst, rel, src)`,
		`CREATE TABLE IF NOT EXISTS graph_scores (` + scoreColumnDefs("TEXT", "INTEGER", "REAL") + `)`,
		`CREATE TABLE IF NOT EXISTS graph_raw (
			seq INTEGER PRIMARY KEY AUTOINCREMENT,
			kind TEXT NOT NULL,
			origin TEXT NOT NULL,
			digest TEXT NOT NULL UNIQUE,
			params TEXT NOT NULL,
			body BLOB NOT NULL,
			received_at TEXT NOT NULL)`,
		// The raw log is what the graph is rebuilt from: nothing may
		// rewrite it.
		`CREATE TRIGGER IF NOT EXISTS graph_raw_no_update BEFORE UPDATE ON graph_raw BEGIN SELECT RAISE(ABORT, 'graph_raw is append-only'); END`,
		`CREATE TRIGGER IF NOT EXISTS graph_raw_no_delete BEFORE DELETE ON graph_raw BEGIN SELECT RAISE(ABORT, 'graph_raw is append-only'); END`,
	}
}

// scoreColumnDefs is graph_scores' columns in a dialect's types.
func scoreColumnDefs(ts, boolean, float string) string {
	return `experiment TEXT NOT NULL,
			window_start ` + ts + ` NOT NULL,
			window_end ` + ts + ` NOT NULL,
			variant TEXT NOT NULL,
			metric TEXT NOT NULL,
			model_version TEXT,
			control ` + boolean + ` NOT NULL,
			metric_type TEXT NOT NULL,
			units BIGINT NOT NULL,
			mean ` + float + `,
			abs_lift ` + float + `, abs_ci_low ` + float + `, abs_ci_high ` + float + `,
			abs_p ` + float + `, abs_p_holm ` + float + `, abs_p_bh ` + float + `,
			rel_lift ` + float + `, rel_ci_low ` + float + `, rel_ci_high ` + float + `,
			rel_p ` + float + `, rel_p_holm ` + float + `, rel_p_bh ` + float + `,
			chance_to_win ` + float + `,
			srm_p ` + float + `,
			spec_hash TEXT NOT NULL,
			recorded_at ` + ts + ` NOT NULL,
			PRIMARY KEY (experiment, window_start, window_end, variant, metric)`
}

// walkSQL: a row per (node, depth, neighbour, relation) the walk reaches.
// UNION (not UNION ALL) drops a row the recursion has made before, so a
// cycle ends and a node reached again at the same depth by the same edge
// is not walked twice; a step never goes straight back to the node it came
// from. Shortest paths are picked from these rows in Go (shortestPaths).
// SQLite allows several recursive SELECTs in one CTE (3.34), one per
// direction, each using its own index.
func (sqliteDialect) walkSQL(d Direction) string {
	down := `SELECT e.dst, w.depth + 1, w.id, e.rel, 0 FROM walk w JOIN graph_edges e ON e.src = w.id WHERE w.depth < ?2 AND e.dst IS NOT w.via`
	up := `SELECT e.src, w.depth + 1, w.id, e.rel, 1 FROM walk w JOIN graph_edges e ON e.dst = w.id WHERE w.depth < ?2 AND e.src IS NOT w.via`
	rec := map[Direction]string{Down: down, Up: up, Both: down + " UNION " + up}[d]
	return `WITH RECURSIVE walk(id, depth, via, rel, up) AS (
		SELECT ?1, 0, NULL, NULL, NULL
		UNION ` + rec + `)
	SELECT id, depth, via, rel, up FROM walk`
}
