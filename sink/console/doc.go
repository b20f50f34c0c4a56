// Package console is the stream sink that prints each batch as a table
// (package output's table format), as Spark's console sink does.
// cmd/nectar creates it for `nectar stream --console`.
package console
