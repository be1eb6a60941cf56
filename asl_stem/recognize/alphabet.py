"""The recognizer's characters: letters, digits, a space and a few marks, with CTC's blank.

Labels are normalised the way a fingerspeller signs: lower case, accents dropped ("Brønsted"
is spelled B-R-O-N-S-T-E-D), every dash a hyphen, typographic apostrophes plain, runs of white
space one space; characters outside the set (brackets, most punctuation) are not spelled and
are left out. The marks kept are those that phrases of public fingerspelling corpora spell
(web addresses, phone numbers, street numbers).
"""

from __future__ import annotations

import string
import unicodedata

BLANK = 0
MARKS = " '-./&@:+#"
CHARACTERS = MARKS + string.digits + string.ascii_lowercase
INDEX = {char: number for number, char in enumerate(CHARACTERS, start=1)}
VOCAB_SIZE = len(CHARACTERS) + 1  # with the blank
_DASHES = "‐‑‒–—−"
_APOSTROPHES = "’‘`´"


def _plain(char: str) -> str:
    """One character as spelled: ø -> o (its Unicode name's letter), a dash -> '-', etc."""
    if char in _DASHES:
        return "-"
    if char in _APOSTROPHES:
        return "'"
    if char.isspace():
        return " "
    if char.isalpha() and not char.isascii():
        _, _, after = unicodedata.name(char, "").partition("LETTER ")
        letter = after.split(" ")[0]
        return letter.lower() if len(letter) == 1 else ""
    return char


def to_label(text: str) -> str:
    """The string a fingerspeller signs for ``text``, in the recognizer's characters only."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(
        plain
        for char in decomposed
        if not unicodedata.combining(char)
        for plain in _plain(char)
        if plain in INDEX
    )
    return " ".join(kept.split())


def encode(text: str) -> list[int]:
    """Class indices (1-based; 0 is the blank) of the label of ``text``."""
    return [INDEX[char] for char in to_label(text)]


def decode(indices: list[int]) -> str:
    """The string of class indices (blanks, if any, are skipped)."""
    return "".join(CHARACTERS[i - 1] for i in indices if i != BLANK)


def spelled(text: str) -> str:
    """Only the letters and digits of the label: what the character error rate compares."""
    return "".join(char for char in to_label(text) if char.isalnum())
