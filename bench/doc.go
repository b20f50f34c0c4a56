// Package bench runs nectar and DuckDB side by side over generated Segment
// logs: it caches data made by package gen, runs a fixed query set on each
// engine in its own process (so wall time includes start-up and peak RSS comes
// from rusage), checks that the engines agree, and renders the result table
// that docs/BENCHMARKS.md holds. It is a separate module so that the main
// module never links DuckDB; cmd/bench is its command line.
package bench
