// Package graph keeps the model graph: nodes (datasets, jobs, runs, models
// and their versions, experiments, Helm charts and releases, deployments,
// images, API routes) and the edges between them, every raw input they were
// built from (append-only, so the graph can be rebuilt), and the scores
// experiments give model versions. A Store keeps it in SQLite (the default,
// pure Go) or PostgreSQL and walks it with recursive SQL. The importers in
// this package turn what other tools produce (OpenLineage events, Argo
// workflows, Helm, kubectl, OpenAPI) into batches; package graph/tables
// shows the graph to nectar's queries, and cmd/nectar wires both in.
package graph
