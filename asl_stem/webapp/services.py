"""What the pages and the API both do: prepare an article or pasted text."""

from __future__ import annotations

from typing import Any

from asl_stem.webapp.prepare import attach_details, prepare_sentences, split_sentences
from asl_stem.webapp.state import AppState


def prepare_corpus_article(state: AppState, article_id: str) -> dict[str, Any]:
    """Prepare one of the corpus's articles (shared by the page and the API)."""
    found = state.reader.article(article_id)
    texts = [sentence["text"] for sentence in found["sentences"]]
    with state.cpu_gate:
        result = prepare_sentences(state.reader, state.scorer, texts, found["title"])
    result.update(article_id=found["id"], title=found["title"])
    return attach_details(result, state.reader, state.notes)


def prepare_pasted(state: AppState, text: str, article: str | None = None) -> dict[str, Any]:
    """Prepare pasted text (shared by the page and the API)."""
    sentences = split_sentences(text)
    with state.cpu_gate:
        result = prepare_sentences(state.reader, state.scorer, sentences, article)
    result.update(article_id=None, title=article)
    return attach_details(result, state.reader, state.notes)
