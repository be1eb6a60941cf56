"""How fast the synthetic signer makes frames, beside baselines measured in the same run.

Prints frames per second of: ``synthesize`` (planning, body, noise: the whole signer), the
renderer (drawing + mp4 encoding of the same frames), and a plain numpy copy of the same
frames (the floor: what merely producing that many (543, 3) float32 frames costs).

Usage: python benchmarks/bench_synth.py [--recordings 40] [--size 192]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from asl_stem.synth import synthesize
from asl_stem.synth.articles import load_articles
from asl_stem.synth.render import render_video

TERMS = ("catalysis", "Brønsted", "electrophile", "RuBisCO")


def main() -> None:
    """Time the three and print a table with ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=40)
    parser.add_argument("--size", type=int, default=192)
    args = parser.parse_args()
    sentences = [text for article in load_articles() for _, _, text in article.sentences()]
    synthesize(sentences[0], [], seed=0)  # load the letter lexicon before timing
    start = time.perf_counter()
    made = [
        synthesize(sentences[i % len(sentences)], [TERMS[i % len(TERMS)]], seed=i)
        for i in range(args.recordings)
    ]
    synth_s = time.perf_counter() - start
    frames = sum(signing.num_frames for signing in made)
    start = time.perf_counter()
    copies = [signing.keypoints.copy() for signing in made]
    copy_s = max(time.perf_counter() - start, 1e-9)
    with tempfile.TemporaryDirectory() as folder:
        chosen = made[: max(1, args.recordings // 4)]
        render_frames = sum(signing.num_frames for signing in chosen)
        start = time.perf_counter()
        for index, signing in enumerate(chosen):
            render_video(
                signing.keypoints, Path(folder) / f"{index}.mp4", spans=signing.spans,
                size=(args.size, args.size),
            )  # fmt: skip
        render_s = time.perf_counter() - start
    synth_fps, render_fps = frames / synth_s, render_frames / render_s
    copy_fps = frames / copy_s
    print(f"{args.recordings} recordings, {frames} frames ({len(copies)} copied)")
    print(f"{'stage':<28}{'frames/s':>12}{'vs synth':>10}")
    print(f"{'synthesize (keypoints)':<28}{synth_fps:>12.0f}{1.0:>10.2f}")
    render_name = f"render mp4 {args.size}px"
    print(f"{render_name:<28}{render_fps:>12.0f}{render_fps / synth_fps:>10.2f}")
    print(f"{'numpy copy (floor)':<28}{copy_fps:>12.0f}{copy_fps / synth_fps:>10.2f}")
    print(f"real time at 30 fps: synthesize x{synth_fps / 30:.0f}, render x{render_fps / 30:.0f}")


if __name__ == "__main__":
    main()
