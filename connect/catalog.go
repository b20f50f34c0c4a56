package connect

import (
	"fmt"
	"slices"
	"strings"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// nectar has one namespace: Spark's default database of its session
// catalog, where pyspark expects temporary views and tables to be.
const (
	catalogName  = "spark_catalog"
	databaseName = "default"
)

// catalog answers spark.catalog: the Spark session's temporary views and
// nectar.yaml's sources (tables), the one database, their columns. What
// changes a catalog nectar does not have (CREATE TABLE, databases,
// functions) is refused; caching is accepted and keeps nothing, as
// df.cache() is.
func (t *translator) catalog(c *pb.Catalog) (*rel, error) {
	str := types.StringValue
	boolean := types.BoolValue
	null := types.Value{}
	s := func(names ...string) types.Schema {
		out := make(types.Schema, len(names))
		for i, n := range names {
			k := types.String
			if strings.HasPrefix(n, "is") || n == "nullable" || n == "exists" || n == "dropped" {
				k = types.Bool
			}
			out[i] = types.Column{Name: n, Kind: k}
		}
		return out
	}
	one := func(name string, v types.Value) (*rel, error) {
		return t.values(s(name), [][]types.Value{{v}})
	}
	db := func(name string) error {
		if name != "" && !strings.EqualFold(name, databaseName) {
			return &analysisError{class: "SCHEMA_NOT_FOUND", msg: fmt.Sprintf("The schema `%s` cannot be found: nectar has one, %s.", name, databaseName)}
		}
		return nil
	}
	switch x := c.GetCatType().(type) {
	case *pb.Catalog_CurrentDatabase:
		return one("currentDatabase", str(databaseName))
	case *pb.Catalog_CurrentCatalog:
		return one("currentCatalog", str(catalogName))
	case *pb.Catalog_SetCurrentDatabase:
		if err := db(x.SetCurrentDatabase.GetDbName()); err != nil {
			return nil, err
		}
		return t.values(s("result"), nil)
	case *pb.Catalog_ListDatabases:
		return t.values(s("name", "catalog", "description", "locationUri"),
			[][]types.Value{{str(databaseName), str(catalogName), str("nectar's sources and this session's views"), null}})
	case *pb.Catalog_DatabaseExists:
		return one("exists", boolean(db(x.DatabaseExists.GetDbName()) == nil))
	case *pb.Catalog_ListCatalogs:
		return t.values(s("name", "description"), [][]types.Value{{str(catalogName), null}})
	case *pb.Catalog_ListTables:
		if err := db(x.ListTables.GetDbName()); err != nil {
			return nil, err
		}
		var rows [][]types.Value
		for _, tb := range t.tables() {
			if p := x.ListTables.GetPattern(); p != "" && !syntax.MatchTablePattern(p, tb.name) {
				continue
			}
			kind := "EXTERNAL"
			if tb.temporary {
				kind = "TEMPORARY"
			}
			rows = append(rows, []types.Value{str(tb.name), null, null, null, str(kind), boolean(tb.temporary)})
		}
		return t.values(s("name", "catalog", "namespace", "description", "tableType", "isTemporary"), rows)
	case *pb.Catalog_TableExists:
		if err := db(x.TableExists.GetDbName()); err != nil {
			return one("exists", boolean(false))
		}
		_, ok := t.findTable(x.TableExists.GetTableName())
		return one("exists", boolean(ok))
	case *pb.Catalog_GetTable:
		if err := db(x.GetTable.GetDbName()); err != nil {
			return nil, err
		}
		tb, ok := t.findTable(x.GetTable.GetTableName())
		if !ok {
			return nil, &analysisError{class: "TABLE_OR_VIEW_NOT_FOUND", msg: fmt.Sprintf("The table or view `%s` cannot be found.", x.GetTable.GetTableName())}
		}
		kind := "EXTERNAL"
		if tb.temporary {
			kind = "TEMPORARY"
		}
		return t.values(s("name", "catalog", "namespace", "description", "tableType", "isTemporary"),
			[][]types.Value{{str(tb.name), null, null, null, str(kind), boolean(tb.temporary)}})
	case *pb.Catalog_ListColumns:
		if err := db(x.ListColumns.GetDbName()); err != nil {
			return nil, err
		}
		tb, ok := t.findTable(x.ListColumns.GetTableName())
		if !ok {
			return nil, &analysisError{class: "TABLE_OR_VIEW_NOT_FOUND", msg: fmt.Sprintf("The table or view `%s` cannot be found.", x.ListColumns.GetTableName())}
		}
		cols, err := t.e.Describe(t.ctx, "SELECT * FROM "+quoteParts([]string{tb.name}))
		if err != nil {
			return nil, &queryError{err: err}
		}
		var rows [][]types.Value
		for _, col := range cols.Schema {
			rows = append(rows, []types.Value{str(col.Name), null, str(sparkSimpleName(col.Kind)), boolean(true), boolean(false), boolean(false), boolean(false)})
		}
		return t.values(s("name", "description", "dataType", "nullable", "isPartition", "isBucket", "isCluster"), rows)
	case *pb.Catalog_DropTempView:
		return one("dropped", boolean(t.sess.state.Drop(x.DropTempView.GetViewName())))
	case *pb.Catalog_IsCached:
		if _, ok := t.findTable(x.IsCached.GetTableName()); !ok {
			return nil, &analysisError{class: "TABLE_OR_VIEW_NOT_FOUND", msg: fmt.Sprintf("The table or view `%s` cannot be found.", x.IsCached.GetTableName())}
		}
		return one("isCached", boolean(false))
	case *pb.Catalog_CacheTable, *pb.Catalog_UncacheTable, *pb.Catalog_ClearCache, *pb.Catalog_RefreshTable, *pb.Catalog_RefreshByPath:
		// Every action reads the files anew: nothing to cache or refresh.
		return t.values(s("result"), nil)
	case nil:
		return nil, invalid("a catalog request with no type")
	}
	name := fmt.Sprintf("%T", c.GetCatType())
	return nil, unsupported("spark.catalog's %s (nectar's catalog is nectar.yaml's sources and the session's temporary views)", snake(strings.TrimPrefix(name, "*sparkpb.Catalog_")))
}

type tableEntry struct {
	name      string
	temporary bool
}

// tables lists the session's temporary views and the sources they do
// not hide, sorted by name.
func (t *translator) tables() []tableEntry {
	var out []tableEntry
	seen := map[string]bool{}
	for _, n := range t.sess.state.Names() {
		out = append(out, tableEntry{n, true})
		seen[n] = true
	}
	for _, tb := range t.e.Tables() {
		// The session's in-memory tables are the translator's, not the user's.
		if !seen[strings.ToLower(tb.Name)] && !strings.HasPrefix(tb.Name, localPrefix) {
			out = append(out, tableEntry{tb.Name, tb.Kind == engine.ViewTable})
		}
	}
	slices.SortFunc(out, func(a, b tableEntry) int { return strings.Compare(a.name, b.name) })
	return out
}

func (t *translator) findTable(name string) (tableEntry, bool) {
	parts, err := parseIdentifier(name)
	if err != nil || len(parts) == 0 || len(parts) > 2 || (len(parts) == 2 && !strings.EqualFold(parts[0], databaseName)) {
		return tableEntry{}, false
	}
	for _, tb := range t.tables() {
		if strings.EqualFold(tb.name, parts[len(parts)-1]) {
			return tb, true
		}
	}
	return tableEntry{}, false
}

// values is a relation of constant rows, kept as the session's in-memory
// table like a createDataFrame.
func (t *translator) values(schema types.Schema, rows [][]types.Value) (*rel, error) {
	name := t.sess.register(fmt.Appendf(nil, "values\x00%v\x00%v", schema, rows), func(name string) tableSource { return &memTable{name: name, schema: schema, rows: rows} })
	t.e.Register(name, t.sess.table(name))
	cols := make([]col, len(schema))
	items := make([]string, len(schema))
	for i, c := range schema {
		cols[i] = col{name: c.Name, ref: c.Name}
		items[i] = quoteParts([]string{c.Name})
	}
	return &rel{sql: "SELECT " + strings.Join(items, ", ") + " FROM " + name, cols: cols, local: true}, nil
}
