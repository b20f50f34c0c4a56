// Package optimize rewrites logical plans into cheaper equivalents. Each
// rewrite is a named rule; the most important for event logs is column
// pruning, which tells the scanner exactly which JSON paths to extract so
// that everything else in a 1.2 KB event is skipped unparsed.
package optimize
