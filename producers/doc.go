// Package producers is a test-only module: its tests marshal Kubernetes
// Deployments with the official k8s.io/api types and Helm charts and
// releases with Helm's own pkg/chart and pkg/release, and import the JSON
// and YAML into the model graph, so that the graph's importers read what
// kubectl and Helm really write, not what we think they write. It is a
// module of its own so that the main module does not depend on Kubernetes
// or Helm (as oracle/ keeps DuckDB out).
package producers
