#!/usr/bin/env bash
# Builds Jaeger (v2: the OpenTelemetry Collector with Jaeger's storage and query API) from its Go module
# through the Go module proxy: the tracing tests export kube-mcp's spans to it over OTLP/HTTP and read the
# traces back from its query API. Cached under its own key like build-nats.sh; a cold build (a few hundred
# modules) took 24 minutes on this two-core machine under load. Prints the binary's path last.
set -euo pipefail
JAEGER_VERSION=v1.75.0

die() { printf 'testbed build-jaeger: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed. Install Go >= 1.26 and re-run."
go_version=$(go env GOVERSION)
cache_root=${KUBE_MCP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-mcp/testbed}
dir="$cache_root/jaeger-$JAEGER_VERSION.$go_version"
bin="$dir/bin/jaeger"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$dir/bin" "$dir/src"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
printf '[%s] jaeger %s (a large build: several minutes)\n' "$(date +%H:%M:%S)" "$JAEGER_VERSION" >&2
cd "$dir/src"
# A scratch module pins Jaeger's own dependency versions (go install pkg@version refuses modules with
# replace directives); built into a temporary name and renamed, so a half binary is never left.
[ -f go.mod ] || go mod init kube-mcp-testbed/jaeger >/dev/null 2>&1
go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" ||
  die "jaeger $JAEGER_VERSION could not be resolved (see the Go output above)."
go build -trimpath -ldflags "-s -w" -o "$dir/src/jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger ||
  die "jaeger $JAEGER_VERSION failed to build (see the Go output above)."
mv -f "$dir/src/jaeger.tmp" "$bin"
echo "$bin"
