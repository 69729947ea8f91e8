#!/usr/bin/env bash
# Spark resource discovery for GPUs (spark.executor.resource.gpu.discoveryScript and
# spark.worker.resource.gpu.discoveryScript): prints the GPUs this container or host may use as
# {"name": "gpu", "addresses": ["0", "1", ...]}. With CUDA_VISIBLE_DEVICES set (Kubernetes' device
# plugin, YARN isolation) those are the addresses; otherwise every GPU nvidia-smi lists.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  ids=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | awk 'NF' | awk '{printf "%s\"%d\"", (NR>1?",":""), NR-1}')
elif ! command -v nvidia-smi > /dev/null; then
  echo "gpu-discovery: CUDA_VISIBLE_DEVICES is not set and nvidia-smi is not installed: no GPU to report" >&2
  exit 1
else
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | awk 'NF' | awk '{printf "%s\"%s\"", (NR>1?",":""), $1}')
fi
echo "{\"name\": \"gpu\", \"addresses\": [${ids}]}"
