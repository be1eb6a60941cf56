"""The interpreter lookup web app (FastAPI): :func:`create_app`, and :func:`serve` to run it."""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Sequence
from pathlib import Path

from asl_stem.webapp.server import LOCAL_HOSTS, create_app

log = logging.getLogger(__name__)

DEFAULT_INDEX = Path("demo/index.sqlite")
IDLE_TIMEOUT_S = 5


class PortInUse(OSError):
    """The address to serve on is taken (or not this machine's)."""


def default_notes_path(index_path: str | Path) -> Path:
    """Notes live beside the index: ``<folder>/notes.sqlite``."""
    return Path(index_path).parent / "notes.sqlite"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or :class:`PortInUse` in one line (checked first,
    so nothing claims to have started on a port it never got).

    The protocol is named (``IPPROTO_TCP``, not the default 0) because asyncio turns Nagle's
    algorithm off only on sockets that say they are TCP: without it every kept-alive response
    waited ~40 ms for the client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        why = (
            "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error.strerror})"
        )
        raise PortInUse(
            f"{host}:{port} {why}; pick another with --port or stop what holds it"
        ) from None
    sock.listen(2048)
    return sock


def uvicorn_config(app: object) -> object:
    """uvicorn's settings for the app: idle connections, even ones that never sent a byte,
    are closed after ``IDLE_TIMEOUT_S``."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class IdleClosingProtocol(H11Protocol):
        def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
            super().connection_made(transport)
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

    return uvicorn.Config(
        app,
        http=IdleClosingProtocol,
        log_level="info",
        timeout_keep_alive=IDLE_TIMEOUT_S,
        limit_concurrency=1000,
    )


def serve(
    index_path: str | Path = DEFAULT_INDEX,
    notes_path: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    allowed_hosts: Sequence[str] = (),
    cpu_slots: int | None = None,
    lexicon: str | Path | None = None,
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
    sock = bind(host, port)
    try:
        hosts = [*LOCAL_HOSTS, host, *allowed_hosts]
        options = {} if cpu_slots is None else {"cpu_slots": cpu_slots}
        app = create_app(index_path, notes_path or default_notes_path(index_path),
                         allowed_hosts=hosts, lexicon=lexicon, **options)  # fmt: skip
        log.info("serving %s on http://%s:%d", index_path, host, port)
        uvicorn.Server(uvicorn_config(app)).run(sockets=[sock])
    finally:
        sock.close()


__all__ = [
    "DEFAULT_INDEX",
    "PortInUse",
    "bind",
    "create_app",
    "default_notes_path",
    "serve",
    "uvicorn_config",
]
