#!/usr/bin/env bash
# Builds nats-server (the message bus hub replicas share agents over) from its Go module through the Go
# module proxy, cached under its own key beside the Kubernetes binaries: pinning or bumping NATS never
# invalidates build.sh's cache (a cold Kubernetes build takes ~20 minutes). Prints the binary's path last.
set -euo pipefail
NATS_VERSION=v2.15.3

die() { printf 'testbed build-nats: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed. Install Go >= 1.26 and re-run."
go_version=$(go env GOVERSION)
cache_root=${KUBE_MCP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-mcp/testbed}
dir="$cache_root/nats-$NATS_VERSION.$go_version"
bin="$dir/bin/nats-server"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$dir/bin" "$dir/src"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
printf '[%s] nats-server %s\n' "$(date +%H:%M:%S)" "$NATS_VERSION" >&2
cd "$dir/src"
# Built into a temporary name and renamed, so a concurrent or interrupted build never leaves half a binary.
GOBIN="$dir/src" go install -trimpath -ldflags "-s -w" "github.com/nats-io/nats-server/v2@$NATS_VERSION" ||
  die "nats-server $NATS_VERSION failed to build (see the Go output above)."
mv -f "$dir/src/nats-server" "$bin"
echo "$bin"
