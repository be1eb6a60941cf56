"""The app's outer wall, one pure ASGI middleware: hosts, body size, forged posts, headers.

- **Hosts**: only configured host names are served (DNS rebinding, cache poisoning); pages never
  echo the Host header anyway (their URLs are relative).
- **Body size**: a body is read here, while it streams, up to ``MAX_BODY_BYTES``; past that
  the request is refused with 413 whether it came with ``Content-Length`` or chunked, so a
  300 MB chunked upload costs at most that much memory.
- **Forged posts (CSRF)**: a state-changing request that carries ``Origin`` (every browser
  sends it on a POST) or ``Referer`` must name this app's own host; a form posted from another
  site is refused with 403. Clients that send neither (curl, scripts) are not browsers, so
  they cannot be tricked into posting.
- **Headers**: every response, the middleware's own 400/403/413 included, carries the
  security headers.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from asl_stem.webapp.models import MAX_BODY_BYTES
from asl_stem.webapp.responses import error_response_for_scope

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; frame-src https://player.vimeo.com; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


def host_name(value: str) -> str:
    """The host of a ``Host`` header or URL netloc, without port, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Pure ASGI middleware (no task per request) applying the rules above."""

    def __init__(self, app: ASGIApp, allowed_hosts: Collection[str]) -> None:
        self.app = app
        self.allowed = {host_name(h) for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if "*" not in self.allowed and host_name(host) not in self.allowed:
            message = "this host name is not served here; use the address the app was started on"
            await error_response_for_scope(scope, 400, message)(scope, receive, send_with_headers)
            return
        if scope["method"] in UNSAFE_METHODS:
            if not _same_origin(headers, host):
                message = (
                    "this form was sent from another site; open the page here and send it again"
                )
                await error_response_for_scope(scope, 403, message)(
                    scope, receive, send_with_headers
                )
                return
            body = await _read_body(headers, receive)
            if body is None:
                message = f"request body over {MAX_BODY_BYTES} bytes; send less"
                refusal = error_response_for_scope(scope, 413, message)
                refusal.headers["Connection"] = "close"  # the rest of the body is never read
                await refusal(scope, receive, send_with_headers)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_headers)


def _same_origin(headers: dict[str, str], host: str) -> bool:
    """True unless ``Origin`` (or, lacking it, ``Referer``) names another host than ``host``."""
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if referer is None:
            return True
        origin = referer
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


async def _read_body(headers: dict[str, str], receive: Receive) -> bytes | None:
    """The whole body, or None as soon as it passes ``MAX_BODY_BYTES`` (declared or streamed)."""
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        return None
    chunks, total = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the buffered body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
