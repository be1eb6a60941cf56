"""What the pages and the API both do: prepare an article or pasted text, save a note."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException

from asl_stem.termindex.integrity import disk_error
from asl_stem.webapp.models import NoteIn
from asl_stem.webapp.prepare import (
    attach_details,
    prepare_scored,
    prepare_sentences,
    split_sentences,
)
from asl_stem.webapp.state import AppState

ARTICLES_CACHED = 32  # prepared corpus articles kept rendered (LRU), as JSON and as a page


def prepare_corpus_article(state: AppState, article_id: str) -> dict[str, Any]:
    """Prepare one of the corpus's articles (shared by the page and the API)."""
    found = state.reader.article(article_id)
    texts = [sentence["text"] for sentence in found["sentences"]]
    scored = state.reader.article_candidates(article_id)  # scored when the index was built
    result = prepare_scored(
        state.reader, texts, [scored.get(s["id"], []) for s in found["sentences"]]
    )
    result.update(article_id=found["id"], title=found["title"])
    return attach_details(result, state.reader, state.notes)


def cached_by_notes(render: Callable[..., bytes]) -> Callable[..., bytes]:
    """``render(state, article_id, *rest)`` cached (LRU) until a note is added.

    A corpus article's preparation reads only the index, which never changes while the app
    runs, and the notes; the notes' version is part of the key, so a new note renders it
    anew. At the real corpus's size an article's page costs hundreds of CPU milliseconds,
    and an interpreter team preparing a lecture opens the same few articles.
    """
    cached = functools.lru_cache(maxsize=ARTICLES_CACHED)(
        lambda state, article_id, version, *rest: render(state, article_id, *rest)
    )

    @functools.wraps(render)
    def lookup(state: AppState, article_id: str, *rest: Any) -> bytes:
        return cached(state, article_id, state.notes.version(), *rest)

    return lookup


@cached_by_notes
def prepared_article_json(state: AppState, article_id: str) -> bytes:
    """:func:`prepare_corpus_article` as the API's JSON bytes."""
    result = prepare_corpus_article(state, article_id)
    return json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def prepare_pasted(state: AppState, text: str, article: str | None = None) -> dict[str, Any]:
    """Prepare pasted text (shared by the page and the API)."""
    sentences = split_sentences(text)
    with state.cpu_gate:
        result = prepare_sentences(state.reader, state.scorer, sentences, article)
    result.update(article_id=None, title=article)
    return attach_details(result, state.reader, state.notes)


def save_note(state: AppState, norm: str, note: NoteIn) -> dict[str, Any]:
    """Store a note; a full or read-only notes disk is a 503 that says so (nothing lost)."""
    try:
        return state.notes.add(norm, note.sign, note.link, note.author)
    except (OSError, sqlite3.OperationalError) as error:
        translated = disk_error(error, state.notes.path)
        if translated is None:
            raise
        raise HTTPException(503, str(translated)) from None
