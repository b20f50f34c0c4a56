// Package engine ties nectar together: it keeps the catalog (views from
// CREATE VIEW, sources named in nectar.yaml, and the read_json/read_parquet
// table functions), and runs scripts statement by statement through
// syntax → plan → optimize → exec. The CLI, the conformance corpus and,
// later, the HTTP server and experiment reports all go through Engine.
package engine
