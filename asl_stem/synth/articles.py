"""The short STEM articles the demo corpus is signed from (package data, written for the toolkit).

Each ``asl_stem/data/articles/*.json`` holds ``title``, a made-up ``pageid`` (9100000 and up,
so it never matches a real Wikipedia page) and ``sections`` of ``title`` + ``sentences``. As
in the release, a section title is recorded like a sentence: titled sections start with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Article:
    """One article: title, page id, and its sections as (title, sentences) pairs."""

    title: str
    pageid: int
    sections: tuple[tuple[str, tuple[str, ...]], ...]

    def sentences(self) -> Iterator[tuple[int, int, str]]:
        """(section index, sentence index, text), a titled section's title being sentence 0."""
        for section_index, (title, sentences) in enumerate(self.sections):
            texts = ((title,) if title else ()) + sentences
            for sentence_index, text in enumerate(texts):
                yield section_index, sentence_index, text


def load_articles() -> list[Article]:
    """Every bundled article, in file-name order."""
    folder = resources.files("asl_stem").joinpath("data/articles")
    articles = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text("utf-8"))
        sections = tuple(
            (section["title"], tuple(section["sentences"])) for section in data["sections"]
        )
        articles.append(Article(data["title"], int(data["pageid"]), sections))
    return articles
