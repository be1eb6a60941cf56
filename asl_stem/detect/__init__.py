"""Fingerspelling detection: keypoint features, a frame tagger, decoding, metrics, a heuristic.

Stages, each a plain function or class: :mod:`features` (per-signer normalised inputs),
:mod:`augment`, :mod:`model` (the network), :mod:`task` (the LightningDataModule over shards),
:mod:`module` (the LightningModule), :mod:`binarize` (frame scores -> spans), :mod:`metrics`,
:mod:`baseline` (the non-learned heuristic), :mod:`inference` (``detect``) and
:mod:`evaluation` (``evaluate``).
"""
