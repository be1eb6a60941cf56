"""Error responses and page templates shared by the pages and the API.

Pages link with URLs relative to the app's root (``root`` in every template: the ASGI
``root_path``, empty unless a proxy mounts the app under a prefix), never with the Host header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.types import Scope

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _root(request: Request) -> dict[str, Any]:
    return {"root": request.scope.get("root_path", "").rstrip("/")}


def as_sentence(text: str) -> str:
    """'the file is over 256 KiB' -> 'The file is over 256 KiB.' (the rest left as it is)."""
    text = str(text).strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


TEMPLATES = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"), context_processors=[_root])
TEMPLATES.env.filters["sentence"] = as_sentence
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Please check what you entered",
    503: "Could not save",
}


def wants_json(request: Request | Scope) -> bool:
    """API routes and the health check answer JSON; pages answer HTML."""
    path = request["path"] if isinstance(request, dict) else request.url.path
    return path.startswith("/api") or path in ("/healthz", "/openapi.json")


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A rendered page."""
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def error_response(request: Request, status: int, message: str, **context: Any) -> Response:
    """A JSON error for the API, a friendly HTML page otherwise."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    title = TITLES.get(status, "Something went wrong")
    return page(
        request, "error.html", status, status=status, title=title, message=message, **context
    )


def error_response_for_scope(scope: Scope, status: int, message: str) -> Response:
    """:func:`error_response` where only the ASGI scope is at hand (middleware)."""
    return error_response(Request(scope), status, message)
