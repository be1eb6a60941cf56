"""ASGI entry point for any ASGI server: ``uvicorn app.asgi:app``.

The index comes from ``$ASL_STEM_INDEX`` (default ``demo/index.sqlite``), the notes file from
``$ASL_STEM_NOTES`` (default ``notes.sqlite`` beside the index).
"""

from __future__ import annotations

import os

from asl_stem.webapp import DEFAULT_INDEX, create_app, default_notes_path

_index = os.environ.get("ASL_STEM_INDEX", str(DEFAULT_INDEX))
app = create_app(_index, os.environ.get("ASL_STEM_NOTES") or default_notes_path(_index))
