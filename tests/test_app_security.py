"""The app's wall, each hole of the attack run reproduced: forged posts, hosts, chunked bodies,
headers on every answer, idle connections, a port in use."""

from __future__ import annotations

import asyncio
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from app_fixtures import build_fixture_index
from fastapi.testclient import TestClient

from asl_stem.webapp import IDLE_TIMEOUT_S, bind, create_app, uvicorn_config
from asl_stem.webapp.guard import SECURITY_HEADERS
from asl_stem.webapp.models import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("security")
    return build_fixture_index(root), root / "notes.sqlite"


@pytest.fixture(scope="module")
def client(paths: tuple[Path, Path]) -> TestClient:
    return TestClient(create_app(*paths, allowed_hosts=["testserver", "127.0.0.1"]))


@pytest.fixture(scope="module")
def server(paths: tuple[Path, Path]) -> Iterator[int]:
    """A real uvicorn on loopback, configured as ``asl-stem app`` configures it."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(*paths, allowed_hosts=["127.0.0.1"])
    config = uvicorn_config(app)
    config.log_level = "warning"
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield port
    instance.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_a_form_posted_from_another_site_is_refused(client: TestClient, paths) -> None:
    from asl_stem.webapp.notes import NotesStore

    forged = client.post(
        "/terms/1/notes",
        data={"sign": "forged"},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "another site" in forged.text
    by_referer = client.post(
        "/api/terms/1/notes",
        json={"sign": "forged"},
        headers={"referer": "https://evil.example/page"},
    )
    assert by_referer.status_code == 403
    sandboxed = client.post("/terms/1/notes", data={"sign": "x"}, headers={"origin": "null"})
    assert sandboxed.status_code == 403
    own = client.post(
        "/terms/1/notes",
        data={"sign": "from the page"},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert own.status_code == 303
    norm = client.get("/api/terms/1").json()["norm"]
    assert [n["sign"] for n in NotesStore(paths[1]).for_term(norm)] == ["from the page"]
    wrong_type = client.post(
        "/api/terms/1/notes", content=b'{"sign": "x"}', headers={"content-type": "text/plain"}
    )
    assert wrong_type.status_code == 422


def test_unknown_hosts_are_refused_and_never_echoed(client: TestClient) -> None:
    rebound = client.get("/", headers={"host": "attacker.example"})
    assert rebound.status_code == 400 and "attacker.example" not in rebound.text
    ok = client.get("/", headers={"host": "127.0.0.1:8000"})
    assert ok.status_code == 200 and "127.0.0.1" not in ok.text


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    answers = [
        client.get("/"),
        client.get("/api/terms/999999"),
        client.get("/", headers={"host": "x.example"}),
        client.post("/terms/1/notes", data={"sign": "x"}, headers={"origin": "http://x"}),
        client.post(
            "/api/prepare",
            content=b"x" * (MAX_BODY_BYTES + 1),
            headers={"content-type": "application/json"},
        ),
        client.get("/static/app.css"),
    ]
    assert [a.status_code for a in answers] == [200, 404, 400, 403, 413, 200]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (answer.status_code, name)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_chunked_body_is_capped_while_it_streams(server: int) -> None:
    before = _rss_mb()
    with socket.create_connection(("127.0.0.1", server), timeout=30) as sock:
        sock.sendall(
            b"POST /api/prepare HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
        sent = 0
        try:
            while sent < 64 * 1024 * 1024:  # 64 MiB offered; the server must stop far earlier
                sock.sendall(chunk)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = sock.recv(65536).decode("latin-1", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "content-security-policy" in answer.lower()
    assert sent < 64 * 1024 * 1024, answer
    assert _rss_mb() - before < 40  # the body was never held (peak RSS of this process)


def test_idle_connections_are_closed(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=IDLE_TIMEOUT_S + 10) as silent:
        began = time.monotonic()
        assert silent.recv(4096) == b""  # never sent a byte: closed all the same
        assert time.monotonic() - began < IDLE_TIMEOUT_S + 5
    with socket.create_connection(("127.0.0.1", server), timeout=IDLE_TIMEOUT_S + 10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b'{"ok":true}'):
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200")
        began = time.monotonic()
        assert sock.recv(4096) == b""  # closed by the server, not by our timeout
        assert time.monotonic() - began < IDLE_TIMEOUT_S + 5


def test_kept_alive_responses_are_not_held_back_by_nagle() -> None:
    """Connections accepted on the app's socket have TCP_NODELAY, which asyncio sets only on
    sockets that name their protocol; without it each kept-alive answer waited ~40 ms."""

    async def accepted_nodelay() -> int:
        found: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Record(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                peer = transport.get_extra_info("socket")
                found.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        listening = bind("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Record, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        value = await asyncio.wait_for(found, 10)
        writer.close()
        server.close()
        return value

    assert asyncio.run(accepted_nodelay()) == 1


def test_a_port_in_use_is_said_in_one_line_before_anything_starts(paths, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "asl_stem.cli", "app", "--index", str(paths[0]),
                   "--notes", str(tmp_path / "n.sqlite"), "--port", str(port)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    output = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 1
    assert len(output) == 1 and f"127.0.0.1:{port} is in use" in output[0], output
    assert not (tmp_path / "n.sqlite").exists()  # refused before the app was even made
