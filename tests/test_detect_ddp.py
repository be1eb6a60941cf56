"""DDP for real: two CPU processes (gloo), each reading its own share of the shards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from detect_fixtures import make_toy_shards

REPO = Path(__file__).resolve().parents[1]


def test_two_process_ddp_training_finishes_with_a_checkpoint(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    make_toy_shards(shards, count=8, frames=120)
    run = tmp_path / "run"
    command = [sys.executable, "-m", "asl_stem.cli", "train"]
    command += ["--config", str(REPO / "models" / "detector-cpu.yaml")]
    command += [f"--data.shards={shards}", f"--data.val_shards={shards}"]
    command += ["--data.window_frames=64", "--data.batch_size=4", "--data.num_workers=1"]
    command += ["--model.debug=true", "--trainer.max_epochs=1", "--trainer.devices=2"]
    command += ["--trainer.strategy=ddp", "--trainer.enable_progress_bar=false"]
    command += [f"--trainer.default_root_dir={run}", f"--trainer.logger.init_args.save_dir={run}"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Starting with 2 processes" in result.stderr + result.stdout
    assert list(run.rglob("*.ckpt"))
