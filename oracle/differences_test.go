package oracle

// differences lists the corpus cases DuckDB cannot pass because Spark SQL,
// whose semantics nectar follows, deliberately differs from DuckDB. Each
// reason says what differs. README.md lists the same entries (a test checks).
var differences = map[string]string{}
