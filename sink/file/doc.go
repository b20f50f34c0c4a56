// Package file is the stream sink that writes each batch's rows to files
// (CSV, JSON lines or Parquet through package output), every file made
// visible by an atomic rename (source.AtomicFile), with a manifest naming
// the current version in update and complete mode. Package stream drives
// it through the sink.Sink interface; cmd/nectar creates it for --output.
package file
