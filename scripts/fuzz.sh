#!/usr/bin/env bash
# Runs every fuzz target of the module, one after another.
#
#   scripts/fuzz.sh 10        # ten minutes each (a long run, before a release)
#   scripts/fuzz.sh short     # a fixed count of executions each (test.sh's run)
#
# Counting executions rather than seconds makes the short run the same
# work on every machine, and avoids `go test -fuzztime 15s`'s occasional
# "context deadline exceeded" from the toolchain. A finding fails the run;
# the failing input is saved under testdata/fuzz of its package.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${1:?usage: scripts/fuzz.sh MINUTES | short}

# package, target, executions in the short run (a few seconds each on two
# cores): every Fuzz function of the module (TestFuzzTargetsListed, in
# package engine, keeps this list complete).
targets=(
	"./syntax FuzzParse 20000"
	"./scan FuzzExtract 50000"
	"./scan FuzzExtractRequire 50000"
	"./source FuzzLineReader 20000"
	"./engine FuzzQuery 300"
	"./output FuzzJSONRow 20000"
	"./output FuzzAppendFloat 20000"
	"./functions FuzzFormatTime 20000"
	"./parquetfile/internal/footer FuzzParse 20000"
	"./project FuzzLoadConfig 2000"
	"./experiment FuzzParseSpec 3000"
	"./graph FuzzParse 5000"
	"./server FuzzTicket 5000"
	"./server FuzzQueryRequest 5000"
)
for t in "${targets[@]}"; do
	read -r pkg name count <<<"$t"
	fuzztime=${budget}m
	if [ "$budget" = short ]; then
		fuzztime=${count}x
	fi
	echo "== fuzz $pkg $name ($fuzztime)"
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime"
done
