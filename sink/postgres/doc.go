// Package postgres is the stream sink that writes each batch to a
// PostgreSQL table through pgx, in one transaction that also records the
// batch id, so a replayed batch changes nothing. It is the only package
// that imports pgx; package stream drives it through sink.Sink and
// cmd/nectar creates it for --postgres.
package postgres
