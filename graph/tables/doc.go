// Package tables shows the model graph to nectar's queries: graph_nodes,
// graph_edges and graph_scores as plan.Source tables and graph_walk(…) as
// a table function, read from a graph.Store when a statement runs. The
// engine imports nothing of it: cmd/nectar registers them on a session
// (Session.Register, Session.RegisterTableFunc) when a graph is
// configured.
package tables
