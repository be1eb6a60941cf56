"""kill -9 in the middle of `asl-stem train`, resume from last.ckpt: the same steps as a run
that was never stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
from detect_fixtures import make_toy_shards

REPO = Path(__file__).resolve().parents[1]
EPOCHS, SAMPLES, CROPS, BATCH = 4, 24, 2, 4


def command(shards: Path, run: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "asl_stem.cli", "train",
        "--config", str(REPO / "models" / "detector-cpu.yaml"),
        f"--data.shards={shards}", "--model.debug=true", "--data.window_frames=32",
        f"--data.batch_size={BATCH}", f"--data.samples_per_epoch={SAMPLES}",
        f"--data.crops_per_recording={CROPS}", "--data.num_workers=0",
        f"--trainer.max_epochs={EPOCHS}", "--trainer.enable_progress_bar=false",
        f"--trainer.default_root_dir={run}", f"--trainer.logger.init_args.save_dir={run}",
        *extra,
    ]  # fmt: skip


def saved(path: Path) -> dict | None:
    """The checkpoint at ``path`` once it is there and complete, else None."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (FileNotFoundError, RuntimeError, EOFError):
        return None


def test_kill_9_mid_run_then_resume_ends_with_the_steps_of_an_uninterrupted_run(tmp_path):
    shards = tmp_path / "shards"
    make_toy_shards(shards, count=8, frames=120)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    quiet = {"env": env, "cwd": tmp_path, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    whole = subprocess.Popen(command(shards, tmp_path / "whole"), **quiet)
    killed_run = tmp_path / "killed"
    killed = subprocess.Popen(command(shards, killed_run), **quiet)
    last = killed_run / "logs" / "version_0" / "checkpoints" / "last.ckpt"
    while killed.poll() is None:  # kill once an epoch after the first has been saved
        state = saved(last)
        if state is not None and state["epoch"] >= 1:
            os.kill(killed.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    assert killed.wait() == -signal.SIGKILL, "the run ended before it could be killed"
    assert saved(last)["epoch"] < EPOCHS - 1  # it was stopped before its last epoch
    assert whole.wait(timeout=600) == 0, whole.stderr.read().decode()[-2000:]

    resumed = subprocess.run(
        command(shards, killed_run, "--ckpt_path", str(last)), timeout=600, **quiet
    )
    assert resumed.returncode == 0, resumed.stderr.decode()[-2000:]
    steps_per_epoch = SAMPLES * CROPS // BATCH
    uninterrupted = saved(tmp_path / "whole" / "logs" / "version_0" / "checkpoints" / "last.ckpt")
    after_resume = saved(killed_run / "logs" / "version_1" / "checkpoints" / "last.ckpt")
    assert uninterrupted["global_step"] == EPOCHS * steps_per_epoch
    assert after_resume["global_step"] == uninterrupted["global_step"]
    assert after_resume["epoch"] == uninterrupted["epoch"] == EPOCHS - 1
