"""Self-supervised pretraining: its objectives, a real run, and fine-tuning from it."""

from __future__ import annotations

import pytest
import torch
from weak_label_fixtures import make_mixed_shards

from asl_stem.cli import main
from asl_stem.detect.checkpoint import CheckpointError, read_checkpoint
from asl_stem.detect.features import FEATURE_DIM, handshape_columns
from asl_stem.detect.masking import MaskConfig, Masker, random_runs
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.pretrain_data import PretrainData
from asl_stem.detect.pretraining import EncoderPretraining
from asl_stem.detect.text_encoder import sentence_key, sentence_tokens

SMALL = ["--model.hidden=16", "--model.dilations=[1, 2]", "--model.heads=2"]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pretrain-shards")
    make_mixed_shards(folder, annotated=4, unannotated=8)
    return folder


@pytest.fixture(scope="module")
def pretrained(shards, tmp_path_factory):
    run = tmp_path_factory.mktemp("pretrain-run")
    argv = ["pretrain", "--config", "models/pretrain-cpu.yaml", f"--data.shards={shards}"]
    argv += [*SMALL, "--trainer.max_epochs=2", "--data.window_frames=64", "--data.batch_size=4"]
    argv += ["--data.val_fraction=0.2", "--data.num_workers=0"]
    argv += ["--trainer.enable_progress_bar=false"]
    argv += [f"--trainer.default_root_dir={run}", f"--trainer.logger.init_args.save_dir={run}"]
    assert main(argv) == 0
    return next(run.rglob("last.ckpt"))


def test_pretraining_reads_every_recording_labelled_or_not(shards):
    data = PretrainData(str(shards), val_fraction=0.2)
    data.setup("fit")
    assert len(data.train_keys) + len(data.val_keys) == 12
    batch = next(iter(data.train_dataloader()))
    assert batch["has_text"].all() and len(batch["text_offsets"]) == len(batch["features"])


def test_the_pretrained_encoder_starts_the_detector_and_training_runs(pretrained, shards, tmp_path):
    weights = read_checkpoint(pretrained).contents["state_dict"]
    assert weights and all(name.startswith(("network.", "masker.", "reconstruct.", "text.",
                                            "project.")) for name in weights)  # fmt: skip
    detector = FingerspellingDetector(
        hidden=16, dilations=(1, 2), heads=2, init_from=str(pretrained)
    )
    fresh = {k: v.clone() for k, v in detector.network.state_dict().items()}
    detector.setup("fit")
    loaded = detector.network.state_dict()
    for name, value in loaded.items():
        if name.startswith("head."):
            assert torch.equal(value, fresh[name])  # the head is the detector's own
        else:
            assert torch.equal(value, weights[f"network.{name}"]), name

    run = tmp_path / "finetune"
    argv = ["train", "--config", "models/detector-cpu.yaml", f"--data.shards={shards}", *SMALL]
    argv += [f"--model.init_from={pretrained}", "--trainer.max_epochs=1", "--data.num_workers=0"]
    argv += ["--data.window_frames=64", "--trainer.enable_progress_bar=false"]
    argv += [f"--trainer.default_root_dir={run}", f"--trainer.logger.init_args.save_dir={run}"]
    assert main(argv) == 0

    other = FingerspellingDetector(hidden=32, dilations=(1, 2), heads=2, init_from=str(pretrained))
    with pytest.raises(CheckpointError, match="same model settings"):
        other.setup("fit")


def test_masking_hides_valid_frames_and_handshapes_with_the_token():
    valid = torch.ones(8, 200, dtype=torch.bool)
    valid[:, 150:] = False
    generator = torch.Generator().manual_seed(0)
    runs = random_runs(valid, 0.3, 8, generator)
    assert not runs[:, 150:].any() and 0.15 < runs[:, :150].float().mean() < 0.4
    masker = Masker(MaskConfig(frame_ratio=0.2, hand_ratio=0.2, span=6))
    with torch.no_grad():
        masker.token.fill_(7.0)
    features = torch.zeros(8, 200, FEATURE_DIM)
    masked, hidden = masker(features, valid, generator)
    assert torch.equal(masked == 7.0, hidden) and not hidden[:, 150:].any()
    partial = hidden.any(-1) & ~hidden.all(-1)  # frames where only the hands are hidden
    assert partial.any()
    columns = torch.from_numpy(handshape_columns())
    assert torch.equal(hidden[partial], columns.expand(int(partial.sum()), -1))


def test_sentence_tokens_and_keys_are_stable_and_shared_by_pieces():
    assert sentence_key("The PCR test.") == sentence_key("the pcr  TEST")
    helicase, unwinds = sentence_tokens("helicase"), sentence_tokens("helicases unwind")
    assert len(set(helicase) & set(unwinds)) >= 4  # letter trigrams of a related word
    assert (sentence_tokens("helicase") == helicase).all()


def test_windows_of_one_sentence_are_no_negatives_of_each_other():
    model = EncoderPretraining(hidden=16, dilations=(1,), heads=2, mask_weight=0.0)
    states = torch.randn(3, 10, 16)
    valid = torch.ones(3, 10, dtype=torch.bool)
    ids = torch.from_numpy(sentence_tokens("one sentence"))
    batch = {
        "has_text": torch.ones(3, dtype=torch.bool),
        "text_ids": ids.repeat(3),
        "text_offsets": torch.tensor([0, len(ids), 2 * len(ids)]),
        "sentence_keys": torch.tensor([5, 5, 5]),
    }
    loss, accuracy = model.sentence_matching(states, valid, batch)
    assert loss.item() == pytest.approx(0.0) and accuracy.item() == 1.0
    batch["sentence_keys"] = torch.tensor([5, 6, 7])
    assert model.sentence_matching(states, valid, batch)[0].item() > 0.1


@pytest.mark.parametrize(("objective", "steps"), [("mask", 40), ("text", 60)])
def test_each_objective_learns_a_fixed_batch(shards, objective, steps):
    data = PretrainData(str(shards), val_fraction=0.0, window_frames=64, augment=False)
    data.setup("fit")
    batch = next(iter(data.train_dataloader()))
    torch.manual_seed(0)
    weights = {"mask_weight": float(objective == "mask"), "text_weight": float(objective == "text")}
    model = EncoderPretraining(hidden=32, dilations=(1, 2), heads=2, dropout=0.0, **weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = model.losses(batch, torch.Generator().manual_seed(1))
    for _ in range(steps):
        optimizer.zero_grad()
        model.losses(batch)["loss"].backward()
        optimizer.step()
    last = model.losses(batch, torch.Generator().manual_seed(1))
    assert last[objective] < 0.7 * first[objective]
    if objective == "text":  # every window now picks its own sentence out of the batch
        assert last["text_acc"] == 1.0


def test_the_gpu_config_runs_a_batch_in_bf16_on_cpu(shards, tmp_path):
    from asl_stem.training import fit

    overrides = [f"--data.shards={shards}", "--trainer.accelerator=cpu", "--trainer.devices=1"]
    overrides += ["--trainer.strategy=auto", "--trainer.fast_dev_run=true"]
    overrides += ["--data.num_workers=0", "--data.window_frames=64", "--data.batch_size=4"]
    overrides += ["--data.val_fraction=0.2", f"--trainer.default_root_dir={tmp_path}"]
    trainer = fit("models/pretrain-gpu.yaml", overrides)
    assert trainer.state.finished and trainer.precision == "bf16-mixed"
    assert trainer.global_step == 1
