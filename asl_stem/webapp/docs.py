"""``/docs``: Swagger UI from the ``swagger-ui-bundle`` package, started by a script of ours.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script, both of
which the app's Content-Security-Policy forbids; here the files are the package's, served
from ``/static/swagger``, and ``static/docs.js`` starts it. Also the favicon.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from swagger_ui_bundle import swagger_ui_path

from asl_stem.webapp.responses import PACKAGE_DIR, page

SWAGGER_DIR = Path(str(swagger_ui_path))
router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger(request: Request) -> Response:
    return page(request, "docs.html")


@router.get("/favicon.ico")
def favicon() -> Response:
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(
        PACKAGE_DIR / "static" / "favicon.svg", media_type="image/svg+xml", headers=headers
    )
