// Package connect serves Spark Connect (the gRPC protocol of pyspark's
// SparkSession.builder.remote and sparklyr's method = "spark_connect") from
// nectar's engine, so that DataFrame code written for a Spark cluster runs
// here unchanged. Relations and expressions are translated to nectar SQL
// text (translate.go says why), which an engine.Session binds and runs as
// `nectar query` would; results go back as Arrow IPC batches made by
// parquetfile.Records. The protocol's Go code is generated into
// internal/sparkpb from Spark's .proto files (scripts/connect-proto.sh).
// cmd/nectar's serve command starts it beside package server's listeners,
// with the same rules: loopback unless TLS and users, reads confined to
// the project's places.
package connect
