// Package server owns `nectar serve`: Arrow Flight SQL (for ADBC in Python
// and R, the JDBC driver and Go's database/sql driver) and an HTTP API, both
// answering from package engine. Every request runs in a fresh
// engine.Session over the project's sources, so that files are listed anew;
// views and settings (SET) live per user across requests and protocols
// (engine.State). Results
// stream as Arrow record batches as the executor produces them, converted
// by parquetfile.Records; the HTTP API writes them through package output.
// Extra tables (a stream's memory tables) plug in through Tables.
package server
