#!/usr/bin/env bash
# Runs the gzip-reading packages' tests in the libdeflate build (cgo, build
# tag libdeflate; see README "Faster gzip with libdeflate"): installs
# Debian's libdeflate-dev when its header is missing, vets and staticchecks
# the tagged files, then runs `go test -tags libdeflate` on source, scan and
# cmd/nectar. The default
# build's run of the same tests is test.sh's `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."

has_libdeflate() {
	echo '#include <libdeflate.h>' | ${CC:-cc} -E -x c - >/dev/null 2>&1
}

if ! has_libdeflate; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "libdeflate-test: libdeflate.h not found and not root; install the libdeflate-dev package" >&2
		exit 1
	fi
	echo "libdeflate-test: installing libdeflate-dev from Debian's packages" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdeflate-dev >/dev/null
fi

export CGO_ENABLED=1
# Only source has tagged files; vet and staticcheck see them only with the tag.
go vet -tags libdeflate ./source/
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags libdeflate ./source/
go test -tags libdeflate ./source/ ./scan/ ./cmd/nectar/
