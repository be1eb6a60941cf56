"""Which terms interpreters fingerspell, and which word each fingerspelled span spells.

``load_default_scorer().score_sentence(sentence, article=...)`` scores every candidate word or
phrase of an English sentence (``load_default_scorer(read_lexicon(path))`` uses ASL-LEX too);
``TermScorer.align`` names the word each span spells.
"""

from asl_stem.terms.align import AlignerParams, align_spans
from asl_stem.terms.candidates import Candidate, candidates, words
from asl_stem.terms.features import ArticleContext
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.lexicon import Lexicon, Sign, SignMatch, read_lexicon
from asl_stem.terms.scorer import LexiconRequired, Term, TermScorer, load_default_scorer

__all__ = [
    "AlignerParams",
    "ArticleContext",
    "Candidate",
    "Lexicon",
    "LexiconRequired",
    "Sign",
    "SignMatch",
    "Term",
    "TermScorer",
    "align_spans",
    "candidates",
    "fit_scorer",
    "load_default_scorer",
    "read_lexicon",
    "words",
]
