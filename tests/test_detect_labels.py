"""Label budgets and weak extra spans: which recordings train, with which targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from weak_label_fixtures import make_mixed_shards

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.detect.data import FingerspellingData, collate
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.weak_labels import ExtraSpansError, label_subset
from asl_stem.shards.reader import iter_samples

KEYS = [f"rec-{n:03d}" for n in range(200)]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    return folder, make_mixed_shards(folder, annotated=8, unannotated=6)


def test_a_label_fraction_keeps_the_same_recordings_for_the_same_seed():
    first = label_subset(KEYS, 0.1, seed=3)
    assert first == label_subset(list(KEYS), 0.1, seed=3)
    assert len(first) == 20 and set(first) <= set(KEYS)
    assert first != label_subset(KEYS, 0.1, seed=4)
    assert set(first) <= set(label_subset(KEYS, 0.25, seed=3))  # budgets are nested
    assert label_subset(KEYS, 1.0, seed=3) == KEYS
    assert len(label_subset(KEYS[:5], 0.05, seed=0)) == 1  # never none
    with pytest.raises(ValueError, match="label_fraction"):
        label_subset(KEYS, 0.0, seed=0)


def test_the_data_module_trains_on_the_fraction_and_validates_on_the_same_split(shards):
    folder, _ = shards

    def split(fraction, seed):
        data = FingerspellingData(
            str(folder), val_fraction=0.25, label_fraction=fraction, label_seed=seed
        )
        data.setup("fit")
        return data.train_keys, data.val_keys

    full_train, full_val = split(1.0, 0)
    half, val = split(0.5, 0)
    assert val == full_val and half == split(0.5, 0)[0]
    assert len(half) == round(len(full_train) / 2) and set(half) < set(full_train)
    assert not set(half) & set(val)


def pseudo_file(path, key, frames, spans):
    """A span file with pseudo spans for one recording."""
    items = [
        FingerspellingSpan(f"{key}:{n}", key, start, end, source="pseudo", score=0.9)
        for n, (start, end) in enumerate(spans)
    ]
    write_span_file(path, [RecordingSpans(key, frames, tuple(items), 30.0)])


def test_extra_spans_become_the_training_targets_of_unannotated_recordings(shards, tmp_path):
    folder, _ = shards
    extra = tmp_path / "pseudo.jsonl"
    pseudo_file(extra, "toy-009", 120, [(30, 59)])
    data = FingerspellingData(
        str(folder), extra_spans=str(extra), extra_weight=0.25, augment=False,
        window_frames=200, crops_per_recording=1,
    )  # fmt: skip
    data.setup("fit")
    assert data.extra_keys == ["toy-009"] and "toy-009" in data.train_set.keys
    sample = next(iter_samples(folder, keys={"toy-009"}))
    (window,) = data.train_set.windows(sample, np.random.default_rng(0))
    expected = np.zeros(120)
    expected[30:60] = 1
    np.testing.assert_array_equal(window["labels"], expected)
    assert window["weight"] == 0.25
    annotated = next(iter_samples(folder, keys={"toy-000"}))
    (plain,) = data.train_set.windows(annotated, np.random.default_rng(0))
    batch = collate([window, plain])
    assert batch["weights"][0, 0] == 0.25 and batch["weights"][1, 0] == 1.0

    without = FingerspellingData(str(folder), augment=False)
    without.setup("fit")
    assert "toy-009" not in without.train_set.keys


def test_extra_spans_never_replace_annotations_nor_reach_validation(shards, tmp_path):
    folder, _ = shards
    data = FingerspellingData(str(folder), val_fraction=0.25)
    data.setup("fit")
    extra = tmp_path / "pseudo.jsonl"
    lines = [RecordingSpans(key, 120, (), 30.0) for key in [data.train_keys[0], data.val_keys[0]]]
    write_span_file(extra, lines)
    refused = FingerspellingData(str(folder), val_fraction=0.25, extra_spans=str(extra))
    with pytest.raises(ExtraSpansError, match="none of its 2 recordings"):
        refused.setup("fit")
    pseudo_file(extra, "toy-010", 99, [(3, 9)])
    with pytest.raises(ExtraSpansError, match="99 frames there but 120"):
        FingerspellingData(str(folder), extra_spans=str(extra)).setup("fit")


def test_span_less_extra_recordings_are_kept_only_up_to_the_labelled_share(shards, tmp_path):
    folder, _ = shards
    extra = tmp_path / "pseudo.jsonl"
    found = FingerspellingSpan("toy-008:0", "toy-008", 30, 59, source="pseudo", score=0.9)
    lines = [RecordingSpans("toy-008", 120, (found,), 30.0)]
    lines += [RecordingSpans(f"toy-{n:03d}", 120, (), 30.0) for n in range(9, 14)]
    write_span_file(extra, lines)

    def kept(**options):
        data = FingerspellingData(str(folder), extra_spans=str(extra), **options)
        data.setup("fit")
        return data.extra_keys

    assert kept() == ["toy-008"]  # every labelled recording has a span: no empty one joins
    assert len(kept(extra_empty_share=0.5)) == 2 and "toy-008" in kept(extra_empty_share=0.5)
    assert kept(extra_empty_share=0.5) == kept(extra_empty_share=0.5)  # the same ones
    assert len(kept(extra_empty_share=1.0)) == 6
    write_span_file(extra, lines[1:])
    with pytest.raises(ExtraSpansError, match="beyond the labelled recordings' share"):
        kept()
    with pytest.raises(ValueError, match="extra_empty_share"):
        FingerspellingData(str(folder), extra_empty_share=1.5)


def test_frame_weights_scale_the_loss():
    model = FingerspellingDetector(debug=True, pos_weight=1.0)
    logits = torch.tensor([[4.0, -4.0, 4.0]])
    labels = torch.tensor([[1.0, 0.0, 0.0]])
    valid = torch.ones(1, 3, dtype=torch.bool)
    wrong_only = model.loss(logits, labels, valid, torch.tensor([[0.0, 0.0, 1.0]]))
    right_only = model.loss(logits, labels, valid, torch.tensor([[1.0, 1.0, 0.0]]))
    assert wrong_only > 4.0 > 0.1 > right_only
    assert torch.isclose(model.loss(logits, labels, valid, torch.ones(1, 3)),
                         model.loss(logits, labels, valid))  # fmt: skip
