// Package dashboard is nectar serve's web dashboard, at / on the HTTP
// port: pages to query (results streaming into a table, errors with their
// caret, EXPLAIN, downloads, a chart), to glimpse the sources and views,
// to watch the hosted streams (their rates, batches and live tables,
// refreshed by server-sent events) and to read the project's experiment
// reports. Pages are rendered with html/template from files embedded in
// the binary, and a few small scripts of its own (no library, no build
// step) run in the browser under a Content-Security-Policy that loads
// nothing from anywhere but the server. Package server mounts it behind
// its authentication and gives it what it needs through Backend.
package dashboard
