"""Ingest throughput on a generated release, beside a plain ``csv`` read of the same videos.csv.

Generates a release of ``--rows`` rows (default 64,000: the corpus's size) whose videos are
hard links to a few real tiny mp4 templates, plus an annotation file covering every tenth
recording. Prints rows per second for a plain ``csv.reader`` pass (the baseline), for
``ingest --no-probe`` and for ``ingest`` with probing (on the first ``--probe-rows`` rows, since
probing decodes every video), each as a ratio to the baseline.

    python benchmarks/bench_ingest.py [--rows 64000] [--probe-rows 8000] [--workers 4] [--zip]
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import tempfile
import time
import zipfile
from pathlib import Path

import cv2
import numpy as np

from asl_stem.corpus.annotations import COLUMNS as ANNOTATION_COLUMNS
from asl_stem.corpus.recipe import prepare_asl_stem
from asl_stem.corpus.release import VIDEO_COLUMNS

INTERPRETERS = 37
SENTENCES_PER_ARTICLE = 250


def write_template(path: Path, frames: int, seed: int) -> Path:
    """A real mp4 (mp4v, 64x48) with ``frames`` frames of noise."""
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 48))
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    return path


def generate(root: Path, rows: int, templates: int = 4) -> Path:
    """A release folder of ``rows`` rows; videos are hard links to ``templates`` real mp4s."""
    videos = root / "videos"
    videos.mkdir(parents=True)
    sources = [write_template(root / f"template-{i}.mp4", 10 + 5 * i, i) for i in range(templates)]
    annotations = []
    with open(root / "videos.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(VIDEO_COLUMNS)
        for index in range(rows):
            sentence_number = index // INTERPRETERS
            article = sentence_number // SENTENCES_PER_ARTICLE
            section, sentence = divmod(sentence_number % SENTENCES_PER_ARTICLE, 10)
            user = f"interp{index % INTERPRETERS:02d}"
            name = f"{index:017d}-{1000 + article}_{section}_{sentence}.mp4"
            text = f"Sentence {sentence} of section {section} about Brønsted–Lowry acids."
            writer.writerow([user, f"Article {article}", section, sentence, name, "0.5", text])
            os.link(sources[index % templates], videos / name)
            if index % 10 == 0:
                spans = ["[(1, 4), (6, 9)]", "['acid', 'base']"]
                annotations.append(
                    [user, f"Article {article}", section, sentence, name, text, *spans]
                )
    (root / "fs-annotations").mkdir()
    with open(root / "fs-annotations" / "train.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ANNOTATION_COLUMNS)
        writer.writerows(annotations)
    return root


def zip_folder(folder: Path, target: Path) -> Path:
    """The release folder as a zip (stored, like the published one's mp4 members)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("template-"):
                archive.write(path, f"release/{path.relative_to(folder).as_posix()}")
    return target


def plain_csv_read(path: Path) -> int:
    """The baseline: count rows with ``csv.reader``."""
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def timed(label: str, rows: int, baseline_rate: float | None, func) -> float:
    """Run ``func``, print rows/s and the ratio to the baseline, return the rate."""
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    rate = rows / seconds
    ratio = f"{rate / baseline_rate:8.4f}x" if baseline_rate else "   1.0000x (baseline)"
    print(f"{label:<34} {rows:>7} rows {seconds:8.2f} s {rate:>12,.0f} rows/s {ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=64_000)
    parser.add_argument("--probe-rows", type=int, default=8_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--zip", action="store_true", help="also ingest the subset as a zip")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        started = time.perf_counter()
        release = generate(Path(tmp) / "release", args.rows)
        print(f"generated {args.rows} rows + videos in {time.perf_counter() - started:.1f} s")
        small = generate(Path(tmp) / "small", min(args.rows, args.probe_rows))
        csv_path = release / "videos.csv"
        base = timed(
            "plain csv.reader (baseline)", args.rows, None, lambda: plain_csv_read(csv_path)
        )
        timed(
            "ingest --no-probe",
            args.rows,
            base,
            lambda: prepare_asl_stem(release, out=Path(tmp) / "out", probe=False, progress=False),
        )
        probe_rows = min(args.rows, args.probe_rows)
        small_base = timed(
            "plain csv.reader (probe subset)",
            probe_rows,
            None,
            lambda: plain_csv_read(small / "videos.csv"),
        )
        timed(
            f"ingest with probing ({args.workers or 'default'} thr.)",
            probe_rows,
            small_base,
            lambda: prepare_asl_stem(
                small, out=Path(tmp) / "out-probed", workers=args.workers, progress=False
            ),
        )
        if args.zip:
            archive = zip_folder(small, Path(tmp) / "small.zip")
            timed(
                "ingest zip with probing",
                probe_rows,
                small_base,
                lambda: prepare_asl_stem(
                    archive, out=Path(tmp) / "out-zip", workers=args.workers, progress=False
                ),
            )


if __name__ == "__main__":
    main()
