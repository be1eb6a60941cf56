"""Server-rendered pages: home, prepare, term, search, recording, sign gap. Jinja2 escapes all.

A form that cannot be used as sent (empty, both text and a file, too long, a bad note link)
comes back as the same form with the problem said above it and everything typed kept.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from asl_stem.webapp.models import (
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
    ArticleId,
    NoteIn,
    RecordingId,
    check_unicode,
)
from asl_stem.webapp.prepare import segments
from asl_stem.webapp.responses import TEMPLATES, error_response, page
from asl_stem.webapp.services import cached_by_notes, prepare_corpus_article, save_note
from asl_stem.webapp.services import prepare_pasted as prepare_pasted_text
from asl_stem.webapp.state import AppState, State

router = APIRouter(include_in_schema=False)
GAP_PAGE = 100
DETAILED = 40  # terms of a prepare page shown with every link (and clips); the rest in brief


@router.get("/")
def home(request: Request, state: State) -> Response:
    return _home(request, state)


def _home(
    request: Request,
    state: Any,
    status: int = 200,
    error: str = "",
    text: str = "",
    title: str = "",
) -> Response:
    return page(
        request, "home.html", status, articles=state.reader.articles(), max_chars=MAX_TEXT_CHARS,
        max_upload=MAX_UPLOAD_BYTES, error=error, text=text, title=title,
    )  # fmt: skip


@router.get("/articles/{article_id}")
def prepare_article(request: Request, article_id: ArticleId, state: State) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(_article_page(state, article_id, root))


@cached_by_notes
def _article_page(state: AppState, article_id: str, root: str) -> bytes:
    """A corpus article's prepare page, rendered (``root``: the path the app is mounted at)."""
    result = prepare_corpus_article(state, article_id)
    template = TEMPLATES.get_template("prepare.html")
    return template.render(result=result, detailed=DETAILED, root=root).encode()


@router.post("/prepare")
async def prepare_pasted(
    request: Request,
    state: State,
    text: Annotated[str, Form(max_length=4 * MAX_TEXT_CHARS)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        text, title = check_unicode(text), check_unicode(title)
    except ValueError as error:
        return _home(request, state, 422, str(error))
    if upload is not None and upload.filename:
        if text.strip():
            message = (
                "you pasted text and chose a file: prepare one at a time (clear the text box "
                "to use the file, or leave the file out)"
            )
            return _home(request, state, 422, message, text, title)
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            message = (
                f"the file is over {MAX_UPLOAD_BYTES // 1024} KiB; upload a shorter text or "
                "paste part of it"
            )
            return _home(request, state, 413, message, "", title)
        try:
            text = check_unicode(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            message = "the file is not UTF-8 text; save it as UTF-8 and choose it again"
            return _home(request, state, 422, message, "", title)
    if len(text) > MAX_TEXT_CHARS:
        message = (
            f"the text has {len(text)} characters, over the limit of {MAX_TEXT_CHARS}; "
            "prepare it in parts"
        )
        return _home(request, state, 413, message, text, title)
    if not text.strip():
        message = "paste some English text or choose a .txt file, then press Prepare"
        return _home(request, state, 422, message, text, title)
    result = prepare_pasted_text(state, text, title.strip() or None)
    return page(request, "prepare.html", result=result, detailed=DETAILED)


def _term_id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) <= 15 else None


@router.get("/terms/{term_id}")
def term(request: Request, term_id: str, state: State) -> Response:
    number = _term_id(term_id)
    if number is None:
        return _no_term(request, term_id)
    return _term_page(request, state, number)


def _no_term(request: Request, term_id: str) -> Response:
    message = f"there is no term {term_id[:80]!r}; terms are found by searching for them"
    return error_response(request, 404, message, q=term_id[:80])


def _term_page(
    request: Request,
    state: Any,
    term_id: int,
    status: int = 200,
    error: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    detail = state.reader.term(term_id)
    detail["notes"] = state.notes.for_term(detail["norm"])
    for occurrence in detail["occurrences"]:
        mark = {"char_start": occurrence["char_start"], "char_end": occurrence["char_end"],
                "level": 4, "term_id": None}  # fmt: skip
        occurrence["segments"] = segments(occurrence["text"], [mark])
    return page(request, "term.html", status, term=detail, error=error, typed=typed or {})


@router.post("/terms/{term_id}/notes")
def add_note(
    request: Request,
    term_id: str,
    state: State,
    sign: Annotated[str, Form(max_length=2000)] = "",
    link: Annotated[str, Form(max_length=2000)] = "",
    author: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    number = _term_id(term_id)
    if number is None:
        return _no_term(request, term_id)
    norm = state.reader.term(number)["norm"]
    typed = {"sign": sign, "link": link, "author": author}
    try:
        note = NoteIn(sign=sign, link=link or None, author=author or None)
    except ValidationError as error:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        return _term_page(request, state, number, 422, message, typed)
    save_note(state, norm, note)
    root = request.scope.get("root_path", "").rstrip("/")
    return RedirectResponse(f"{root}/terms/{number}#notes", status_code=303)


@router.get("/search")
def search(request: Request, state: State, q: str = "") -> Response:
    query = q[:200]
    results = state.reader.search(query) if query.strip() else {"terms": [], "sentences": []}
    return page(request, "search.html", q=query, results=results)


@router.get("/sign-gap")
def sign_gap(request: Request, state: State, page_number: int = 1) -> Response:
    number = max(1, min(page_number, 100_000))
    rows = state.reader.sign_gap(GAP_PAGE + 1, (number - 1) * GAP_PAGE)
    return page(
        request, "sign_gap.html", rows=rows[:GAP_PAGE], page_number=number,
        more=len(rows) > GAP_PAGE, first=(number - 1) * GAP_PAGE,
    )  # fmt: skip


@router.get("/recordings/{recording_id}")
def recording(request: Request, recording_id: RecordingId, state: State) -> Response:
    found = state.reader.recording(recording_id)
    for source in ("annotated", "detected"):
        spans = [
            s for s in found["spans"] if (s["source"] == "annotated") == (source == "annotated")
        ]
        found[f"{source}_spans"] = spans
    shown = found["annotated_spans"] if found["annotated"] else found["detected_spans"]
    marks = [
        {
            "char_start": s["char_start"],
            "char_end": s["char_end"],
            "level": 4,
            "term_id": s["term_id"],
        }
        for s in shown
        if s.get("char_start") is not None and s.get("char_end") is not None
    ]
    unique = {(m["char_start"], m["char_end"]): m for m in marks}
    found["segments"] = segments(found["sentence"], _non_overlapping(list(unique.values())))
    return page(request, "recording.html", rec=found)


def _non_overlapping(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Marks that do not overlap an earlier one (two spans may spell parts of one word)."""
    kept: list[dict[str, Any]] = []
    for mark in sorted(marks, key=lambda m: (m["char_start"], -m["char_end"])):
        if not kept or mark["char_start"] >= kept[-1]["char_end"]:
            kept.append(mark)
    return kept
