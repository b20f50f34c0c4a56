package connect

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Why SQL text: a Spark Connect plan is unresolved (names, function names
// and types as the user wrote them), exactly what nectar's parser makes
// of a query. Printing each relation as a SELECT over its input and
// letting engine.Session bind the whole gives Connect clients nectar's
// binder as it is: the same name resolution, implicit casts, function
// catalogue (functions.Lookup and friends), errors with suggestions and
// optimiser, with no second path to keep in step with `nectar query`. The
// cost is a Describe (a bind against the sources' samples, which the
// session opens once) of the relations whose output names the client's
// expressions decide: projections, aggregates, SQL and reads.
//
// Each relation is a query whose output columns have unique names
// ("refs"); the names the client sees may repeat (a join of two frames
// with an id each) and are restored by rootSQL. Column references carry
// the plan ids of the frames they name (df1.id), and each output column
// remembers the plan ids of the relations it came through unchanged, so
// that df1.id finds df1's id after a join.

// translator translates the relations of one request.
type translator struct {
	ctx  context.Context
	e    *engine.Session
	sess *session
	n    int // aliases made so far
}

// rel is a translated relation.
type rel struct {
	sql   string
	cols  []col
	alias string // the name SubqueryAlias gave it (df.alias("a"))
	local bool   // a LocalRelation: is_local
}

// col is an output column of a rel.
type col struct {
	name  string  // as the client sees it
	ref   string  // its unique name in the rel's SQL
	plans []int64 // plan ids of the relations it came through unchanged
}

func (t *translator) newAlias() string {
	t.n++
	return "_t" + strconv.Itoa(t.n)
}

// describe binds sql and returns its columns, each its own ref.
func (t *translator) describe(sql string) ([]col, error) {
	d, err := t.e.Describe(t.ctx, sql)
	if err != nil {
		return nil, &queryError{sql: sql, err: err}
	}
	cols := make([]col, len(d.Schema))
	for i, c := range d.Schema {
		cols[i] = col{name: c.Name, ref: c.Name}
	}
	return cols, nil
}

// queryError is an error of binding or running translated SQL: its
// message is shown with the SQL it is about.
type queryError struct {
	sql string
	err error
}

func (e *queryError) Error() string { return e.err.Error() }
func (e *queryError) Unwrap() error { return e.err }

// relation translates r.
func (t *translator) relation(r *pb.Relation) (*rel, error) {
	if r == nil || r.GetRelType() == nil {
		return nil, invalid("a relation with no type (a missing input, or a relation this protocol version does not know)")
	}
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	out, err := t.relType(r)
	if err != nil {
		return nil, err
	}
	if c := r.GetCommon(); c != nil && c.PlanId != nil {
		id := c.PlanId
		for i := range out.cols {
			if !slices.Contains(out.cols[i].plans, *id) {
				out.cols[i].plans = append(slices.Clip(out.cols[i].plans), *id)
			}
		}
	}
	return out, nil
}

func (t *translator) relType(r *pb.Relation) (*rel, error) {
	switch x := r.GetRelType().(type) {
	case *pb.Relation_Sql:
		return t.sqlRel(x.Sql)
	case *pb.Relation_Read:
		return t.read(x.Read)
	case *pb.Relation_Project:
		return t.project(x.Project)
	case *pb.Relation_Filter:
		return t.filter(x.Filter)
	case *pb.Relation_Join:
		return t.join(x.Join)
	case *pb.Relation_SetOp:
		return t.setOp(x.SetOp)
	case *pb.Relation_Sort:
		return t.sort(x.Sort)
	case *pb.Relation_Limit:
		if x.Limit.GetLimit() < 0 {
			return nil, invalid("limit %d is negative", x.Limit.GetLimit())
		}
		return t.passThrough(x.Limit.GetInput(), func(from string) string {
			return fmt.Sprintf("SELECT * FROM %s LIMIT %d", from, x.Limit.GetLimit())
		})
	case *pb.Relation_Offset:
		if x.Offset.GetOffset() < 0 {
			return nil, invalid("offset %d is negative", x.Offset.GetOffset())
		}
		return t.passThrough(x.Offset.GetInput(), func(from string) string {
			return fmt.Sprintf("SELECT * FROM %s OFFSET %d", from, x.Offset.GetOffset())
		})
	case *pb.Relation_Aggregate:
		return t.aggregate(x.Aggregate)
	case *pb.Relation_LocalRelation:
		return t.local(x.LocalRelation)
	case *pb.Relation_Range:
		return t.rangeRel(x.Range)
	case *pb.Relation_Deduplicate:
		return t.deduplicate(x.Deduplicate)
	case *pb.Relation_SubqueryAlias:
		if len(x.SubqueryAlias.GetQualifier()) > 0 {
			return nil, unsupported("a qualified alias (%s)", strings.Join(x.SubqueryAlias.GetQualifier(), "."))
		}
		in, err := t.relation(x.SubqueryAlias.GetInput())
		if err != nil {
			return nil, err
		}
		out := *in
		out.alias = x.SubqueryAlias.GetAlias()
		return &out, nil
	case *pb.Relation_Hint:
		// Hints steer Spark's planner (broadcast, coalesce); nectar's
		// answers do not depend on them.
		return t.relation(x.Hint.GetInput())
	case *pb.Relation_Repartition:
		// One process, no partitions: the rows are the same.
		return t.relation(x.Repartition.GetInput())
	case *pb.Relation_RepartitionByExpression:
		return t.relation(x.RepartitionByExpression.GetInput())
	case *pb.Relation_ToDf:
		return t.toDF(x.ToDf)
	case *pb.Relation_WithColumnsRenamed:
		return t.renamed(x.WithColumnsRenamed)
	case *pb.Relation_WithColumns:
		return t.withColumns(x.WithColumns)
	case *pb.Relation_Drop:
		return t.drop(x.Drop)
	case *pb.Relation_DropNa:
		return t.dropNA(x.DropNa)
	case *pb.Relation_FillNa:
		return t.fillNA(x.FillNa)
	case *pb.Relation_Tail:
		return t.tail(x.Tail)
	case *pb.Relation_Unpivot:
		return t.unpivot(x.Unpivot)
	case *pb.Relation_Catalog:
		return t.catalog(x.Catalog)
	case *pb.Relation_Describe:
		return t.summary(x.Describe.GetInput(), x.Describe.GetCols(), []string{"count", "mean", "stddev", "min", "max"})
	case *pb.Relation_Summary:
		stats := x.Summary.GetStatistics()
		if len(stats) == 0 {
			stats = []string{"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"}
		}
		return t.summary(x.Summary.GetInput(), nil, stats)
	case *pb.Relation_ShowString:
		return nil, unsupported("show_string below another relation")
	case *pb.Relation_CachedLocalRelation, *pb.Relation_ChunkedCachedLocalRelation:
		return nil, unsupported("a cached local relation (createDataFrame of more than spark.sql.session.localRelationCacheThreshold bytes, sent as artifacts): write the data to a file and read it")
	}
	return nil, unsupported("the relation %s", relationName(r))
}

// relationName is the protocol's name of r's type ("sample", "tail").
func relationName(r *pb.Relation) string {
	name := fmt.Sprintf("%T", r.GetRelType())
	name = strings.TrimPrefix(name, "*sparkpb.Relation_")
	return snake(name)
}

// snake turns a Go field name (WithColumnsRenamed) into the protocol's
// (with_columns_renamed).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// from is input as a FROM item under a fresh alias.
func (t *translator) from(in *rel) (string, string) {
	a := t.newAlias()
	return "(" + in.sql + ") AS " + a, a
}

// passThrough is a relation that keeps its input's columns (filter,
// limit, sort).
func (t *translator) passThrough(input *pb.Relation, sql func(from string) string) (*rel, error) {
	in, err := t.relation(input)
	if err != nil {
		return nil, err
	}
	f, _ := t.from(in)
	return &rel{sql: sql(f), cols: in.cols, alias: in.alias}, nil
}

// sqlRel is spark.sql(query, args): one query; positional arguments are
// bound as typed literals by the parser, never spliced into the text.
func (t *translator) sqlRel(s *pb.SQL) (*rel, error) {
	q, err := t.sqlQuery(s)
	if err != nil {
		return nil, err
	}
	cols, err := t.describe(q)
	if err != nil {
		return nil, err
	}
	return &rel{sql: q, cols: cols}, nil
}

// sqlQuery is the query of s as canonical nectar SQL, its arguments bound.
func (t *translator) sqlQuery(s *pb.SQL) (string, error) {
	stmts, err := t.sqlStatements(s)
	if err != nil {
		return "", err
	}
	if len(stmts) != 1 {
		return "", unsupported("a SQL relation of %d statements (one query is expected here)", len(stmts))
	}
	qs, ok := stmts[0].(*syntax.QueryStmt)
	if !ok {
		return "", unsupported("the statement %q inside a DataFrame (run it with spark.sql on its own)", firstWords(stmts[0].String()))
	}
	return qs.String(), nil
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

// sqlStatements parses s's text with its positional arguments.
func (t *translator) sqlStatements(s *pb.SQL) ([]syntax.Statement, error) {
	query := s.GetQuery()
	var params []types.Value
	if len(s.GetArgs()) > 0 || len(s.GetNamedArguments()) > 0 {
		// spark.sql(query, args={"name": value}): :name becomes a ? bound
		// to its value, so a value is never query text.
		named := map[string]types.Value{}
		for k, l := range s.GetArgs() {
			v, err := literalValue(l)
			if err != nil {
				return nil, err
			}
			named[k] = v
		}
		for k, e := range s.GetNamedArguments() {
			l := e.GetLiteral()
			if l == nil {
				return nil, unsupported("a spark.sql argument that is not a literal")
			}
			v, err := literalValue(l)
			if err != nil {
				return nil, err
			}
			named[k] = v
		}
		q, vals, err := syntax.NamedParams(query, named)
		if err != nil {
			return nil, &queryError{sql: query, err: err}
		}
		query, params = q, vals
	}
	for _, l := range s.GetPosArgs() {
		v, err := literalValue(l)
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
	for _, e := range s.GetPosArguments() {
		l := e.GetLiteral()
		if l == nil {
			return nil, unsupported("a spark.sql argument that is not a literal")
		}
		v, err := literalValue(l)
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
	if n := syntax.Placeholders(query); n != len(params) {
		return nil, &queryError{sql: query, err: fmt.Errorf("the query has %d ? parameters and %d arguments were given", n, len(params))}
	}
	stmts, err := t.e.Parse(query, syntax.Options{Params: params, Bind: true})
	if err != nil {
		return nil, &queryError{sql: query, err: err}
	}
	return stmts, nil
}

// read is spark.table(name) or spark.read.format(f).load(path).
func (t *translator) read(r *pb.Read) (*rel, error) {
	if r.GetIsStreaming() {
		return nil, unsupported("readStream (use nectar stream)")
	}
	var sql string
	switch x := r.GetReadType().(type) {
	case *pb.Read_NamedTable_:
		if len(x.NamedTable.GetOptions()) > 0 {
			return nil, unsupported("options on a table read")
		}
		parts, err := parseIdentifier(x.NamedTable.GetUnparsedIdentifier())
		if err != nil {
			return nil, err
		}
		sql = "SELECT * FROM " + quoteParts(parts)
	case *pb.Read_DataSource_:
		ds := x.DataSource
		format := strings.ToLower(ds.GetFormat())
		if format == "" {
			format = t.sess.conf("spark.sql.sources.default")
		}
		fn := map[string]string{"json": "read_json", "parquet": "read_parquet"}[format]
		if fn == "" {
			return nil, unsupported("the data source format %q (nectar reads json and parquet)", ds.GetFormat())
		}
		if len(ds.GetPredicates()) > 0 {
			return nil, unsupported("JDBC predicates")
		}
		paths := ds.GetPaths()
		if p, ok := ds.GetOptions()["path"]; ok && len(paths) == 0 {
			paths = []string{p}
		}
		if len(paths) != 1 {
			return nil, unsupported("reading %d paths at once (give one path; a glob such as logs/**/*.gz reads many files)", len(paths))
		}
		for k, v := range ds.GetOptions() {
			switch strings.ToLower(k) {
			case "path":
			case "recursivefilelookup":
				// nectar reads a folder and its subfolders whatever this says
				// for a folder; a false value with nested folders would differ.
				if !strings.EqualFold(v, "true") {
					return nil, unsupported("recursiveFileLookup=%s (nectar always reads folders recursively)", v)
				}
			case "multiline":
				if !strings.EqualFold(v, "false") {
					return nil, unsupported("multiLine JSON (nectar reads JSON lines)")
				}
			case "samplingratio", "compression", "mergeschema":
				// Schemas come from every line (see docs/ARCHITECTURE.md);
				// compression is found from the bytes.
			default:
				return nil, unsupported("the %s option %s", format, k)
			}
		}
		args := syntax.QuoteString(paths[0])
		if ds.Schema != nil && strings.TrimSpace(ds.GetSchema()) != "" {
			if format != "json" {
				return nil, unsupported("a schema for %s (Parquet files carry their own)", format)
			}
			s, err := parseSchemaString(ds.GetSchema())
			if err != nil {
				return nil, err
			}
			args += ", schema => " + syntax.QuoteString(ddl(s))
		}
		sql = "SELECT * FROM " + fn + "(" + args + ")"
	default:
		return nil, invalid("a read with neither a table nor a data source")
	}
	cols, err := t.describe(sql)
	if err != nil {
		return nil, err
	}
	return &rel{sql: sql, cols: cols}, nil
}

// ddl writes a schema as nectar's read_json takes it.
func ddl(s types.Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		k := c.Kind
		if k == types.Null {
			k = types.String
		}
		parts[i] = syntax.QuoteIdent(c.Name) + " " + k.String()
	}
	return strings.Join(parts, ", ")
}

func (t *translator) project(p *pb.Project) (*rel, error) {
	var in *rel
	var from string
	if p.GetInput() != nil {
		var err error
		if in, err = t.relation(p.GetInput()); err != nil {
			return nil, err
		}
		from, _ = t.from(in)
	}
	if len(p.GetExpressions()) == 0 {
		return nil, invalid("a projection of no expressions")
	}
	sc := &scope{t: t}
	if in != nil {
		sc.items = []scopeItem{{rel: in}}
	}
	items, origins, err := t.selectList(p.GetExpressions(), sc)
	if err != nil {
		return nil, err
	}
	sql := "SELECT " + strings.Join(items, ", ")
	if in != nil {
		sql += " FROM " + from
	}
	cols, err := t.describe(sql)
	if err != nil {
		return nil, err
	}
	if len(origins) == len(cols) {
		for i := range cols {
			cols[i].plans = origins[i]
		}
	}
	return &rel{sql: sql, cols: cols}, nil
}

// selectList translates the expressions of a select list, keeping for
// each plain column reference the plan ids of the column it names (so
// that df1.id still finds it after df1.select("id", …)). origins is nil
// when a star makes the positions unknown.
func (t *translator) selectList(exprs []*pb.Expression, sc *scope) ([]string, [][]int64, error) {
	items := make([]string, 0, len(exprs))
	origins := make([][]int64, 0, len(exprs))
	star := false
	for _, e := range exprs {
		if e.GetUnresolvedStar() != nil {
			star = true
		}
		s, err := t.expr(e, sc, true)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, s)
		var plans []int64
		if a := e.GetUnresolvedAttribute(); a != nil {
			if c := sc.find(a); c != nil {
				plans = c.plans
			}
		}
		origins = append(origins, plans)
	}
	if star {
		origins = nil
	}
	return items, origins, nil
}

func (t *translator) filter(f *pb.Filter) (*rel, error) {
	in, err := t.relation(f.GetInput())
	if err != nil {
		return nil, err
	}
	if f.GetCondition() == nil {
		return nil, invalid("a filter with no condition")
	}
	from, _ := t.from(in)
	cond, err := t.expr(f.GetCondition(), &scope{t: t, items: []scopeItem{{rel: in}}}, false)
	if err != nil {
		return nil, err
	}
	return &rel{sql: "SELECT * FROM " + from + " WHERE " + cond, cols: in.cols, alias: in.alias}, nil
}

func (t *translator) sort(s *pb.Sort) (*rel, error) {
	in, err := t.relation(s.GetInput())
	if err != nil {
		return nil, err
	}
	if len(s.GetOrder()) == 0 {
		return in, nil
	}
	from, _ := t.from(in)
	sc := &scope{t: t, items: []scopeItem{{rel: in}}}
	keys := make([]string, len(s.GetOrder()))
	for i, o := range s.GetOrder() {
		if keys[i], err = t.sortOrderOf(o, sc); err != nil {
			return nil, err
		}
	}
	return &rel{sql: "SELECT * FROM " + from + " ORDER BY " + strings.Join(keys, ", "), cols: in.cols, alias: in.alias}, nil
}

func (t *translator) aggregate(a *pb.Aggregate) (*rel, error) {
	in, err := t.relation(a.GetInput())
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	sc := &scope{t: t, items: []scopeItem{{rel: in}}}
	var items, keys []string
	var origins [][]int64
	for _, g := range a.GetGroupingExpressions() {
		item, err := t.expr(g, sc, true)
		if err != nil {
			return nil, err
		}
		key, err := t.expr(g, sc, false)
		if err != nil {
			return nil, err
		}
		items, keys = append(items, item), append(keys, key)
		var plans []int64
		if at := g.GetUnresolvedAttribute(); at != nil {
			if c := sc.find(at); c != nil {
				plans = c.plans
			}
		}
		origins = append(origins, plans)
	}
	var aggs []string
	for _, e := range a.GetAggregateExpressions() {
		s, err := t.expr(e, sc, true)
		if err != nil {
			return nil, err
		}
		aggs = append(aggs, s)
	}
	if len(items)+len(aggs) == 0 {
		return nil, invalid("an aggregate with neither grouping nor aggregate expressions")
	}

	// df.rollup, df.cube and df.groupingSets are the engine's ROLLUP, CUBE
	// and GROUPING SETS; df.groupBy().pivot() its PIVOT.
	sql := "SELECT " + strings.Join(append(slices.Clone(items), aggs...), ", ") + " FROM " + from
	switch a.GetGroupType() {
	case pb.Aggregate_GROUP_TYPE_GROUPBY, pb.Aggregate_GROUP_TYPE_UNSPECIFIED:
		if len(keys) > 0 {
			sql += " GROUP BY " + strings.Join(keys, ", ")
		}
	case pb.Aggregate_GROUP_TYPE_ROLLUP:
		sql += " GROUP BY ROLLUP(" + strings.Join(keys, ", ") + ")"
	case pb.Aggregate_GROUP_TYPE_CUBE:
		sql += " GROUP BY CUBE(" + strings.Join(keys, ", ") + ")"
	case pb.Aggregate_GROUP_TYPE_GROUPING_SETS:
		sets := make([]string, len(a.GetGroupingSets()))
		for i, set := range a.GetGroupingSets() {
			exprs := make([]string, len(set.GetGroupingSet()))
			for j, e := range set.GetGroupingSet() {
				if exprs[j], err = t.expr(e, sc, false); err != nil {
					return nil, err
				}
			}
			sets[i] = "(" + strings.Join(exprs, ", ") + ")"
		}
		sql += " GROUP BY GROUPING SETS (" + strings.Join(sets, ", ") + ")"
	case pb.Aggregate_GROUP_TYPE_PIVOT:
		if sql, err = t.pivot(a.GetPivot(), from, sc, items, aggs); err != nil {
			return nil, err
		}
		origins = origins[:len(items)]
	default:
		return nil, unsupported("%s aggregation", strings.ToLower(strings.TrimPrefix(a.GetGroupType().String(), "GROUP_TYPE_")))
	}
	cols, err := t.describe(sql)
	if err != nil {
		return nil, err
	}
	for i := range min(len(cols), len(origins)) {
		cols[i].plans = origins[i]
	}
	return &rel{sql: sql, cols: cols}, nil
}

// pivotMaxValues is Spark's spark.sql.pivotMaxValues: a pivot without
// values collects the column's distinct values, at most this many.
const pivotMaxValues = 10000

// pivot is df.groupBy(keys).pivot(col[, values]).agg(aggs) as the
// engine's PIVOT with its keys given (GROUP BY inside PIVOT, nectar's
// form of the DataFrame's explicit keys) over the input with the pivot
// column added, since PIVOT's FOR takes a column name. Without values,
// Spark first collects the column's distinct values, sorted; so does this.
func (t *translator) pivot(pv *pb.Aggregate_Pivot, from string, sc *scope, items, aggs []string) (string, error) {
	if len(aggs) == 0 {
		return "", invalid("a pivot with no aggregate expression")
	}
	col, err := t.expr(pv.GetCol(), sc, false)
	if err != nil {
		return "", err
	}
	in := "(SELECT *, " + col + " AS `__pivot` FROM " + from + ") AS " + t.newAlias()
	var values []string
	for _, l := range pv.GetValues() {
		v, err := literalSQL(l)
		if err != nil {
			return "", err
		}
		values = append(values, v)
	}
	if len(values) == 0 {
		script := fmt.Sprintf("SELECT DISTINCT `__pivot` FROM %s ORDER BY 1 LIMIT %d", in, pivotMaxValues+1)
		err := t.e.Run(t.ctx, script, func(r *engine.Result) error {
			if r.Rows == nil {
				return nil
			}
			defer r.Rows.Close()
			rows, err := exec.Collect(t.ctx, r.Rows)
			for _, row := range rows {
				values = append(values, (&syntax.Literal{Value: row[0]}).String())
			}
			return err
		})
		if err != nil {
			return "", &queryError{sql: script, err: err}
		}
		if len(values) > pivotMaxValues {
			return "", invalid("the pivot column %s has more than %d distinct values (spark.sql.pivotMaxValues): give pivot() the values", col, pivotMaxValues)
		}
		if len(values) == 0 {
			return "", invalid("the pivot column %s has no values, so the pivot would make no columns: give pivot() the values", col)
		}
	}
	sql := "SELECT * FROM " + in + " PIVOT (" + strings.Join(aggs, ", ") + " FOR `__pivot` IN (" + strings.Join(values, ", ") + ")"
	keys := "()"
	if len(items) > 0 {
		keys = strings.Join(items, ", ")
	}
	return sql + " GROUP BY " + keys + ")", nil
}

// unpivot is df.unpivot(ids, values, variable, value) (and melt) as the
// engine's UNPIVOT INCLUDE NULLS (the DataFrame form keeps NULL values,
// where SQL's UNPIVOT leaves them out by default) over the ids and the
// values under names of their own; each entry is labelled with its
// value's column name. Without values, every column that is not an id
// is one, as in Spark.
func (t *translator) unpivot(u *pb.Unpivot) (*rel, error) {
	if u.GetVariableColumnName() == "" || u.GetValueColumnName() == "" {
		return nil, invalid("an unpivot needs its variable and value column names")
	}
	in, err := t.relation(u.GetInput())
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	sc := &scope{t: t, items: []scopeItem{{rel: in}}}
	ids, _, err := t.selectList(u.GetIds(), sc)
	if err != nil {
		return nil, err
	}
	// Each value as an expression and under the name the client would
	// see, which labels its rows.
	var values, labels []string
	if u.Values != nil {
		var named []string
		for _, e := range u.GetValues().GetValues() {
			v, err := t.expr(e, sc, false)
			if err != nil {
				return nil, err
			}
			n, err := t.expr(e, sc, true)
			if err != nil {
				return nil, err
			}
			values, named = append(values, v), append(named, n)
		}
		if len(values) > 0 {
			cols, err := t.describe("SELECT " + strings.Join(named, ", ") + " FROM " + from)
			if err != nil {
				return nil, err
			}
			for _, c := range cols {
				labels = append(labels, c.name)
			}
		}
	} else {
		isID := map[string]bool{}
		for _, e := range u.GetIds() {
			if at := e.GetUnresolvedAttribute(); at != nil {
				if c := sc.find(at); c != nil {
					isID[c.ref] = true
				}
			}
		}
		for _, c := range in.cols {
			if !isID[c.ref] {
				values, labels = append(values, syntax.QuoteIdent(c.ref)), append(labels, c.name)
			}
		}
	}
	if len(values) == 0 {
		return nil, &analysisError{class: "UNPIVOT_REQUIRES_VALUE_COLUMNS", msg: "unpivot needs at least one value column"}
	}
	inner := slices.Clone(ids)
	entries := make([]string, len(values))
	for i, v := range values {
		ref := fmt.Sprintf("`__v%d`", i)
		inner = append(inner, v+" AS "+ref)
		entries[i] = ref + " AS " + syntax.QuoteIdent(labels[i])
	}
	sql := "SELECT * FROM (SELECT " + strings.Join(inner, ", ") + " FROM " + from + ") AS " + t.newAlias() +
		" UNPIVOT INCLUDE NULLS (" + syntax.QuoteIdent(u.GetValueColumnName()) + " FOR " + syntax.QuoteIdent(u.GetVariableColumnName()) +
		" IN (" + strings.Join(entries, ", ") + "))"
	cols, err := t.describe(sql)
	if err != nil {
		return nil, err
	}
	return &rel{sql: sql, cols: cols}, nil
}

// join: the output lists every column, each under a unique ref, so that
// the client's duplicate names (df1.id, df2.id) stay apart.
func (t *translator) join(j *pb.Join) (*rel, error) {
	left, err := t.relation(j.GetLeft())
	if err != nil {
		return nil, err
	}
	right, err := t.relation(j.GetRight())
	if err != nil {
		return nil, err
	}
	if j.JoinDataType != nil && (j.GetJoinDataType().GetIsLeftStruct() || j.GetJoinDataType().GetIsRightStruct()) {
		return nil, unsupported("joinWith (rows as structs)")
	}
	kind := map[pb.Join_JoinType]string{
		pb.Join_JOIN_TYPE_UNSPECIFIED: "JOIN", pb.Join_JOIN_TYPE_INNER: "JOIN",
		pb.Join_JOIN_TYPE_FULL_OUTER: "FULL OUTER JOIN", pb.Join_JOIN_TYPE_LEFT_OUTER: "LEFT OUTER JOIN",
		pb.Join_JOIN_TYPE_RIGHT_OUTER: "RIGHT OUTER JOIN", pb.Join_JOIN_TYPE_LEFT_ANTI: "LEFT ANTI JOIN",
		pb.Join_JOIN_TYPE_LEFT_SEMI: "LEFT SEMI JOIN", pb.Join_JOIN_TYPE_CROSS: "CROSS JOIN",
	}[j.GetJoinType()]
	if kind == "" {
		return nil, invalid("join type %d", j.GetJoinType())
	}
	lf, la := t.from(left)
	rf, ra := t.from(right)
	sc := &scope{t: t, qualify: true, items: []scopeItem{{rel: left, sqlAlias: la}, {rel: right, sqlAlias: ra}}}
	leftOnly := j.GetJoinType() == pb.Join_JOIN_TYPE_LEFT_ANTI || j.GetJoinType() == pb.Join_JOIN_TYPE_LEFT_SEMI

	var on string
	var items []string
	var cols []col
	used := map[string]bool{}
	add := func(expr string, c col) {
		ref := unique(c.name, used)
		items = append(items, expr+" AS "+syntax.QuoteIdent(ref))
		cols = append(cols, col{name: c.name, ref: ref, plans: c.plans})
	}
	using := j.GetUsingColumns()
	switch {
	case len(using) > 0:
		if j.GetJoinCondition() != nil {
			return nil, invalid("a join with both a condition and using columns")
		}
		var conds []string
		keyL, keyR := map[int]bool{}, map[int]bool{}
		for _, u := range using {
			li, ri := colIndex(left.cols, u), colIndex(right.cols, u)
			if li < 0 || ri < 0 {
				side := "left"
				if li >= 0 {
					side = "right"
				}
				return nil, &analysisError{class: "UNRESOLVED_USING_COLUMN_FOR_JOIN",
					msg: fmt.Sprintf("USING column %s cannot be resolved on the %s side of the join", syntax.QuoteIdent(u), side)}
			}
			keyL[li], keyR[ri] = true, true
			l := la + "." + syntax.QuoteIdent(left.cols[li].ref)
			r := ra + "." + syntax.QuoteIdent(right.cols[ri].ref)
			conds = append(conds, l+" = "+r)
			// Spark's USING output: the key once, from the side that
			// keeps every row (both, coalesced, for a full join).
			key := l
			switch j.GetJoinType() {
			case pb.Join_JOIN_TYPE_RIGHT_OUTER:
				key = r
			case pb.Join_JOIN_TYPE_FULL_OUTER:
				key = "coalesce(" + l + ", " + r + ")"
			}
			c := left.cols[li]
			c.plans = append(slices.Clip(c.plans), right.cols[ri].plans...)
			add(key, c)
		}
		on = " ON " + strings.Join(conds, " AND ")
		for i, c := range left.cols {
			if !keyL[i] {
				add(la+"."+syntax.QuoteIdent(c.ref), c)
			}
		}
		if !leftOnly {
			for i, c := range right.cols {
				if !keyR[i] {
					add(ra+"."+syntax.QuoteIdent(c.ref), c)
				}
			}
		}
		if j.GetJoinType() == pb.Join_JOIN_TYPE_CROSS {
			kind = "JOIN"
		}
	default:
		if j.GetJoinCondition() != nil {
			cond, err := t.expr(j.GetJoinCondition(), sc, false)
			if err != nil {
				return nil, err
			}
			on = " ON " + cond
			if j.GetJoinType() == pb.Join_JOIN_TYPE_CROSS {
				kind = "JOIN"
			}
		} else if j.GetJoinType() != pb.Join_JOIN_TYPE_CROSS {
			if j.GetJoinType() != pb.Join_JOIN_TYPE_INNER && j.GetJoinType() != pb.Join_JOIN_TYPE_UNSPECIFIED {
				return nil, unsupported("a %s with no condition", strings.ToLower(kind))
			}
			kind = "CROSS JOIN"
		}
		for _, c := range left.cols {
			add(la+"."+syntax.QuoteIdent(c.ref), c)
		}
		if !leftOnly {
			for _, c := range right.cols {
				add(ra+"."+syntax.QuoteIdent(c.ref), c)
			}
		}
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + lf + " " + kind + " " + rf + on
	return &rel{sql: sql, cols: cols}, nil
}

// unique returns name, or name#2, name#3… when a ref of that name (any
// case, as Spark compares names) is taken.
func unique(name string, used map[string]bool) string {
	ref := name
	for k := 2; used[strings.ToLower(ref)]; k++ {
		ref = name + "#" + strconv.Itoa(k)
	}
	used[strings.ToLower(ref)] = true
	return ref
}

func colIndex(cols []col, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.name, name) {
			return i
		}
	}
	return -1
}

func (t *translator) setOp(s *pb.SetOperation) (*rel, error) {
	left, err := t.relation(s.GetLeftInput())
	if err != nil {
		return nil, err
	}
	right, err := t.relation(s.GetRightInput())
	if err != nil {
		return nil, err
	}
	op := map[pb.SetOperation_SetOpType]string{
		pb.SetOperation_SET_OP_TYPE_UNION: "UNION", pb.SetOperation_SET_OP_TYPE_INTERSECT: "INTERSECT",
		pb.SetOperation_SET_OP_TYPE_EXCEPT: "EXCEPT",
	}[s.GetSetOpType()]
	if op == "" {
		return nil, invalid("set operation type %d", s.GetSetOpType())
	}
	if s.GetIsAll() {
		op += " ALL"
	} else {
		op += " DISTINCT"
	}
	lf, _ := t.from(left)
	rf, ra := t.from(right)
	rightList := "*"
	if s.GetByName() {
		// unionByName: the right side's columns in the left's order.
		var items []string
		for _, c := range left.cols {
			i := colIndex(right.cols, c.name)
			switch {
			case i >= 0:
				items = append(items, ra+"."+syntax.QuoteIdent(right.cols[i].ref))
			case s.GetAllowMissingColumns():
				items = append(items, "NULL AS "+syntax.QuoteIdent(c.ref))
			default:
				return nil, &analysisError{class: "NUM_COLUMNS_MISMATCH", msg: fmt.Sprintf("unionByName: the right side has no column %s", syntax.QuoteIdent(c.name))}
			}
		}
		if len(right.cols) > len(left.cols) || (!s.GetAllowMissingColumns() && len(right.cols) != len(left.cols)) {
			if s.GetAllowMissingColumns() {
				return nil, unsupported("unionByName(allowMissingColumns=True) with columns only the right side has")
			}
			return nil, &analysisError{class: "NUM_COLUMNS_MISMATCH", msg: "unionByName: the sides have different columns"}
		}
		rightList = strings.Join(items, ", ")
	} else if len(left.cols) != len(right.cols) {
		return nil, &analysisError{class: "NUM_COLUMNS_MISMATCH",
			msg: fmt.Sprintf("%s can only be performed on inputs with the same number of columns, but the first input has %d columns and the second input has %d columns", strings.Fields(op)[0], len(left.cols), len(right.cols))}
	}
	sql := "SELECT * FROM " + lf + " " + op + " SELECT " + rightList + " FROM " + rf
	cols := make([]col, len(left.cols))
	copy(cols, left.cols)
	return &rel{sql: sql, cols: cols}, nil
}

func (t *translator) local(l *pb.LocalRelation) (*rel, error) {
	var decodeErr error
	name := t.sess.register([]byte("local\x00"+l.GetSchema()+"\x00"+string(l.GetData())), func(name string) tableSource {
		// Decoded once per content: the next action on the frame finds it.
		schema, rows, err := decodeLocal(l.GetData(), l.GetSchema())
		if err != nil {
			decodeErr = err
			return nil
		}
		return &memTable{name: name, schema: schema, rows: rows}
	})
	if decodeErr != nil {
		return nil, decodeErr
	}
	schema := t.sess.table(name).(*memTable).schema
	cols := make([]col, len(schema))
	items := make([]string, len(schema))
	for i, c := range schema {
		cols[i] = col{name: c.Name, ref: c.Name}
		items[i] = syntax.QuoteIdent(c.Name)
	}
	if len(items) == 0 {
		return nil, unsupported("a local relation with no columns")
	}
	t.e.Register(name, t.sess.table(name))
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + name, cols: cols, local: true}, nil
}

func (t *translator) rangeRel(r *pb.Range) (*rel, error) {
	start, end, step := r.GetStart(), r.GetEnd(), r.GetStep()
	if step == 0 {
		return nil, &analysisError{class: "INVALID_PARAMETER_VALUE", msg: "range: the step must not be 0"}
	}
	name := t.sess.register(fmt.Appendf(nil, "range\x00%d\x00%d\x00%d", start, end, step), func(name string) tableSource { return &rangeTable{name: name, start: start, end: end, step: step} })
	t.e.Register(name, t.sess.table(name))
	return &rel{sql: "SELECT id FROM " + name, cols: []col{{name: "id", ref: "id"}}}, nil
}

func (t *translator) deduplicate(d *pb.Deduplicate) (*rel, error) {
	if d.GetWithinWatermark() {
		return nil, unsupported("dropDuplicatesWithinWatermark")
	}
	in, err := t.relation(d.GetInput())
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	if d.GetAllColumnsAsKeys() || len(d.GetColumnNames()) == 0 {
		return &rel{sql: "SELECT DISTINCT * FROM " + from, cols: in.cols}, nil
	}
	// dropDuplicates(subset): one row per key, the other columns from one
	// of its rows: first() of each, which the aggregation takes from the
	// same (first) row of the group.
	keys := map[int]bool{}
	var group []string
	for _, name := range d.GetColumnNames() {
		i := colIndex(in.cols, name)
		if i < 0 {
			return nil, &analysisError{class: "UNRESOLVED_COLUMN.WITH_SUGGESTION", msg: fmt.Sprintf("dropDuplicates: no column %s", syntax.QuoteIdent(name))}
		}
		if !keys[i] {
			keys[i] = true
			group = append(group, syntax.QuoteIdent(in.cols[i].ref))
		}
	}
	items := make([]string, len(in.cols))
	for i, c := range in.cols {
		q := syntax.QuoteIdent(c.ref)
		if keys[i] {
			items[i] = q
		} else {
			items[i] = "first(" + q + ") AS " + q
		}
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + from + " GROUP BY " + strings.Join(group, ", "), cols: in.cols}, nil
}

// rename writes in's columns under new client names.
func (t *translator) rename(in *rel, names []string) *rel {
	from, _ := t.from(in)
	used := map[string]bool{}
	items := make([]string, len(in.cols))
	cols := make([]col, len(in.cols))
	for i, c := range in.cols {
		ref := unique(names[i], used)
		items[i] = syntax.QuoteIdent(c.ref) + " AS " + syntax.QuoteIdent(ref)
		cols[i] = col{name: names[i], ref: ref, plans: c.plans}
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + from, cols: cols}
}

func (t *translator) toDF(d *pb.ToDF) (*rel, error) {
	in, err := t.relation(d.GetInput())
	if err != nil {
		return nil, err
	}
	if len(d.GetColumnNames()) != len(in.cols) {
		return nil, &analysisError{class: "LENGTH_MISMATCH", msg: fmt.Sprintf("toDF: %d names for %d columns", len(d.GetColumnNames()), len(in.cols))}
	}
	return t.rename(in, d.GetColumnNames()), nil
}

func (t *translator) renamed(w *pb.WithColumnsRenamed) (*rel, error) {
	in, err := t.relation(w.GetInput())
	if err != nil {
		return nil, err
	}
	names := make([]string, len(in.cols))
	for i, c := range in.cols {
		names[i] = c.name
	}
	apply := func(from, to string) {
		// Spark renames every column of that name, and ignores a name it
		// does not have.
		for i := range names {
			if strings.EqualFold(names[i], from) {
				names[i] = to
			}
		}
	}
	for _, r := range w.GetRenames() {
		apply(r.GetColName(), r.GetNewColName())
	}
	keys := make([]string, 0, len(w.GetRenameColumnsMap()))
	for k := range w.GetRenameColumnsMap() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		apply(k, w.GetRenameColumnsMap()[k])
	}
	return t.rename(in, names), nil
}

func (t *translator) withColumns(w *pb.WithColumns) (*rel, error) {
	in, err := t.relation(w.GetInput())
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	sc := &scope{t: t, items: []scopeItem{{rel: in}}}
	items := make([]string, len(in.cols))
	cols := slices.Clone(in.cols)
	used := map[string]bool{}
	for i, c := range in.cols {
		items[i] = syntax.QuoteIdent(c.ref)
		used[strings.ToLower(c.ref)] = true
	}
	for _, a := range w.GetAliases() {
		if len(a.GetName()) != 1 {
			return nil, unsupported("withColumns with a multi-part name")
		}
		name := a.GetName()[0]
		v, err := t.expr(a.GetExpr(), sc, false)
		if err != nil {
			return nil, err
		}
		if i := colIndex(cols, name); i >= 0 {
			// Replacing a column keeps its place, and every column of that
			// name, as Spark does.
			for j := range cols {
				if strings.EqualFold(cols[j].name, name) {
					items[j] = v + " AS " + syntax.QuoteIdent(cols[j].ref)
					cols[j] = col{name: name, ref: cols[j].ref}
				}
			}
			continue
		}
		ref := unique(name, used)
		items = append(items, v+" AS "+syntax.QuoteIdent(ref))
		cols = append(cols, col{name: name, ref: ref})
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + from, cols: cols}, nil
}

func (t *translator) drop(d *pb.Drop) (*rel, error) {
	in, err := t.relation(d.GetInput())
	if err != nil {
		return nil, err
	}
	sc := &scope{t: t, items: []scopeItem{{rel: in}}}
	gone := map[int]bool{}
	for _, name := range d.GetColumnNames() {
		for i, c := range in.cols {
			if strings.EqualFold(c.name, name) {
				gone[i] = true
			}
		}
	}
	for _, e := range d.GetColumns() {
		a := e.GetUnresolvedAttribute()
		if a == nil {
			return nil, unsupported("drop of an expression that is not a column")
		}
		if c := sc.find(a); c != nil {
			for i := range in.cols {
				if in.cols[i].ref == c.ref {
					gone[i] = true
				}
			}
		}
	}
	if len(gone) == 0 {
		return in, nil
	}
	if len(gone) == len(in.cols) {
		return nil, unsupported("dropping every column")
	}
	from, _ := t.from(in)
	var items []string
	var cols []col
	for i, c := range in.cols {
		if !gone[i] {
			items = append(items, syntax.QuoteIdent(c.ref))
			cols = append(cols, c)
		}
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + from, cols: cols}, nil
}

// dropNA is df.dropna(how, thresh, subset): rows with at least
// min_non_nulls non-NULL values among cols (all columns when none).
func (t *translator) dropNA(d *pb.NADrop) (*rel, error) {
	in, err := t.relation(d.GetInput())
	if err != nil {
		return nil, err
	}
	var refs []string
	names := d.GetCols()
	if len(names) == 0 {
		for _, c := range in.cols {
			refs = append(refs, syntax.QuoteIdent(c.ref))
		}
	}
	for _, n := range names {
		i := colIndex(in.cols, n)
		if i < 0 {
			return nil, &analysisError{class: "UNRESOLVED_COLUMN.WITH_SUGGESTION", msg: fmt.Sprintf("dropna: no column %s", syntax.QuoteIdent(n))}
		}
		refs = append(refs, syntax.QuoteIdent(in.cols[i].ref))
	}
	min := len(refs) // how='any'
	if d.MinNonNulls != nil {
		min = int(d.GetMinNonNulls())
	}
	if min <= 0 {
		return in, nil
	}
	from, _ := t.from(in)
	d2, err := t.e.Describe(t.ctx, "SELECT "+strings.Join(refs, ", ")+" FROM "+from)
	if err != nil {
		return nil, &queryError{sql: in.sql, err: err}
	}
	terms := make([]string, len(refs))
	for i, r := range refs {
		terms[i] = "CASE WHEN " + r + " IS NULL THEN 0 ELSE 1 END"
		if d2.Schema[i].Kind == types.Float {
			// NaN counts as missing, as in Spark's dropna.
			terms[i] = "CASE WHEN " + r + " IS NULL OR isnan(" + r + ") THEN 0 ELSE 1 END"
		}
	}
	return &rel{sql: "SELECT * FROM " + from + " WHERE (" + strings.Join(terms, " + ") + ") >= " + strconv.Itoa(min), cols: in.cols}, nil
}

// fillNA is df.fillna(value, subset) and df.fillna({col: value}), as
// Spark's DataFrameNaFunctions.fill: one value fills the columns (all, or
// the subset) of its family, numbers the numeric ones (cast to the
// column's type), strings the string ones, booleans the boolean ones, and
// leaves the others; a value per column fills that column, cast to its
// type. A DOUBLE's NaN is filled as its NULL is.
func (t *translator) fillNA(f *pb.NAFill) (*rel, error) {
	in, err := t.relation(f.GetInput())
	if err != nil {
		return nil, err
	}
	vals := f.GetValues()
	names := f.GetCols()
	if len(vals) == 0 || (len(vals) > 1 && len(vals) != len(names)) {
		return nil, invalid("fillna with %d values for %d columns", len(vals), len(names))
	}
	from, _ := t.from(in)
	refs := make([]string, len(in.cols))
	for i, c := range in.cols {
		refs[i] = syntax.QuoteIdent(c.ref)
	}
	d, err := t.e.Describe(t.ctx, "SELECT "+strings.Join(refs, ", ")+" FROM "+from)
	if err != nil {
		return nil, &queryError{sql: in.sql, err: err}
	}
	fill := map[int]types.Value{} // column → value
	family := func(k types.Kind) types.Kind {
		if k == types.Int || k == types.Float {
			return types.Float
		}
		return k
	}
	for i, l := range vals {
		v, err := literalValue(l)
		if err != nil {
			return nil, err
		}
		switch v.K {
		case types.Bool, types.Int, types.Float, types.String:
		default:
			return nil, &analysisError{class: "UNSUPPORTED_DATA_TYPE", msg: fmt.Sprintf("fillna takes a boolean, number or string, not %s", v.K)}
		}
		var targets []int
		switch {
		case len(vals) > 1:
			j := colIndex(in.cols, names[i])
			if j < 0 {
				return nil, &analysisError{class: "UNRESOLVED_COLUMN.WITH_SUGGESTION", msg: fmt.Sprintf("fillna: no column %s", syntax.QuoteIdent(names[i]))}
			}
			fill[j] = v
			continue
		case len(names) > 0:
			for _, n := range names {
				j := colIndex(in.cols, n)
				if j < 0 {
					return nil, &analysisError{class: "UNRESOLVED_COLUMN.WITH_SUGGESTION", msg: fmt.Sprintf("fillna: no column %s", syntax.QuoteIdent(n))}
				}
				targets = append(targets, j)
			}
		default:
			for j := range in.cols {
				targets = append(targets, j)
			}
		}
		for _, j := range targets {
			if family(d.Schema[j].Kind) == family(v.K) {
				fill[j] = v
			}
		}
	}
	if len(fill) == 0 {
		return in, nil
	}
	items := make([]string, len(in.cols))
	for j, c := range in.cols {
		ref := syntax.QuoteIdent(c.ref)
		v, ok := fill[j]
		if !ok {
			items[j] = ref
			continue
		}
		k := d.Schema[j].Kind
		if k == types.Null {
			k = v.K
		}
		val := "CAST(" + syntax.QuoteString(v.String()) + " AS " + k.String() + ")"
		if v.K == types.String {
			val = syntax.QuoteString(v.String())
		}
		cond := ref + " IS NULL"
		if k == types.Float {
			cond += " OR isnan(" + ref + ")"
		}
		items[j] = "CASE WHEN " + cond + " THEN " + val + " ELSE " + ref + " END AS " + ref
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + from, cols: in.cols}, nil
}

// tail is df.tail(n): the last n rows in the input's order, which a
// numbering of the rows as they come (a running count) keeps.
func (t *translator) tail(x *pb.Tail) (*rel, error) {
	if x.GetLimit() < 0 {
		return nil, invalid("tail %d is negative", x.GetLimit())
	}
	in, err := t.relation(x.GetInput())
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	used := map[string]bool{}
	refs := make([]string, len(in.cols))
	for i, c := range in.cols {
		used[strings.ToLower(c.ref)] = true
		refs[i] = syntax.QuoteIdent(c.ref)
	}
	n := syntax.QuoteIdent(unique("_tail_n", used))
	total := syntax.QuoteIdent(unique("_tail_total", used))
	cols := strings.Join(refs, ", ")
	// A running count numbers the rows as they come; row_number() would
	// need an ORDER BY, as in Spark.
	inner := "SELECT " + cols + ", count(*) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS " + n + ", count(*) OVER () AS " + total + " FROM " + from
	a := t.newAlias()
	sql := fmt.Sprintf("SELECT %s FROM (%s) AS %s WHERE %s > %s - %d ORDER BY %s", cols, inner, a, n, total, x.GetLimit(), n)
	return &rel{sql: sql, cols: in.cols}, nil
}

// summary is df.describe(cols) and df.summary(stats), as Spark's
// StatFunctions.summary computes them: a STRING column per numeric or
// string column (the columns named, else all), a row per statistic, each
// value the aggregate cast to STRING. The input is read once (a WITH
// query named five times runs once). Percentiles are refused: Spark's are
// approximations nectar would not reproduce.
func (t *translator) summary(input *pb.Relation, names []string, stats []string) (*rel, error) {
	in, err := t.relation(input)
	if err != nil {
		return nil, err
	}
	from, _ := t.from(in)
	refs := make([]string, len(in.cols))
	for i, c := range in.cols {
		refs[i] = syntax.QuoteIdent(c.ref)
	}
	d, err := t.e.Describe(t.ctx, "SELECT "+strings.Join(refs, ", ")+" FROM "+from)
	if err != nil {
		return nil, &queryError{sql: in.sql, err: err}
	}
	var pick []int
	if len(names) > 0 {
		for _, n := range names {
			j := colIndex(in.cols, n)
			if j < 0 {
				return nil, &analysisError{class: "UNRESOLVED_COLUMN.WITH_SUGGESTION", msg: fmt.Sprintf("describe: no column %s", syntax.QuoteIdent(n))}
			}
			pick = append(pick, j)
		}
	} else {
		for j := range in.cols {
			pick = append(pick, j)
		}
	}
	var keep []int
	for _, j := range pick {
		switch d.Schema[j].Kind {
		case types.Int, types.Float, types.String:
			keep = append(keep, j)
		}
	}
	w := t.newAlias()
	out := []col{{name: "summary", ref: "summary"}}
	used := map[string]bool{"summary": true}
	outRefs := make([]string, len(keep))
	for i, j := range keep {
		outRefs[i] = unique(in.cols[j].name, used)
		out = append(out, col{name: in.cols[j].name, ref: outRefs[i]})
	}
	var selects []string
	for _, st := range stats {
		items := []string{syntax.QuoteString(st) + " AS summary"}
		for i, j := range keep {
			c := syntax.QuoteIdent(in.cols[j].ref)
			num := c
			if d.Schema[j].Kind == types.String {
				num = "try_cast(" + c + " AS DOUBLE)"
			}
			var agg string
			switch strings.ToLower(st) {
			case "count":
				agg = "count(" + c + ")"
			case "count_distinct":
				agg = "count(DISTINCT " + c + ")"
			case "mean":
				agg = "avg(" + num + ")"
			case "stddev":
				agg = "stddev_samp(" + num + ")"
			case "min":
				agg = "min(" + c + ")"
			case "max":
				agg = "max(" + c + ")"
			default:
				return nil, unsupported("the statistic %q in summary (nectar computes count, count_distinct, mean, stddev, min and max; Spark's percentiles are approximations)", st)
			}
			items = append(items, "CAST("+agg+" AS STRING) AS "+syntax.QuoteIdent(outRefs[i]))
		}
		selects = append(selects, "SELECT "+strings.Join(items, ", ")+" FROM "+w)
	}
	sql := "WITH " + w + " AS (" + in.sql + ") " + strings.Join(selects, " UNION ALL ")
	return &rel{sql: sql, cols: out}, nil
}

// rootSQL is the query for r as the client sees it: its refs renamed to
// the client's names where they differ.
func (t *translator) rootSQL(r *rel) string {
	same := true
	for _, c := range r.cols {
		if c.ref != c.name {
			same = false
		}
	}
	if same {
		return r.sql
	}
	from, _ := t.from(r)
	items := make([]string, len(r.cols))
	for i, c := range r.cols {
		items[i] = syntax.QuoteIdent(c.ref) + " AS " + syntax.QuoteIdent(c.name)
	}
	return "SELECT " + strings.Join(items, ", ") + " FROM " + from
}

// analysisError is an AnalysisException the translator finds itself
// (a USING column missing on one side), with Spark's error class.
type analysisError struct {
	class string
	msg   string
}

func (e *analysisError) Error() string { return e.msg }
