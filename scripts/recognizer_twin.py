#!/usr/bin/env python
"""The recognizer on a synthetic twin: train on the twin of some articles, read a held-out one.

    python scripts/recognizer_twin.py --manifests TWIN_MANIFESTS --shards TWIN_SHARDS \\
        --held-out "Standard score" --out runs/twin [--checkpoint CKPT] [--config YAML]

The twin (``asl-stem synth --from-annotations``, ``asl-stem ingest``, ``asl-stem extract
--source keypoints``) keeps the real sentences, spelled strings and span frames, with letters
from real handshapes. The recognizer trains on every other article (its epochs chosen on the
config's validation split inside them), then reads the held-out article's annotated spans:
character error rate of the letters and digits. The term scorer is fitted on the other
articles' rows, and the held-out article's spans are aligned without and with the letters
(``--letters``): the share of spans given the right word, as ``asl-stem terms evaluate``
counts it. Prints a Markdown table and writes ``OUT/twin.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from asl_stem.atomic import write_json
from asl_stem.corpus import open_corpus
from asl_stem.corpus.readings import read_letter_file
from asl_stem.recognize.inference import recognize
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.joint import align_rows
from asl_stem.terms.rightword import alignment_accuracy
from asl_stem.training import train

CONFIG = Path(__file__).resolve().parents[1] / "models" / "recognizer-cpu.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", required=True, help="the twin's manifest folder")
    parser.add_argument("--shards", required=True, help="the twin's shards")
    parser.add_argument("--held-out", required=True, help="article to hold out")
    parser.add_argument("--out", required=True, help="folder for the run and the results")
    parser.add_argument("--checkpoint", help="a trained recognizer (skips training)")
    parser.add_argument("--config", default=str(CONFIG))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    checkpoint = args.checkpoint or train(
        args.config,
        [
            "--data.shards",
            args.shards,
            f"--data.exclude_articles={json.dumps([args.held_out])}",
            f"--trainer.default_root_dir={out}",
            f"--trainer.logger.init_args.save_dir={out}",
        ],
    )
    letters = out / "letters.jsonl"
    read = recognize(checkpoint, args.shards, letters, articles=[args.held_out])
    lines, readings, _ = read_letter_file(letters)
    rows = open_corpus(args.manifests).annotated_recordings()
    held = [row for row in rows if row.article == args.held_out]
    scorer = fit_scorer([row for row in rows if row.article != args.held_out])
    # the letters file numbers each recording's annotated spans as the manifests do
    by_frames = {
        (line.recording_id, s.start_frame, s.end_frame): readings[s.id]
        for line in lines.values()
        for s in line.spans
    }
    own = {
        span.id: by_frames[(row.recording_id, span.start_frame, span.end_frame)]
        for row in held
        for span in row.spans
        if (row.recording_id, span.start_frame, span.end_frame) in by_frames
    }
    text_only = alignment_accuracy(held, align_rows(scorer, held))
    with_letters = alignment_accuracy(held, align_rows(scorer, held, own))
    result = {
        "held_out": args.held_out,
        "checkpoint": str(checkpoint),
        "recognizer": read["annotated"],
        "aligner_text_only": text_only,
        "aligner_with_letters": with_letters,
    }
    write_json(out / "twin.json", result)
    print("| held-out article | spans | CER | exact | right word, text only | with letters |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.held_out} | {read['annotated']['spans']} | {read['annotated']['cer']:.3f} | "
        f"{read['annotated']['exact']:.3f} | {text_only['span_accuracy']:.3f} | "
        f"{with_letters['span_accuracy']:.3f} |"
    )


if __name__ == "__main__":
    main()
