// Package experiment turns an A/B experiment spec into a report: it generates
// Spark SQL that reduces raw Segment events to per-variant sufficient
// statistics, runs it through an engine, and computes the statistics
// (Welch t-tests, delta-method lifts, SRM, Bayesian, CUPED, sequential
// intervals, multiple-comparison corrections) in memory, and draws the
// report's charts with gonum/plot. It is a client of
// the engine, not a second engine; the formulas are in docs/EXPERIMENTS.md.
package experiment
