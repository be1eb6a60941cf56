"""The app's pages and JSON API through FastAPI's client: ids, limits, escaping, notes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from app_fixtures import build_fixture_index, recording_id
from fastapi.testclient import TestClient
from shared_data import SHARED_DATA
from terms_fixtures import annotated, write_csv

from asl_stem.termindex import IndexReader
from asl_stem.terms import fit_scorer, load_default_scorer
from asl_stem.webapp import create_app, pages, services
from asl_stem.webapp.models import MAX_BODY_BYTES, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from asl_stem.webapp.notes import NotesStore

XSS = '<script>document.title="pwned"</script><img src=x onerror=alert(1)> Brønsted–Lowry acid'


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("app")
    return build_fixture_index(root), root / "notes.sqlite"


@pytest.fixture(scope="module")
def client(paths: tuple[Path, Path]) -> TestClient:
    return TestClient(create_app(*paths, allowed_hosts=["testserver"]))


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
    assert 'href="/static/app.css"' in page.text  # relative: never built from the Host header
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
    assert [who["label"] for who in phenol["signed_interpreters"]] == ["Interpreter 2"]
    clip = phenol["signed_clips"][0]
    assert (clip["interpreter"], clip["interpreter_id"], clip["basis"]) == (
        "Interpreter 2",
        "bob",
        "annotated",
    )
    assert (phenol["n_spelled_annotated"], phenol["n_spelled_detected"]) == (2, 0)
    assert len(phenol["links"]) == 7
    assert "cat" not in by_norm  # common words are not listed
    scores = [t["score"] for t in result["terms"]]
    assert scores == sorted(scores, reverse=True)
    article = client.get("/api/articles/1001/prepare").json()
    assert article["title"] == "Acid–base reaction" and len(article["sentences"]) == 3


def test_a_prepared_article_is_made_once_until_a_note_is_added(
    paths: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = services.prepare_corpus_article
    for module in (pages, services):
        monkeypatch.setattr(
            module,
            "prepare_corpus_article",
            lambda *a, m=module: made.append(m.__name__) or real(*a),
        )
    client = TestClient(
        create_app(paths[0], tmp_path / "notes.sqlite", allowed_hosts=["testserver"])
    )
    first, again = client.get("/articles/1001"), client.get("/articles/1001")
    assert first.status_code == 200 and first.content == again.content
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    answers = [client.get("/api/articles/1001/prepare") for _ in range(2)]
    assert answers[0].json() == answers[1].json() and len(answers[0].json()["terms"]) > 1
    assert answers[0].headers["content-type"] == "application/json"
    assert made == [pages.__name__, services.__name__]  # each made once
    tid = term_id(client, "phenolphthalein")
    assert (
        client.post(f"/api/terms/{tid}/notes", json={"sign": "PINK-INDICATOR"}).status_code == 201
    )
    assert "PINK-INDICATOR" in client.get("/articles/1001").text
    listed = client.get("/api/articles/1001/prepare").json()["terms"]
    phenol = next(t for t in listed if t["norm"] == "phenolphthalein")
    assert [n["sign"] for n in phenol["notes"]] == ["PINK-INDICATOR"]
    assert made == [pages.__name__, services.__name__] * 2  # a new note: made anew
    assert client.get("/articles/nope").status_code == 404  # errors are not kept


def test_bad_ids_are_404_and_bad_input_422(client: TestClient) -> None:
    assert client.get("/api/terms/999999").status_code == 404
    assert client.get("/terms/999999").status_code == 404
    missing = client.get("/terms/doesnotexist")
    assert missing.status_code == 404 and "Input should be" not in missing.text
    assert "There is no term &#39;doesnotexist&#39;" in missing.text
    assert 'href="/search?q=doesnotexist"' in missing.text
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
    both = client.post(
        "/prepare",
        data={"text": "Typed text stays.", "title": "Mine"},
        files={"upload": ("a.txt", b"Chlorophyll is green.")},
    )
    assert both.status_code == 422 and "prepare one at a time" in both.text
    assert "Typed text stays.</textarea>" in both.text and 'value="Mine"' in both.text
    empty = client.post("/prepare", data={"text": "  ", "title": "Kept"})
    assert empty.status_code == 422 and "Error 422" not in empty.text
    assert "Paste some English text" in empty.text and 'value="Kept"' in empty.text
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
    typed = {"sign": "my sign", "link": "ftp://x", "author": "Dana"}
    bad_form = client.post(f"/terms/{tid}/notes", data=typed)
    assert bad_form.status_code == 422 and "Link must be an http" in bad_form.text
    assert 'value="my sign"' in bad_form.text and 'value="ftp://x"' in bad_form.text
    assert 'value="Dana"' in bad_form.text
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


def test_binary_keypoints_are_compact_compressed_and_cached(client: TestClient) -> None:
    from asl_stem.termindex.keypoints import Payload

    url = f"/api/recordings/{recording_id('1002', 1, 'bob')}/keypoints.bin"
    first = client.get(url, headers={"accept-encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    wire = int(first.headers["content-length"])
    assert wire < 50_000 and first.content[:4] == b"ASK2"  # httpx unpacked the gzip
    etag = first.headers["etag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    json_version = client.get(url.removesuffix(".bin"))
    assert wire * 5 < len(json_version.content)
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content
    assert Payload.from_blob(gzip.compress(first.content)).num_frames == 170


def test_every_response_names_where_spans_come_from(client: TestClient) -> None:
    rid = recording_id("1001", 2, "alice")
    for span in client.get(f"/api/recordings/{rid}").json()["spans"]:
        assert {"source", "score", "text_source", "text_score", "counted"} <= set(span)
    tid = term_id(client, "phenolphthalein")
    detail = client.get(f"/api/terms/{tid}").json()
    assert {"n_spelled_annotated", "n_spelled_detected", "n_signed_detected"} <= set(detail)
    assert all("basis" in clip for clip in detail["spelled_clips"] + detail["signed_clips"])
    found = client.get("/api/search", params={"q": "phenol"}).json()["terms"][0]
    assert {"n_spelled_annotated", "n_spelled_detected"} <= set(found)
    meta = client.get("/api/meta").json()
    assert isinstance(meta["counts"], dict) and meta["counts"]["spans"] == {"annotated": 10}
    assert meta["detection_thresholds"].keys() == {"min_score", "min_frames"}
    assert meta["scorer"]["lexicon_features"] is True and "model" not in meta["scorer"]
    page = client.get(f"/recordings/{rid}").text
    assert "Annotated spans" in page and "No detector ran on this recording." in page


def test_sign_gap_ranks_fingerspelled_terms_with_csv(client: TestClient) -> None:
    rows = client.get("/api/sign-gap", params={"limit": 50}).json()
    spelled = [row["n_spelled"] for row in rows]
    assert spelled == sorted(spelled, reverse=True) and all(n > 0 for n in spelled)
    top = {row["norm"] for row in rows if row["n_spelled"] == 2}
    assert {"bronsted", "phenolphthalein", "rubisco"} <= top
    csv_text = client.get("/api/sign-gap.csv").text.splitlines()
    assert csv_text[0].startswith("term,n_spelled,n_signed")
    assert len(csv_text) == len(rows) + 1
    page = client.get("/sign-gap").text
    assert "phenolphthalein" in page and "sign-gap.csv" in page


def test_docs_work_under_the_csp_and_favicon(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assert "<script>" not in docs.text  # no inline script: the CSP forbids them
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs.js").status_code == 200
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"


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


ASL_LEX = SHARED_DATA / "asl-lex" / "signdata.csv"


@pytest.mark.skipif(not ASL_LEX.is_file(), reason="the shared ASL-LEX 2.0 file is not here")
def test_a_term_from_the_real_asl_lex_file_shows_its_vimeo_link(tmp_path: Path) -> None:
    from app_fixtures import write_corpus

    from asl_stem.termindex import build_index

    index = build_index(write_corpus(tmp_path), out=tmp_path / "i.sqlite", lexicon_csv=ASL_LEX)
    client = TestClient(create_app(index, tmp_path / "n.sqlite", allowed_hosts=["testserver"]))
    energy = client.get(f"/api/terms/{term_id(client, 'energy')}").json()
    by_entry = {sign["entry_id"]: sign for sign in energy["signs"]}
    assert by_entry["energy"]["video_url"] == "https://player.vimeo.com/video/346743925"
    assert by_entry["energy"]["initialized"] == 1 and by_entry["energy"]["fingerspelled_loan"] == 0
    page = client.get(f"/terms/{energy['id']}").text
    assert "https://player.vimeo.com/video/346743925" in page and "initialized" in page
    assert energy["n_spelled"] == 1  # an interpreter fingerspelled a word ASL-LEX has a sign for


def test_pasted_text_is_scored_by_the_scorer_the_index_was_built_with(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = fit_scorer(annotated(write_csv(tmp_path / "fs.csv")), model="logistic")
    index = build_fixture_index(tmp_path, scorer=own)
    app = create_app(index, tmp_path / "notes.sqlite", allowed_hosts=["testserver"])
    sentence = "The zymogen binds the lysozyme quickly."
    assert app.state.asl.scorer.score_sentence(sentence) == own.score_sentence(sentence)
    assert own.score_sentence(sentence) != load_default_scorer().score_sentence(sentence)
    # an index built with the packaged lexicon scorer, its lexicon since gone: the scorer
    # fitted without it, said at the start
    lexicon_index = build_fixture_index(tmp_path / "lex")
    (tmp_path / "lex" / "asl-lex.csv").unlink()
    fallback = create_app(lexicon_index, tmp_path / "n2.sqlite").state.asl.scorer
    assert not fallback.uses_lexicon
    assert "which is gone" in caplog.text and "fitted without it" in caplog.text
