// Package functions is nectar's catalogue of functions, named and behaving
// as in Spark SQL 4 with the session time zone fixed to UTC: scalar
// functions (registry.go), aggregates (aggregate.go, one agg_*.go file per
// family) and window-only functions (window.go, window_*.go). The binder
// looks a function up by name and asks it for its result kind; the
// executor then calls Eval row by row (or Func.Call, which applies the NULL
// rule), folds batches into an aggregate's accumulators, merges, saves and
// restores them, or computes a window function over a partition; the Spark
// compiler asks each how Spark spells it. The coercion helpers here serve
// the executor's own implicit casts, LikeToRegexp its LIKE, and
// AddInterval and its neighbours interval arithmetic.
//
// Results follow Spark with ANSI mode off: a string that does not parse
// where a timestamp or number is expected, an impossible date, or a zero
// divisor gives NULL rather than failing the query. Only problems with the
// query itself are errors: a bad regular expression (ErrInvalidArg), a bad
// datetime pattern (ErrBadPattern), an unknown time zone. Regular
// expressions use Go's RE2 instead of java.util.regex; see regex.go.
//
// CASE, CAST, LIKE and the operators live in the executor, not here.
package functions
