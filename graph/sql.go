package graph

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between SQLite and PostgreSQL; everything else
// (the schema's shape, merging, the raw log) is sqlStore's, once.
type dialect interface {
	name() string
	schema() []string
	// rebind turns the ? placeholders of q into the dialect's.
	rebind(q string) string
	// begin starts a write transaction that no other writer interleaves
	// with: a merge reads rows and writes them back, and two merges of
	// the same node must not both start from the old properties.
	begin(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// walkSQL is the recursive query of a walk; its parameters are the
	// start id and the depth.
	walkSQL(d Direction) string
	ts(t time.Time) any
	// jsonParam passes JSON text for a properties column.
	jsonParam(s string) any
	// rows is how many rows one multi-row statement carries.
	rows() int
	// truncate empties the graph's derived tables.
	truncate() []string
	// describe names the store, credentials hidden.
	describe() string
	// wrap hides credentials in err.
	wrap(err error) error
}

// sqlStore is the Store over database/sql both dialects share.
type sqlStore struct {
	db *sql.DB
	d  dialect
}

func (s *sqlStore) Describe() string { return s.d.describe() }

func (s *sqlStore) Close() error { return s.d.wrap(s.db.Close()) }

func (s *sqlStore) createSchema(ctx context.Context) error {
	for _, q := range s.d.schema() {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("graph %s: create tables: %w", s.d.describe(), s.d.wrap(err))
		}
	}
	return nil
}

const nodeCols = "id, kind, namespace, name, version, properties, source, observed_at"
const edgeCols = "src, rel, dst, properties, source, observed_at"
const scoreCols = "experiment, window_start, window_end, variant, metric, model_version, control, metric_type, units, mean, " +
	"abs_lift, abs_ci_low, abs_ci_high, abs_p, abs_p_holm, abs_p_bh, rel_lift, rel_ci_low, rel_ci_high, rel_p, rel_p_holm, rel_p_bh, " +
	"chance_to_win, srm_p, spec_hash, recorded_at"

// chunk is how many rows a multi-row statement carries on PostgreSQL:
// 500 rows of at most 26 values stay below its 65535 parameters, and each
// statement is a round trip. SQLite has no round trips, and modernc's
// driver matches each parameter to its argument by a scan of the
// arguments (quadratic in a statement's parameters), so it takes fewer.
const chunk = 500

func (s *sqlStore) Apply(ctx context.Context, raw []Raw, b *Batch) (Report, error) {
	if b == nil {
		b = NewBatch()
	}
	if err := b.Validate(); err != nil {
		return Report{}, err
	}
	tx, err := s.d.begin(ctx, s.db)
	if err != nil {
		return Report{}, fmt.Errorf("graph %s: begin: %w", s.d.describe(), s.d.wrap(err))
	}
	rep, err := s.apply(ctx, tx, raw, b)
	if err != nil {
		tx.Rollback()
		return Report{}, fmt.Errorf("graph %s: %w", s.d.describe(), s.d.wrap(err))
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("graph %s: commit: %w", s.d.describe(), s.d.wrap(err))
	}
	return rep, nil
}

func (s *sqlStore) apply(ctx context.Context, tx *sql.Tx, raw []Raw, b *Batch) (Report, error) {
	var rep Report
	now := time.Now().UTC()
	// Many rows a statement: a 100k-event file is 200 statements, not
	// 100k. A digest the log has is a duplicate, counted by what the
	// insert left out.
	for start, n := 0, s.d.rows(); start < len(raw); start += n {
		part := raw[start:min(start+n, len(raw))]
		args := make([]any, 0, 6*len(part))
		for i := range part {
			r := &part[i]
			params, _ := json.Marshal(r.Params)
			args = append(args, r.Kind, r.Origin, r.Digest(), string(params), r.Body, s.d.ts(now))
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO graph_raw (kind, origin, digest, params, body, received_at)
			VALUES `+placeholders(len(part), 6)+` ON CONFLICT (digest) DO NOTHING`), args...)
		if err != nil {
			return rep, fmt.Errorf("append raw input: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return rep, fmt.Errorf("append raw input: %w", err)
		}
		rep.RawStored += int(n)
		rep.RawDuplicate += len(part) - int(n)
	}
	var err error
	if rep.Nodes, err = s.mergeNodes(ctx, tx, b.Nodes(), now); err != nil {
		return rep, err
	}
	if rep.Edges, err = s.mergeEdges(ctx, tx, b.Edges(), now); err != nil {
		return rep, err
	}
	if b.ScoreKey != nil {
		if rep.Scores, err = s.replaceScores(ctx, tx, *b.ScoreKey, b.Scores, now); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// marks is n placeholders: ?, ?, ?.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// placeholders is rows rows of cols placeholders each: (?, ?), (?, ?).
func placeholders(rows, cols int) string {
	row := "(" + marks(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

func (s *sqlStore) mergeNodes(ctx context.Context, tx *sql.Tx, nodes []*Node, now time.Time) (Counts, error) {
	var c Counts
	for start, n := 0, s.d.rows(); start < len(nodes); start += n {
		part := nodes[start:min(start+n, len(nodes))]
		ids := make([]any, len(part))
		for i, n := range part {
			ids[i] = n.ID()
		}
		old := map[string]*Node{}
		rows, err := tx.QueryContext(ctx, s.d.rebind("SELECT "+nodeCols+" FROM graph_nodes WHERE id IN ("+marks(len(ids))+")"), ids...)
		if err != nil {
			return c, fmt.Errorf("read nodes: %w", err)
		}
		for rows.Next() {
			n, err := scanNode(rows)
			if err != nil {
				rows.Close()
				return c, err
			}
			old[n.ID()] = n
		}
		if err := rows.Close(); err != nil {
			return c, err
		}
		var args []any
		nw := 0
		for _, n := range part {
			next := n
			props, err := normalize(n.Props)
			if err != nil {
				return c, fmt.Errorf("node %s: %w", n.ID(), err)
			}
			nn := *n
			nn.Props = props
			next = &nn
			if o := old[n.ID()]; o != nil {
				merged := mergeNode(o, next)
				if sameNode(o, merged) {
					c.Skipped++
					continue
				}
				next = merged
				c.Changed++
			} else {
				c.Added++
			}
			if next.Observed.IsZero() {
				next.Observed = now
			}
			p, err := canonical(next.Props)
			if err != nil {
				return c, err
			}
			args = append(args, next.ID(), string(next.Kind), next.Namespace, next.Name, nullString(next.Version), s.d.jsonParam(p), next.Source, s.d.ts(next.Observed))
			nw++
		}
		if nw == 0 {
			continue
		}
		_, err = tx.ExecContext(ctx, s.d.rebind("INSERT INTO graph_nodes ("+nodeCols+") VALUES "+placeholders(nw, 8)+
			` ON CONFLICT (id) DO UPDATE SET version = excluded.version, properties = excluded.properties, source = excluded.source, observed_at = excluded.observed_at`), args...)
		if err != nil {
			return c, fmt.Errorf("write nodes: %w", err)
		}
	}
	return c, nil
}

func sameNode(a, b *Node) bool {
	pa, _ := canonical(a.Props)
	pb, _ := canonical(b.Props)
	return a.Version == b.Version && pa == pb
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *sqlStore) mergeEdges(ctx context.Context, tx *sql.Tx, edges []*Edge, now time.Time) (Counts, error) {
	var c Counts
	for start, n := 0, s.d.rows(); start < len(edges); start += n {
		part := edges[start:min(start+n, len(edges))]
		keys := make([]any, 0, 3*len(part))
		for _, e := range part {
			keys = append(keys, e.Src, string(e.Rel), e.Dst)
		}
		old := map[edgeKey]*Edge{}
		rows, err := tx.QueryContext(ctx, s.d.rebind("SELECT "+edgeCols+" FROM graph_edges WHERE (src, rel, dst) IN (VALUES "+placeholders(len(part), 3)+")"), keys...)
		if err != nil {
			return c, fmt.Errorf("read edges: %w", err)
		}
		for rows.Next() {
			e, err := scanEdge(rows)
			if err != nil {
				rows.Close()
				return c, err
			}
			old[edgeKey{e.Src, e.Rel, e.Dst}] = e
		}
		if err := rows.Close(); err != nil {
			return c, err
		}
		var args []any
		nw := 0
		for _, e := range part {
			props, err := normalize(e.Props)
			if err != nil {
				return c, fmt.Errorf("edge %s -%s-> %s: %w", e.Src, e.Rel, e.Dst, err)
			}
			next := *e
			next.Props = props
			if o := old[edgeKey{e.Src, e.Rel, e.Dst}]; o != nil {
				next.Props = MergeProps(o.Props, props)
				pa, _ := canonical(o.Props)
				pb, _ := canonical(next.Props)
				if pa == pb {
					c.Skipped++
					continue
				}
				if next.Source == "" {
					next.Source = o.Source
				}
				c.Changed++
			} else {
				c.Added++
			}
			if next.Observed.IsZero() {
				next.Observed = now
			}
			p, err := canonical(next.Props)
			if err != nil {
				return c, err
			}
			args = append(args, next.Src, string(next.Rel), next.Dst, s.d.jsonParam(p), next.Source, s.d.ts(next.Observed))
			nw++
		}
		if nw == 0 {
			continue
		}
		_, err = tx.ExecContext(ctx, s.d.rebind("INSERT INTO graph_edges ("+edgeCols+") VALUES "+placeholders(nw, 6)+
			` ON CONFLICT (src, rel, dst) DO UPDATE SET properties = excluded.properties, source = excluded.source, observed_at = excluded.observed_at`), args...)
		if err != nil {
			return c, fmt.Errorf("write edges: %w", err)
		}
	}
	return c, nil
}

func (s *sqlStore) replaceScores(ctx context.Context, tx *sql.Tx, k ScoreKey, scores []Score, now time.Time) (Counts, error) {
	var c Counts
	old := map[[2]string]*Score{}
	rows, err := tx.QueryContext(ctx, s.d.rebind("SELECT "+scoreCols+" FROM graph_scores WHERE experiment = ? AND window_start = ? AND window_end = ?"),
		k.Experiment, s.d.ts(k.WindowStart), s.d.ts(k.WindowEnd))
	if err != nil {
		return c, fmt.Errorf("read scores: %w", err)
	}
	for rows.Next() {
		sc, err := scanScore(rows)
		if err != nil {
			rows.Close()
			return c, err
		}
		old[[2]string{sc.Variant, sc.Metric}] = sc
	}
	if err := rows.Close(); err != nil {
		return c, err
	}
	same := true
	for i := range scores {
		sc := scores[i]
		sc.ScoreKey = k
		o := old[[2]string{sc.Variant, sc.Metric}]
		switch {
		case o == nil:
			c.Added++
			same = false
		case sameScore(o, &sc):
			c.Skipped++
		default:
			c.Changed++
			same = false
		}
	}
	if same && len(old) == len(scores) {
		return c, nil
	}
	// Replaced whole: a recording of the same window is the same
	// experiment measured again, and a metric since dropped from the spec
	// must not linger.
	if _, err := tx.ExecContext(ctx, s.d.rebind("DELETE FROM graph_scores WHERE experiment = ? AND window_start = ? AND window_end = ?"),
		k.Experiment, s.d.ts(k.WindowStart), s.d.ts(k.WindowEnd)); err != nil {
		return c, fmt.Errorf("replace scores: %w", err)
	}
	for start, n := 0, s.d.rows(); start < len(scores); start += n {
		part := scores[start:min(start+n, len(scores))]
		var args []any
		for _, sc := range part {
			rec := sc.Recorded
			if rec.IsZero() {
				rec = now
			}
			args = append(args, k.Experiment, s.d.ts(k.WindowStart), s.d.ts(k.WindowEnd), sc.Variant, sc.Metric, nullString(sc.ModelVersion),
				sc.Control, sc.MetricType, sc.Units, sc.Mean,
				sc.AbsLift, sc.AbsCILow, sc.AbsCIHigh, sc.AbsP, sc.AbsPHolm, sc.AbsPBH,
				sc.RelLift, sc.RelCILow, sc.RelCIHigh, sc.RelP, sc.RelPHolm, sc.RelPBH,
				sc.ChanceToWin, sc.SRMP, sc.SpecHash, s.d.ts(rec))
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO graph_scores ("+scoreCols+") VALUES "+placeholders(len(part), 26)), args...); err != nil {
			return c, fmt.Errorf("write scores: %w", err)
		}
	}
	return c, nil
}

func sameScore(a, b *Score) bool {
	x, y := *a, *b
	x.Recorded, y.Recorded = time.Time{}, time.Time{}
	x.ScoreKey, y.ScoreKey = ScoreKey{}, ScoreKey{}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

type scanner interface{ Scan(...any) error }

func scanNode(r scanner) (*Node, error) {
	var n Node
	var id, kind string
	var version sql.NullString
	var props []byte
	var obs any
	if err := r.Scan(&id, &kind, &n.Namespace, &n.Name, &version, &props, &n.Source, &obs); err != nil {
		return nil, fmt.Errorf("read node: %w", err)
	}
	n.Kind, n.Version = Kind(kind), version.String
	var err error
	if n.Observed, err = asTime(obs); err != nil {
		return nil, err
	}
	if n.Props, err = decodeProps(props); err != nil {
		return nil, fmt.Errorf("node %s: properties: %w", id, err)
	}
	return &n, nil
}

func scanEdge(r scanner) (*Edge, error) {
	var e Edge
	var rel string
	var props []byte
	var obs any
	if err := r.Scan(&e.Src, &rel, &e.Dst, &props, &e.Source, &obs); err != nil {
		return nil, fmt.Errorf("read edge: %w", err)
	}
	e.Rel = Rel(rel)
	var err error
	if e.Observed, err = asTime(obs); err != nil {
		return nil, err
	}
	if e.Props, err = decodeProps(props); err != nil {
		return nil, fmt.Errorf("edge %s -%s-> %s: properties: %w", e.Src, e.Rel, e.Dst, err)
	}
	return &e, nil
}

func scanScore(r scanner) (*Score, error) {
	var s Score
	var ws, we, rec any
	var mv sql.NullString
	var control any
	if err := r.Scan(&s.Experiment, &ws, &we, &s.Variant, &s.Metric, &mv, &control, &s.MetricType, &s.Units, &s.Mean,
		&s.AbsLift, &s.AbsCILow, &s.AbsCIHigh, &s.AbsP, &s.AbsPHolm, &s.AbsPBH,
		&s.RelLift, &s.RelCILow, &s.RelCIHigh, &s.RelP, &s.RelPHolm, &s.RelPBH,
		&s.ChanceToWin, &s.SRMP, &s.SpecHash, &rec); err != nil {
		return nil, fmt.Errorf("read score: %w", err)
	}
	s.ModelVersion = mv.String
	switch v := control.(type) {
	case bool:
		s.Control = v
	case int64:
		s.Control = v != 0
	}
	var err error
	if s.WindowStart, err = asTime(ws); err != nil {
		return nil, err
	}
	if s.WindowEnd, err = asTime(we); err != nil {
		return nil, err
	}
	if s.Recorded, err = asTime(rec); err != nil {
		return nil, err
	}
	return &s, nil
}

// asTime reads a timestamp column: time.Time from PostgreSQL, RFC 3339
// text from SQLite.
func asTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseStoredTime(t)
	case []byte:
		return parseStoredTime(string(t))
	}
	return time.Time{}, fmt.Errorf("unexpected timestamp %T", v)
}

func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

func (s *sqlStore) Node(ctx context.Context, id string) (*Node, error) {
	row := s.db.QueryRowContext(ctx, s.d.rebind("SELECT "+nodeCols+" FROM graph_nodes WHERE id = ?"), id)
	n, err := scanNode(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("node %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("graph %s: %w", s.d.describe(), s.d.wrap(err))
	}
	return n, nil
}

func (s *sqlStore) Edges(ctx context.Context, id string) ([]Edge, error) {
	var out []Edge
	err := s.query(ctx, "SELECT "+edgeCols+" FROM graph_edges WHERE src = ? UNION ALL SELECT "+edgeCols+" FROM graph_edges WHERE dst = ? ORDER BY 1, 2, 3",
		func(r *sql.Rows) error {
			e, err := scanEdge(r)
			if err == nil {
				out = append(out, *e)
			}
			return err
		}, id, id)
	return out, err
}

func (s *sqlStore) Lookup(ctx context.Context, k Kind, name string) ([]*Node, error) {
	var out []*Node
	err := s.query(ctx, "SELECT "+nodeCols+" FROM graph_nodes WHERE kind = ? AND name = ? ORDER BY id", func(r *sql.Rows) error {
		n, err := scanNode(r)
		if err == nil {
			out = append(out, n)
		}
		return err
	}, string(k), name)
	return out, err
}

func (s *sqlStore) query(ctx context.Context, q string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("graph %s: %w", s.d.describe(), s.d.wrap(err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("graph %s: %w", s.d.describe(), s.d.wrap(err))
	}
	return nil
}

func (s *sqlStore) ScanNodes(ctx context.Context, fn func(*Node) error) error {
	return s.query(ctx, "SELECT "+nodeCols+" FROM graph_nodes ORDER BY id", func(r *sql.Rows) error {
		n, err := scanNode(r)
		if err != nil {
			return err
		}
		return fn(n)
	})
}

func (s *sqlStore) ScanEdges(ctx context.Context, fn func(*Edge) error) error {
	return s.query(ctx, "SELECT "+edgeCols+" FROM graph_edges ORDER BY src, rel, dst", func(r *sql.Rows) error {
		e, err := scanEdge(r)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

func (s *sqlStore) ScanScores(ctx context.Context, fn func(*Score) error) error {
	return s.query(ctx, "SELECT "+scoreCols+" FROM graph_scores ORDER BY experiment, window_start, window_end, metric, variant", func(r *sql.Rows) error {
		sc, err := scanScore(r)
		if err != nil {
			return err
		}
		return fn(sc)
	})
}

func (s *sqlStore) ScanRaw(ctx context.Context, fn func(*RawRecord) error) error {
	return s.query(ctx, "SELECT seq, kind, origin, digest, params, body, received_at FROM graph_raw ORDER BY seq", func(r *sql.Rows) error {
		var rec RawRecord
		var params, body []byte
		var recv any
		if err := r.Scan(&rec.Seq, &rec.Kind, &rec.Origin, &rec.Digest, &params, &body, &recv); err != nil {
			return fmt.Errorf("read raw input: %w", err)
		}
		rec.Body = body
		if err := json.Unmarshal(params, &rec.Params); err != nil {
			return fmt.Errorf("raw input %d: params: %w", rec.Seq, err)
		}
		var err error
		if rec.Received, err = asTime(recv); err != nil {
			return err
		}
		return fn(&rec)
	})
}

// Rebuild replays the raw log. The log is read first (a reader and a
// writer on one SQLite connection pool would wait on each other), then
// parsed and merged in one transaction.
func (s *sqlStore) Rebuild(ctx context.Context) (Report, error) {
	var raws []*RawRecord
	if err := s.ScanRaw(ctx, func(r *RawRecord) error { raws = append(raws, r); return nil }); err != nil {
		return Report{}, err
	}
	all := NewBatch()
	var scores []*Batch
	for _, r := range raws {
		b, err := Parse(&r.Raw)
		if err != nil {
			return Report{}, fmt.Errorf("rebuild: raw input %d (%s from %s): %w", r.Seq, r.Kind, r.Origin, err)
		}
		if b.ScoreKey != nil {
			scores = append(scores, b)
		}
		all.Add(b)
	}
	tx, err := s.d.begin(ctx, s.db)
	if err != nil {
		return Report{}, fmt.Errorf("graph %s: %w", s.d.describe(), s.d.wrap(err))
	}
	rep, err := func() (Report, error) {
		for _, q := range s.d.truncate() {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return Report{}, err
			}
		}
		rep, err := s.apply(ctx, tx, nil, all)
		if err != nil {
			return rep, err
		}
		now := time.Now().UTC()
		for _, b := range scores {
			c, err := s.replaceScores(ctx, tx, *b.ScoreKey, b.Scores, now)
			if err != nil {
				return rep, err
			}
			rep.Scores.add(c)
		}
		return rep, nil
	}()
	if err != nil {
		tx.Rollback()
		return Report{}, fmt.Errorf("graph %s: rebuild: %w", s.d.describe(), s.d.wrap(err))
	}
	return rep, s.d.wrap(tx.Commit())
}

// walkRow is one row of the recursive query: a node reached at a depth
// from a neighbour.
type walkRow struct {
	id    string
	depth int
	via   sql.NullString
	rel   sql.NullString
	up    sql.NullInt64
}

func (s *sqlStore) Walk(ctx context.Context, start string, w Walk) ([]Step, error) {
	dir := w.Direction
	if dir == "" {
		dir = Both
	}
	if _, err := ParseDirection(string(dir)); err != nil {
		return nil, err
	}
	depth := w.Depth
	if depth == 0 {
		depth = DefaultDepth
	}
	if depth < 0 || depth > MaxDepth {
		return nil, fmt.Errorf("walk depth %d: want 1 to %d", depth, MaxDepth)
	}
	for _, k := range w.Kinds {
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("%w: unknown node kind %q (want one of %s)", ErrInvalid, k, joinKinds())
		}
	}
	if _, err := s.Node(ctx, start); err != nil {
		return nil, err
	}
	var rows []walkRow
	err := s.query(ctx, s.d.walkSQL(dir), func(r *sql.Rows) error {
		var wr walkRow
		if err := r.Scan(&wr.id, &wr.depth, &wr.via, &wr.rel, &wr.up); err != nil {
			return err
		}
		rows = append(rows, wr)
		return nil
	}, start, depth)
	if err != nil {
		return nil, err
	}
	steps := shortestPaths(start, rows)
	ids := make([]string, 0, len(steps))
	for id := range steps {
		ids = append(ids, id)
	}
	nodes, err := s.nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Step
	for _, id := range ids {
		n := nodes[id]
		if n == nil {
			continue // an edge to a node since removed: cannot happen, nodes are never deleted outside Rebuild
		}
		if len(w.Kinds) > 0 && !slices.Contains(w.Kinds, n.Kind) {
			continue
		}
		st := steps[id]
		st.Node = *n
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].Node.ID() < out[j].Node.ID()
	})
	return out, nil
}

// shortestPaths keeps, for each node the query reached, its least depth
// and one path of that length: through the neighbour, itself at one
// depth less, that sorts first, so that the same graph always gives the
// same path.
func shortestPaths(start string, rows []walkRow) map[string]*Step {
	best := map[string]int{}
	for _, r := range rows {
		if d, ok := best[r.id]; !ok || r.depth < d {
			best[r.id] = r.depth
		}
	}
	type pred struct{ via, rel string }
	preds := map[string]pred{}
	for _, r := range rows {
		if r.depth != best[r.id] || r.depth == 0 || !r.via.Valid || best[r.via.String] != r.depth-1 {
			continue
		}
		arrow := "-" + r.rel.String + "->"
		if r.up.Int64 == 1 {
			arrow = "<-" + r.rel.String + "-"
		}
		p, ok := preds[r.id]
		if !ok || r.via.String < p.via || r.via.String == p.via && arrow < p.rel {
			preds[r.id] = pred{r.via.String, arrow}
		}
	}
	out := map[string]*Step{}
	var build func(id string) *Step
	build = func(id string) *Step {
		if st, ok := out[id]; ok {
			return st
		}
		if id == start {
			st := &Step{Distance: 0, Path: []string{start}}
			out[id] = st
			return st
		}
		p := preds[id]
		prev := build(p.via)
		st := &Step{Distance: best[id], Path: append(slices.Clone(prev.Path), id), Rels: append(slices.Clone(prev.Rels), p.rel)}
		out[id] = st
		return st
	}
	for id := range best {
		build(id)
	}
	return out
}

func (s *sqlStore) nodes(ctx context.Context, ids []string) (map[string]*Node, error) {
	out := map[string]*Node{}
	for start, n := 0, s.d.rows(); start < len(ids); start += n {
		part := ids[start:min(start+n, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		err := s.query(ctx, "SELECT "+nodeCols+" FROM graph_nodes WHERE id IN ("+marks(len(part))+")", func(r *sql.Rows) error {
			n, err := scanNode(r)
			if err == nil {
				out[n.ID()] = n
			}
			return err
		}, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rebindDollar numbers ? placeholders $1, $2, … for PostgreSQL. The
// queries here hold no ? inside literals.
func rebindDollar(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
