"""End to end in headless Chromium against a real uvicorn server on loopback, at 1280 px and on
a 390 px phone: prepare an article, fold and filter its terms, open a term with an ASL-LEX sign,
play a real video clip from a zip release and a skeleton clip, the sign-gap page, /docs; no
page may overflow sideways. Pasted markup must come back inert. Screenshots: tests/artifacts/.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from app_fixtures import VIDEO_RECORDINGS, recording_id, write_corpus, write_video_release
from playwright.sync_api import Browser, Page, sync_playwright
from shared_data import SHARED_DATA

from asl_stem.termindex import build_index
from asl_stem.webapp import bind, create_app, uvicorn_config

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
ASL_LEX = SHARED_DATA / "asl-lex" / "signdata.csv"
XSS = (
    '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> '
    "The Brønsted–Lowry theory uses phenolphthalein."
)
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from app_fixtures import ASL_LEX_CSV

    root = tmp_path_factory.mktemp("browser")
    manifests = write_corpus(root)
    lexicon = ASL_LEX if ASL_LEX.is_file() else root / "asl-lex.csv"
    if not ASL_LEX.is_file():
        lexicon.write_text(ASL_LEX_CSV, encoding="utf-8")
    release = write_video_release(root, "zip")
    index = build_index(manifests, out=root / "index.sqlite", release=release, lexicon_csv=lexicon)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn_config(create_app(index, root / "notes.sqlite"))
    config.log_level = "warning"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text),  # type: ignore[attr-defined]
    )
    page.view = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"app_{name}_{page.view}.png"), full_page=True)  # type: ignore[attr-defined]


def fits(page: Page) -> None:
    """No horizontal overflow: nothing wider than the viewport."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_prepare_fold_and_filter_the_terms(base_url: str, page: Page) -> None:
    page.goto(base_url + "/")
    fits(page)
    shot(page, "home")
    page.get_by_role("link", name="Acid–base reaction").click()
    page.wait_for_selector("section.text .mark")
    assert "Prepare: Acid–base reaction" in page.inner_text("h1")
    assert "recordings of each sentence spelled" in page.inner_text(".legend")
    terms = page.locator(".term-list > li.term")
    total = terms.count()
    assert total >= 5
    assert page.locator(".term-list details[open]").count() == 0  # folded
    assert page.locator(".player canvas, .player video").count() == 0  # nothing built yet
    fits(page)
    shot(page, "prepare")
    # likelihoods here are blended with what the sentences' recordings spelled
    page.select_option("select[name=min]", "0.5")
    strong = int(page.inner_text("#shown-count"))
    assert 0 < strong < total
    assert all(float(s) >= 0.5 for s in terms.evaluate_all(
        "items => items.filter(i => !i.hidden).map(i => i.dataset.score)"))  # fmt: skip
    page.select_option("select[name=min]", "0")
    item = page.locator(".term-list > li.term", has_text="phenolphthalein").first
    item.locator("summary").click()
    assert item.locator("details").get_attribute("open") is not None
    item.locator(".player").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('.term-list details[open] .player canvas') !== null"
    )  # built once it was shown
    fits(page)
    shot(page, "prepare_open")
    page.goto(base_url + "/")
    page.get_by_role("link", name="Photosynthesis").click()
    page.wait_for_selector("section.text .mark")
    total = terms.count()
    page.select_option("select[name=lexicon]", "with")
    with_sign = int(page.inner_text("#shown-count"))
    assert 0 < with_sign < total  # "energy", spelled once, has an ASL-LEX sign


def test_term_with_an_asl_lex_sign(base_url: str, page: Page) -> None:
    page.goto(base_url + "/search?q=energy")
    page.locator("main ul a", has_text="energy").first.click()
    assert page.inner_text("#term-title").lower() == "energy"
    sign = page.locator("#signs .sign-entry").first
    assert sign.locator(".gloss").inner_text()
    video = sign.locator("a.sign-video")
    assert video.get_attribute("href").startswith("https://")
    assert (
        page.locator("ul.links a", has_text="SignASL")
        .get_attribute("href")
        .endswith("/sign/energy")
    )
    fits(page)
    shot(page, "term_sign")


def test_play_a_real_video_clip_from_a_zip_release(base_url: str, page: Page) -> None:
    page.goto(base_url + f"/recordings/{recording_id(*VIDEO_RECORDINGS[0])}")
    player = page.locator(".player.large")
    page.wait_for_function("() => document.querySelector('.player.large video') !== null")
    span = player.locator(".timeline.annotated .span").first
    start, end = int(span.get_attribute("data-start")), int(span.get_attribute("data-end"))
    span.click()
    page.wait_for_function(
        "p => p.dataset.played === '1'", arg=player.element_handle(), timeout=30_000
    )
    assert player.get_attribute("data-kind") == "video"
    frame = int(player.get_attribute("data-frame"))
    assert end <= frame <= end + 3 and frame > start
    state = player.locator("video").evaluate("v => [v.readyState, v.videoWidth, v.paused]")
    assert state[0] >= 2 and state[1] > 0 and state[2] is True
    assert "Annotated spans" in page.inner_text("main")
    fits(page)
    shot(page, "recording_video")


def test_play_a_skeleton_clip_when_there_is_no_video(base_url: str, page: Page) -> None:
    page.goto(base_url + f"/recordings/{recording_id('1001', 2, 'alice')}")
    player = page.locator(".player.large")
    page.wait_for_function("() => document.querySelector('.player.large canvas') !== null")
    canvas = player.locator("canvas")
    before = canvas.evaluate("c => c.toDataURL()")
    player.locator(".timeline .span").last.click()
    page.wait_for_function(
        "p => p.dataset.played === '1'", arg=player.element_handle(), timeout=30_000
    )
    assert player.get_attribute("data-kind") == "skeleton"
    assert player.locator(".status").inner_text().startswith("frame ")
    assert canvas.evaluate("c => c.toDataURL()") != before
    fits(page)
    shot(page, "recording_skeleton")


def test_sign_gap_page(base_url: str, page: Page) -> None:
    page.goto(base_url + "/sign-gap")
    rows = page.locator("table.gap tbody tr")
    assert rows.count() >= 5
    assert "phenolphthalein" in page.inner_text("table.gap")
    assert (
        page.locator("a", has_text="Download as CSV")
        .get_attribute("href")
        .endswith(".csv?limit=1000")
    )
    fits(page)
    shot(page, "sign_gap")


def test_docs_render_under_the_csp(base_url: str, page: Page) -> None:
    page.goto(base_url + "/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)
    assert page.locator("#swagger-ui .opblock").count() >= 10
    assert not page.csp_errors  # type: ignore[attr-defined]
    shot(page, "docs")


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
    assert "recordings" not in page.inner_text(".legend")  # pasted text: the scorer's alone
    fits(page)


def test_an_empty_prepare_keeps_the_title(base_url: str, page: Page) -> None:
    page.goto(base_url + "/")
    page.fill("input[name=title]", "My lecture")
    page.click("#prepare-button")
    page.wait_for_selector("#form-error")
    assert "Paste some English text" in page.inner_text("#form-error")
    assert page.input_value("input[name=title]") == "My lecture"
    fits(page)
    shot(page, "empty_prepare")
