package server

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/nectar-dev/nectar/functions"
)

// sqlInfo is what GetSqlInfo tells clients about nectar's SQL. JDBC tools
// quote names with the identifier quote: Spark's backquote, since nectar,
// like Spark, reads "x" as a string.
func sqlInfo() map[flightsql.SqlInfo]any {
	var fns []string
	for _, f := range functions.All() {
		fns = append(fns, f.Name)
	}
	return map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:          "nectar",
		flightsql.SqlInfoFlightSqlServerVersion:       Version(),
		flightsql.SqlInfoFlightSqlServerArrowVersion:  arrow.PkgVersion,
		flightsql.SqlInfoFlightSqlServerReadOnly:      true,
		flightsql.SqlInfoFlightSqlServerSql:           true,
		flightsql.SqlInfoFlightSqlServerSubstrait:     false,
		flightsql.SqlInfoFlightSqlServerTransaction:   int32(flightsql.SqlTransactionNone),
		flightsql.SqlInfoFlightSqlServerCancel:        true,
		flightsql.SqlInfoFlightSqlServerBulkIngestion: false,
		flightsql.SqlInfoTransactionsSupported:        false,
		flightsql.SqlInfoDDLCatalog:                   false,
		flightsql.SqlInfoDDLSchema:                    false,
		flightsql.SqlInfoDDLTable:                     false,
		flightsql.SqlInfoIdentifierCase:               int64(flightsql.SqlCaseSensitivityCaseInsensitive),
		flightsql.SqlInfoIdentifierQuoteChar:          "`",
		flightsql.SqlInfoQuotedIdentifierCase:         int64(flightsql.SqlCaseSensitivityCaseInsensitive),
		flightsql.SqlInfoAllTablesAreASelectable:      true,
		// Spark sorts NULLs first ascending, last descending: "at start"
		// is the Flight SQL value closest to that for ascending order.
		flightsql.SqlInfoNullOrdering:           int64(flightsql.SqlNullOrderingSortAtStart),
		flightsql.SqlInfoSearchStringEscape:     `\`,
		flightsql.SqlInfoSupportsColumnAliasing: true,
		flightsql.SqlInfoKeywords: []string{"ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS",
			"DESC", "DESCRIBE", "DISTINCT", "ELSE", "END", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FILTER", "FIRST", "FROM",
			"FULL", "GROUP", "HAVING", "IN", "INNER", "INTERSECT", "INTERVAL", "IS", "JOIN", "LAST", "LEFT", "LIKE", "LIMIT",
			"NOT", "NULL", "NULLS", "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "REPLACE", "RIGHT", "SELECT",
			"TABLE", "TEMPORARY", "THEN", "TRUE", "UNION", "USING", "VIEW", "WHEN", "WHERE", "WINDOW", "WITH"},
		flightsql.SqlInfoSystemFunctions: fns,
	}
}

// xdbcType describes one of nectar's types for GetXdbcTypeInfo, with its
// JDBC type code (java.sql.Types).
type xdbcType struct {
	name           string
	code           int32
	size           int32 // 0: not applicable
	prefix, suffix string
}

var xdbcTypes = []xdbcType{
	{"BOOLEAN", 16, 1, "", ""},
	{"BIGINT", -5, 19, "", ""},
	{"DOUBLE", 8, 15, "", ""},
	{"STRING", 12, 0, "'", "'"},
	{"DATE", 91, 10, "DATE '", "'"},
	{"TIMESTAMP", 93, 26, "TIMESTAMP '", "'"},
}

// xdbcTypeInfo lists nectar's types, or only those of JDBC type code
// dataType.
func xdbcTypeInfo(mem memory.Allocator, dataType *int32) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema_ref.XdbcTypeInfo)
	defer b.Release()
	str := func(i int, s string) {
		if s == "" {
			b.Field(i).AppendNull()
		} else {
			b.Field(i).(*array.StringBuilder).Append(s)
		}
	}
	i32 := func(i int, v int32) { b.Field(i).(*array.Int32Builder).Append(v) }
	boolean := func(i int, v bool) { b.Field(i).(*array.BooleanBuilder).Append(v) }
	for _, t := range xdbcTypes {
		if dataType != nil && *dataType != t.code {
			continue
		}
		b.Field(0).(*array.StringBuilder).Append(t.name)
		i32(1, t.code)
		if t.size > 0 {
			i32(2, t.size)
		} else {
			b.Field(2).AppendNull()
		}
		str(3, t.prefix)
		str(4, t.suffix)
		b.Field(5).AppendNull()                       // create_params
		i32(6, 1)                                     // nullable: columnNullable
		boolean(7, t.name == "STRING")                // case_sensitive
		i32(8, 3)                                     // searchable: typePredBasic and LIKE
		boolean(9, false)                             // unsigned_attribute
		boolean(10, false)                            // fixed_prec_scale
		boolean(11, false)                            // auto_increment
		str(12, t.name)                               // local_type_name
		b.Field(13).AppendNull()                      // minimum_scale
		b.Field(14).AppendNull()                      // maximum_scale
		i32(15, t.code)                               // sql_data_type
		b.Field(16).AppendNull()                      // datetime_subcode
		if t.name == "BIGINT" || t.name == "DOUBLE" { // num_prec_radix
			i32(17, 10)
		} else {
			b.Field(17).AppendNull()
		}
		b.Field(18).AppendNull() // interval_precision
	}
	return b.NewRecordBatch()
}
