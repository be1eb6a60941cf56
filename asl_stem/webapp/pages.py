"""Server-rendered pages: home, prepare, term, search, recording. Jinja2 escapes every string."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from asl_stem.webapp.models import (
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
    ArticleId,
    NoteIn,
    RecordingId,
    TermId,
    check_unicode,
)
from asl_stem.webapp.prepare import segments
from asl_stem.webapp.responses import TEMPLATES, error_response
from asl_stem.webapp.services import prepare_corpus_article
from asl_stem.webapp.services import prepare_pasted as prepare_pasted_text
from asl_stem.webapp.state import State

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


@router.get("/")
def home(request: Request, state: State) -> Response:
    return _page(
        request,
        "home.html",
        articles=state.reader.articles(),
        max_chars=MAX_TEXT_CHARS,
        max_upload=MAX_UPLOAD_BYTES,
    )


@router.get("/articles/{article_id}")
def prepare_article(request: Request, article_id: ArticleId, state: State) -> Response:
    return _page(request, "prepare.html", result=prepare_corpus_article(state, article_id))


@router.post("/prepare")
async def prepare_pasted(
    request: Request,
    state: State,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if upload is not None and upload.filename:
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return error_response(
                request,
                413,
                f"the file is over {MAX_UPLOAD_BYTES // 1024} KiB; "
                "upload a shorter text or paste part of it",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return error_response(
                request, 422, "the file is not UTF-8 text; save it as UTF-8 and retry"
            )
    if len(text) > MAX_TEXT_CHARS:
        return error_response(
            request,
            413,
            f"the text has {len(text)} characters, over the limit of "
            f"{MAX_TEXT_CHARS}; prepare it in parts",
        )
    try:
        text, title = check_unicode(text), check_unicode(title)
    except ValueError as error:
        return error_response(request, 422, str(error))
    if not text.strip():
        return error_response(request, 422, "paste some English text or upload a .txt file")
    result = prepare_pasted_text(state, text, title.strip() or None)
    return _page(request, "prepare.html", result=result)


@router.get("/terms/{term_id}")
def term(request: Request, term_id: TermId, state: State) -> Response:
    return _term_page(request, state, term_id)


def _term_page(
    request: Request, state: Any, term_id: int, status: int = 200, error: str = ""
) -> Response:
    detail = state.reader.term(term_id)
    detail["notes"] = state.notes.for_term(detail["norm"])
    for occurrence in detail["occurrences"]:
        mark = {
            "char_start": occurrence["char_start"],
            "char_end": occurrence["char_end"],
            "level": 4,
            "term_id": None,
        }
        occurrence["segments"] = segments(occurrence["text"], [mark])
    return _page(request, "term.html", status, term=detail, error=error)


@router.post("/terms/{term_id}/notes")
def add_note(
    request: Request,
    term_id: TermId,
    state: State,
    sign: Annotated[str, Form(max_length=500)] = "",
    link: Annotated[str, Form(max_length=500)] = "",
    author: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    norm = state.reader.term(term_id)["norm"]
    try:
        note = NoteIn(sign=sign, link=link or None, author=author or None)
    except ValidationError as error:
        message = "; ".join(e["msg"] for e in error.errors())
        return _term_page(request, state, term_id, 422, message)
    state.notes.add(norm, note.sign, note.link, note.author)
    return RedirectResponse(f"/terms/{term_id}#notes", status_code=303)


@router.get("/search")
def search(request: Request, state: State, q: str = "") -> Response:
    query = q[:200]
    results = state.reader.search(query) if query.strip() else {"terms": [], "sentences": []}
    return _page(request, "search.html", q=query, results=results)


@router.get("/recordings/{recording_id}")
def recording(request: Request, recording_id: RecordingId, state: State) -> Response:
    found = state.reader.recording(recording_id)
    marks = [
        {
            "char_start": s["char_start"],
            "char_end": s["char_end"],
            "level": 4,
            "term_id": s["term_id"],
        }
        for s in found["spans"]
        if s["char_start"] is not None
    ]
    unique = {(m["char_start"], m["char_end"]): m for m in marks}
    found["segments"] = segments(found["sentence"], _non_overlapping(list(unique.values())))
    return _page(request, "recording.html", rec=found)


def _non_overlapping(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Marks that do not overlap an earlier one (two spans may spell parts of one word)."""
    kept: list[dict[str, Any]] = []
    for mark in sorted(marks, key=lambda m: (m["char_start"], -m["char_end"])):
        if not kept or mark["char_start"] >= kept[-1]["char_end"]:
            kept.append(mark)
    return kept
