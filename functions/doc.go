// Package functions is nectar's catalogue of scalar functions, named and
// behaving as in Spark SQL 4 with the session time zone fixed to UTC. The
// binder looks a function up by name and asks Check for its result kind; the
// executor then calls Eval row by row, using the coercion helpers here for
// its own implicit conversions too. Aggregates, window functions, CASE, CAST
// and the operators live in the executor, not here.
package functions
