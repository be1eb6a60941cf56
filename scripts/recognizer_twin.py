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
counts it. With ``--detections`` (a span file of the held-out article's recordings, e.g. the
leave-one-article-out fold's of ``scripts/loao.py``), the detected spans are read and aligned
too, end to end: each annotated span judged by the detected span overlapping it most (frame IoU
>= 0.5), a missed one wrong. Prints a Markdown table and writes ``OUT/twin.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import replace
from pathlib import Path

from asl_stem.atomic import write_json
from asl_stem.corpus import AnnotatedRecording, open_corpus
from asl_stem.corpus.readings import read_letter_file
from asl_stem.recognize.inference import recognize
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.joint import align_rows
from asl_stem.terms.rightword import alignment_accuracy, overlapping
from asl_stem.terms.scorer import TermScorer
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
    parser.add_argument("--detections", help="a detector's span file, to read end to end")
    parser.add_argument(
        "--one-word-spans",
        action="store_true",
        help="align each detected span as one word (as if annotated: no pair of words split)",
    )
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
    if args.detections:
        result["detected"] = _end_to_end(checkpoint, args, out, held, scorer)
    write_json(out / "twin.json", result)
    print("| held-out article | spans | CER | exact | right word, text only | with letters |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.held_out} | {read['annotated']['spans']} | {read['annotated']['cer']:.3f} | "
        f"{read['annotated']['exact']:.3f} | {text_only['span_accuracy']:.3f} | "
        f"{with_letters['span_accuracy']:.3f} |"
    )
    if "detected" in result:
        detected = result["detected"]
        print(
            f"| {args.held_out}, detected spans end to end | {detected['text_only']['spans']} | "
            f"| | {detected['text_only']['span_accuracy']:.3f} | "
            f"{detected['with_letters']['span_accuracy']:.3f} |"
        )


def _end_to_end(
    checkpoint: str | Path,
    args: argparse.Namespace,
    out: Path,
    held: list[AnnotatedRecording],
    scorer: TermScorer,
) -> dict[str, dict]:
    """Read the detected spans of the held-out article, align them without and with their
    letters, and judge every annotated span by the detected span overlapping it."""
    letters = out / "letters-detected.jsonl"
    recognize(checkpoint, args.shards, letters, spans=args.detections, articles=[args.held_out])
    lines, readings, _ = read_letter_file(letters)
    rows = []
    for row in held:
        if row.recording_id in lines:
            spans = lines[row.recording_id].spans
            if args.one_word_spans:
                spans = tuple(span.replace(source="annotated") for span in spans)
            rows.append(replace(row, spans=spans))
    return {
        "recordings": len(rows),
        "text_only": alignment_accuracy(held, align_rows(scorer, rows), overlapping),
        "with_letters": alignment_accuracy(held, align_rows(scorer, rows, readings), overlapping),
    }


if __name__ == "__main__":
    main()
