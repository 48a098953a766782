#!/bin/sh
# AMD GPUs through ROCm (HIP): compiles llama.cpp from the source node-llama-cpp ships (its
# git bundle, so no internet is needed) with GGML_HIP, inside an installed release.
#
# UNTESTED: the machines this project is developed and tested on have no AMD GPU and no ROCm,
# so this path has never been run. The default AMD path is the prebuilt Vulkan backend, which
# needs nothing but the GPU driver; use this script only when ROCm is required.
#
#   sudo installer/build-rocm.sh [--release /opt/textnlp/current] [--targets gfx1100]
#
# Needs on the target: ROCm (hipcc / amdclang, hipBLAS, rocBLAS; ROCM_PATH or /opt/rocm),
# cmake >= 3.21, make or ninja, g++, python3. --targets is the GPU architecture list
# (`rocminfo | grep gfx`). Re-run after every upgrade: each release has its own node_modules.
set -eu

release=/opt/textnlp/current
targets=${GPU_TARGETS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-rocm: unknown option $1" >&2; exit 2 ;;
  esac
done
rocm=${ROCM_PATH:-/opt/rocm}
release=$(readlink -f "$release")
node="$release/node/bin/node"
cli="$release/node_modules/node-llama-cpp/dist/cli/cli.js"

missing=""
[ -x "$node" ] && [ -f "$cli" ] || missing="$missing an installed TextNLP release at $release;"
[ -d "$rocm" ] || missing="$missing ROCm at $rocm (set ROCM_PATH);"
command -v cmake >/dev/null || missing="$missing cmake;"
command -v make >/dev/null || command -v ninja >/dev/null || missing="$missing make or ninja;"
[ -n "$targets" ] || missing="$missing --targets (e.g. gfx1100, from rocminfo);"
[ -z "$missing" ] || { echo "build-rocm: missing:$missing" >&2; exit 1; }

export ROCM_PATH="$rocm" HIP_PATH="$rocm"
export HIPCXX="$rocm/llvm/bin/clang"
# node-llama-cpp passes NODE_LLAMA_CPP_CMAKE_OPTION_<NAME>=<value> to cmake as -D<NAME>=<value>.
export NODE_LLAMA_CPP_CMAKE_OPTION_GGML_HIP=ON
export NODE_LLAMA_CPP_CMAKE_OPTION_GPU_TARGETS="$targets"
export NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_BUILD_TYPE=Release

cd "$release"
# The source of the very llama.cpp release the prebuilt binaries come from, from the bundle.
"$node" "$cli" source download --skipBuild --noUsageExample
# `--gpu false`: node-llama-cpp's own GPU types are CUDA, Vulkan and Metal; HIP comes in
# through the cmake options above.
"$node" "$cli" source build --gpu false --noUsageExample
echo "build-rocm: built. Set TEXTNLP_GPU=cpu in /etc/textnlp/textnlp.env (node-llama-cpp picks"
echo "its local no-GPU-type build, which now contains HIP), restart the service and check"
echo "'textnlp-appliance doctor' and the start-up log for the backend and offloaded layers."
