"""Real Lightning training of the recognizer on tiny synthetic shards, then recognize."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from rapidfuzz.distance import Levenshtein

from asl_stem.cli import main
from asl_stem.corpus.readings import read_letter_file
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.detect.synthetic import write_synthetic_shards
from asl_stem.recognize.alphabet import spelled
from asl_stem.recognize.data import LetterData
from asl_stem.recognize.inference import load_recognizer
from asl_stem.recognize.module import LetterRecognizer
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans

CONFIG = Path(__file__).resolve().parents[1] / "models" / "recognizer-cpu.yaml"
TINY = [
    "--model.init_args.hidden=16",
    "--model.init_args.layers=1",
    "--model.init_args.heads=2",
    "--model.init_args.kernel_size=5",
    "--model.init_args.beam=4",
    "--model.init_args.nbest=3",
    "--data.init_args.batch_size=8",
    "--data.init_args.num_workers=0",
    "--data.init_args.val_fraction=0.3",
    "--trainer.max_epochs=1",
    "--trainer.enable_progress_bar=false",
]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shards")
    write_synthetic_shards(folder, recordings=8, frames=(200, 320), shard_size=2)
    return folder


@pytest.fixture(scope="module")
def checkpoint(shards: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    args = ["train", "--config", str(CONFIG), "--data.shards", str(shards), *TINY]
    args += [f"--trainer.default_root_dir={runs}", f"--trainer.logger.init_args.save_dir={runs}"]
    assert main(args) == 0
    found = sorted(runs.rglob("*.ckpt"))
    assert found
    return found[0]


def test_the_validation_split_is_inside_the_training_shards(shards: Path) -> None:
    keys = [sample["key"] for sample in iter_samples(shards)]
    data = LetterData(str(shards), val_fraction=0.3)
    data.setup("fit")
    assert 0 < len(data.val_keys) < len(keys)
    assert sorted(data.train_keys + data.val_keys) == sorted(keys)
    assert not set(data.train_keys) & set(data.val_keys)


def test_recognize_reads_every_annotated_span(
    checkpoint: Path, shards: Path, tmp_path: Path, capsys
) -> None:
    assert load_recognizer(checkpoint).hparams.nbest == 3
    out = tmp_path / "letters.jsonl"
    assert main(["recognize", str(checkpoint), str(shards), "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    lines, readings, problems = read_letter_file(out)
    assert problems == []
    truths = {s["key"]: sample_spans(s) for s in iter_samples(shards)}
    assert set(lines) == {key for key, spans in truths.items() if spans}
    for key, line in lines.items():
        assert [(s.start_frame, s.end_frame) for s in line.spans] == [s.frames for s in truths[key]]
        for span in line.spans:
            assert span.text_source == "read" and 0 <= span.text_score <= 1
            reading = readings[span.id]
            assert reading.best == span.text and 1 <= len(reading.alternatives) <= 3
            assert sum(p for _, p in reading.alternatives) == pytest.approx(1.0, abs=1e-4)
    assert report["annotated"]["spans"] == sum(len(s) for s in truths.values() if s)
    # the reported CER is that of the letters written, against the annotated texts
    edits = chars = 0
    for key, line in lines.items():
        for span, truth in zip(line.spans, truths[key], strict=True):
            edits += Levenshtein.distance(spelled(truth.text), spelled(span.text))
            chars += len(spelled(truth.text))
    assert report["annotated"]["cer"] == pytest.approx(edits / chars)


def test_recognize_detected_spans_and_bad_inputs(
    checkpoint: Path, shards: Path, tmp_path: Path
) -> None:
    key = next(iter_samples(shards))["key"]
    detected = tmp_path / "spans.jsonl"
    span = FingerspellingSpan(f"{key}:0", key, 10, 60, "detected", score=0.7)
    write_span_file(detected, [RecordingSpans(key, 200, (span,), 30.0)])
    out = tmp_path / "letters.jsonl"
    assert (
        main(
            ["recognize", str(checkpoint), str(shards), "--spans", str(detected), "--out", str(out)]
        )
        == 0
    )
    lines, readings, _ = read_letter_file(out)
    (read,) = lines[key].spans
    assert read.source == "detected" and read.score == 0.7 and read.id in readings
    assert main(["recognize", str(detected), str(shards), "--out", str(out)]) == 2


def test_a_run_can_start_from_another_runs_weights(checkpoint: Path) -> None:
    trained = load_recognizer(checkpoint)
    tuned = LetterRecognizer(**{**trained.hparams, "init_from": str(checkpoint)})
    for key, value in trained.network.state_dict().items():
        assert torch.equal(value, tuned.network.state_dict()[key])
    with pytest.raises(ValueError, match="does not fit this config"):
        LetterRecognizer(hidden=32, heads=2, init_from=str(checkpoint))
