"""Pseudo-labels: only unannotated recordings, only spans at or above --min-score."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from weak_label_fixtures import make_mixed_shards, train_checkpoint

from asl_stem.cli import main
from asl_stem.corpus.spanfile import read_span_file
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.pseudo import MARGIN

ANNOTATED = {f"toy-{n:03d}" for n in range(6)}
UNANNOTATED = {f"toy-{n:03d}" for n in range(6, 12)}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("pseudo")
    shards = root / "shards"
    make_mixed_shards(shards, annotated=6, unannotated=6)
    checkpoint = train_checkpoint(shards, root, epochs=3, onset=0.3, offset=0.2, median=1,
                                  min_duration_on=2, min_duration_off=2)  # fmt: skip
    scores = [
        span.score
        for detection in iter_detections(load_detector(checkpoint), str(shards))
        for span in detection.spans
    ]
    return shards, checkpoint, scores


def test_pseudo_labels_skip_annotated_recordings_and_spans_under_min_score(setup, tmp_path):
    shards, checkpoint, scores = setup
    min_score = float(np.median(scores))
    assert min(scores) < min_score < max(scores), "the model must detect spans on both sides"
    out = tmp_path / "pseudo.jsonl"
    argv = ["pseudo-label", str(checkpoint), str(shards), "--min-score", str(min_score)]
    assert main([*argv, "--out", str(out), "--keep-uncertain", "--json"]) == 0
    found, problems = read_span_file(out)
    assert not problems and set(found) == UNANNOTATED
    spans = [span for item in found.values() for span in item.spans]
    assert spans and all(span.score >= min_score for span in spans)
    assert {span.source for span in spans} == {"pseudo"}
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    assert all(span.origin.endswith(f"@sha256:{digest}") for span in spans)

    strict = tmp_path / "strict.jsonl"
    assert main([*argv, "--out", str(strict)]) == 0
    kept, _ = read_span_file(strict)
    assert set(kept) <= UNANNOTATED
    detections = {
        d.recording_id: d
        for d in iter_detections(load_detector(checkpoint), str(shards), keys=UNANNOTATED)
    }
    for key, detection in detections.items():
        outside = np.ones(len(detection.probabilities), dtype=bool)
        for span in detection.spans:
            if span.score >= min_score:
                outside[max(0, span.start_frame - MARGIN) : span.end_frame + MARGIN + 1] = False
        sure = (
            all(span.score >= min_score for span in detection.spans)
            and not (detection.probabilities[outside] > 1 - min_score).any()
        )
        assert (key in kept) == sure  # a doubtful recording is left out whole
    assert len(kept) < len(UNANNOTATED)


def test_pseudo_label_report_counts_what_was_left_out(setup, tmp_path, capsys):
    shards, checkpoint, _ = setup
    out = tmp_path / "p.jsonl"
    assert main(["pseudo-label", str(checkpoint), str(shards), "--out", str(out),
                 "--exclude-articles", "Beta", "--json"]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["annotated_left_out"] == len(ANNOTATED)
    assert report["articles_left_out"] == 3 and report["recordings"] == 3
    assert main(["pseudo-label", str(checkpoint), str(shards), "--out", str(out),
                 "--articles", "Gamma"]) == 2  # fmt: skip
