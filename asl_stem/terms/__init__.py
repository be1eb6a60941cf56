"""Which terms interpreters fingerspell, and which word each fingerspelled span spells.

``load_default_scorer().score_sentence(sentence, article=...)`` scores every candidate word or
phrase of an English sentence; ``TermScorer.align`` names the word each span spells.
"""

from asl_stem.terms.align import AlignerParams, align_spans
from asl_stem.terms.candidates import Candidate, candidates, words
from asl_stem.terms.scorer import Term, TermScorer, fit_scorer, load_default_scorer

__all__ = [
    "AlignerParams",
    "Candidate",
    "Term",
    "TermScorer",
    "align_spans",
    "candidates",
    "fit_scorer",
    "load_default_scorer",
    "words",
]
