#!/usr/bin/env bash
# Builds a small in-memory OCI registry (go-containerregistry's cmd/registry) from its Go module through
# the Go module proxy, for the Helm OCI tests; cached under its own key beside the Kubernetes binaries.
# Prints the binary's path last.
set -euo pipefail
GGCR_VERSION=v0.22.1

die() { printf 'testbed build-registry: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed. Install Go >= 1.26 and re-run."
go_version=$(go env GOVERSION)
cache_root=${KUBE_MCP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-mcp/testbed}
dir="$cache_root/oci-registry-$GGCR_VERSION.$go_version"
bin="$dir/bin/registry"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$dir/bin" "$dir/src"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
printf '[%s] registry (go-containerregistry) %s\n' "$(date +%H:%M:%S)" "$GGCR_VERSION" >&2
cd "$dir/src"
# Built into a temporary name and renamed, so a concurrent or interrupted build never leaves half a binary.
GOBIN="$dir/src" go install -trimpath -ldflags "-s -w" "github.com/google/go-containerregistry/cmd/registry@$GGCR_VERSION" ||
  die "registry $GGCR_VERSION failed to build (see the Go output above)."
mv -f "$dir/src/registry" "$bin"
echo "$bin"
