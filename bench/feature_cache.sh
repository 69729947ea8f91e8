#!/usr/bin/env bash
# Decoder training from cached encoder outputs against the plain run (issue 20, item 5): for each
# model, the same frozen-encoder training twice from the same shards and seed, once whole and once
# with --feature-cache, then a table of epoch times (median of the epochs), the cache's own cost
# and the final validation mIoU. Run it alone on a quiet machine.
#   bench/feature_cache.sh [WORK_DIR] [EPOCHS] [IMAGES]    (defaults: /tmp/segspark-feature-cache 6 480)
#   MODELS="unet-vgg16" VARIANTS="cached" MODE=parameter-averaging narrow it (the table reads earlier runs in WORK_DIR)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/segspark-feature-cache}"
epochs="${2:-6}"
images="${3:-480}"
models="${MODELS:-unet-mobilenetv2 unet-vgg16}"
mode="${MODE:-local}"
variants="${VARIANTS:-plain cached}"
segspark="$home/segspark"
mkdir -p "$work"

if [ ! -f "$work/shards/manifest.json" ]; then
  "$segspark" synth-coco --out "$work/coco" --image-count "$images" --size 160x128 --seed 11 --force
  "$segspark" preprocess coco --annotations "$work/coco/annotations/instances.json" --images "$work/coco/images" \
    --out "$work/shards" --size 128x128 --val-fraction 0.15 --force
fi

for model in $models; do
  extra=()
  [ "$model" = unet-vgg16 ] && extra=(--set train.model-options.head=softmax)
  for variant in $variants; do
    out="$work/run-$model-$variant"
    cache=()
    if [ "$variant" = cached ]; then
      rm -rf "$work/cache-$model"
      cache=(--feature-cache "$work/cache-$model")
    fi
    /usr/bin/time -f "%e s wall, %M kB peak" -o "$out.time" \
      "$segspark" train --mode "$mode" --data "$work/shards" --out "$out" --force --model "$model" \
      --freeze-encoder true --epochs "$epochs" --batch 8 "${cache[@]}" "${extra[@]}" > "$out.log" 2>&1
    echo "$model $variant: $(cat "$out.time")"
  done
done

python3 - "$work" $models <<'PY'
import json, statistics, sys, os
work, models = sys.argv[1], sys.argv[2:]
print("| model | run | epoch train s (median) | first epoch s | cache: compute s, size | final val mIoU | final train loss |")
print("|---|---|---:|---:|---|---:|---:|")
for m in models:
    for v in ("plain", "cached"):
        r = json.load(open(f"{work}/run-{m}-{v}/metrics.json"))
        t = [e["train_seconds"] for e in r["history"]]
        cache = "-"
        if v == "cached":
            c = json.load(open(f"{work}/cache-{m}/features.json"))
            cache = f"{c['computeSeconds']:.0f} s, {c['bytes'] / 1e9:.2f} GB ({c['examples']} images x {c['orientations']})"
        print(f"| {m} | {v} | {statistics.median(t):.1f} | {t[0]:.1f} | {cache} | {r['miou']:.4f} | {r['history'][-1]['train_loss']:.4f} |")
PY
