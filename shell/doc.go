// Package shell is nectar's interactive SQL shell (`nectar shell`, and
// `nectar` alone on a terminal): statements over one engine.Session that
// may span lines and end with ';', dot commands in DuckDB's and sqlite's
// manner (.tables, .schema, .mode, .timer, .open, …), completion of
// keywords, functions, tables and column paths, and persistent history.
//
// It is a client of engine, as `nectar query` is: cmd/nectar opens the
// session with project.Open and hands it over through Options.Open; results
// are rendered by package output. Line editing is reeflective/readline's;
// scan.go and complete.go, which decide when a statement is complete and
// what to offer at the cursor, are plain functions of the text.
package shell
