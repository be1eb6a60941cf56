"""Where shards come from, and reading one tar checked against its catalog entry.

A source is a shards folder, an ``index.json`` (path or URL), a URL ending in ``/`` (its
``index.json``), a brace pattern (``.../shard-{000000..000009}.tar``) or a list of tar paths or
URLs. Paths may be plain or ``file://``; URLs are ``http(s)://`` (read with the standard
library, so no ``curl`` is needed and a missing ``index.json`` is told apart from a failed
download) or anything webdataset's ``gopen`` opens (``pipe:``, ``gs://``, ``ais://``, ...).
A pattern or list uses the ``index.json`` beside its tars when there is one (local or http),
so the catalog's sample table and checks apply to it too.

Each tar is read with webdataset's tar iteration. With its catalog entry known, a shard is
checked as it is read: by default (``verify=True``) its sha256 and size before any sample is
used; otherwise its size and sample count once it has been read. Damage is a
:class:`ShardReadError` naming the shard and what to do, never a silently shorter epoch.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import webdataset as wds

from asl_stem.shards.catalog import CATALOG_NAME, ShardCatalog, ShardEntry, read_catalog
from asl_stem.shards.errors import ShardCatalogError, ShardError, ShardReadError

Source = str | Path | Sequence[str]
SPOOL_BYTES = 256 * 2**20  # a shard checked before use is held in memory up to this size
HTTP_TIMEOUT_S = 60
FIX = (
    "run `asl-stem shards verify` on it; rerun the same `asl-stem extract` command to rewrite "
    "damaged shards (or copy the shard again from where it was made)"
)


@dataclass(frozen=True)
class ShardCheck:
    """What the catalog says of one shard: checked against the bytes as they are read."""

    bytes: int
    sha256: str
    samples: int

    @classmethod
    def of(cls, entry: ShardEntry) -> ShardCheck:
        return cls(entry.bytes, entry.sha256, entry.samples)


@dataclass(frozen=True)
class ShardSource:
    """A resolved source: its shard URLs in order and, when found, the catalog they belong to."""

    urls: tuple[str, ...]
    catalog: ShardCatalog | None
    names: tuple[str, ...]  # the catalog name of each URL (its file name)
    where: str  # the source as given, for messages

    @property
    def checks(self) -> dict[str, ShardCheck]:
        """URL -> catalog check, for the shards the catalog lists."""
        if self.catalog is None:
            return {}
        entries = {entry.name: entry for entry in self.catalog.shards}
        return {
            url: ShardCheck.of(entries[n]) for url, n in zip(self.urls, self.names, strict=True)
        }

    def urls_holding(self, keys: Collection[str] | None) -> list[str]:
        """The URLs of the shards holding any of ``keys`` (all, without keys or catalog)."""
        if keys is None or self.catalog is None:
            return list(self.urls)
        wanted = set(self.catalog.shards_holding(keys))
        return [url for url, name in zip(self.urls, self.names, strict=True) if name in wanted]


def local_path(text: str) -> Path | None:
    """The local path a source names (plain or ``file://``); None for other URLs."""
    parsed = urllib.parse.urlparse(text)
    if parsed.scheme == "file":
        return Path(urllib.request.url2pathname(parsed.path))
    return Path(text) if parsed.scheme == "" else None


def names_shards(text: str) -> bool:
    """Whether ``text`` names shards (a shards folder, an ``index.json``, tars, a URL) rather
    than other input such as an annotation CSV or a manifest folder."""
    path = local_path(text)
    if path is None:
        return True
    if path.is_dir():
        return (path / CATALOG_NAME).is_file()
    return path.name == CATALOG_NAME or path.suffix == ".tar" or "{" in text


def resolve(source: Source | ShardSource) -> ShardSource:
    """The shard URLs of ``source`` and their catalog (see the module's docstring)."""
    if isinstance(source, ShardSource):
        return source
    if isinstance(source, str | Path):
        text = str(source)
        path = local_path(text)
        if path is not None and not path.exists() and "{" not in text:
            raise ShardCatalogError(
                f"{text} not found: pass a shards folder made by `asl-stem extract`, its "
                "index.json, a brace pattern of its tars or their URLs"
            )
        if path is not None and (path.is_dir() or path.name == CATALOG_NAME):
            folder = path if path.is_dir() else path.parent
            return _from_catalog(read_catalog(folder), f"{folder}/", text)
        if path is None and text.endswith("/"):
            text += CATALOG_NAME
        if path is None and text.rpartition("/")[2] == CATALOG_NAME:
            return _from_catalog(fetch_catalog(text), text[: -len(CATALOG_NAME)], text)
        urls = list(wds.shardlists.expand_urls(text))
    else:
        urls = [str(url) for url in source]
    if not urls:
        raise ShardCatalogError(f"{source!r} names no shards; pass a shards folder or tar URLs")
    return _beside(urls, str(source))


def _from_catalog(catalog: ShardCatalog, base: str, where: str) -> ShardSource:
    names = tuple(entry.name for entry in catalog.shards)
    return ShardSource(tuple(base + name for name in names), catalog, names, where)


def _beside(urls: list[str], where: str) -> ShardSource:
    """The tars of a pattern or list, with the catalog beside them when there is one."""
    folders = {url.rpartition("/")[0] for url in urls}
    names = tuple(url.rpartition("/")[2] for url in urls)
    catalog = None
    if len(folders) == 1 and not any("?" in url for url in urls):
        folder = folders.pop()
        catalog = _catalog_if_any(f"{folder}/{CATALOG_NAME}" if folder else CATALOG_NAME)
    if catalog is not None:
        listed = {entry.name for entry in catalog.shards}
        for url, name in zip(urls, names, strict=True):
            if name not in listed:
                raise ShardCatalogError(
                    f"{url} is not in the index.json beside it (an unfinished or stray shard): "
                    "rerun the same `asl-stem extract` command, or leave it out of the pattern"
                )
    return ShardSource(tuple(urls), catalog, names, where)


def _catalog_if_any(url: str) -> ShardCatalog | None:
    """The catalog at ``url`` when it exists; None when it does not, or cannot be told apart
    from a failed download (``pipe:`` and other gopen URLs)."""
    path = local_path(url)
    if path is not None:
        return read_catalog(path.parent) if path.is_file() else None
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        return None
    try:
        return fetch_catalog(url)
    except ShardCatalogError as error:
        if isinstance(error.__cause__, urllib.error.HTTPError) and error.__cause__.code == 404:
            return None
        raise


def fetch_catalog(url: str) -> ShardCatalog:
    """The catalog at an ``index.json`` URL; a clear error when it cannot be had."""
    try:
        with open_url(url) as stream:
            data = json.load(stream)
    except json.JSONDecodeError as error:
        raise ShardCatalogError(f"{url} is not valid JSON ({error.msg}); extract again") from error
    except (OSError, http.client.HTTPException) as error:
        raise ShardCatalogError(
            f"{url} cannot be read ({describe(error)}); check the URL"
        ) from error
    return ShardCatalog.from_dict(data, url)


def open_url(url: str) -> IO[bytes]:
    """A binary stream of a path or URL: http(s) through urllib, the rest through gopen."""
    if urllib.parse.urlparse(url).scheme in ("http", "https"):
        return urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S)
    return wds.gopen(url, "rb")


def describe(error: BaseException) -> str:
    """A short reason for an error of opening or reading (no webdataset ``@ stream`` tails)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"{error.reason}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error.args[0]) if error.args else type(error).__name__
    return text.split(" @ ")[0] or type(error).__name__


def iter_tar(stream: IO[bytes], url: str) -> Iterator[dict[str, Any]]:
    """The samples of a tar stream, grouped by key by webdataset (``__key__``, members)."""
    files = wds.tariterators.tar_file_expander([{"url": url, "stream": stream}])
    yield from wds.tariterators.group_by_keys(files)


def spool_hashed(stream: IO[bytes]) -> tuple[IO[bytes], str]:
    """The whole stream in a spooled temporary file (rewound; in memory up to
    :data:`SPOOL_BYTES`) and its sha256."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    digest = hashlib.sha256()
    while chunk := stream.read(2**20):
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    return spool, digest.hexdigest()  # type: ignore[return-value]


def spool_checked(stream: IO[bytes], url: str, check: ShardCheck) -> IO[bytes]:
    """The whole stream, held until its size and sha256 are known to match ``check``."""
    spool, sha256 = spool_hashed(stream)
    size = spool.seek(0, 2)
    if size != check.bytes or sha256 != check.sha256:
        spool.close()
        what = f"{size} bytes, catalog says {check.bytes}" if size != check.bytes else "sha256"
        raise ShardReadError(f"{url} differs from its catalog entry ({what}): {FIX}")
    spool.seek(0)
    return spool


def read_shard(url: str, check: ShardCheck | None, verify: bool = True) -> Iterator[dict]:
    """The samples of one shard, checked against ``check`` (see the module's docstring)."""
    try:
        with contextlib.ExitStack() as stack:
            stream = stack.enter_context(_closing_quietly(open_url(url)))
            if check is not None and verify:
                stream = stack.enter_context(spool_checked(stream, url, check))
            counter = _CountingReader(stream)
            samples = 0
            for sample in iter_tar(counter, url):  # type: ignore[arg-type]
                samples += 1
                yield sample
            if check is not None and not verify:
                while counter.read(2**20):  # the end-of-archive blocks, counted too
                    pass
                if (counter.count, samples) != (check.bytes, check.samples):
                    raise ShardReadError(
                        f"{url} holds {samples} samples in {counter.count} bytes, its catalog "
                        f"entry {check.samples} in {check.bytes} (truncated?): {FIX}"
                    )
    except ShardError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, http.client.HTTPException) as error:
        raise ShardReadError(f"{url} cannot be read ({describe(error)}): {FIX}") from error


def reader_stage(
    sources: Iterator[Mapping[str, str]], checks: Mapping[str, ShardCheck], verify: bool
) -> Iterator[dict]:
    """A webdataset pipeline stage: shard ``{"url"}`` dicts in, their checked samples out."""
    for source in sources:
        yield from read_shard(source["url"], checks.get(source["url"]), verify)


@contextlib.contextmanager
def _closing_quietly(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """Close a stream, ignoring a ``pipe:`` command's complaint at being stopped early (a
    command that failed shows as a short or unreadable tar, which is reported)."""
    try:
        yield stream
    finally:
        with contextlib.suppress(OSError):
            stream.close()


class _CountingReader:
    """Counts the bytes read through it (the size check of an unhashed read)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.count = stream, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data
