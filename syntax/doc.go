// Package syntax owns nectar's query text: the lexer, the recursive-descent
// parser for SQL and pipe syntax (|>), the syntax tree both parse into, and
// the printer that turns a tree back into canonical text, and the generic
// walkers over it (Inspect, Rewrite, RewriteInPlace in walk.go). It knows
// nothing about schemas or types; package plan binds a tree to sources and
// checks it.
package syntax
