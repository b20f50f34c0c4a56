package oracle

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// differences lists the corpus cases DuckDB cannot pass because Spark SQL,
// whose semantics nectar follows, deliberately differs from DuckDB. Each
// reason says what differs. README.md lists the same entries; a test checks.
var differences = map[string]string{
	"aggregate/count_distinct_two":               "DuckDB reads ISO timestamp strings as TIMESTAMP, so substr on them fails; Spark keeps them STRING",
	"aggregate/default_name_count":               "default column names: Spark names count(*) count(1), DuckDB count_star()",
	"aggregate/min_max_timestamp":                "DuckDB reads ISO timestamp strings as TIMESTAMP and reprints them; Spark keeps the STRING as stored",
	"aggregate/min_by_null_value":                "DuckDB's min_by/max_by skip rows whose value is NULL; Spark returns the extreme row's value, NULL or not",
	"aggregate/min_by_ties":                      "among rows tied on the ordering DuckDB (and Spark) return any value; nectar the least (min_by) or greatest (max_by), so answers do not depend on file order",
	"aggregate/sum_interval":                     "Spark's ANSI intervals print as INTERVAL '03' HOUR; DuckDB has one INTERVAL type and prints 03:00:00",
	"cast/binary_only_from_string":               "DuckDB's BLOB casts differ from Spark's BINARY (and its errors read differently)",
	"functions_string/trim_chars_first":          "DuckDB's two-argument trim, ltrim and rtrim take the string first; Spark's take the characters first (btrim the string first in both)",
	"functions_string/binary":                    "DuckDB has no to_binary, encode/decode charsets or Spark's BINARY functions; its BLOB prints differently",
	"functions_string/binary_errors":             "DuckDB has no to_binary",
	"union/string_beside_number":                 "Spark 4 casts a STRING beside a number in UNION to the number's type; DuckDB picks VARCHAR",
	"union/string_not_a_number":                  "Spark 4 casts a STRING beside a number in UNION to the number's type; DuckDB picks VARCHAR",
	"union/incompatible":                         "DuckDB finds a common type for BIGINT and BOOLEAN; Spark refuses",
	"nested/row_constructor":                     "DuckDB names a row's fields differently (and reads (1, 'a') as its own ROW)",
	"grouping_sets/cube_units":                   "DuckDB sorts NULLs last by default; Spark first",
	"grouping_sets/hive_form":                    "DuckDB reads neither Hive's GROUP BY keys GROUPING SETS form nor GROUPING SETS nested in GROUPING SETS",
	"having/integer_condition":                   "DuckDB refuses an integer HAVING condition; Spark reads it as not zero",
	"functions_string/quote_nullifzero":          "DuckDB has no quote, nullifzero or zeroifnull",
	"in_like_between/like_escape_forms":          "DuckDB has no rlike or regexp function, and reads \\d in a string literal differently",
	"orderby/sort_cluster_distribute":            "DuckDB has no Hive SORT BY, CLUSTER BY or DISTRIBUTE BY",
	"values/aliases_and_calls":                   "DuckDB takes no aliases inside VALUES rows, and its aggregate is a different function",
	"window/ignore_nulls":                        "DuckDB's lead and lag with IGNORE NULLS, and any_value over a window, are not checked against Spark's",
	"window/ignore_nulls_refused":                "DuckDB takes IGNORE NULLS where Spark refuses it",
	"nested/constant_lambdas":                    "DuckDB takes no value where a lambda belongs, and has no aggregate or zip_with of Spark's form",
	"pipe/errors_extend_star":                    "DuckDB has no |> pipe syntax",
	"pipe/errors_drop_twice":                     "DuckDB has no |> pipe syntax",
	"pipe/errors_aggregate_no_aggregate":         "DuckDB has no |> pipe syntax",
	"values/incompatible_nested":                 "DuckDB's error for an ARRAY beside a STRUCT reads differently",
	"functions_math/decimal":                     "DuckDB has no decimal() function or try_divide",
	"errors/schema_of_json_column":               "DuckDB has no schema_of_json",
	"select/lateral_alias":                       "not checked on DuckDB, whose lateral aliases may prefer the alias to a column",
	"grouping_sets/empty_sets_grouping_id":       "DuckDB's grouping_id needs the keys as arguments",
	"nested/map_zip_with":                        "DuckDB has no map_zip_with",
	"functions_time/make_timestamp_date":         "DuckDB's make_timestamp takes no DATE, and it has no try_make_timestamp",
	"cast/decimal_rounding":                      "DuckDB's DECIMAL is a decimal type and prints as one; it casts no interval to a number",
	"cast/decimal_overflow":                      "DuckDB's error for a DECIMAL overflow reads differently",
	"cast/double_to_int":                         "CAST(DOUBLE AS BIGINT) truncates toward zero in Spark, rounds in DuckDB",
	"errors/division_by_zero":                    "Spark 4 (ANSI) fails on division by zero; DuckDB returns NULL",
	"errors/try_divide":                          "DuckDB has no try_divide",
	"functions_math/ceil_floor":                  "ceil and floor of a DOUBLE return BIGINT in Spark, DOUBLE in DuckDB",
	"functions_string/concat_null":               "concat with a NULL argument is NULL in Spark; DuckDB skips NULLs",
	"functions_string/initcap":                   "DuckDB has no initcap",
	"functions_string/lower_special_casing":      "Spark's lower (ICU, root locale) makes a final Σ ς and İ i̇; DuckDB's maps each character on its own",
	"functions_string/regexp_replace":            "Spark's regexp_replace replaces every match; DuckDB's only the first unless given the 'g' option",
	"functions_string/split":                     "DuckDB's string_split takes a plain separator, and its regexp form drops no empty match the way Java's split does",
	"functions_string/to_number":                 "DuckDB has no to_number or to_char",
	"case/if_nanvl_lazy":                         "DuckDB has no nanvl, and its 1 / 0 is NULL, not an error",
	"functions_string/sql_forms":                 "DuckDB's trim takes no BOTH/LEADING/TRAILING … FROM form",
	"functions_string/regexp_empty_matches":      "DuckDB has no regexp_count, and its regexp_extract_all returns an ARRAY and follows RE2 on empty matches",
	"functions_time/date_add":                    "Spark's date_add(date, days) takes a day count; DuckDB's takes an INTERVAL",
	"functions_time/date_format":                 "date_format takes Spark's datetime patterns (yyyy-MM-dd); DuckDB uses strftime patterns",
	"functions_time/datediff":                    "Spark's datediff(end, start) counts days; DuckDB's datediff(part, start, end) takes a unit first",
	"functions_time/dayofweek":                   "dayofweek is 1 = Sunday … 7 = Saturday in Spark, 0 … 6 in DuckDB",
	"functions_time/to_timestamp_conflict":       "DuckDB has no to_timestamp(text, Spark pattern); its strptime takes strftime patterns",
	"functions_time/to_timestamp_patterns":       "DuckDB has no to_timestamp(text, Spark pattern); its strptime takes strftime patterns",
	"functions_time/from_unixtime":               "DuckDB has no from_unixtime (Spark returns 'yyyy-MM-dd HH:mm:ss' text)",
	"functions_time/interval_cast":               "Spark casts intervals to and from numbers in the end field's unit and prints them as INTERVAL '…' DAY TO SECOND; DuckDB has neither",
	"functions_time/interval_date_time":          "DuckDB's INTERVAL '12:12:12.123456789' HOUR TO SECOND reads the text differently, and its date + interval is a TIMESTAMP where Spark keeps a DATE",
	"functions_time/interval_differences":        "a DATE minus a DATE is an INTERVAL DAY in Spark 4, a day count in DuckDB; DuckDB prints intervals as 1 day 06:33:36",
	"functions_time/interval_extract":            "DuckDB reads no multi-unit interval literal (INTERVAL 10 YEAR 20 MONTH)",
	"functions_time/interval_families":           "Spark refuses to compare a year-month with a day-time interval; DuckDB's one INTERVAL type compares them",
	"functions_time/interval_literals":           "Spark's ANSI intervals carry their fields and print as INTERVAL '02' HOUR; DuckDB has one INTERVAL type, printed as 02:00:00",
	"functions_time/interval_math":               "Spark's ANSI intervals print as INTERVAL '2-5' YEAR TO MONTH and refuse mixing families; DuckDB has one INTERVAL type",
	"functions_time/interval_mixed_units":        "DuckDB reads no multi-unit interval literal (INTERVAL 1 YEAR 2 MONTH)",
	"functions_time/timestampadd":                "DuckDB has no timestampadd with a unit word (it spells it date_add(ts, INTERVAL …))",
	"functions_time/timestampadd_quoted_unit":    "DuckDB has no timestampadd",
	"functions_time/timestampdiff":               "DuckDB's datediff takes the unit as a string and counts boundaries crossed; Spark's timestampdiff takes a word and counts whole units",
	"functions_time/to_date":                     "DuckDB has no to_date",
	"functions_time/to_timestamp":                "DuckDB's to_timestamp takes epoch seconds, not text, and has no timestamp() function",
	"functions_time/try_add_integers":            "DuckDB has no try_add",
	"functions_time/try_interval_arithmetic":     "DuckDB has no try_add, try_subtract or try_multiply, and one INTERVAL type",
	"functions_time/unix_timestamp":              "DuckDB has no unix_timestamp (it spells it epoch)",
	"json_paths/array_index":                     "array subscripts are 0-based in Spark, 1-based in DuckDB",
	"json_paths/array_index_expr":                "array subscripts are 0-based in Spark, 1-based in DuckDB",
	"join/using_key_first":                       "SELECT * over JOIN … USING puts the keys first in Spark; DuckDB keeps the left table's column order",
	"join/natural_none_common":                   "DuckDB refuses a NATURAL JOIN with no column in common; Spark makes it a cross join",
	"join/no_condition":                          "DuckDB needs ON or USING after JOIN; Spark reads JOIN without one as a cross join",
	"in_like_between/ilike_any":                  "DuckDB has no LIKE ANY/ALL (pattern, …) list; Spark has",
	"in_like_between/like_all":                   "DuckDB has no LIKE ANY/ALL (pattern, …) list; Spark has",
	"in_like_between/like_any":                   "DuckDB has no LIKE ANY/ALL (pattern, …) list; Spark has",
	"functions_string/luhn_check":                "DuckDB has no luhn_check",
	"functions_string/parse_url":                 "DuckDB has no parse_url or url_decode",
	"functions_string/regexp_count_substr_instr": "DuckDB has no regexp_count, regexp_substr or regexp_instr",
	"aggregate/percentile_cont_disc":             "DuckDB's percentile_disc keeps the input's type (BIGINT); Spark's is DOUBLE",
	"aggregate/count_distinct_tuple":             "DuckDB's count takes one argument; Spark's count(DISTINCT a, b) counts tuples",
	"errors/compare_int_string":                  "DuckDB compares 1 > '1.5' numerically; Spark 4 casts the string to the integer's type and fails",
	"with/unused_checked":                        "DuckDB does not bind a WITH query nobody reads; Spark analyses it and fails on its unknown table",
	"grouping_sets/grouping_id_hive":             "DuckDB has no grouping__id column; Spark keeps Hive's",
	"values/not_constant":                        "DuckDB's VALUES in FROM may read the columns of the tables before it (a lateral join); Spark's inline table sees none",
	"values/query":                               "an inline table's columns are col1, col2, … in Spark, col0, col1, … in DuckDB",
	"grouping_sets/grand_total_empty":            "DuckDB's grouping_id needs the keys as arguments; Spark's grouping_id() takes them from GROUP BY",
	"grouping_sets/rollup":                       "DuckDB's grouping_id needs the keys as arguments; Spark's grouping_id() takes them from GROUP BY",
	"grouping_sets/positions_and_commuted":       "Spark reads a position inside GROUPING SETS as a select item and (a + b), (b + a) as one key; not verified on DuckDB",
	"grouping_sets/grouping_without_sets":        "DuckDB allows grouping() with a plain GROUP BY (always 0); Spark requires GROUPING SETS, ROLLUP or CUBE",
	"json_paths/missing_path":                    "a path absent from every row is NULL in nectar; DuckDB's inferred STRUCT rejects an unknown field at bind time",
	"segment/daily_active_users":                 "DuckDB has no to_date",
	"segment/received_vs_timestamp":              "DuckDB reads ISO timestamp strings as TIMESTAMP, so substr on them fails; Spark keeps them STRING",
	"select/star_nested":                         "nectar's SELECT * flattens nested objects into dotted leaf columns; DuckDB returns one STRUCT column",
	"widening/bool_then_number":                  "DuckDB types a JSON field of mixed kinds as JSON and prints values as JSON; Spark's STRING holds the raw text",
	"widening/number_then_string":                "DuckDB types a JSON field of mixed kinds as JSON and prints values as JSON; Spark's STRING holds the raw text",
	"window/filter_first_last":                   "DuckDB takes FILTER only on aggregate window functions; Spark treats first_value and last_value as aggregates",
	"cast/string_to_int_ansi":                    "Spark 4 (ANSI) reads only digits as an integer ('1.9' is NULL for TRY_CAST); DuckDB rounds a decimal string",
	"errors/cast_fraction_to_int":                "Spark 4 (ANSI) fails to cast '1.23' to INT; DuckDB rounds it",
	"groupby/time_window":                        "DuckDB has no window(time, size[, slide]) grouping key (it buckets time with time_bucket)",
	"groupby/time_window_sliding":                "DuckDB has no window(time, size[, slide]) grouping key (it buckets time with time_bucket)",
	"errors/window_outside_group_by":             "DuckDB has no window(time, size[, slide]) grouping key (it buckets time with time_bucket)",
	"json_paths/object_whole":                    "DuckDB's inferred STRUCT keeps an object's keys in document order; Spark's inference orders them by name",
	"select/star_array":                          "nectar's SELECT * flattens nested objects into dotted leaf columns; DuckDB returns one STRUCT column",
	"nested/constructors":                        "DuckDB spells constructors [..], MAP {..} and {..}, and types 2.5 as DECIMAL; its nested columns reach the harness as JSON text, so the schema differs",
	"nested/element_at":                          "DuckDB has no try_element_at, and its element_at on a map returns a list",
	"nested/group_by_map":                        "Spark refuses to group, sort or compare MAPs (INVALID_ORDERING_TYPE); DuckDB groups them",
	"nested/to_json_array_keys":                  "DuckDB's to_json writes a map as a list of key/value objects and accepts any key",
	"nested/to_json_struct_keys":                 "DuckDB's to_json writes a map as a list of key/value objects",
	"nested/json_functions":                      "from_json, to_json and schema_of_json are Spark's; DuckDB's JSON functions (json_transform, to_json, json_structure) take other arguments and give other types",
	"nested/map_functions":                       "DuckDB has no map_filter or transform_values",
	"nested/sort_array":                          "DuckDB has no sort_array or array_sort with a comparator; list_sort orders NULLs by its own setting",
	"nested/zip_with":                            "DuckDB has no zip_with (list_zip makes structs)",
	"nested/string_function_on_array":            "DuckDB's upper does not take a list either, but says so with other words",
	"nested/subscript_out_of_bounds":             "Spark 4 (ANSI) fails on an array index out of bounds; DuckDB returns NULL",
	"nested/element_at_zero":                     "Spark 4 (ANSI) fails on element_at(a, 0); DuckDB returns NULL",
	"nested/duplicate_map_key":                   "both refuse a repeated map key, with different words (DuckDB: map keys must be unique)",
	"nested/generator_in_expression":             "DuckDB has no explode (its unnest may stand inside an expression)",
	"nested/lambda_outside":                      "DuckDB's upper does not take a lambda either, but says so with other words",
	"nested/two_generators":                      "DuckDB has no explode (it allows several unnest calls in one select list)",
	"nested/aggregate_in_lambda":                 "DuckDB has no transform (its list_transform refuses an aggregate with other words)",
	"nested/alias_count":                         "DuckDB has no LATERAL VIEW",
	"pivot/pivot_not_aggregate":                  "Spark's PIVOT (… FOR … IN …) errors are Spark's; DuckDB's PIVOT takes other forms",
	"pivot/pivot_value_not_constant":             "Spark's PIVOT (… FOR … IN …) errors are Spark's; DuckDB's PIVOT takes other forms",
	"pivot/unpivot_type_mismatch":                "DuckDB's UNPIVOT casts columns of different types to a common one; Spark refuses",
}

// TestREADMEListsDifferences keeps README.md's list in sync with the map.
func TestREADMEListsDifferences(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(string(data), "\n## Differences\n")
	if !ok {
		t.Fatal("README.md has no \"## Differences\" section")
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^- `([^`]+)`: (.*)$").FindAllStringSubmatch(list, -1) {
		got[m[1]] = m[2]
	}
	var bad []string
	for name, why := range differences {
		if got[name] != why {
			bad = append(bad, fmt.Sprintf("- `%s`: %s", name, why))
		}
	}
	for name := range got {
		if _, ok := differences[name]; !ok {
			bad = append(bad, "README lists "+name+", which the map does not")
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		t.Errorf("README.md is out of sync with differences; expected lines:\n%s\n\nfull list:\n%s", strings.Join(bad, "\n"), differenceLines())
	}
}

func differenceLines() string {
	names := make([]string, 0, len(differences))
	for name := range differences {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "- `%s`: %s\n", name, differences[name])
	}
	return b.String()
}
