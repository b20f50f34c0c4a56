#!/usr/bin/env bash
# The whole test suite: what the README tells users to run and what CI runs.
# Everything it needs comes from Go's module proxy or, for tmux (the shell's
# terminal test), Spark's SQL golden files (Maven Central) and the
# PostgreSQL, serve clients, Spark Connect clients, graph producers (PyPI),
# Chromium and Playwright (the dashboard), libdeflate and Spark steps, is
# installed by their scripts.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "format and vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
binaries=$(command -v file >/dev/null && git ls-files -z 2>/dev/null | xargs -0 file -N --mime-type 2>/dev/null | grep -E 'application/x-(executable|pie-executable|sharedlib)' || true)
if [ -n "$binaries" ]; then
	echo "compiled binaries are committed:"; echo "$binaries"; exit 1
fi
go vet ./...
(cd oracle && go vet ./...)
(cd producers && go vet ./...)

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

step "unit, corpus and engine tests (tmux drives the shell in a real terminal: installed when missing; Spark's SQL golden files for the conformance scoreboard are fetched when missing, and required)"
scripts/install-tmux.sh
scripts/spark-golden.sh
NECTAR_GOLDEN_REQUIRED=1 go test ./...

step "gzip without cgo: the readers' tests on klauspost/compress, the pure-Go path (the tests above ran on zlib-ng, the cgo default), and on zlib-ng's portable C (what clang and non-x86 CPUs build)"
CGO_ENABLED=0 go vet ./source/ ./scan/
CGO_ENABLED=0 go test ./source/ ./scan/
CGO_CFLAGS="-O2 -DNECTAR_ZNG_GENERIC" go test ./source/internal/zlibng/ ./source/

step "gzip and zstd read ahead: the readers' tests with every compressed file inflated in a goroutine of its own (the scan asks for it when it has fewer files than workers)"
NECTAR_TEST_READAHEAD=1 go test ./source/

step "DuckDB cross-check of the conformance corpus (test-only module, cgo)"
(cd oracle && go test ./...)

step "benchmark harness (its own module: row comparison, report, inflate floor; make bench runs it)"
(cd bench && go vet ./... && go test ./...)

step "PostgreSQL sink and graph store against a throwaway server"; scripts/postgres-test.sh

step "model graph importers on what the tools produce: openlineage-python and Hera (venv), k8s.io/api and Helm types (module producers/)"
scripts/graph-producers-test.sh

step "nectar serve with real clients: Python ADBC (pytest) and the Flight SQL JDBC driver (installs them into a cache)"
scripts/serve-clients-test.sh

step "nectar serve's web dashboard in a real browser: Playwright (playwright-core) drives Debian's chromium (installs both when missing)"
scripts/dashboard-test.sh

step "nectar serve --spark-connect with pyspark's client, compared with a real Spark Connect server and nectar query (client dependencies into a cache)"
scripts/connect-clients-test.sh

step "libdeflate build: gzip readers with -tags libdeflate (cgo; installs libdeflate-dev when missing)"
scripts/libdeflate-test.sh

step "fuzz smoke: every fuzz target, a fixed number of executions each (scripts/fuzz.sh MINUTES runs them long)"
scripts/fuzz.sh short

step "Spark backend: the corpus on a local Spark Connect server (installs pyspark 4 when missing)"
scripts/spark-test.sh
