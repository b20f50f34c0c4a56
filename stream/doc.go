// Package stream runs one nectar query continuously over log files that
// keep arriving: each trigger takes the new, settled files of the query's
// read_json sources as one micro-batch, runs the same bound plan over them
// (aggregations keep per-group state through exec.IncrementalAggregate),
// hands the result to a sink.Sink (implementations under package sink),
// and records the batch in a checkpoint directory so a restarted stream
// resumes exactly once. See docs/STREAMING.md for the design; cmd/nectar
// wires it to `nectar stream` and chooses the sink.
package stream
