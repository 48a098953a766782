#!/usr/bin/env bash
# The compute-bound comparison on a GPU, fully offloaded. For a machine with an NVIDIA GPU, CMake
# and nvcc but no internet: builds llama-server with CUDA from the llama.cpp source node-llama-cpp
# ships (node_modules/node-llama-cpp/llama/gitRelease.bundle, the very commit it uses), runs
# bench/appliance-throughput.ts --gpu on a random-weight model of MODEL_SIZE parameters against it
# (llama-server -ngl 99; our side on node-llama-cpp's CUDA build when it loads there, else on the
# CPU, said in the output), and exits non-zero when llama-server did not run on the GPU. Each
# phase is timed; the whole stays under DEADLINE_S (570 s). Not part of npm test.
#
#   bench/gpu-check.sh [--dry-run | --configure-only] [--llama-server <binary>]
#
#   --dry-run                 check prerequisites and print each phase's commands; run nothing
#   --configure-only          stop after CMake has configured the CUDA build (no GPU needed)
#   --llama-server <binary>   skip the build and use this llama-server (one built earlier)
#
# Environment (defaults): MODEL_SIZE (100M), TOKENS (64), ROUNDS (3), CONCURRENCY (1,4,8,16),
# THREADS (2), JOBS (nproc), CUDA_ARCH (the GPU's compute capability from nvidia-smi, e.g. 90),
# LLAMA_BUNDLE (node_modules/node-llama-cpp/llama/gitRelease.bundle), WORK_DIR (.tmp/gpu-check:
# source, build and logs; a second run on the same machine reuses the build), DEADLINE_S (570).
#
# Exit status: 0 llama-server ran on the GPU with every layer offloaded and the bench finished;
# 1 it did not, or the bench failed; 2 a prerequisite is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

DRY_RUN=0
CONFIGURE_ONLY=0
PREBUILT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --configure-only) CONFIGURE_ONLY=1 ;;
    --llama-server)
      PREBUILT=${2:?--llama-server needs a path}
      shift
      ;;
    -h | --help)
      sed -n '2,22p' "$0"
      exit 0
      ;;
    *)
      echo "gpu-check: unknown argument '$1' (--dry-run, --configure-only, --llama-server <binary>)" >&2
      exit 2
      ;;
  esac
  shift
done

MODEL_SIZE=${MODEL_SIZE:-100M}
TOKENS=${TOKENS:-64}
ROUNDS=${ROUNDS:-3}
CONCURRENCY=${CONCURRENCY:-1,4,8,16}
THREADS=${THREADS:-2}
JOBS=${JOBS:-$(nproc)}
LLAMA_BUNDLE=${LLAMA_BUNDLE:-$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle}
WORK_DIR=${WORK_DIR:-$ROOT/.tmp/gpu-check}
DEADLINE_S=${DEADLINE_S:-570}
SRC=$WORK_DIR/llama.cpp
BUILD=$SRC/build-cuda
LOGS=$WORK_DIR/logs

START=$SECONDS
PHASE_START=$SECONDS
phase() {
  PHASE_START=$SECONDS
  echo
  echo "== $1 (at $((SECONDS - START)) s)"
}
phase_done() {
  echo "== $1: $((SECONDS - PHASE_START)) s"
}
# Seconds left before the deadline; a phase given no more than this cannot overrun it.
left() {
  local rest=$((DEADLINE_S - (SECONDS - START)))
  if ((rest < 10)); then
    echo "gpu-check: out of time (DEADLINE_S=$DEADLINE_S)" >&2
    exit 1
  fi
  echo "$rest"
}
# Runs a command, or with --dry-run only prints it.
run() {
  echo "+ $*"
  if ((DRY_RUN == 0)); then "$@"; fi
}

# --- prerequisites ---------------------------------------------------------------------------
phase "prerequisites"
missing=()
need() {
  if command -v "$1" >/dev/null 2>&1; then
    echo "$1: $(command -v "$1")"
  else
    echo "$1: MISSING ($2)"
    missing+=("$1")
  fi
}
# The CUDA toolkit is often installed without being on PATH.
if ! command -v nvcc >/dev/null 2>&1 && [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
if [[ -z $PREBUILT ]]; then
  need cmake "CMake 3.18 or later builds llama.cpp"
  need nvcc "the CUDA toolkit's compiler; install it or put /usr/local/cuda/bin on PATH"
  need git "to clone the llama.cpp bundle"
  need make "CMake's default generator"
  need c++ "a C++17 compiler"
  if [[ -f $LLAMA_BUNDLE ]]; then
    echo "bundle: $LLAMA_BUNDLE ($(du -h "$LLAMA_BUNDLE" | cut -f1))"
  else
    echo "bundle: MISSING $LLAMA_BUNDLE (set LLAMA_BUNDLE, or install node-llama-cpp)"
    missing+=(bundle)
  fi
elif [[ -x $PREBUILT ]]; then
  echo "llama-server: $PREBUILT (prebuilt; no build)"
else
  echo "llama-server: MISSING $PREBUILT"
  missing+=(llama-server)
fi
# Not required: the verdict reads llama-server's own log.
command -v nvidia-smi >/dev/null 2>&1 || echo "nvidia-smi: not found (is there an NVIDIA driver?)"
need node "Node 20 or later runs the bench"
if [[ -x $ROOT/node_modules/.bin/tsx && -d $ROOT/node_modules/node-llama-cpp ]]; then
  echo "node_modules: tsx and node-llama-cpp present"
else
  echo "node_modules: MISSING tsx or node-llama-cpp (npm ci); the bench cannot run"
  missing+=(node_modules)
fi
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader || true
  if [[ -z ${CUDA_ARCH:-} ]]; then
    CUDA_ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null |
      head -n1 | tr -d ' .' || true)
  fi
fi
# One architecture (the GPU's own) instead of llama.cpp's list of six: minutes less to build.
CUDA_ARCH=${CUDA_ARCH:-native}
echo "CUDA architecture: $CUDA_ARCH; build jobs: $JOBS"
if ((${#missing[@]} > 0)); then
  echo "gpu-check: missing: ${missing[*]}" >&2
  if ((DRY_RUN == 0)); then exit 2; fi
fi
phase_done "prerequisites"

# --- build llama-server with CUDA ------------------------------------------------------------
if [[ -n $PREBUILT ]]; then
  LLAMA_SERVER_BIN=$PREBUILT
else
  LLAMA_SERVER_BIN=$BUILD/bin/llama-server
  phase "clone the bundle"
  if [[ -d $SRC/.git ]]; then
    echo "reusing $SRC ($(git -C "$SRC" rev-parse --short HEAD))"
  else
    run mkdir -p "$WORK_DIR"
    run git clone --quiet "$LLAMA_BUNDLE" "$SRC"
  fi
  phase_done "clone the bundle"

  phase "configure (CUDA)"
  CONFIGURE=(cmake -S "$SRC" -B "$BUILD" -DGGML_CUDA=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH"
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF)
  if ((DRY_RUN)); then
    run "${CONFIGURE[@]}"
  else
    mkdir -p "$LOGS"
    echo "+ ${CONFIGURE[*]}"
    if ! "${CONFIGURE[@]}" >"$LOGS/configure.log" 2>&1; then
      grep -E "CMake Error|CUDA::|not found|Could NOT" "$LOGS/configure.log" | head -n 20
      if grep -q "CUDA::cublas" "$LOGS/configure.log"; then
        echo "gpu-check: this CUDA toolkit has no cuBLAS (cublas_v2.h, libcublas), which" \
          "ggml-cuda links; install the full toolkit" >&2
      fi
      echo "gpu-check: configuring the CUDA build failed (log: $LOGS/configure.log)" >&2
      exit 2
    fi
    grep -E "CUDA Toolkit found|CMAKE_CUDA_ARCHITECTURES|Including CUDA backend" \
      "$LOGS/configure.log" || true
  fi
  phase_done "configure (CUDA)"
  if ((CONFIGURE_ONLY)); then
    echo "gpu-check: configured $BUILD; stopping before the build (--configure-only)"
    exit 0
  fi

  phase "build llama-server ($JOBS jobs)"
  if ((DRY_RUN)); then
    run cmake --build "$BUILD" --target llama-server -j "$JOBS"
  else
    mkdir -p "$LOGS"
    rest=$(left)
    # Only the last lines on screen; the whole log stays beside the build.
    if ! timeout -k 10 "$rest" cmake --build "$BUILD" --target llama-server -j "$JOBS" \
      >"$LOGS/build.log" 2>&1; then
      tail -n 30 "$LOGS/build.log"
      echo "gpu-check: the CUDA build failed or ran out of time (log: $LOGS/build.log)" >&2
      exit 1
    fi
    tail -n 2 "$LOGS/build.log"
  fi
  phase_done "build llama-server ($JOBS jobs)"
fi

# --- the devices llama-server sees -----------------------------------------------------------
phase "devices"
run "$LLAMA_SERVER_BIN" --list-devices || echo "(llama-server could not list its devices)"
phase_done "devices"

# --- the comparison --------------------------------------------------------------------------
phase "bench: $MODEL_SIZE parameters, fully offloaded"
BENCH=("$ROOT/node_modules/.bin/tsx" bench/appliance-throughput.ts --gpu --skip-tiny --model-size "$MODEL_SIZE"
  --size-tokens "$TOKENS" --size-threads "$THREADS" --rounds "$ROUNDS"
  --concurrency "$CONCURRENCY" --log-dir "$LOGS")
bench_rc=0
if ((DRY_RUN)); then
  echo "+ LLAMA_SERVER=$LLAMA_SERVER_BIN ${BENCH[*]}"
else
  mkdir -p "$LOGS"
  rm -f "$LOGS"/llama-server-*.log
  # Which processes hold the GPU while the bench runs (in a container the list may stay empty).
  smi_pid=""
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader -l 5 \
      >"$LOGS/gpu-processes.csv" 2>&1 &
    smi_pid=$!
  fi
  rest=$(left)
  LLAMA_SERVER=$LLAMA_SERVER_BIN timeout -k 10 "$rest" "${BENCH[@]}" 2>&1 |
    tee "$LOGS/bench.out" || bench_rc=$?
  if [[ -n $smi_pid ]]; then
    kill "$smi_pid" 2>/dev/null || true
    wait "$smi_pid" 2>/dev/null || true
  fi
fi
phase_done "bench: $MODEL_SIZE parameters, fully offloaded"

# --- verdict ---------------------------------------------------------------------------------
phase "verdict"
if ((DRY_RUN)); then
  echo "would read $LOGS/llama-server-0.log for 'using device CUDA…' and 'offloaded N/N layers to GPU'"
  phase_done "verdict"
  exit 0
fi
log=$LOGS/llama-server-0.log
gpu_used=0
if [[ -f $log ]]; then
  grep -E "using device|offloaded [0-9]+/[0-9]+ layers to GPU" "$log" || true
  if grep -q "using device CUDA" "$log" &&
    grep -Eq "offloaded ([0-9]+)/\1 layers to GPU" "$log" &&
    ! grep -q "offloaded 0/" "$log"; then
    gpu_used=1
  fi
else
  echo "no llama-server log at $log"
fi
if [[ -s $LOGS/gpu-processes.csv ]]; then
  echo "processes seen on the GPU:"
  sort -u -t, -k1,2 "$LOGS/gpu-processes.csv" | sed 's/^/  /'
fi
grep -E "^placement:|^node-llama-cpp:" "$LOGS/bench.out" || true
phase_done "verdict"
echo "total: $((SECONDS - START)) s"
if ((gpu_used == 0)); then
  echo "gpu-check: FAILED: llama-server did not run every layer on a CUDA device (log: $log)" >&2
  exit 1
fi
if ((bench_rc != 0)); then
  echo "gpu-check: FAILED: the bench exited with $bench_rc (output: $LOGS/bench.out)" >&2
  exit 1
fi
echo "gpu-check: OK: llama-server ran fully offloaded to CUDA; the table above is the comparison"
