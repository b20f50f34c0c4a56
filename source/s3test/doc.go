// Package s3test runs an S3-protocol server in-process on loopback for
// tests: gofakes3 with its in-memory backend, behind a reverse proxy that can
// inject faults (503 SlowDown answers, GET bodies cut half-way). Tests of
// package source, engine and the CLI point the S3 store at Server.URL.
package s3test
