"""Keypoint shards: WebDataset tars with a catalog, their writer, readers and checks.

Submodules: ``asl_stem.shards.writer`` (``plan_shards``, ``write_shard``, ``Sample``,
``Failure``), ``asl_stem.shards.catalog`` (index.json: ``read_catalog``, ``write_catalog``),
``asl_stem.shards.record`` (the record of finished shards, resuming), ``asl_stem.shards.lock``
(one extraction per folder), ``asl_stem.shards.sources`` (folders, index.json, patterns and
URLs; checked reading), ``asl_stem.shards.reader`` (``make_train_pipeline``, ``iter_samples``,
``read_sample``, ``sample_rows``), ``asl_stem.shards.verify`` and ``asl_stem.shards.errors``.
"""
