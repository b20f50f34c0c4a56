// Package types owns nectar's value model: the SQL types a column can have,
// the scalar Value used by row-at-a-time code, and the columnar Vector and
// Batch that flow between operators. Every other package (scan, exec,
// output) speaks in these terms, so the package depends on nothing else.
package types
