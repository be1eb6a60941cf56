#!/usr/bin/env python
"""Write the README's detector and storage figures from the committed reports.

    python scripts/results_block.py            # rewrite the block between the README's markers
    python scripts/results_block.py --check    # exit 1 when the README says something else

Sources: the mean row of the leave-one-article-out table in docs/detector.md (written by
scripts/loao.py), the heuristic's folds in docs/results/heuristic-loao.json (scripts/loao.py
--heuristic-only) and docs/results/stored-bytes.json (benchmarks/bench_stored_bytes.py --out).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from asl_stem.atomic import write_marked_block

ROOT = Path(__file__).resolve().parents[1]
NAME = "results"


def detector_means(report: Path) -> dict[str, float]:
    """The model's and the hand-set heuristic's means from the LOAO table of ``report``."""
    block = report.read_text("utf-8").split("<!-- loao:start -->", 1)[1].split("<!-- loao:end")[0]
    row = re.search(r"^\| \*\*mean\*\* \|(.*)\|$", block, re.M)
    if row is None:
        raise SystemExit(f"{report}: no mean row between the loao markers")
    cells = [float(c) for c in row.group(1).split("|")[1:]]
    names = [f"{m} {s}" for m in ("ap@0.1", "ap@0.5", "iou", "f1") for s in ("model", "heur")]
    return dict(zip(names, cells, strict=True))


def heuristic_means(results: Path) -> dict[str, float]:
    """Means over folds of the hand-set heuristic and of the one tuned on training articles."""
    folds = json.loads(results.read_text("utf-8"))["folds"]
    means = {}
    for system in ("hand_set", "tuned"):
        rows = [fold[system] for fold in folds]
        for metric in ("ap@0.1", "mean_iou", "f1"):
            values = [r["ap"]["0.1"] if metric == "ap@0.1" else r[metric] for r in rows]
            means[f"{metric} {system}"] = sum(values) / len(values)
    return means


def block(root: Path = ROOT) -> str:
    """The Markdown the README's results block holds."""
    model = detector_means(root / "docs" / "detector.md")
    heur = heuristic_means(root / "docs" / "results" / "heuristic-loao.json")
    size = json.loads((root / "docs" / "results" / "stored-bytes.json").read_text("utf-8"))
    same = size["reference_format_same_points_and_values"]
    return (
        "- Detector, leave-one-article-out on a synthetic twin of the four shared annotated "
        "articles\n  (CPU config, 2 cores; [docs/detector.md](docs/detector.md)): mean AP@0.1 "
        f"{model['ap@0.1 model']:.3f} vs {model['ap@0.1 heur']:.3f}\n  for the hand-set "
        f"heuristic, mean IoU {model['iou model']:.3f} vs {model['iou heur']:.3f}, frame F1 "
        f"{model['f1 model']:.3f} vs {model['f1 heur']:.3f}. The heuristic\n  tuned on each "
        f"fold's training articles: AP@0.1 {heur['ap@0.1 tuned']:.3f}, mean "
        f"IoU {heur['mean_iou tuned']:.3f},\n  frame F1 {heur['f1 tuned']:.3f}. Figures on "
        "synthetic keypoints, not comparable to the published 0.19–0.28 mean IoU\n  on real "
        "video.\n"
        f"- Extraction storage: {size['ours']:,.0f} bytes a frame in our shards (75 points, "
        f"float16 x, y, z) vs\n  {size['reference_as_written']:,.0f} in the reference code's "
        f"files (543 points, float64 x, y), and {same:,.0f} for the same\n  75 points and 3 "
        f"values in the reference's float64 format (x{same / size['ours']:.1f} like for like;"
        "\n  `python benchmarks/bench_stored_bytes.py`)."
    )


def current(readme: Path) -> str:
    """What the README's block says now."""
    text = readme.read_text("utf-8")
    start, end = f"<!-- {NAME}:start -->", f"<!-- {NAME}:end -->"
    if start not in text or end not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    wanted = block()
    if args.check:
        if current(args.readme) != wanted:
            print(f"{args.readme}: results block differs; run python scripts/results_block.py")
            return 1
        return 0
    write_marked_block(args.readme, NAME, wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
