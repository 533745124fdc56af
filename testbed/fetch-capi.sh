#!/usr/bin/env bash
# Fetches Cluster API's Cluster CRD (cluster.x-k8s.io/v1beta1 and v1beta2) from its Go module through the
# Go module proxy, pinned and cached beside the other test-bed parts. The suite installs it on a bed
# cluster to act as a CAPI management cluster (no CAPI controllers: the tests write the Cluster objects
# and their kubeconfig Secrets themselves). Prints the CRD file's path last.
set -euo pipefail
CAPI_VERSION=v1.11.3

die() { printf 'testbed fetch-capi: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed. Install Go >= 1.26 and re-run."
cache_root=${KUBE_MCP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-mcp/testbed}
dir="$cache_root/capi-$CAPI_VERSION"
crd="$dir/cluster.x-k8s.io_clusters.yaml"
if [ -s "$crd" ]; then echo "$crd"; exit 0; fi

mkdir -p "$dir"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
module_dir=$(cd "$dir" && go mod download -json "sigs.k8s.io/cluster-api@$CAPI_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$module_dir" ] || die "sigs.k8s.io/cluster-api@$CAPI_VERSION could not be downloaded from the Go module proxy."
cp "$module_dir/config/crd/bases/cluster.x-k8s.io_clusters.yaml" "$crd.tmp"
mv -f "$crd.tmp" "$crd"
echo "$crd"
