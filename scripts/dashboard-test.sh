#!/usr/bin/env bash
# Browser tests of nectar serve's web dashboard: Playwright (playwright-core
# from npm, pinned in scripts/dashboard/package-lock.json) drives Debian's
# chromium headless against `nectar serve` on loopback, with users, a
# hosted memory stream and an experiment spec (the test starts the server
# itself, from the binary and project folder made here). It runs a query
# and checks its rows, chart and CSV download; sees an error's caret;
# watches a stream's batch count and live table grow as files are moved
# in; stops the server with SIGTERM under the open stream page and starts
# it again, and sees the page reconnect and carry on; counts a source's
# rows; opens an experiment report; opens the food-recs model's page from
# the models page (versions, training job and runs, releases,
# deployments, routes, the scores recorded with --record as charts) and
# follows its impact walk; and fails if a page asks for anything
# outside 127.0.0.1 or logs an error (a CSP violation among them).
#
# Installs what it needs when missing: chromium (apt-get) and
# playwright-core (npm ci into a cache keyed by the lock file).
# Screenshots of every page are kept as the run's artefacts in
# $DASHBOARD_SCREENSHOTS (default ${TMPDIR:-/tmp}/nectar-dashboard-screenshots,
# emptied first; printed at the end), not in the repository.
#
# Environment: NECTAR_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/nectar),
# CHROMIUM (default: chromium on PATH), DASHBOARD_SCREENSHOTS.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${NECTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nectar}
mkdir -p "$cache"

chrome=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$chrome" ]; then
	echo "dashboard-test: installing chromium (apt-get)" >&2
	if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
	$sudo apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
	chrome=$(command -v chromium)
fi

# playwright-core, once per lock file; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD
# because the browser is Debian's.
lock=scripts/dashboard/package-lock.json
mods=$cache/dashboard-node-$(sha256sum "$lock" | cut -c1-12)
if [ ! -d "$mods/node_modules/playwright-core" ]; then
	echo "dashboard-test: npm ci playwright-core into $mods" >&2
	rm -rf "$mods"
	mkdir -p "$mods"
	cp scripts/dashboard/package.json "$lock" "$mods/"
	(cd "$mods" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi

tmp=$(mktemp -d /tmp/nectar-dashboard-test.XXXXXX)
cleanup() {
	# The servers the test started (it stops them itself; this is for a
	# test that crashed).
	if [ -f "$tmp/server.pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$tmp/server.pids"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/nectar" ./cmd/nectar
nectar=$tmp/nectar
project=$tmp/project
mkdir -p "$project/experiments"
"$nectar" gen --out "$project/logs" --events 12000 --files 3 --seed 3 2>/dev/null
# Files that arrive while the page watches: another day of logs.
"$nectar" gen --out "$tmp/arrivals" --events 8000 --files 4 --seed 4 2>/dev/null
arrivals=$(find "$tmp/arrivals" -name '*.gz' | sort | tr '\n' ':' | sed 's/:$//')
# A second stream whose PostgreSQL sink is down (nothing listens on
# 127.0.0.1:1): its page shows the error, never the URL's password.
pg_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
cat >"$project/nectar.yaml" <<YAML
sources:
  events: {path: ./logs/segment-logs/**/*.gz}
streams:
  data_stream:
    query: SELECT properties.recommender.variant AS expt, count(*) AS n FROM read_json('./incoming/*.gz') WHERE event = 'Added to Cart' GROUP BY 1
    trigger: 300ms
    settle: 0
    checkpoint: ./checkpoints/data_stream
    sink: memory
  orders_pg:
    query: SELECT messageId, properties.total AS total FROM read_json('./incoming/*.gz') WHERE event = 'Order Completed'
    trigger: 300ms
    settle: 0
    checkpoint: ./checkpoints/orders_pg
    sink: {postgres: 'postgres://nectar:$pg_password@127.0.0.1:1/analytics?connect_timeout=2', table: orders}
graph: {path: nectar-graph.db}
YAML
sed 's|source: ./logs|source: events|' experiment/testdata/food-recs.yaml >"$project/experiments/food-recs.yaml"

# The model graph of the seed story (docs/GRAPH.md), with runs of the
# training job, and the experiment recorded with --record over three
# growing windows, as a daily run records it: the model's page charts
# them. The recorded spec names the variants' models and lives outside
# the project, so the experiments page lists only the one above.
td=$PWD/graph/testdata/recsys
(
	cd "$project"
	"$nectar" graph import openlineage "$td/openlineage.jsonl" "$td/openlineage-train.jsonl"
	"$nectar" graph import argo "$td/argo-train.yaml"
	"$nectar" graph import helm "$td/helm-list.json" "$td/helm-metadata.json"
	"$nectar" graph import helm "$td/Chart.yaml" --namespace recsys
	"$nectar" graph import kubernetes "$td/deploy.json"
	"$nectar" graph import openapi "$td/openapi.yaml" --served-by recsys/food-recs-api
	for end in 2019-02-02 2019-02-03 2019-02-04; do
		sed -e 's|{name: Model_A, weight: 0.9}|{name: Model_A, weight: 0.9, model: food-recs@2018.11}|' \
			-e 's|{name: Model_B, weight: 0.1}|{name: Model_B, weight: 0.1, model: food-recs@2019.02}|' \
			experiments/food-recs.yaml >"$tmp/record.yaml"
		printf 'start: 2019-02-01\nend: %s\n' "$end" >>"$tmp/record.yaml"
		"$nectar" experiment --spec "$tmp/record.yaml" --record >/dev/null
	done
) >&2

user=analyst
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | "$nectar" serve hash-password --user "$user" >"$project/users.txt"

shots=${DASHBOARD_SCREENSHOTS:-${TMPDIR:-/tmp}/nectar-dashboard-screenshots}
mkdir -p "$shots"
rm -f "$shots"/*.png
status=0
NODE_MODULES=$mods/node_modules NECTAR_USER="$user" NECTAR_PASSWORD="$password" NECTAR_PG_PASSWORD="$pg_password" NECTAR_SERVER_LOG="$tmp/server.log" NECTAR_SERVER_PIDS="$tmp/server.pids" \
	NECTAR_BIN="$nectar" NECTAR_PROJECT="$project" NECTAR_ARRIVALS="$arrivals" SCREENSHOTS="$shots" CHROMIUM="$chrome" \
	node --test --test-concurrency=1 scripts/dashboard/dashboard.test.mjs || status=1
for secret in "$password" "$pg_password"; do
	if grep -qF -- "$secret" "$tmp/server.log"; then
		echo "dashboard-test: the server's log shows a password" >&2
		status=1
	fi
done
if [ "$status" -ne 0 ]; then
	echo "dashboard-test: server log:" >&2
	tail -60 "$tmp/server.log" >&2
fi
echo "dashboard-test: screenshots in $shots" >&2
exit "$status"
