"""The JSON API: the same data as the pages, for scripts and other tools."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from asl_stem.layout import HAND_BONES, LEFT_HAND, POSE, POSE_BONES, RIGHT_HAND
from asl_stem.webapp.models import ArticleId, NoteIn, PrepareIn, RecordingId, TermId
from asl_stem.webapp.services import prepare_corpus_article, prepare_pasted
from asl_stem.webapp.state import State

router = APIRouter()
SearchText = Annotated[str, Query(min_length=1, max_length=200)]

BONES = (
    [(POSE.start + a, POSE.start + b) for a, b in POSE_BONES]
    + [(RIGHT_HAND.start + a, RIGHT_HAND.start + b) for a, b in HAND_BONES]
    + [(LEFT_HAND.start + a, LEFT_HAND.start + b) for a, b in HAND_BONES]
)


@router.get("/healthz", tags=["meta"])
def healthz() -> dict[str, bool]:
    """Liveness: answers without touching the index."""
    return {"ok": True}


@router.get("/api/meta", tags=["meta"])
def meta(state: State) -> dict[str, str]:
    """How and when the index was built, with its counts."""
    return state.reader.meta()


@router.get("/api/articles", tags=["articles"])
def articles(state: State) -> list[dict[str, Any]]:
    """Every article of the corpus."""
    return state.reader.articles()


@router.get("/api/articles/{article_id}", tags=["articles"])
def article(article_id: ArticleId, state: State) -> dict[str, Any]:
    """An article and its sentences."""
    return state.reader.article(article_id)


@router.get("/api/articles/{article_id}/prepare", tags=["prepare"])
def prepare_article(article_id: ArticleId, state: State) -> dict[str, Any]:
    """An article's terms, scored and looked up in the corpus."""
    return prepare_corpus_article(state, article_id)


@router.post("/api/prepare", tags=["prepare"])
def prepare_text(body: PrepareIn, state: State) -> dict[str, Any]:
    """Pasted text's terms, scored and looked up in the corpus."""
    return prepare_pasted(state, body.text, body.article)


@router.get("/api/terms/{term_id}", tags=["terms"])
def term(term_id: TermId, state: State) -> dict[str, Any]:
    """A term: counts, interpreters, clips, occurrences, dictionary links, notes."""
    detail = state.reader.term(term_id)
    detail["notes"] = state.notes.for_term(detail["norm"])
    return detail


@router.get("/api/terms/{term_id}/notes", tags=["notes"])
def notes(term_id: TermId, state: State) -> list[dict[str, Any]]:
    """Interpreters' notes on a term, newest first."""
    return state.notes.for_term(state.reader.term(term_id)["norm"])


@router.post("/api/terms/{term_id}/notes", tags=["notes"], status_code=201)
def add_note(term_id: TermId, body: NoteIn, state: State) -> dict[str, Any]:
    """Save a note on a term (committed before the answer)."""
    norm = state.reader.term(term_id)["norm"]
    return state.notes.add(norm, body.sign, body.link, body.author)


@router.get("/api/search", tags=["search"])
def search(q: SearchText, state: State) -> dict[str, list[dict[str, Any]]]:
    """Terms and sentences matching every word of ``q`` (prefixes)."""
    return state.reader.search(q)


@router.get("/api/recordings/{recording_id}", tags=["recordings"])
def recording(recording_id: RecordingId, state: State) -> dict[str, Any]:
    """A recording: sentence, interpreter, spans with the words they spell."""
    return state.reader.recording(recording_id)


@router.get("/api/recordings/{recording_id}/keypoints", tags=["recordings"])
def keypoints(recording_id: RecordingId, state: State) -> dict[str, Any]:
    """Playback keypoints: frames of flat (x, y) lists over 75 points, and the bones to draw."""
    data = state.reader.keypoints(recording_id).to_json()
    data["bones"] = BONES
    return data
