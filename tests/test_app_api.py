"""The app's pages and JSON API through FastAPI's client: ids, limits, escaping, notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_fixtures import build_fixture_index, recording_id
from fastapi.testclient import TestClient

from asl_stem.termindex import IndexReader
from asl_stem.webapp import create_app
from asl_stem.webapp.models import MAX_BODY_BYTES, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from asl_stem.webapp.notes import NotesStore

XSS = '<script>document.title="pwned"</script><img src=x onerror=alert(1)> Brønsted–Lowry acid'


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("app")
    return build_fixture_index(root), root / "notes.sqlite"


@pytest.fixture(scope="module")
def client(paths: tuple[Path, Path]) -> TestClient:
    return TestClient(create_app(*paths))


def term_id(client: TestClient, norm: str) -> int:
    return next(
        t["id"]
        for t in client.get("/api/search", params={"q": norm}).json()["terms"]
        if t["norm"] == norm
    )


def test_pages_render(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "Photosynthesis" in home.text
    assert "default-src 'self'" in home.headers["content-security-policy"]
    article = client.get("/articles/1001")
    assert article.status_code == 200 and "phenolphthalein" in article.text
    tid = term_id(client, "phenolphthalein")
    page = client.get(f"/terms/{tid}")
    assert page.status_code == 200 and 'class="player"' in page.text
    assert client.get("/search", params={"q": "chloro"}).status_code == 200
    assert client.get(f"/recordings/{recording_id('1001', 2, 'alice')}").status_code == 200


def test_prepare_api_scores_terms_and_joins_the_corpus(client: TestClient) -> None:
    text = "Titration uses phenolphthalein. The cat sat on the mat."
    result = client.post("/api/prepare", json={"text": text}).json()
    assert [s["text"] for s in result["sentences"]] == [
        "Titration uses phenolphthalein.",
        "The cat sat on the mat.",
    ]
    by_norm = {t["norm"]: t for t in result["terms"]}
    phenol = by_norm["phenolphthalein"]
    assert (phenol["n_spelled"], phenol["n_signed"]) == (2, 1)
    assert phenol["signed_interpreters"] == ["bob"]
    assert phenol["signed_clips"][0]["interpreter"] == "bob"
    assert len(phenol["links"]) == 5
    assert "cat" not in by_norm  # common words are not listed
    scores = [t["score"] for t in result["terms"]]
    assert scores == sorted(scores, reverse=True)
    article = client.get("/api/articles/1001/prepare").json()
    assert article["title"] == "Acid–base reaction" and len(article["sentences"]) == 3


def test_bad_ids_are_404_and_bad_input_422(client: TestClient) -> None:
    assert client.get("/api/terms/999999").status_code == 404
    assert client.get("/terms/999999").status_code == 404
    assert client.get("/api/terms/0").status_code == 422
    assert client.get("/api/terms/abc").status_code == 422
    assert client.get("/api/terms/99999999999999999999999").status_code == 422
    assert client.get("/api/articles/nope").status_code == 404
    assert client.get("/articles/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/api/recordings/unknown/keypoints").status_code == 404
    assert client.get("/api/search").status_code == 422
    assert client.get("/api/search", params={"q": '"*( NEAR'}).status_code == 200
    assert client.post("/api/prepare", json={"text": ""}).status_code == 422
    assert (
        client.post(
            "/api/prepare",
            content=b'{"text": "\\ud800"}',
            headers={"content-type": "application/json"},
        ).status_code
        == 422
    )


def test_size_limits(client: TestClient) -> None:
    assert client.post("/api/prepare", json={"text": "a" * (MAX_TEXT_CHARS + 1)}).status_code == 422
    big = client.post(
        "/api/prepare",
        content=b"x" * (MAX_BODY_BYTES + 1),
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    pasted = client.post("/prepare", data={"text": "a " * (MAX_TEXT_CHARS // 2 + 1)})
    assert pasted.status_code == 413 and "prepare it in parts" in pasted.text
    upload = client.post("/prepare", files={"upload": ("a.txt", b"a" * (MAX_UPLOAD_BYTES + 1))})
    assert upload.status_code == 413 and "KiB" in upload.text
    latin1 = client.post("/prepare", files={"upload": ("a.txt", "Brønsted".encode("latin-1"))})
    assert latin1.status_code == 422 and "UTF-8" in latin1.text
    ok = client.post("/prepare", files={"upload": ("a.txt", b"Chlorophyll is green.")})
    assert ok.status_code == 200 and "Chlorophyll" in ok.text


def test_pasted_markup_comes_back_escaped(client: TestClient) -> None:
    page = client.post("/prepare", data={"text": XSS, "title": "<b>x</b>"})
    assert page.status_code == 200
    assert "<script>document" not in page.text and "<img src=x" not in page.text
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert "&lt;" in page.text and "onerror" in page.text  # shown as text, inert
    searched = client.get("/search", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert" not in searched and "&#34;&gt;&lt;script&gt;" in searched


def test_notes_are_saved_validated_and_persist(
    client: TestClient, paths: tuple[Path, Path]
) -> None:
    tid = term_id(client, "chlorophyll")
    bad = client.post(f"/api/terms/{tid}/notes", json={"sign": "x", "link": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert client.post(f"/api/terms/{tid}/notes", json={"sign": "   "}).status_code == 422
    made = client.post(
        f"/api/terms/{tid}/notes",
        json={"sign": "C-H-L then GREEN", "link": "https://example.org/s", "author": "<i>dana</i>"},
    )
    assert made.status_code == 201
    form = client.post(f"/terms/{tid}/notes", data={"sign": "leaf + color"}, follow_redirects=False)
    assert form.status_code == 303
    bad_form = client.post(f"/terms/{tid}/notes", data={"sign": "s", "link": "ftp://x"})
    assert bad_form.status_code == 422 and "http" in bad_form.text
    assert client.post("/api/terms/999999/notes", json={"sign": "x"}).status_code == 404
    notes = NotesStore(paths[1]).for_term("chlorophyll")  # a fresh connection sees both
    assert [n["sign"] for n in notes] == ["leaf + color", "C-H-L then GREEN"]
    page = client.get(f"/terms/{tid}").text
    assert "&lt;i&gt;dana&lt;/i&gt;" in page
    journal = NotesStore(paths[1])._connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def test_keypoints_api_serves_frames_and_bones(client: TestClient) -> None:
    data = client.get(f"/api/recordings/{recording_id('1002', 1, 'bob')}/keypoints").json()
    assert data["num_points"] == 75 and data["stride"] == 2
    assert len(data["frames"][0]) == 150 and [11, 12] in data["bones"]


def test_app_refuses_a_missing_or_foreign_index(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="asl-stem index build"):
        create_app(tmp_path / "none.sqlite", tmp_path / "notes.sqlite")
    (tmp_path / "other.sqlite").write_bytes(b"")
    with pytest.raises(ValueError, match="not a term index"):
        IndexReader(tmp_path / "other.sqlite")


def test_app_command_says_what_to_do_without_an_index(tmp_path: Path, caplog) -> None:
    from asl_stem.cli import main

    assert main(["app", "--index", str(tmp_path / "x.sqlite")]) == 1
    assert "asl-stem index build" in caplog.text
