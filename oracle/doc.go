// Package oracle cross-checks nectar's conformance corpus on DuckDB, an
// engine nobody on the project wrote: every corpus case either passes on
// DuckDB or is listed as a deliberate Spark-vs-DuckDB difference. It is a
// separate module so that the main module never links DuckDB's C++ library.
package oracle
