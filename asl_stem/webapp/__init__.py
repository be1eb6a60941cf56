"""The interpreter lookup web app (FastAPI): :func:`create_app`, and :func:`serve` to run it."""

from __future__ import annotations

import logging
from pathlib import Path

from asl_stem.webapp.server import create_app

log = logging.getLogger(__name__)

DEFAULT_INDEX = Path("demo/index.sqlite")


def default_notes_path(index_path: str | Path) -> Path:
    """Notes live beside the index: ``<folder>/notes.sqlite``."""
    return Path(index_path).parent / "notes.sqlite"


def serve(
    index_path: str | Path = DEFAULT_INDEX,
    notes_path: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    index_path = Path(index_path)
    if not index_path.is_file():
        hint = (
            "run `make demo` first (it writes demo/index.sqlite), or pass --index FILE"
            if index_path == DEFAULT_INDEX
            else "build it with `asl-stem index build MANIFEST_DIR --out FILE`"
        )
        raise FileNotFoundError(f"{index_path}: no term index here; {hint}")
    app = create_app(index_path, notes_path or default_notes_path(index_path))
    log.info("serving %s on http://%s:%d", index_path, host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")


__all__ = ["DEFAULT_INDEX", "create_app", "default_notes_path", "serve"]
