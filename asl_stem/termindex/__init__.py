"""The term index: a read-only SQLite file of the corpus's terms for the interpreter app.

Build it with :func:`build_index` (``asl-stem index build``); read it with
:class:`IndexReader`.
"""

from asl_stem.termindex.build import build_index
from asl_stem.termindex.query import IndexReader, NotFound

__all__ = ["IndexReader", "NotFound", "build_index"]
