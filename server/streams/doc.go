// Package streams runs the streams nectar.yaml declares (its streams:
// section, project.StreamConfig) inside `nectar serve`: each one is
// stream.Run, exactly as `nectar stream` runs it, with the same checkpoint
// and so the same exactly-once restarts, supervised so that a failing
// stream is reported and retried without taking the server down. A
// memory sink's table is a table of the server's catalog (Host.Lookup,
// Host.List), and Host.Status gives what `nectar stream status` gives,
// with the hosting state on top. Package server serves it over HTTP and
// the dashboard shows it; cmd/nectar builds the Host from the project.
package streams
