"""The interpreter lookup app: a FastAPI server over a read-only term index and a notes file.

``create_app`` wires the pages (server-rendered, Jinja2 with autoescape) and the JSON API
(``/api/...``, OpenAPI at ``/openapi.json``). Errors map to status codes in one place: an
unknown id is 404, bad input 422, an oversized body 413; the app never answers 500 on input.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from asl_stem.termindex import IndexReader, NotFound
from asl_stem.terms import load_default_scorer
from asl_stem.webapp import api, pages
from asl_stem.webapp.models import MAX_BODY_BYTES
from asl_stem.webapp.notes import NotesStore
from asl_stem.webapp.responses import PACKAGE_DIR, error_response, wants_json
from asl_stem.webapp.state import AppState

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(index_path: str | Path, notes_path: str | Path, scorer: Any = None) -> FastAPI:
    """The app over ``index_path`` (opened read-only) and ``notes_path`` (created if missing).

    ``scorer`` defaults to the shipped term scorer, loaded here so a broken one stops the start.
    """
    app = FastAPI(
        title="asl-stem interpreter lookup",
        description="Terms of the ASL STEM Wiki corpus: how interpreters handled them.",
        version="1",
    )
    reader = IndexReader(index_path)
    scorer = scorer if scorer is not None else load_default_scorer()
    app.state.asl = AppState(reader, NotesStore(notes_path), scorer)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_middleware(LimitsAndHeaders)
    _add_error_handlers(app)
    return app


class LimitsAndHeaders:
    """Pure ASGI middleware: refuse oversized bodies (413) and add the security headers.

    (A plain ASGI class, not ``@app.middleware``, which costs a task per request.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            request = Request(scope, receive)
            message = f"request body over {MAX_BODY_BYTES} bytes; send less"
            await error_response(request, 413, message)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        return error_response(request, 404, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return error_response(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _jsonable(error.errors())}, status_code=422)
        messages = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        return error_response(request, 422, "; ".join(messages))


def _jsonable(errors: Any) -> Any:
    """Validation errors with their offending inputs dropped (they may not be JSON-able)."""
    return [
        {key: value for key, value in e.items() if key in ("loc", "msg", "type")} for e in errors
    ]
