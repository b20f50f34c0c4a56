// Package functions is nectar's catalogue of scalar functions, named and
// behaving as in Spark SQL 4 with the session time zone fixed to UTC. The
// binder looks a function up by name and asks Check for its result kind; the
// executor then calls Eval row by row (or Func.Call, which applies the NULL
// rule), and uses the coercion helpers here for its own implicit casts.
//
// Results follow Spark with ANSI mode off: a string that does not parse
// where a timestamp or number is expected, an impossible date, or a zero
// divisor gives NULL rather than failing the query. Only problems with the
// query itself are errors: a bad regular expression (ErrInvalidArg), a bad
// datetime pattern (ErrBadPattern), an unknown time zone. Regular
// expressions use Go's RE2 instead of java.util.regex; see regex.go.
//
// Aggregates, window functions, CASE, CAST, LIKE and the operators live in
// the executor, not here.
package functions
