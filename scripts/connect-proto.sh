#!/usr/bin/env bash
# Regenerates connect/internal/sparkpb, the Go code of Spark Connect's
# protocol, from the .proto files vendored in connect/proto/spark/connect
# (Apache-2.0, copied unchanged from spark-connect_2.13-4.3.0.jar in the
# pyspark 4.3.0 wheel; apache/spark keeps them in
# sql/connect/common/src/main/protobuf). The output is committed, so that
# `go build` needs no protoc.
#
# Why the protobuf package is renamed: nectar is also a Spark Connect
# client (package spark, through spark-connect-go), whose own generated
# code registers spark/connect/*.proto and the spark.connect.* message
# names in protobuf's global registry; a second registration of the same
# names panics at start-up. So the files are generated as package
# nectar.sparkconnect (the messages' bytes on the wire do not carry their
# names), and the gRPC service name, which is on the wire, is set back to
# spark.connect.SparkConnectService afterwards.
#
# Needs protoc (Debian's protobuf-compiler) and installs the pinned
# plugins with go install.
set -euo pipefail
cd "$(dirname "$0")/.."

gen_go=v1.36.12    # google.golang.org/protobuf, as go.mod
gen_grpc=v1.5.1    # google.golang.org/grpc/cmd/protoc-gen-go-grpc

command -v protoc >/dev/null || { echo "connect-proto: protoc is required (apt-get install protobuf-compiler)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOBIN=$tmp/bin go install google.golang.org/protobuf/cmd/protoc-gen-go@$gen_go
GOBIN=$tmp/bin go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$gen_grpc

mkdir -p "$tmp/src/nectar/sparkconnect" "$tmp/out"
for f in connect/proto/spark/connect/*.proto; do
	sed -e 's/^package spark\.connect;/package nectar.sparkconnect;/' \
		-e 's#^import "spark/connect/#import "nectar/sparkconnect/#' \
		-e '/^ *\/\//!s/\([ (]\)\.\{0,1\}spark\.connect\.\([A-Z]\)/\1nectar.sparkconnect.\2/g' \
		-e 's#^option go_package = .*#option go_package = "github.com/nectar-dev/nectar/connect/internal/sparkpb";#' \
		"$f" >"$tmp/src/nectar/sparkconnect/$(basename "$f")"
done
out=connect/internal/sparkpb
rm -f "$out"/*.pb.go
PATH=$tmp/bin:$PATH protoc -I "$tmp/src" -I /usr/include \
	--go_out="$tmp/out" --go_opt=paths=source_relative \
	--go-grpc_out="$tmp/out" --go-grpc_opt=paths=source_relative \
	"$tmp"/src/nectar/sparkconnect/*.proto 2>&1 | grep -v '^$' || true
mkdir -p "$out"
cp "$tmp"/out/nectar/sparkconnect/*.go "$out"/
# The service's wire name is Spark's.
sed -i 's#"/nectar\.sparkconnect\.SparkConnectService/#"/spark.connect.SparkConnectService/#; s#ServiceName: "nectar\.sparkconnect\.SparkConnectService"#ServiceName: "spark.connect.SparkConnectService"#' "$out"/base_grpc.pb.go
grep -q '"/spark.connect.SparkConnectService/ExecutePlan"' "$out"/base_grpc.pb.go || { echo "connect-proto: service name not rewritten" >&2; exit 1; }
gofmt -l "$out" || true
echo "connect-proto: generated $(ls "$out" | wc -l) files in $out"
