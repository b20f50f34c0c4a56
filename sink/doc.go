// Package sink is the contract between a stream and the places its results
// go: the Sink interface, what Open tells a sink (Info) and the output
// modes. Package stream drives sinks through it; the sinks themselves live
// in subpackages (file, memory, postgres, console), so that a stream's core
// does not pull in pgx or an HTTP server, and cmd/nectar wires the one a
// user asks for.
package sink
