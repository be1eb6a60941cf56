"""``asl-stem terms``: score the terms of sentences, fit the scorer, align spans, evaluate."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)
ALIGNED_HELP = (
    "span files of `asl-stem terms align` (recordings without labels, their spans named by the "
    "aligner): they add to how often each term was spelled or signed"
)
SOURCE_HELP = "annotation CSV(s) (ingested on the fly) or a manifest folder of `asl-stem ingest`"


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "terms", "Which terms get fingerspelled; align spans to words."
    )
    actions = parser.add_subparsers(dest="terms_command", metavar="ACTION", required=True)

    predict = add_command(
        actions, "predict", "Score every candidate word/phrase of each sentence of a corpus."
    )
    predict.add_argument("--annotations", required=True, nargs="+", help=SOURCE_HELP)
    predict.add_argument("--out", required=True, help="output JSONL, one line per sentence")
    predict.add_argument("--scorer", help="scorer JSON; when omitted, the packaged scorer")
    _lexicon_flag(predict)
    _aligned_flag(
        predict,
        "span files of `asl-stem terms align`: each article's scores are blended with how "
        "often its aligned recordings spelled each term (and each term carries those counts)",
    )
    predict.set_defaults(func=_guarded(_predict))

    fit = add_command(actions, "fit", "Fit a term scorer on annotated recordings.")
    fit.add_argument("--annotations", required=True, nargs="+", help=SOURCE_HELP)
    fit.add_argument("--out", required=True, help="scorer JSON to write")
    _lexicon_flag(fit)
    _model_flags(fit)
    _aligned_flag(fit, ALIGNED_HELP)
    fit.set_defaults(func=_guarded(_fit))

    evaluate = add_command(
        actions, "evaluate", "Leave-one-article-out figures beside the rarest-k baseline."
    )
    evaluate.add_argument("--annotations", required=True, nargs="+", help=SOURCE_HELP)
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    _lexicon_flag(evaluate)
    _model_flags(evaluate)
    _aligned_flag(evaluate, ALIGNED_HELP)
    evaluate.add_argument(
        "--detections",
        metavar="SPANS",
        help="span file of `asl-stem detect` over the annotated recordings: the other "
        "interpreters' spans in the blend (scorer_others) are these, aligned, instead of "
        "the annotated span positions",
    )
    evaluate.add_argument(
        "--learning-curve",
        action="store_true",
        help="also score every held-out article with 1, 2, ... training articles",
    )
    evaluate.set_defaults(func=_guarded(_evaluate))

    align = add_command(actions, "align", "Assign each fingerspelled span to the word it spells.")
    align.add_argument("--annotations", required=True, nargs="+", help=SOURCE_HELP)
    align.add_argument("--spans", help="span file of `asl-stem detect`; default: the annotated")
    align.add_argument(
        "--letters",
        help="letters file of `asl-stem recognize`: the letters read from each span count too "
        "(its spans are aligned unless --spans is given)",
    )
    align.add_argument("--out", required=True, help="span file to write, one line per recording")
    align.add_argument("--scorer", help="scorer JSON; when omitted, the packaged scorer")
    _lexicon_flag(align)
    align.set_defaults(func=_guarded(_align))


def _lexicon_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lexicon",
        help="your copy of ASL-LEX 2.0 signdata.csv: adds whether ASL has a sign for each term "
        "(the packaged scorer fitted with it is used when --scorer is omitted)",
    )


def _model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", choices=("boosting", "logistic"), default="boosting", help="model to fit"
    )
    parser.add_argument(
        "--calibration",
        choices=("platt", "isotonic", "none"),
        default="platt",
        help="calibration fitted on held-out articles inside the fitting rows",
    )


def _aligned_flag(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument(
        "--aligned",
        nargs="+",
        default=[],
        metavar="SPANS",
        help=text + "; the corpus of --annotations must know their recordings",
    )


def _guarded(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run an action; a missing or unusable input file is one error line and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except (OSError, ValueError, KeyError) as error:
            log.error("%s", error)
            return 1

    return run


def _predict(args: argparse.Namespace) -> int:
    from asl_stem.terms.jobs import load_lexicon, load_scorer, predict_file

    scorer = load_scorer(args.scorer, load_lexicon(args.lexicon))
    predict_file(args.annotations, args.out, scorer, args.aligned)
    return 0


def _fit(args: argparse.Namespace) -> int:
    from asl_stem.terms.jobs import fit_from, load_lexicon

    options = {"model": args.model, "calibration": args.calibration}
    fit_from(args.annotations, args.out, load_lexicon(args.lexicon), args.aligned, **options)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from asl_stem.terms.evaluate import format_report
    from asl_stem.terms.jobs import evaluate_files, load_lexicon

    options = {"model": args.model, "calibration": args.calibration}
    lexicon = load_lexicon(args.lexicon)
    report = evaluate_files(
        args.annotations,
        lexicon,
        learning_curve=args.learning_curve,
        aligned=args.aligned,
        detections=args.detections,
        **options,
    )
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _align(args: argparse.Namespace) -> int:
    from asl_stem.terms.jobs import align_file, load_lexicon, load_scorer

    scorer = load_scorer(args.scorer, load_lexicon(args.lexicon))
    align_file(args.annotations, args.out, scorer, spans=args.spans, letters=args.letters)
    return 0
