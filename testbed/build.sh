#!/usr/bin/env bash
# Builds the test bed's upstream binaries from their Go modules (no downloads beyond the Go module
# proxy) and caches them outside the repo, keyed by pinned versions + Go version. A warm run builds
# nothing and prints the cached bin directory as its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

die() { printf 'testbed build: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "Go is not installed. Install Go >= 1.26 (https://go.dev/doc/install or your distribution's golang package) and re-run."
go_version=$(go env GOVERSION)
case "$go_version" in go1.2[6-9]*|go1.[3-9]*) ;; *) die "Go $go_version is too old: Kubernetes $K8S_VERSION needs Go >= 1.26." ;; esac

cache_root=${KUBE_MCP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-mcp/testbed}
key="k8s-$K8S_VERSION.etcd-$ETCD_VERSION.kwok-$KWOK_VERSION.helm-$HELM_VERSION.$go_version"
bin="$cache_root/$key/bin"
wanted=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm)

stages="$cache_root/$key/stages"
# kwok's default simulation stages (what kwokctl embeds): node init + lease heartbeat, pod ready/complete/delete.
stage_files=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)
have_all() {
  for b in "${wanted[@]}"; do [ -x "$bin/$b" ] || return 1; done
  for f in "${stage_files[@]}"; do [ -f "$stages/$(basename "$f")" ] || return 1; done
}
if have_all; then echo "$bin"; exit 0; fi

mkdir -p "$bin"
# One build at a time per cache key: a second one (another checkout's test run, say) would wipe the
# first's work directory under it. It waits, then finds the binaries the first one built.
exec 9>"$cache_root/$key/.build.lock"
if ! flock -n 9; then
  printf '[%s] testbed build: another build of %s is running; waiting for it\n' "$(date +%H:%M:%S)" "$key" >&2
  flock 9
fi
if have_all; then echo "$bin"; exit 0; fi
work="$cache_root/$key/src"
mkdir -p "$work"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

build_kubernetes() {
  local d="$work/kubernetes" v="${K8S_VERSION#v}" sv minor ld p
  sv="v0.${v#*.}"; minor=$(echo "$v" | cut -d. -f2)
  log "kubernetes $K8S_VERSION: resolving modules"
  rm -rf "$d"; mkdir -p "$d"; cd "$d"
  go mod init kube-mcp.local/testbed-kubernetes >/dev/null 2>&1
  local gomod
  gomod=$(cd / && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy ($(go env GOPROXY))."
  # k/k requires its staging modules at v0.0.0; replace each with the published tag of this release.
  for m in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/k8s\.io/.*|\1|p' "$gomod"); do
    go mod edit "-replace=$m=$m@$sv"
  done
  grep -E '^godebug ' "$gomod" | awk '{print $2}' | while read -r kv; do go mod edit "-godebug=$kv"; done
  go mod edit "-go=$(sed -n 's/^go //p' "$gomod")" "-require=k8s.io/kubernetes@$K8S_VERSION"
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=$now"
  done
  log "kubernetes $K8S_VERSION: compiling (the cold build takes a while)"
  go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ld" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local d="$work/etcd"
  log "etcd $ETCD_VERSION"
  rm -rf "$d"; mkdir -p "$d"; cd "$d"
  go mod init kube-mcp.local/testbed-etcd >/dev/null 2>&1
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go mod tidy
  go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" -o "$bin/etcd" go.etcd.io/etcd/server/v3
}

build_kwok() {
  log "kwok $KWOK_VERSION"
  cd "$work"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

copy_stages() {
  local dir
  dir=$(cd / && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir/kustomize/stage" ] || die "could not find kwok $KWOK_VERSION's stages in the Go module cache."
  mkdir -p "$stages"
  for f in "${stage_files[@]}"; do cp "$dir/kustomize/stage/$f" "$stages/"; done
}

build_helm() {
  local minor
  minor=$(echo "${K8S_VERSION#v}" | cut -d. -f2)
  log "helm $HELM_VERSION"
  cd "$work"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

start=$(date +%s)
[ -x "$bin/etcd" ] || build_etcd || die "etcd $ETCD_VERSION failed to build (see the Go output above)."
[ -x "$bin/kwok" ] || build_kwok || die "kwok $KWOK_VERSION failed to build (see the Go output above)."
[ -x "$bin/helm" ] || build_helm || die "helm $HELM_VERSION failed to build (see the Go output above)."
if ! { [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/kube-scheduler" ] && [ -x "$bin/kubectl" ]; }; then
  build_kubernetes || die "Kubernetes $K8S_VERSION failed to build (see the Go output above)."
fi
copy_stages
have_all || die "build finished but binaries are missing from $bin"
log "built in $(( $(date +%s) - start ))s"
echo "$bin"
