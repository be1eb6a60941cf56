"""Keypoint shards: WebDataset tars with an index, their writer, readers and checks.

Import the submodules (kept apart so that writing shards never imports WebDataset or torch):
``asl_stem.shards.writer`` (``plan_shards``, ``write_shard``, ``Sample``, ``Failure``),
``asl_stem.shards.reader`` (``make_train_pipeline``, ``iter_samples``, ``read_sample``,
``shard_urls``), ``asl_stem.shards.catalog`` (``read_catalog``), ``asl_stem.shards.verify``.
"""
