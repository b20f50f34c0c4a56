// Package plan owns nectar's logical plan: immutable relational nodes
// (Scan, Filter, Project, Aggregate, Window, Sort, Limit, Join, SetOp), the
// typed expressions they hold, and the binder that turns a syntax tree into
// a plan by resolving names against sources and checking types. SQL and pipe
// syntax bind to the same nodes. Package optimize rewrites plans; package
// exec runs them; a Spark backend can compile them.
package plan
