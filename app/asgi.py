"""ASGI entry point for any ASGI server: ``uvicorn app.asgi:app``.

The index comes from ``$ASL_STEM_INDEX`` (default ``demo/index.sqlite``), the notes file from
``$ASL_STEM_NOTES`` (default ``notes.sqlite`` beside the index), and the host names clients may
use from ``$ASL_STEM_ALLOWED_HOSTS`` (comma-separated; localhost and 127.0.0.1 always).
"""

from __future__ import annotations

import os

from asl_stem.webapp import DEFAULT_INDEX, create_app, default_notes_path
from asl_stem.webapp.server import LOCAL_HOSTS

_index = os.environ.get("ASL_STEM_INDEX", str(DEFAULT_INDEX))
_hosts = [h.strip() for h in os.environ.get("ASL_STEM_ALLOWED_HOSTS", "").split(",") if h.strip()]
app = create_app(
    _index,
    os.environ.get("ASL_STEM_NOTES") or default_notes_path(_index),
    allowed_hosts=[*LOCAL_HOSTS, *_hosts],
)
