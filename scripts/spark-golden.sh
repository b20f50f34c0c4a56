#!/usr/bin/env bash
# Fetches Spark's SQL golden files for corpus/golden (TestSparkGolden) into
# corpus/golden/testdata/spark (ignored by git): the inputs/NAME.sql and
# results/NAME.sql.out named in corpus/golden/files.txt, taken from the
# test-jar of org.apache.spark:spark-sql_2.13 on Maven Central (through mvn),
# which carries Spark's sql-tests resources. The jar is cached and its
# checksum checked; the unpacked files are checked against
# corpus/golden/sha256sums.txt, so the scoreboard is always measured on the
# same files. Does nothing when they are already there and match.
#
# Environment: NECTAR_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/nectar).
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.2.0
jar_sha256=810bef6fd568e1626aad7354a1161e9e5ac629fbc55ba0a9a4e3cec8c06376eb
golden=corpus/golden
dest=$golden/testdata/spark

if [ -d "$dest" ] && (cd "$dest" && sha256sum --quiet -c "../../sha256sums.txt") 2>/dev/null; then
	exit 0
fi

cache=${NECTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nectar}/spark-golden
mkdir -p "$cache"
jar=$cache/spark-sql_2.13-$version-tests.jar
if [ ! -s "$jar" ] || [ "$(sha256sum "$jar" | cut -d' ' -f1)" != "$jar_sha256" ]; then
	echo "spark-golden: fetching spark-sql_2.13 $version (tests classifier) with mvn" >&2
	rm -f "$jar"
	mvn -q -B dependency:copy -Dartifact=org.apache.spark:spark-sql_2.13:$version:jar:tests -DoutputDirectory="$cache" >&2
	got=$(sha256sum "$jar" | cut -d' ' -f1)
	if [ "$got" != "$jar_sha256" ]; then
		echo "spark-golden: $jar has sha256 $got, want $jar_sha256" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d /tmp/nectar-spark-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
members=()
for f in $(grep -v '^#' "$golden/files.txt"); do
	members+=("sql-tests/inputs/$f.sql" "sql-tests/results/$f.sql.out")
done
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], sys.argv[3:])' "$jar" "$tmp" "${members[@]}"
(cd "$tmp/sql-tests" && sha256sum --quiet -c "$OLDPWD/$golden/sha256sums.txt") || {
	echo "spark-golden: the files in $jar differ from $golden/sha256sums.txt" >&2
	exit 1
}
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp/sql-tests" "$dest"
echo "spark-golden: $(grep -vc '^#' "$golden/files.txt") golden files of Spark $version in $dest" >&2
