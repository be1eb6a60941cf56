#!/usr/bin/env bash
# Device check of the fingerspelling detector on a lent GPU (< 5 minutes): synthesises shards,
# trains models/detector-gpu.yaml (bf16-mixed, DDP) for 3 short epochs, prints training
# frames/s and peak GPU memory, and writes runs/gpu_check/summary.json.
# Assumes the project is installed: pip install -e .
set -euo pipefail
cd "$(dirname "$0")/.."
timeout 290 python scripts/gpu_check.py "$@"
