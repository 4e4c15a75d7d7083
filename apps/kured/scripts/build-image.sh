#!/usr/bin/env bash
# Builds the kured-ts image from local files only (no registry): assembles a root filesystem from
# the bundle (npm run bundle → dist-bundle/), the glibc Node 24 binary of the `node`
# devDependency and this Debian system's nsenter, dash, readlink and dirname with the shared
# libraries ldd lists, then builds Containerfile.local on it `FROM scratch` with buildah (vfs
# storage, chroot isolation: works as root inside a container without a daemon) into one layer,
# and writes an OCI archive. Then runs the image's entry point for `--help` and `version`.
#
# Usage (from anywhere; as root): apps/kured/scripts/build-image.sh [--no-check]
# Output: apps/kured/dist-image/kured.oci.tar, the image localhost/kured-ts/kured:<version> in
# buildah's vfs storage. See docs/image.md.
set -euo pipefail
app=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$app/../.." && pwd)
out="$app/dist-image"
node_bin="$repo/node_modules/node/bin/node"
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$app/package.json")
tag="localhost/kured-ts/kured:$version"
bah=(buildah --storage-driver vfs)

fail() { echo "build-image: $*" >&2; exit 1; }
command -v buildah >/dev/null || fail "buildah is not installed (Debian: apt-get install buildah)"
[ -x "$app/dist-bundle/kured" ] || fail "apps/kured/dist-bundle is missing: run npm run bundle first"
[ -x "$node_bin" ] || fail "$node_bin is missing: run npm ci first"

rm -rf "$out"
root="$out/context/rootfs"
mkdir -p "$root"/{bin,usr/bin,usr/local/bin,etc,tmp,opt,proc,sys,dev,root}
chmod 1777 "$root/tmp"

# a binary and every shared library it loads, at the same paths as here
add_binary() { # add_binary SOURCE DEST
  cp -L "$1" "$root$2"
  local lib
  for lib in $(ldd "$1" | grep -o '/[^ ]*\.so[^ ]*'); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
add_binary "$node_bin" /usr/local/bin/node
add_binary "$(command -v nsenter)" /usr/bin/nsenter
add_binary "$(command -v dash)" /bin/sh
add_binary "$(command -v readlink)" /usr/bin/readlink
add_binary "$(command -v dirname)" /usr/bin/dirname
# the launcher is `#!/bin/sh`; kured.mjs's own `#!/usr/bin/env node` is not used by it

# the bundle, without what the Dockerfile leaves behind (maps, meta.json, the compile cache,
# which is keyed by path and is made again at /opt/kured by the warm-up RUN)
cp -a "$app/dist-bundle" "$root/opt/kured"
find "$root/opt/kured" -name '*.map' -delete
rm -rf "$root/opt/kured/meta.json" "$root/opt/kured/compile-cache"
ln -s /opt/kured/kured "$root/usr/bin/kured"

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
cp "$app/Containerfile.local" "$out/context/Containerfile"

"${bah[@]}" rmi -f "$tag" >/dev/null 2>&1 || true
"${bah[@]}" bud --quiet --isolation chroot --squash --layers=false -f "$out/context/Containerfile" -t "$tag" "$out/context" >/dev/null
"${bah[@]}" push --quiet "$tag" "oci-archive:$out/kured.oci.tar:$tag"
rm -rf "$out/context"
echo "image $tag: $out/kured.oci.tar ($(du -m "$out/kured.oci.tar" | cut -f1) MB compressed)"

[ "${1:-}" = "--no-check" ] && exit 0
# the entry point as the image declares it, run inside the image
entrypoint=$("${bah[@]}" inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$tag")
ctr=$("${bah[@]}" from --quiet "$tag")
trap '"${bah[@]}" rm "$ctr" >/dev/null' EXIT
# the whole help first, then the check: `| grep -q` would close the pipe at the first match and
# buildah would log "write stdout: broken pipe" for the rest
# shellcheck disable=SC2086 # the entry point's words
help=$("${bah[@]}" run --isolation chroot "$ctr" -- $entrypoint --help)
grep -q -- '--reboot-sentinel' <<<"$help" || fail "the image's entry point ($entrypoint) did not print kured's help"
# shellcheck disable=SC2086
got=$("${bah[@]}" run --isolation chroot "$ctr" -- $entrypoint version)
[ "$got" = "$version" ] || fail "kured version in the image printed '$got', apps/kured/package.json says $version"
echo "entry point $entrypoint: --help and version ($got) run"
