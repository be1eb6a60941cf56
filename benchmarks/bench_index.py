"""Index build at growing corpus sizes: peak memory, time, and keypoint bytes a frame.

For each ``--sizes`` (recordings; about 500 frames each and detected spans on every one, see
``corpus_scale.py``) a fresh process runs ``asl-stem index build`` on a generated corpus, and
its peak RSS, wall and CPU seconds are printed beside the smallest size's (the ratio shows
whether memory grows with the corpus). The keypoint payload's bytes per source frame are
printed beside the format the index used before (float16 x, y of 75 points at 15 fps, zlib),
measured on the same keypoints in the same run, with the quantisation error in pixels of the
large (360 px) player.

    python benchmarks/bench_index.py [--sizes 1000 4000] [--frames 500]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

CHILD = """
import json, resource, sys, time
from asl_stem.termindex import build_index
began = time.monotonic()
build_index(sys.argv[1], out=sys.argv[2], spans=sys.argv[3], keypoints_dir=sys.argv[4])
used = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": time.monotonic() - began, "cpu_s": used.ru_utime + used.ru_stime,
                  "peak_rss_mb": used.ru_maxrss / 1024}))
"""


def measure_build(root: Path, recordings: int, frames: int) -> dict[str, float]:
    from corpus_scale import write_corpus

    manifests, spans, keypoints = write_corpus(root, recordings=recordings, frames=frames)
    out = root / "index.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(manifests), str(out), str(spans), str(keypoints)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    stats["index_mb"] = out.stat().st_size / 1e6
    return stats


def payload_bytes(root: Path, frames: int) -> dict[str, float]:
    """Bytes a source frame, today's payload vs the float16 + zlib one, on the same keypoints."""
    from corpus_scale import keypoint_pool

    from asl_stem.termindex.keypoints import make_payload

    new = old = total = 0
    error_px = 0.0
    for path in keypoint_pool(root / "pool", frames):
        keypoints = np.load(path)
        payload = make_payload(keypoints, 30.0, 15.0)
        new += len(payload.to_blob())
        old += len(zlib.compress(keypoints[::2, :75, :2].astype(np.float16).tobytes(), 6))
        total += len(keypoints)
        upper = [i for i in range(75) if not 25 <= i <= 32]
        got = payload.coordinates()[:, upper]
        want = keypoints[::2, upper]
        scale = 0.9 * 360 / max(payload.box[2], payload.box[3])
        error_px = max(error_px, float(np.nanmax(np.abs(got - want))) * scale)
    return {"new": new / total, "old": old / total, "max_error_px": error_px}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--frames", type=int, default=500, help="mean frames a recording")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = {}
        for size in sorted(args.sizes):
            began = time.monotonic()
            sizes[size] = measure_build(root / str(size), size, args.frames)
            print(f"built {size} recordings in {time.monotonic() - began:.0f} s", flush=True)
        kp = payload_bytes(root, args.frames)
    smallest = sizes[min(sizes)]
    print(f"\n{'recordings':>10}{'peak RSS MB':>13}{'wall s':>9}{'CPU s':>9}{'index MB':>10}"
          f"{'RSS/first':>11}{'CPU/first':>11}")  # fmt: skip
    for size, s in sizes.items():
        print(f"{size:>10}{s['peak_rss_mb']:>13.0f}{s['wall_s']:>9.0f}{s['cpu_s']:>9.0f}"
              f"{s['index_mb']:>10.0f}{s['peak_rss_mb'] / smallest['peak_rss_mb']:>11.2f}"
              f"{s['cpu_s'] / smallest['cpu_s']:>11.2f}")  # fmt: skip
    print(f"\nkeypoints: {kp['new']:.1f} bytes a source frame vs {kp['old']:.1f} for float16 + "
          f"zlib (ratio {kp['new'] / kp['old']:.2f}); worst error {kp['max_error_px']:.2f} px "
          "in the 360 px player")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
