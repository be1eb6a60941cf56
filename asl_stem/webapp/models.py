"""Request bodies of the JSON API, with the limits that keep the app safe.

Text must be valid Unicode (a lone surrogate from a JSON escape is refused with 422), notes'
links must be http(s) URLs (a ``javascript:`` link would run in a reader's browser).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Path as PathParam
from pydantic import BaseModel, Field, field_validator

MAX_TEXT_CHARS = 100_000
MAX_UPLOAD_BYTES = 256 * 1024
MAX_BODY_BYTES = 1024 * 1024
# Ids are looked up with bound SQL parameters only, never used as paths; the release's ids hold
# characters such as "&", so the pattern only refuses separators, control characters and length.
ID_PATTERN = r"^[^/\\\x00-\x1f]{1,300}$"
ArticleId = Annotated[str, PathParam(pattern=ID_PATTERN)]
RecordingId = Annotated[str, PathParam(pattern=ID_PATTERN)]
TermId = Annotated[int, PathParam(ge=1, le=2**53)]


def check_unicode(value: str) -> str:
    """Refuse strings that cannot be stored as UTF-8 (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("text holds characters that are not valid Unicode") from error
    return value


class PrepareIn(BaseModel):
    """English text to prepare, up to ``MAX_TEXT_CHARS`` characters."""

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    article: str | None = Field(default=None, max_length=300)

    @field_validator("text", "article")
    @classmethod
    def _unicode(cls, value: str | None) -> str | None:
        return check_unicode(value) if value is not None else None


class NoteIn(BaseModel):
    """A note on a term: the sign an interpreter uses, an optional link and name."""

    sign: str = Field(min_length=1, max_length=500)
    link: str | None = Field(default=None, max_length=500)
    author: str | None = Field(default=None, max_length=80)

    @field_validator("sign")
    @classmethod
    def _sign(cls, value: str) -> str:
        value = check_unicode(value).strip()
        if not value:
            raise ValueError("say which sign you use (the note is empty)")
        return value

    @field_validator("author")
    @classmethod
    def _author(cls, value: str | None) -> str | None:
        return (check_unicode(value).strip() or None) if value is not None else None

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = check_unicode(value).strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("link must be an http:// or https:// URL")
        return value
