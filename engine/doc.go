// Package engine runs nectar's statements: a Session holds the catalog
// (views, nectar.yaml's sources, table functions opened through package
// table), binds and optimises each statement once, checks the sampled
// schemas of JSON sources against what their scans saw, and hands plans to
// a Backend: the local executor (package exec), or Spark (package spark).
// Open makes a session from nectar.yaml and the command line's settings.
package engine
