// Package memory is the stream sink that keeps the result as a named
// in-memory table, saved per batch in the stream's checkpoint so that a
// restart rebuilds it. It also serves the table over loopback HTTP and
// reads it back from another process as a plan.Source, for
// `nectar query --stream-endpoint`; this is why net/http lives here and
// not in package stream.
package memory
