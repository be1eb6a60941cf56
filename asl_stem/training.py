"""``asl-stem train``: LightningCLI over any of the toolkit's models, driven by YAML configs.

A config (``models/detector-cpu.yaml``, ``models/detector-gpu.yaml``, ...) names its model and
data module by ``class_path`` and sets the trainer; any key can be overridden on the command
line (``--data.shards DIR --trainer.max_epochs 5``). ``--ckpt_path last.ckpt`` resumes a run
where it stopped (optimiser, scheduler and step counter included), which is LightningCLI's own
``fit --ckpt_path``.
"""

from __future__ import annotations

import logging
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lightning as L

log = logging.getLogger(__name__)


def _no_advertisement(record: logging.LogRecord) -> bool:
    """Drop Lightning's "Tip: try installing ..." lines, which advertise a cloud service."""
    return not str(record.msg).startswith("💡 Tip")


logging.getLogger("lightning.pytorch.utilities.rank_zero").addFilter(_no_advertisement)
# Lightning 2.6 builds torch's deprecated ``LeafSpec`` itself (torch >= 2.10 warns on each run);
# the call is Lightning's, not ours, and nothing we change would silence it.
warnings.filterwarnings(
    "ignore",
    message=r"`isinstance\(treespec, LeafSpec\)` is deprecated",
    category=FutureWarning,
    module=r"lightning\.",
)


def _one_log_path() -> None:
    """Let Lightning's messages reach the screen once.

    ``import lightning`` gives its logger a console handler of its own and keeps propagating to
    the root logger, so under ``asl-stem`` (whose root logger prints) every message came out
    twice. When the root logger has a handler, the library's own one goes.
    """
    if logging.getLogger().hasHandlers():
        lightning_log = logging.getLogger("lightning")
        for handler in list(lightning_log.handlers):
            lightning_log.removeHandler(handler)


def fit(
    config: str | Path | None, overrides: Sequence[str] = (), ckpt_path: str | Path | None = None
) -> L.Trainer:
    """Fit the configured model; return the trainer (callbacks, metrics, checkpoints).

    ``overrides`` are LightningCLI arguments, e.g. ``["--data.shards", "shards/"]``.
    """
    import lightning as L
    from lightning.pytorch.cli import LightningCLI

    from asl_stem.trainbar import use_totals_bar

    if config is not None and not Path(config).is_file():
        raise FileNotFoundError(f"{config}: no such config; see models/*.yaml for examples")
    if ckpt_path is not None and not Path(ckpt_path).is_file():
        raise FileNotFoundError(f"{ckpt_path}: no such checkpoint to resume from")
    _one_log_path()
    args = ([f"--config={config}"] if config is not None else []) + list(overrides)
    argv, sys.argv = sys.argv, sys.argv[:1]  # the CLI reads ``args`` only, not our own argv
    try:
        cli = LightningCLI(
            L.LightningModule,
            L.LightningDataModule,
            subclass_mode_model=True,
            subclass_mode_data=True,
            args=args,
            run=False,
            seed_everything_default=0,
            save_config_kwargs={"overwrite": True},
        )
    except ValueError as error:
        raise _own_refusal(error) from None
    finally:
        sys.argv = argv
    use_totals_bar(cli.trainer)
    cli.trainer.fit(
        cli.model, datamodule=cli.datamodule, ckpt_path=str(ckpt_path) if ckpt_path else None
    )
    return cli.trainer


def _own_refusal(error: ValueError) -> ValueError:
    """The toolkit's own refusal of a setting behind a LightningCLI error, else ``error``.

    A model or data module refusing a value (``--data.window_frames 0``) raises a one-line
    ``ValueError`` that jsonargparse wraps in a many-line report of every type it tried; the
    innermost error of the chain, when raised by the toolkit's code, is the line to show.
    """
    cause: BaseException = error
    while (cause.__cause__ or cause.__context__) is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    frames = traceback.extract_tb(cause.__traceback__)
    own = bool(frames) and Path(frames[-1].filename).is_relative_to(Path(__file__).parent)
    return cause if own and isinstance(cause, ValueError) else error


def train(
    config: str | Path | None, overrides: Sequence[str] = (), ckpt_path: str | Path | None = None
) -> Path:
    """Fit; return the checkpoint to use (the best if a metric is monitored, else the last)."""
    trainer = fit(config, overrides, ckpt_path)
    callback = trainer.checkpoint_callback
    if callback is None:
        raise ValueError("the trainer has no ModelCheckpoint callback: enable checkpointing")
    best = callback.best_model_path or callback.last_model_path
    if not best:
        raise RuntimeError("training ended without writing a checkpoint (did any step run?)")
    log.info("checkpoint: %s", best)
    return Path(best)
