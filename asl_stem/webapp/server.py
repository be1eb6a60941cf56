"""The interpreter lookup app: a FastAPI server over a read-only term index and a notes file.

``create_app`` checks the index (structure and the content hash its build recorded) and
refuses to start on a damaged one, then wires the pages (server-rendered, Jinja2 with
autoescape), the JSON API (``/api/...``, OpenAPI at ``/openapi.json``, Swagger UI at ``/docs``
served from the ``swagger-ui-bundle`` package so the CSP holds) and the :class:`Guard`
middleware. Errors map to status codes in one place: an unknown id is 404, bad input 422, an
oversized body 413; the app never answers 500 on input.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from asl_stem.termindex import IndexReader, NotFound
from asl_stem.termindex.integrity import check_index
from asl_stem.terms import TermScorer, load_default_scorer
from asl_stem.terms.lexicon import read_lexicon
from asl_stem.webapp import api, docs, pages
from asl_stem.webapp.guard import Guard
from asl_stem.webapp.notes import NotesStore
from asl_stem.webapp.responses import PACKAGE_DIR, error_response, wants_json
from asl_stem.webapp.state import CPU_SLOTS, AppState, cpu_gate

log = logging.getLogger(__name__)

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def create_app(
    index_path: str | Path,
    notes_path: str | Path,
    scorer: Any = None,
    *,
    allowed_hosts: Collection[str] = LOCAL_HOSTS,
    cpu_slots: int = CPU_SLOTS,
    lexicon: str | Path | None = None,
) -> FastAPI:
    """The app over ``index_path`` (checked, opened read-only) and ``notes_path``.

    ``scorer`` defaults to the term scorer the index was built with (stored in it; the shipped
    one for an index that did not store it), loaded here so a broken one stops the start, with
    ASL-LEX when it reads it (``lexicon``, else the file the index was built with, if it is
    still there), so pasted text is scored as the index's articles were.
    ``allowed_hosts`` are the host names served (``"*"`` for any).
    """
    reader = IndexReader(index_path)
    check_index(index_path)
    scorer = scorer if scorer is not None else _scorer(lexicon, reader.meta(), index_path)
    app = FastAPI(
        title="asl-stem interpreter lookup",
        description="Terms of the ASL STEM Wiki corpus: how interpreters handled them.",
        version="2",
        docs_url=None,
        redoc_url=None,
    )
    app.openapi_version = "3.0.3"  # what the packaged Swagger UI (4.x) renders
    app.state.asl = AppState(reader, NotesStore(notes_path), scorer, cpu_gate(cpu_slots))
    app.mount("/static/swagger", StaticFiles(directory=str(docs.SWAGGER_DIR)), name="swagger")
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.include_router(api.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    app.add_middleware(Guard, allowed_hosts=allowed_hosts)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        return error_response(request, 404, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = str(error.detail)
        if error.status_code == 404 and message == "Not Found":
            message = f"there is no page at {request.url.path}"
        return error_response(request, error.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _jsonable(error.errors())}, status_code=422)
        messages = [f"{e['loc'][-1]}: {e['msg']}" for e in error.errors()]
        return error_response(request, 422, "; ".join(messages))


def _jsonable(errors: Any) -> Any:
    """Validation errors with their offending inputs dropped (they may not be JSON-able)."""
    return [
        {key: value for key, value in e.items() if key in ("loc", "msg", "type")} for e in errors
    ]


def _scorer(given: str | Path | None, meta: dict[str, Any], index: str | Path) -> TermScorer:
    """The scorer the index was built with (the packaged one for an index that did not store
    it), reading the lexicon given or the one the index was built with."""
    built_with = meta.get("lexicon")
    path = given if given is not None else built_with
    if path is not None and not Path(path).is_file():
        if given is not None:
            raise FileNotFoundError(f"{given}: no such lexicon file (ASL-LEX signdata.csv)")
        log.warning(
            "the index was built with the lexicon %s, which is gone: pasted text is scored "
            "without it (pass --lexicon FILE)",
            built_with,
        )
        path = None
    lexicon = read_lexicon(path) if path is not None else None
    stored = meta.get("scorer")
    if stored is None:
        return load_default_scorer(lexicon)
    try:
        scorer = TermScorer.from_dict(stored, source=f"{index}: the term scorer it stores")
    except ValueError as error:
        raise ValueError(f"{error}; or rebuild the index with `asl-stem index build`") from None
    if scorer.uses_lexicon and lexicon is None:
        log.warning(
            "the index's term scorer reads ASL-LEX and no lexicon is at hand: pasted text is "
            "scored by the packaged scorer fitted without it (pass --lexicon FILE)"
        )
        return load_default_scorer(None)
    return scorer.with_lexicon(lexicon)
