"""A small encoder of the English sentence a recording interprets, for recording-sentence
matching during pretraining.

Every recording's sentence is known (``meta["sentence"]``), labelled or not. Fingerspelled
terms are rare words spelled letter by letter, so the sentence is read as hashed words plus
hashed letter trigrams of each word: a rare word still shares pieces with the letters the
signer spells. Hashing (crc32, stable across processes) needs no vocabulary file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

WORD = re.compile(r"[^\W_]+", re.UNICODE)
DEFAULT_BUCKETS = 1 << 15


def _hash(piece: str, buckets: int) -> int:
    return zlib.crc32(piece.encode("utf-8")) % buckets


def sentence_tokens(sentence: str, buckets: int = DEFAULT_BUCKETS) -> np.ndarray:
    """int64 bucket ids of the sentence's lower-cased words and their letter trigrams."""
    ids = []
    for word in WORD.findall(sentence.lower()):
        ids.append(_hash(f"w:{word}", buckets))
        padded = f"<{word}>"
        ids.extend(_hash(f"c:{padded[i : i + 3]}", buckets) for i in range(len(padded) - 2))
    return np.asarray(ids, dtype=np.int64)


def sentence_key(sentence: str) -> int:
    """The same number for the same sentence (several interpreters sign each one)."""
    return zlib.crc32(" ".join(WORD.findall(sentence.lower())).encode("utf-8"))


def collate_tokens(tokens: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Flat ids and the offset of each sentence, as ``nn.EmbeddingBag`` takes them."""
    lengths = [len(t) for t in tokens]
    offsets = torch.tensor([0, *np.cumsum(lengths)[:-1].tolist()], dtype=torch.long)
    flat = np.concatenate(list(tokens)) if sum(lengths) else np.zeros(0, dtype=np.int64)
    return torch.from_numpy(flat.astype(np.int64)), offsets


class TextEncoder(nn.Module):
    """Mean of hashed piece embeddings, then a two-layer MLP to ``out_dim``."""

    def __init__(self, buckets: int = DEFAULT_BUCKETS, dim: int = 64, out_dim: int = 64) -> None:
        super().__init__()
        self.embedding = nn.EmbeddingBag(buckets, dim, mode="mean")
        self.mlp = nn.Sequential(
            nn.LayerNorm(dim), nn.Linear(dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim)
        )

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """(sentences, out_dim)."""
        return self.mlp(self.embedding(ids, offsets))
