"""Checkpoint integrity: refuse empty, truncated or corrupted weights instead of running them.

PyTorch's checkpoint format checks no CRC, so a flipped bit in a weight loads silently and
gives wrong spans. Every model of the toolkit therefore stamps its checkpoints with a sha256 of
its weights (:func:`stamp`), and every reader recomputes it (:func:`read_checkpoint`). The
sha256 of the file itself goes into the outputs (``origin`` of detected spans), so a result
can be traced to the exact weights that made it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

log = logging.getLogger(__name__)

STAMP_KEY = "asl_stem"
WEIGHTS_KEY = "weights_sha256"
ADVICE = "use another checkpoint of the run (its checkpoints/ folder) or train again"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: empty, not a checkpoint, or corrupted."""


@dataclass(frozen=True)
class LoadedCheckpoint:
    """A checkpoint read and verified: its raw bytes, its contents and its file sha256."""

    path: Path
    data: bytes
    contents: dict[str, Any]
    sha256: str

    @property
    def origin(self) -> str:
        """How outputs name these weights: ``<path>@sha256:<file digest>``."""
        return f"{self.path}@sha256:{self.sha256}"

    def stream(self) -> io.BytesIO:
        """The bytes again, for ``LightningModule.load_from_checkpoint``."""
        return io.BytesIO(self.data)


def weights_digest(state_dict: Mapping[str, torch.Tensor]) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name]
        if not isinstance(tensor, torch.Tensor):
            continue
        flat = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}|{flat.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def stamp(checkpoint: dict[str, Any]) -> None:
    """Record the weights' digest in a checkpoint being saved (``on_save_checkpoint``)."""
    checkpoint[STAMP_KEY] = {WEIGHTS_KEY: weights_digest(checkpoint["state_dict"])}


def read_checkpoint(path: str | Path) -> LoadedCheckpoint:
    """Read, parse and verify a checkpoint; :class:`CheckpointError` names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file; {ADVICE}")
    data = path.read_bytes()
    if not data:
        raise CheckpointError(
            f"{path}: the checkpoint is empty (0 bytes), probably cut off while it was "
            f"written; {ADVICE}"
        )
    contents = _parse(path, data)
    verify(contents, path)
    return LoadedCheckpoint(path, data, contents, hashlib.sha256(data).hexdigest())


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    """``torch.load`` of the bytes (tensors and plain values only), as a dict with weights."""
    try:
        contents = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except (EOFError, RuntimeError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as e:
        reason = str(e).strip().splitlines()[0][:160] if str(e).strip() else type(e).__name__
        raise CheckpointError(
            f"{path} is not a checkpoint of `asl-stem train` ({reason}); {ADVICE}"
        ) from e
    if not isinstance(contents, dict) or not isinstance(contents.get("state_dict"), dict):
        raise CheckpointError(f"{path}: holds no model weights (no state_dict); {ADVICE}")
    return contents


def verify(contents: Mapping[str, Any], path: str | Path) -> None:
    """Refuse weights that are not finite or do not match the digest stored at saving."""
    state = contents["state_dict"]
    for name, tensor in state.items():
        floating = isinstance(tensor, torch.Tensor) and tensor.is_floating_point()
        if floating and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{path}: weight {name} holds NaN or infinite values: the file is corrupt "
                f"or training diverged; {ADVICE}"
            )
    stored = (contents.get(STAMP_KEY) or {}).get(WEIGHTS_KEY)
    if stored is None:
        log.warning("%s carries no weights digest (saved by an older asl-stem): unverified", path)
        return
    actual = weights_digest(state)
    if actual != stored:
        raise CheckpointError(
            f"{path}: its weights do not match the sha256 stored when it was saved "
            f"(stored {stored[:12]}…, now {actual[:12]}…): the file is corrupt; {ADVICE}"
        )


def load_encoder(network: torch.nn.Module, path: str | Path, prefix: str = "network.") -> int:
    """Copy a pretrained encoder (every weight of ``network`` but its head) from a checkpoint.

    The checkpoint may come from ``asl-stem pretrain`` or ``asl-stem train``; weights are
    matched by name under ``prefix``. Every encoder weight must be there with the same shape
    (the same model settings); returns how many tensors were copied.
    """
    loaded = read_checkpoint(path)
    source = {
        name[len(prefix) :]: tensor
        for name, tensor in loaded.contents["state_dict"].items()
        if name.startswith(prefix)
    }
    head = f"{getattr(network, 'HEAD', 'head')}."
    target = {k: v for k, v in network.state_dict().items() if not k.startswith(head)}
    missing = sorted(set(target) - set(source))
    mismatched = sorted(k for k in target if k in source and source[k].shape != target[k].shape)
    if missing or mismatched:
        first = (missing or mismatched)[0]
        raise CheckpointError(
            f"{path}: its encoder does not fit this model ({len(missing)} weights missing, "
            f"{len(mismatched)} of another shape, first {first}): pretrain and fine-tune with "
            "the same model settings (hidden, dilations, kernel_size, heads, attention_layers)"
        )
    network.load_state_dict({k: source[k] for k in target}, strict=False)
    log.info("initialised %d encoder tensors from %s", len(target), loaded.origin)
    return len(target)
