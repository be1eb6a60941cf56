"""ASL-LEX 2.0: which English words and phrases have an ASL sign, read from the file as published.

ASL-LEX 2.0 (Caselli et al. 2017; Sehyr et al. 2021; CC BY-NC 4.0, so users import their own
copy) is one CSV row per sign: ``signdata.csv`` of 2,723 signs and 190 columns, UTF-8 with a
byte-order mark. A sign answers to its entry id and lemma id (``apple_2`` is "apple"; an
underscore is a space: ``hard_of_hearing``), its dominant translation (the gloss most raters
gave) and every gloss of ``SignBankEnglishTranslations`` and ``NondominantTranslation``
("bill, cash, dollar, money"). :meth:`Lexicon.lookup` matches a term to signs by those glosses,
exactly or after lemmatisation (``lemminflect``: plurals, inflections; a possessive 's is
dropped first), and ranks the matches by how direct they are.

Bad rows (no entry id, a rating that is not a number, a flag that is not 0/1) are reported as
:class:`~asl_stem.problems.Problem` with their line number and never stop the read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from lemminflect import getAllLemmas, getAllLemmasOOV

from asl_stem.corpus.csvtable import iter_fields, read_table
from asl_stem.problems import Problem
from asl_stem.terms.text import normalise_term

# Logical column -> header spellings (ASL-LEX 2.0 first; 1.0 named the flags without ".2.0").
REQUIRED = ("EntryID", "LemmaID", "SignBankEnglishTranslations")
OPTIONAL: dict[str, tuple[str, ...]] = {
    "DominantTranslation": (),
    "NondominantTranslation": (),
    "LexicalClass": (),
    "SignFrequency(M)": (),
    "Iconicity(M)": (),
    "FingerspelledLoanSign.2.0": ("FingerspelledLoanSign",),
    "Initialized.2.0": ("Initialized",),
    "Compound.2.0": ("Compound",),
    "VimeoVideo": (),
    "YouTube Video": ("YouTubeVideo",),
    "SignBankAnnotationID": (),
    "SignBankLemmaID": (),
    "SignBankReferenceID": (),
    "SignBankSemanticField": (),
}
_ALIASES = {name: (name, *others) for name, others in OPTIONAL.items()}
_ID_SUFFIX = re.compile(r"(?:_\d+|[-_](?:ca|cl))+$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
_YOUTUBE_SRC = re.compile(r"src=[\"']?(https?://[^\"' >]+)")
_MISSING = {"", "na", "n/a", "none", "null"}

MatchKind = Literal["entry", "translation"]


@dataclass(frozen=True)
class Sign:
    """One ASL-LEX sign. Ratings are the means over raters (1-7 scales); None when not rated.

    ``sign_frequency``: how often deaf signers see the sign; ``iconicity``: how much it looks
    like what it means; ``fingerspelled_loan``: a lexicalised fingerspelling (#BANK);
    ``initialized``: the handshape is the English word's first letter.
    """

    entry_id: str
    lemma_id: str
    line: int
    translations: tuple[str, ...] = ()
    dominant_translation: str | None = None
    nondominant_translations: tuple[str, ...] = ()
    lexical_class: str | None = None
    sign_frequency: float | None = None
    iconicity: float | None = None
    fingerspelled_loan: bool = False
    initialized: bool = False
    compound: bool = False
    video_url: str | None = None
    youtube_url: str | None = None
    signbank_annotation_id: str | None = None
    signbank_lemma_id: str | None = None
    signbank_reference_id: str | None = None
    semantic_field: str | None = None

    @property
    def primary_glosses(self) -> tuple[str, ...]:
        """What the sign itself is called: entry id, lemma id, dominant translation (English)."""
        ids = (self.entry_id, self.lemma_id, self.dominant_translation or "")
        names = (id_gloss(part) for name in ids for part in re.split(r"[,/]", name))
        return tuple(dict.fromkeys(name for name in names if name))

    @property
    def glosses(self) -> tuple[str, ...]:
        """Every English gloss the sign answers to, its own names first."""
        listed = (*self.translations, *self.nondominant_translations)
        return tuple(dict.fromkeys((*self.primary_glosses, *listed)))


@dataclass(frozen=True)
class SignMatch:
    """A sign that a term names: through one of its own names or a listed translation, and
    whether the term had to be lemmatised ("acids" -> "acid") to match."""

    sign: Sign
    kind: MatchKind
    lemmatised: bool


def id_gloss(identifier: str) -> str:
    """An id as English: 'apple_2' -> 'apple', 'hard_of_hearing' -> 'hard of hearing'."""
    return _ID_SUFFIX.sub("", identifier.strip()).replace("_", " ").strip()


def split_translations(cell: str) -> tuple[str, ...]:
    """The glosses of one translation cell: 'bill, cash, dollar' -> three glosses."""
    parts = (part.strip() for part in re.split(r"[,;]", cell))
    return tuple(dict.fromkeys(part for part in parts if part))


def gloss_key(text: str) -> str:
    """Normal form for matching: accents, case and punctuation dropped, possessive removed."""
    return normalise_term(_POSSESSIVE.sub("", text.strip()))


@lru_cache(maxsize=65536)
def lemma_keys(key: str) -> frozenset[str]:
    """Lemmas of a normal-form key (its last word lemmatised: 'standard deviations' ->
    'standard deviation'), the key itself included."""
    if not key:
        return frozenset()
    head, _, last = key.rpartition(" ")
    found = getAllLemmas(last) or getAllLemmasOOV(last, "NOUN")
    lemmas = {lemma.lower() for forms in found.values() for lemma in forms}
    return frozenset({key} | {f"{head} {lemma}".strip() for lemma in lemmas})


@dataclass
class Lexicon:
    """Signs of one ASL-LEX file and indexes from gloss keys to them."""

    signs: tuple[Sign, ...]
    source: str = ""
    problems: tuple[Problem, ...] = ()
    _exact: dict[tuple[str, MatchKind], list[int]] = field(init=False, repr=False)
    _lemma: dict[tuple[str, MatchKind], list[int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._exact, self._lemma = defaultdict(list), defaultdict(list)
        for index, sign in enumerate(self.signs):
            primary = {gloss_key(g) for g in sign.primary_glosses} - {""}
            listed = {gloss_key(g) for g in sign.glosses} - primary - {""}
            for kind, keys in (("entry", primary), ("translation", listed)):
                for key in keys:
                    self._exact[key, kind].append(index)
                    for lemma in lemma_keys(key):
                        self._lemma[lemma, kind].append(index)

    def __len__(self) -> int:
        return len(self.signs)

    def __iter__(self) -> Iterator[Sign]:
        return iter(self.signs)

    def by_entry_id(self, entry_id: str) -> Sign | None:
        """The sign with this exact entry id (the first, if the file repeats it)."""
        return next((sign for sign in self.signs if sign.entry_id == entry_id), None)

    def lookup(self, term: str) -> list[SignMatch]:
        """Signs the term names, most direct first: own name, then a listed translation, each
        exact before lemmatised; then by sign frequency (most frequent first), then file order."""
        key = gloss_key(term)
        if not key:
            return []
        out: list[SignMatch] = []
        seen: set[int] = set()
        lemmas = lemma_keys(key)
        for lemmatised, kind in (
            (False, "entry"),
            (False, "translation"),
            (True, "entry"),
            (True, "translation"),
        ):
            if lemmatised:
                hits = {i for lemma in lemmas for i in self._lemma.get((lemma, kind), ())}
            else:
                hits = set(self._exact.get((key, kind), ()))
            ranked = sorted(hits - seen, key=lambda i: (-(self.signs[i].sign_frequency or 0.0), i))
            out += [SignMatch(self.signs[i], kind, lemmatised) for i in ranked]
            seen |= hits
        return out


def read_lexicon(path: str | Path) -> Lexicon:
    """Read an ASL-LEX CSV as published; bad rows are in ``Lexicon.problems``, never fatal.

    Raises ``ValueError`` (naming the file) only when the file has no ASL-LEX header at all.
    """
    aliases = {"EntryID": ("Entry ID",), "LemmaID": ("Lemma ID",), **_ALIASES}
    table = read_table(path, REQUIRED, aliases)
    if not table.header_found:
        raise ValueError(
            f"{path}: no ASL-LEX header (needs {', '.join(REQUIRED)}); pass ASL-LEX 2.0's "
            "signdata.csv as published"
        )
    problems = list(table.problems)
    signs = []
    seen_ids: dict[str, int] = {}
    for line, fields, error in iter_fields(table):
        if fields is None:
            problems.append(Problem(table.path, line, f"{error}; row skipped", "bad_row"))
            continue
        sign = _sign(table.path, line, fields, problems)
        if sign is None:
            continue
        if sign.entry_id in seen_ids:
            reason = f"EntryID {sign.entry_id!r} also on line {seen_ids[sign.entry_id]}; kept both"
            problems.append(Problem(table.path, line, reason, "duplicate_entry", "warning"))
        seen_ids.setdefault(sign.entry_id, line)
        signs.append(sign)
    return Lexicon(tuple(signs), table.path, tuple(problems))


def _sign(path: str, line: int, fields: dict[str, str], problems: list[Problem]) -> Sign | None:
    """One row as a Sign; None (and a problem) when it has no entry id."""
    entry_id = fields["EntryID"].strip()
    if not id_gloss(entry_id):
        problems.append(Problem(path, line, "row has no EntryID; skipped", "no_entry_id"))
        return None

    def text(name: str) -> str | None:
        value = fields.get(name, "").strip()
        return None if value.lower() in _MISSING else value

    def number(name: str) -> float | None:
        value = text(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            reason = f"{name} is {value!r}, not a number; read as missing"
            problems.append(Problem(path, line, reason, "bad_number", "warning"))
            return None

    def flag(name: str) -> bool:
        value = text(name)
        if value not in (None, "0", "1"):
            reason = f"{name} is {value!r}, expected 0 or 1; read as 0"
            problems.append(Problem(path, line, reason, "bad_flag", "warning"))
        return value == "1"

    youtube = _YOUTUBE_SRC.search(fields.get("YouTube Video", ""))
    video = text("VimeoVideo")
    return Sign(
        entry_id=entry_id,
        lemma_id=fields["LemmaID"].strip() or entry_id,
        line=line,
        translations=split_translations(fields["SignBankEnglishTranslations"]),
        dominant_translation=text("DominantTranslation"),
        nondominant_translations=split_translations(text("NondominantTranslation") or ""),
        lexical_class=text("LexicalClass"),
        sign_frequency=number("SignFrequency(M)"),
        iconicity=number("Iconicity(M)"),
        fingerspelled_loan=flag("FingerspelledLoanSign.2.0"),
        initialized=flag("Initialized.2.0"),
        compound=flag("Compound.2.0"),
        video_url=video if video and video.startswith(("http://", "https://")) else None,
        youtube_url=youtube.group(1).replace("&amp;", "&") if youtube else None,
        signbank_annotation_id=text("SignBankAnnotationID"),
        signbank_lemma_id=text("SignBankLemmaID"),
        signbank_reference_id=text("SignBankReferenceID"),
        semantic_field=text("SignBankSemanticField"),
    )
