"""``asl-stem annotate``: ELAN documents out and back, and which recordings to annotate next."""

from __future__ import annotations

import argparse
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "annotate",
        "Grow the fingerspelling labels: ELAN export/import, and what to annotate next.",
    )
    actions = parser.add_subparsers(dest="annotate_command", metavar="ACTION", required=True)

    export = add_command(
        actions, "export", "Write one ELAN .eaf per recording, pre-filled with known spans."
    )
    export.add_argument(
        "corpus",
        nargs="*",
        metavar="MANIFEST_DIR",
        help="manifest folder of `asl-stem ingest`, or annotation CSVs; without them the "
        "--release is ingested on the fly",
    )
    export.add_argument("--spans", help="span file of `asl-stem detect` or `asl-stem terms align`")
    export.add_argument(
        "--release",
        help="release folder or zip holding the videos (zip members are extracted next to "
        "their .eaf); without it, the video paths of the manifests are linked",
    )
    export.add_argument("--out", required=True, metavar="DIR", help="folder for the .eaf files")
    export.add_argument(
        "--recordings",
        metavar="LIST",
        help="worklist CSV of `annotate select`, or recording ids one a line; without it, "
        "every recording with annotated or detected spans",
    )
    export.add_argument(
        "--fps", type=float, help="frame rate for recordings whose manifest has none (no video)"
    )
    export.set_defaults(func=_export)

    back = add_command(actions, "import", "Read corrected .eaf files back into an annotation CSV.")
    back.add_argument("folder", metavar="DIR", help="folder of .eaf files")
    back.add_argument("--out", required=True, help="annotation CSV to write (fs-annotations.csv)")
    back.add_argument("--tier", default="fingerspelling", help="tier holding the spans")
    back.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any file was left out"
    )
    back.set_defaults(func=_import)

    select = add_command(
        actions, "select", "Rank unannotated recordings by what a label would teach."
    )
    select.add_argument("checkpoint", help="detector checkpoint of `asl-stem train`")
    select.add_argument("shards", help="shards folder of `asl-stem extract`")
    select.add_argument("--budget", type=int, required=True, help="recordings to pick")
    select.add_argument("--out", required=True, help="worklist CSV to write")
    select.add_argument("--scorer", help="term scorer JSON; when omitted, the packaged scorer")
    select.add_argument(
        "--lexicon",
        help="your copy of ASL-LEX 2.0 signdata.csv, for a scorer fitted with lexicon features "
        "(the packaged one fitted with it is used when --scorer is omitted)",
    )
    select.set_defaults(func=_select)


def _export(args: argparse.Namespace) -> int:
    from asl_stem.annotate.export import export_documents

    report = export_documents(
        args.out,
        corpus=args.corpus or None,
        spans=args.spans,
        release=args.release,
        recordings=args.recordings,
        fps=args.fps,
    )
    return 0 if report.written + report.kept else 1


def _import(args: argparse.Namespace) -> int:
    from asl_stem.annotate.importing import import_documents

    result = import_documents(args.folder, args.out, tier=args.tier)
    return 1 if args.strict and result.skipped else 0


def _select(args: argparse.Namespace) -> int:
    from asl_stem.annotate.selection import select_recordings

    select_recordings(
        args.checkpoint,
        args.shards,
        args.budget,
        args.out,
        scorer=args.scorer,
        lexicon=args.lexicon,
    )
    return 0
