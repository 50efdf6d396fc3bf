#!/usr/bin/env bash
# GPU training job: the CIFAR-style recipe of the examples (--cifar-style: ResNet-20 with BatchNormalization, random
# crop with 4-pixel padding + horizontal flip, batch 128; Adam+L2 and AdamW with cosine annealing, AdamWR with warm
# restarts T_0 = 1 epoch, T_mult = 2; decoupled decay in the paper's convention, normalized λ_norm = 0.025) on
# CIFAR-10, on ND4J's CUDA backend, at the paper's kind of budget: all 50,000 training and 10,000 test images,
# 63 epochs (1 + 2 + 4 + 8 + 16 + 32: AdamWR ends at the end of a restart period).
#
#   usage: examples/gpu/train-gpu.sh DATA_DIR [OUT_DIR] [more program options...]
#
#   DATA_DIR  the CIFAR-10 binary version: data_batch_1.bin ... data_batch_5.bin and test_batch.bin
#             (unpacked cifar-10-binary.tar.gz; the folder itself or the one holding cifar-10-batches-bin/),
#             or the word  download : CIFAR-10 through DL4J's Cifar10Fetcher (downloaded once into
#             ~/.deeplearning4j/data/cifar10; the job host needs access to DL4J's resource host)
#   OUT_DIR   where results.json/csv, report.md and the PNG charts go (default: results-gpu-<date>)
#   more options are passed to the program, e.g.  --seeds 1,2,3  or  --epochs 15 (see --help). The budget options
#             --train-size 50000 --test-size 10000 --epochs 63 are given unless the options give their own; progress
#             is reported as lines (--progress lines, for a job's log) unless they give --progress. The script itself
#             gives --cifar-style, --out and --data/--dataset: giving one of them again is refused ("should be
#             specified only once"). Add --resume to continue an interrupted job in the same OUT_DIR.
#
# Needs: JDK 17, Maven, an NVIDIA driver and the CUDA 11.6 runtime libraries that ND4J 1.0.0-M2.1's
# nd4j-cuda-11.6 backend links against. Its natives hold code for sm_37 to sm_86 and no PTX (docs/: read from
# libnd4jcuda.so), so Kepler to Ampere/Ada GPUs (e.g. A100, RTX 30xx/40xx), not Hopper (H100). Submit it unchanged
# from any directory; it builds the project with the cuda and cuda-runtime profiles (nd4j-cuda-11.6 with its
# linux-x86_64 natives instead of nd4j-native) and runs the program with plain java. (BACKEND_PROFILES=cpu runs the
# same job on nd4j-native, e.g. to try the script on a machine without a GPU.) This script has not run on a GPU in
# this project: no machine here has one that the natives support.
set -euo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
if [[ "$1" == download ]]; then
  DATA_DIR="DL4J's CIFAR-10 cache"
  DATA_ARGS=(--dataset cifar10)
else
  DATA_DIR=$(cd "$1" && pwd)
  DATA_ARGS=(--data "$DATA_DIR")
fi
shift
OUT_DIR=results-gpu-$(date +%Y%m%d-%H%M%S)
if [[ $# -gt 0 && "$1" != -* ]]; then OUT_DIR=$1; shift; fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"

PROFILES=${BACKEND_PROFILES:-cuda,cuda-runtime}
echo "== build (profiles $PROFILES) in $REPO"
mvn -B -q -P"$PROFILES" -Djavacpp.platform=linux-x86_64 -pl examples -am package -DskipTests

JAR=$(ls examples/target/dl4j-adamw-examples-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat examples/target/classpath.txt)"
if [[ "$PROFILES" == *cuda* ]] && ! tr ':' '\n' <<< "$CP" | grep -q 'nd4j-cuda-11.6'; then
  echo "error: the classpath has no nd4j-cuda-11.6 jar: were the cuda profiles applied?" >&2
  exit 1
fi
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true

# --progress lines and the paper-sized budget unless the user's options already give them: picocli refuses an option
# given twice
given() {
  local name=$1; shift
  for a in "$@"; do [[ "$a" == "$name" || "$a" == "$name"=* ]] && return 0; done
  return 1
}
DEFAULT_ARGS=()
given --progress "$@" || DEFAULT_ARGS+=(--progress lines)
given --train-size "$@" || DEFAULT_ARGS+=(--train-size 50000)
given --test-size "$@" || DEFAULT_ARGS+=(--test-size 10000)
given --epochs "$@" || DEFAULT_ARGS+=(--epochs 63)

echo "== train: data $DATA_DIR, results $OUT_DIR"
set -x
exec java -Xmx8g -Dorg.bytedeco.javacpp.maxbytes=16G -Dorg.bytedeco.javacpp.maxphysicalbytes=24G \
  -Djava.awt.headless=true \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$CP" io.github.dl4jadamw.examples.CompareOptimizers \
  --cifar-style "${DATA_ARGS[@]}" --out "$OUT_DIR" ${DEFAULT_ARGS[@]+"${DEFAULT_ARGS[@]}"} "$@"
