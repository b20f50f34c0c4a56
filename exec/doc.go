// Package exec runs logical plans. Build turns each plan node into an
// Operator; operators pull columnar batches from their inputs (Next), the
// model CockroachDB's vectorized engine uses, and a batch of length zero
// means the end. Blocking operators (aggregate, sort, window, join build
// sides) hold their rows in memory for now. Aggregates and window
// functions are the catalogue's (package functions): the operators group,
// order and frame rows, and leave folding and computing to it.
package exec
