"""``asl-stem train``: LightningCLI over the detector and its data, driven by YAML configs.

The config (``models/detector-cpu.yaml``, ``models/detector-gpu.yaml``) sets the trainer, the
model and the data; any key can be overridden on the command line
(``--data.shards DIR --trainer.max_epochs 5``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lightning as L

log = logging.getLogger(__name__)


def fit(config: str | Path | None, overrides: Sequence[str] = ()) -> L.Trainer:
    """Fit the detector with LightningCLI; return the trainer (callbacks, metrics, checkpoints).

    ``overrides`` are LightningCLI arguments, e.g. ``["--data.shards", "shards/"]``.
    """
    from lightning.pytorch.cli import LightningCLI

    from asl_stem.detect.data import FingerspellingData
    from asl_stem.detect.module import FingerspellingDetector

    args = ([f"--config={config}"] if config is not None else []) + list(overrides)
    argv, sys.argv = sys.argv, sys.argv[:1]  # the CLI reads ``args`` only, not our own argv
    try:
        cli = LightningCLI(
            FingerspellingDetector,
            FingerspellingData,
            args=args,
            run=False,
            seed_everything_default=0,
            save_config_kwargs={"overwrite": True},
        )
    finally:
        sys.argv = argv
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    return cli.trainer


def train(config: str | Path | None, overrides: Sequence[str] = ()) -> Path:
    """Fit the detector; return the checkpoint to use (the best if monitored, else the last)."""
    trainer = fit(config, overrides)
    callback = trainer.checkpoint_callback
    if callback is None:
        raise ValueError("the trainer has no ModelCheckpoint callback: enable checkpointing")
    best = callback.best_model_path or callback.last_model_path
    if not best:
        raise RuntimeError("training ended without writing a checkpoint (did any step run?)")
    log.info("checkpoint: %s", best)
    return Path(best)
