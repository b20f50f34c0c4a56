// Package plan owns nectar's logical plan: immutable relational nodes
// (Scan, Filter, Project, Aggregate, Window, Sort, Limit, Join, SetOp), the
// typed expressions they hold, and the binder that turns a syntax tree into
// a plan by resolving names against sources and checking types (bind.go,
// select.go; expressions in exprbind.go, aggregates in aggbind.go, window
// calls in winbind.go, with the function catalogues of package functions).
// SQL and pipe syntax bind to the same nodes. Nodes use plan's own enums
// (JoinKind, Bound), so that the packages that only read plans, optimize
// rewriting them, exec running them and sparksql compiling them for Spark,
// do not import package syntax.
package plan
