"""Error responses and page templates shared by the pages and the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))


def wants_json(request: Request) -> bool:
    """API routes and the health check answer JSON; pages answer HTML."""
    return request.url.path.startswith("/api") or request.url.path == "/healthz"


def error_response(request: Request, status: int, message: str) -> Response:
    """A JSON error for the API, an HTML page otherwise."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )
