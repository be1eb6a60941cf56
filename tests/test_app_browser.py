"""End to end in headless Chromium against a real uvicorn server on loopback.

Prepares an article, opens a term, plays a clip (the canvas animates: its frame counter moves
and pixels change), and pastes an XSS payload that must come back as inert text. Screenshots go
to tests/artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from app_fixtures import build_fixture_index
from playwright.sync_api import Page, sync_playwright

from asl_stem.webapp import create_app

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
XSS = (
    '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> '
    "The Brønsted–Lowry theory uses phenolphthalein."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    app = create_app(build_fixture_index(root), root / "notes.sqlite")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_prepare_article_open_term_and_play_clip(base_url: str, page: Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/")
    page.get_by_role("link", name="Acid–base reaction").click()
    page.wait_for_selector("section.text .mark")
    assert "Prepare: Acid–base reaction" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "app_prepare.png"), full_page=True)
    page.locator("aside.terms h3 a", has_text="phenolphthalein").first.click()
    assert page.inner_text("#term-title") == "phenolphthalein"
    player = page.locator(".player").first
    canvas = player.locator("canvas")
    before = canvas.evaluate("c => c.toDataURL()")
    player.locator("button.play").click()
    page.wait_for_function(
        "p => p.dataset.played === '1'", arg=player.element_handle(), timeout=20_000
    )
    status = player.locator(".status").inner_text()
    assert status.startswith("frame "), status
    assert canvas.evaluate("c => c.toDataURL()") != before  # something was drawn
    page.screenshot(path=str(ARTIFACTS / "app_term_clip.png"), full_page=True)


def test_recording_page_shows_spans_on_a_timeline(base_url: str, page: Page) -> None:
    page.goto(base_url + "/search?q=phenolphthalein")
    page.locator("main a", has_text="phenolphthalein").first.click()
    page.locator("#spelled-clips .player a", has_text="recording").first.click()
    spans = page.locator(".timeline .span")
    assert spans.count() >= 1
    left = spans.first.evaluate("s => s.style.left")
    assert left.endswith("%")
    spans.first.click()
    page.wait_for_function("() => document.querySelector('.player').dataset.played === '1'")
    assert page.locator(".sentence .mark").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "app_recording.png"), full_page=True)


def test_pasted_xss_comes_back_inert(base_url: str, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url + "/")
    page.fill("textarea[name=text]", XSS)
    page.fill("input[name=title]", "<b>bold</b>")
    page.click("#prepare-button")
    page.wait_for_selector("section.text")
    assert page.title() != "pwned" and not dialogs
    assert page.locator("main script, main img").count() == 0
    shown = page.inner_text("section.text")
    assert "<script>" in shown and "onerror" in shown
    assert "<b>bold</b>" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "app_xss.png"), full_page=True)
