#!/usr/bin/env bash
# Runs the model graph's importers on what the tools themselves produce:
# openlineage-python's HTTP transport posting to the lineage handler on
# loopback, Hera's to_yaml() Argo manifests (both from a venv made here
# with pinned versions), and Kubernetes and Helm JSON marshalled by their
# own Go types in the test-only module producers/.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${NECTAR_PRODUCERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nectar/graph-producers-venv}"
pins="openlineage-python==1.54.0 hera==7.1.0"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.nectar-pins" 2>/dev/null)" != "$pins" ]; then
	echo "graph-producers: installing $pins into $venv" >&2
	python3 -m venv "$venv" 2>/dev/null || {
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
		python3 -m venv "$venv"
	}
	# shellcheck disable=SC2086
	"$venv/bin/pip" install -q $pins
	echo "$pins" >"$venv/.nectar-pins"
fi
NECTAR_PRODUCERS_PYTHON="$venv/bin/python" go test ./graph -run 'Python|Hera|SpecExamples' -count=1 -v "$@" | grep -E '^(--- |ok|FAIL|PASS)'
(cd producers && go test -count=1 ./...)
