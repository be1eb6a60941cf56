"""Which word each fingerspelled span spells: a hidden Markov model over the sentence's terms.

Each span (in time order) is in one state: a candidate term of the sentence, a name of the
article that the sentence does not contain (:func:`~asl_stem.terms.candidates.article_names`),
or, when a recognizer read the span's letters, "what was read" (a term the text does not hold:
an abbreviation the sentence writes out, a chemical symbol). What the video tells, each as a
cost (a negative log-probability) fitted on annotated rows:

- a span's length in frames grows with the letters spelled, and is shorter for common words
  (log frames ~ a + b log letters + c Zipf frequency: they get shortened, lexicalised);
- the pause between two spans grows with the words signed between them, and the first span's
  start with the words before it (log(1 + frames) ~ a + b log(1 + words));
- spans mostly follow the sentence; a term may be spelled again (a repeat) and ASL may reorder
  (a move backwards): both are rarer moves with their own fitted probability, not forbidden
  ones, so one mistake does not shift every later span of the sentence;
- the term scorer says which words are likely spelled at all: choosing a term costs -log
  score, and every word passed over unspelled (skipped going forward, before the first span,
  after the last) costs -log(1 - score), so a likely term is not skipped for free;
- with letters (:mod:`asl_stem.terms.readings`), how far the read letters are from the term.

A term from outside the sentence spells none of its words, so its state remembers where in
the sentence the path was (after which in-sentence term, or before any): the words passed over
on either side of it pay their skip costs as they would without it, and an outside term is not
a free way past unspelled likely words. Which outside term it is (each name, or what was read)
does not change any move, so one state per place holds them all, its cost their soft minimum.

A detector runs two words spelled with a short pause into one span (on the synthetic twin about
a quarter of the annotated spans were merged with a neighbour so, nine in ten of those pauses
under 12 frames: ``scripts/merged_spans.py``). So the spans of a detector may each
spell two adjacent words: a pair of words is then a state, at least as likely as both its
words being spelled (the product of their scores; pairs under ``MIN_PAIR`` are left out), and a
span named by a pair is split into its two words at the frame where their letters divide.

The best path is Viterbi's; each span's ``text_score`` is the posterior probability of its
state under the same costs, by the forward-backward algorithm over the lattice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
from scipy.special import logsumexp

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.sets import AnnotatedRecording
from asl_stem.terms.candidates import Candidate, words
from asl_stem.terms.costs import MEAN_COST, AlignerParams, LogLinear
from asl_stem.terms.features import zipf
from asl_stem.terms.labels import occurrences
from asl_stem.terms.lattice import best_path, posteriors
from asl_stem.terms.readings import Reading, letter_costs, letters

_FLOOR = 1e-6
# The cost of leaving a span without text: taken only when no term and no reading is possible.
NO_TEXT_COST = 1e4
# A pair of words less likely than this is not a state of a detected span: such a pair is almost
# never the best path, and every state offered costs time in each span.
MIN_PAIR = 0.01


@dataclass(frozen=True)
class _States:
    """Every state a span can take: the C in-sentence candidates; then an outside term (a name
    or what was read) after candidate p, for p < C, or before any (p = C); then no text.

    ``skipped[j]`` is the cost of leaving the sentence's words before word j unspelled: the
    sum of -log(1 - score) of each word (its best covering candidate's score).
    """

    found: list[Candidate]
    names: list[str]
    scores: np.ndarray  # term scores of found + names
    skipped: np.ndarray

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.found] + self.names

    @property
    def inside(self) -> int:
        return len(self.found)

    @cached_property
    def first(self) -> np.ndarray:
        """Index of each candidate's first word."""
        return np.array([c.word_index for c in self.found], dtype=int)

    @cached_property
    def after(self) -> np.ndarray:
        """Index of the word after each candidate."""
        return self.first + np.array([c.n_words for c in self.found], dtype=int)

    @property
    def size(self) -> int:
        return 2 * self.inside + 2

    def outside(self, state: int) -> bool:
        return self.inside <= state < self.size - 1


@dataclass(frozen=True)
class Lattice:
    """One recording's spans (time order) against its states: costs, and what they give."""

    ordered: list[FingerspellingSpan]
    states: _States
    read: list[Reading | None]
    emit: np.ndarray  # (spans, states)
    moves: list[np.ndarray]  # (states, states) between consecutive spans
    outer: np.ndarray  # (spans, names + 1) cost of each outside term: the names, then 'read'
    given: int  # candidates given, and which of them are states (a pair may not be)
    kept: list[int]

    def posteriors(self) -> np.ndarray:
        """(spans, states) probability of each span being in each state."""
        return posteriors(self.emit, self.moves)

    def usage(self) -> np.ndarray:
        """Probability that each candidate given is spelled by at least one span (0 for one
        that is not a state)."""
        inside = self.posteriors()[:, : self.states.inside]
        out = np.zeros(self.given)
        out[self.kept] = 1.0 - np.prod(1.0 - inside, axis=0)
        return out

    def decode(self) -> list[FingerspellingSpan]:
        """The spans named by the best path, each with its text's posterior (an outside
        state's times its term's share of the state)."""
        path = best_path(self.emit, self.moves)
        posterior = self.posteriors()
        out = []
        for i, (span, state) in enumerate(zip(self.ordered, path, strict=True)):
            chosen = _state_text(self.states, self.read[i], state, self.outer[i])
            probability = float(posterior[i, state])
            if chosen and self.states.outside(state):
                probability *= float(np.exp(-self.outer[i].min() - logsumexp(-self.outer[i])))
            named = _named(span, chosen, probability if chosen else None)
            candidate = chosen[1] if chosen else None
            if candidate and candidate.kind == "phrase" and _may_merge([span]):
                out += _split(named, candidate)
            else:
                out.append(named)
        return out


def length_inputs(texts: Sequence[str], unknown_zipf: float) -> tuple[np.ndarray, np.ndarray]:
    """The length model's predictors of each term: log of its letters, and its Zipf frequency,
    ``unknown_zipf`` for a term wordfreq does not know (a name, a symbol: no evidence either
    way)."""
    frequency = [zipf(text) or unknown_zipf for text in texts]
    return np.log([max(1, letters(text)) for text in texts]), np.array(frequency)


def sentence_order(found: Sequence[Candidate]) -> list[int]:
    """Indices of the candidates by (start, end): the order the lattice's states take."""
    return sorted(range(len(found)), key=lambda i: (found[i].char_start, found[i].char_end))


def build_lattice(
    spans: Sequence[FingerspellingSpan],
    found: Sequence[Candidate],
    scores: np.ndarray,
    params: AlignerParams,
    names: Sequence[tuple[str, float]] = (),
    readings: dict[str, Reading] | None = None,
) -> Lattice | None:
    """The lattice of one recording (candidates in :func:`sentence_order`); None when there
    is nothing to align (no span, or no term and no reading)."""
    readings = readings or {}
    ordered = sorted(spans, key=lambda s: (s.start_frame, s.end_frame))
    merged = _may_merge(ordered)
    if merged:
        scores = _as_merged(found, scores)
    order = [
        i
        for i in sentence_order(found)
        if found[i].kind != "phrase" or params.phrases or (merged and scores[i] >= MIN_PAIR)
    ]
    given = len(found)
    found = [found[i] for i in order]
    scores = np.clip(np.asarray(scores, dtype=float)[order], _FLOOR, 1.0 - _FLOOR)
    states = _States(
        found,
        [name for name, _ in names],
        np.concatenate([scores, np.clip([s for _, s in names], _FLOOR, 1.0)]),
        _skip_costs(found, scores),
    )
    read = [readings.get(span.id) for span in ordered]
    if not ordered or (not states.texts and not any(read)):
        return None
    inner, outer = _emissions(ordered, states, read, params)
    emit = _place(inner, outer, states, params, ordered[0])
    moves = [_moves(states, params, a, b) for a, b in pairwise(ordered)]
    return Lattice(ordered, states, read, emit, moves, outer, given, order)


def align_spans(
    spans: Sequence[FingerspellingSpan],
    found: Sequence[Candidate],
    scores: np.ndarray,
    params: AlignerParams | None = None,
    *,
    names: Sequence[tuple[str, float]] = (),
    readings: dict[str, Reading] | None = None,
) -> list[FingerspellingSpan]:
    """Give each span (taken in time order) the term it spells; return them in time order.

    :param spans: the spans of one recording, any order; their text is replaced.
    :param found: the sentence's candidates; :param scores: their term scores in [0, 1].
    :param names: the article's terms absent from the sentence, with a term score each.
    :param readings: the recognizer's n-best letters by span id (spans without one are aligned
        on text alone).
    A span gets the term's text, its offsets (None for an outside name), ``text_source`` =
    "aligned" and its posterior as ``text_score``; a span whose letters match no term keeps
    what was read (``text_source="read"``); with no term and no letters it keeps no text.
    """
    lattice = build_lattice(spans, found, scores, params or AlignerParams(), names, readings)
    if lattice is None:
        return [_named(span, None) for span in sorted(spans, key=lambda s: s.start_frame)]
    return lattice.decode()


def _may_merge(spans: Sequence[FingerspellingSpan]) -> bool:
    """Whether the spans are a detector's (or pseudo-labels from one), which may run two
    words into one span; annotated spans are one word each."""
    return any(span.source != "annotated" for span in spans)


def _as_merged(found: Sequence[Candidate], scores: np.ndarray) -> np.ndarray:
    """Scores with each pair of words at least as likely as both its words (a detected span
    may run them together)."""
    out = np.array(scores, dtype=float)
    word_score = {
        (c.char_start, c.char_end): score
        for c, score in zip(found, out, strict=True)
        if c.kind == "word"
    }
    for i, candidate in enumerate(found):
        if candidate.kind == "phrase":
            (_, *left), (_, *right) = _pair_words(candidate)
            both = word_score.get(tuple(left), 0.0) * word_score.get(tuple(right), 0.0)
            out[i] = max(out[i], both)
    return out


def _pair_words(pair: Candidate) -> tuple[tuple[str, int, int], tuple[str, int, int]]:
    """The two words of a pair candidate (two words one space apart), with their offsets."""
    left, right = pair.text.split(" ")
    return (
        (left, pair.char_start, pair.char_start + len(left)),
        (right, pair.char_end - len(right), pair.char_end),
    )


def _split(span: FingerspellingSpan, pair: Candidate) -> list[FingerspellingSpan]:
    """A detected span named by a pair of words, as one span per word: its frames divided
    where the words' letters divide (a span too short to divide stays whole)."""
    (left, *left_place), (right, *right_place) = _pair_words(pair)
    share = letters(left) / max(1, letters(left) + letters(right))
    cut = span.start_frame + round(span.num_frames * share)
    if not span.start_frame < cut <= span.end_frame:
        return [span]
    first, last = span.start_frame, span.end_frame
    halves = [(left, left_place, first, cut - 1), (right, right_place, cut, last)]
    return [
        span.replace(
            id=f"{span.id}.{n}", start_frame=start, end_frame=end, text=text,
            char_start=place[0], char_end=place[1],
        )
        for n, (text, place, start, end) in enumerate(halves, start=1)
    ]  # fmt: skip


def _skip_costs(found: Sequence[Candidate], scores: np.ndarray) -> np.ndarray:
    """Cumulative -log(1 - score) over the sentence's words (see :class:`_States`)."""
    n_words = max((c.word_index + c.n_words for c in found), default=0)
    word_score = np.zeros(n_words)
    for candidate, score in zip(found, scores, strict=True):
        covered = slice(candidate.word_index, candidate.word_index + candidate.n_words)
        word_score[covered] = np.maximum(word_score[covered], score)
    return np.concatenate([[0.0], np.cumsum(-np.log1p(-word_score))])


def _emissions(
    ordered: Sequence[FingerspellingSpan],
    states: _States,
    read: Sequence[Reading | None],
    params: AlignerParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Each span's costs as each in-sentence candidate (spans, C) and as each outside term
    (spans, names + 1: the names, then what was read; inf where nothing was read)."""
    texts = states.texts
    log_letters, zipfs = length_inputs(texts, params.unknown_zipf)
    prior = params.score_weight * -np.log(states.scores)
    prior[states.inside :] += params.outside_penalty
    costs = np.full((len(ordered), len(texts) + 1), np.inf)
    for i, span in enumerate(ordered):
        log_frames = np.log(span.num_frames)
        costs[i, : len(texts)] = params.length.cost(log_frames, log_letters, zipfs) + prior
        if read[i] is not None:
            costs[i, : len(texts)] += letter_costs(read[i], texts, params.letter_error)
            best = read[i].best
            read_cost = letter_costs(read[i], [best], params.letter_error)[0]
            inputs = length_inputs([best], params.unknown_zipf)
            length = params.length.cost(log_frames, *inputs)[0]
            unknown = math.log(1 + len(states.names)) + params.read_letter_cost * letters(best)
            costs[i, -1] = params.outside_penalty + unknown + read_cost + length
    return costs[:, : states.inside], costs[:, states.inside :]


def _place(
    inner: np.ndarray,
    outer: np.ndarray,
    states: _States,
    params: AlignerParams,
    first_span: FingerspellingSpan,
) -> np.ndarray:
    """(spans, states) emission costs: the outside states' cost is the soft minimum of their
    terms'; the first span pays the start and the words before it, the last the words after."""
    size, c = states.size, states.inside
    emit = np.full((len(inner), size), np.inf)
    emit[:, :c] = inner
    soft = np.full(len(outer), np.inf)
    possible = np.isfinite(outer).any(axis=1)
    soft[possible] = -logsumexp(-outer[possible], axis=1)
    emit[:, c : size - 1] = soft[:, None]
    emit[:, -1] = NO_TEXT_COST
    first, after = states.first, states.after
    start = np.full(size, np.inf)
    start[-1] = MEAN_COST
    log_start = np.log1p(first_span.start_frame)
    start[size - 2] = params.start.cost(log_start, 0.0)  # outside, no word of the sentence before
    start[:c] = params.start.cost(log_start, np.log1p(first))
    start[:c] += params.skip_cost * states.skipped[first]
    emit[0] += start
    left = np.concatenate([states.skipped[-1] - states.skipped[after], [states.skipped[-1]]])
    emit[-1, :c] += params.skip_cost * left[:c]
    emit[-1, c : size - 1] += params.skip_cost * left
    return emit


def _moves(
    states: _States, params: AlignerParams, a: FingerspellingSpan, b: FingerspellingSpan
) -> np.ndarray:
    """(states, states) cost of going from span ``a``'s state to span ``b``'s.

    Between in-sentence terms: forward (paying the pause and the words skipped), repeat or
    backward. Into an outside term: stay at the place reached; out of it: move on from that
    place as if from its term (from before any term, pay the words before the next one).
    """
    size, c = states.size, states.inside
    out = np.full((size, size), np.inf)
    out[-1, :] = MEAN_COST
    out[:, -1] = MEAN_COST
    outside = np.arange(c, size - 1)
    out[outside, outside] = MEAN_COST
    if not c:
        return out
    found = states.found
    first, after = states.first, states.after
    starts = np.array([x.char_start for x in found])
    ends = np.array([x.char_end for x in found])
    ahead = np.clip(first[None, :] - after[:, None], 0, None)
    forward = starts[None, :] >= ends[:, None]
    backward = ends[None, :] <= starts[:, None]
    gap = max(0, b.start_frame - a.end_frame)
    inside = np.where(forward, params.gap.cost(np.log1p(gap), np.log1p(ahead)), MEAN_COST)
    skipped = np.clip(states.skipped[first][None, :] - states.skipped[after][:, None], 0, None)
    inside += np.where(forward, params.forward_penalty + params.skip_cost * skipped, 0.0)
    inside += np.where(backward, params.backward_penalty, 0.0)
    inside += np.where(~forward & ~backward, params.repeat_penalty, 0.0)
    out[:c, :c] = inside
    out[np.arange(c), c + np.arange(c)] = MEAN_COST  # into an outside term, staying after it
    out[c : 2 * c, :c] = inside  # out of it, as from that term
    out[2 * c, :c] = MEAN_COST + params.skip_cost * states.skipped[first]
    return out


def _state_text(
    states: _States, reading: Reading | None, state: int, outer: np.ndarray
) -> tuple[str, Candidate | None, str] | None:
    """(text, in-sentence candidate or None, text source) of a state; None for no text. An
    outside state is its cheapest term (``outer``: the names' costs, then what was read's)."""
    if state < states.inside:
        candidate = states.found[state]
        return candidate.text, candidate, "aligned"
    if not states.outside(state) or not np.isfinite(outer).any():
        return None
    best = int(np.argmin(outer))
    if best < len(states.names):
        return states.names[best], None, "aligned"
    if reading is not None:
        return reading.best, None, "read"
    return None


def _named(
    span: FingerspellingSpan,
    chosen: tuple[str, Candidate | None, str] | None,
    posterior: float | None = None,
) -> FingerspellingSpan:
    """The span with the chosen text and offsets (or none), its source and confidence."""
    if chosen is None:
        return span.replace(
            text=None, text_source=None, text_score=None, char_start=None, char_end=None
        )
    text, candidate, source = chosen
    return span.replace(
        text=text,
        text_source=source,
        text_score=None if posterior is None else round(posterior, 6),
        char_start=candidate.char_start if candidate else None,
        char_end=candidate.char_end if candidate else None,
    )


def _word_ranges(sentence: str, text: str | None) -> list[tuple[int, int]]:
    """First and last word index of every occurrence of ``text`` in the sentence."""
    sentence_words = words(sentence)
    out = []
    for start, end in occurrences(sentence, text or ""):
        hit = [w.word_index for w in sentence_words if w.char_start < end and w.char_end > start]
        if hit:
            out.append((hit[0], hit[-1]))
    return out


def _follow(
    previous: tuple[int, int] | None, options: list[tuple[int, int]]
) -> tuple[str, tuple[int, int]] | None:
    """Which move reaches the next spelled text, reading repeated words in sentence order when
    they can be: the first occurrence after ``previous``, else one overlapping it, else the
    nearest one before (None when the text is not in the sentence or nothing came before)."""
    if not options or previous is None:
        return ("start", options[0]) if options else None
    ahead = [o for o in options if o[0] > previous[1]]
    if ahead:
        return "forward", ahead[0]
    same = [o for o in options if o[1] >= previous[0]]
    if same:
        return "repeat", same[0]
    return "backward", options[-1]


def _penalty(count: int, total: int) -> float:
    """-log of a probability estimated from counts, with add-one smoothing."""
    return -math.log((count + 1) / (total + 2))


def fit_aligner_params(rows: Sequence[AnnotatedRecording]) -> AlignerParams:
    """Fit every cost model on annotated rows: lengths, pauses, starts, the moves between spans
    (repeated words read in sentence order where they can be), and how often a spelled text is
    absent from its sentence."""
    spelled_texts, log_frames, gap, start = [], [], [], []
    moves = {"forward": 0, "repeat": 0, "backward": 0}
    absent = 0
    for row in rows:
        spans = sorted(row.spans, key=lambda s: s.start_frame)
        previous: tuple[FingerspellingSpan, tuple[int, int]] | None = None
        for span in spans:
            if not span.text or not letters(span.text):
                continue
            spelled_texts.append(span.text.strip())
            log_frames.append(math.log(span.num_frames))
            move = _follow(previous[1] if previous else None, _word_ranges(row.sentence, span.text))
            if move is None:
                absent += 1
                continue
            kind, where = move
            if kind == "start":
                start.append((math.log1p(where[0]), math.log1p(span.start_frame)))
            else:
                moves[kind] += 1
            if kind == "forward" and previous is not None:
                frames = max(0, span.start_frame - previous[0].end_frame)
                gap.append((math.log1p(where[0] - previous[1][1] - 1), math.log1p(frames)))
            previous = (span, where)
    total = sum(moves.values())
    known = [z for z in map(zipf, spelled_texts) if z]
    unknown = float(np.mean(known)) if known else AlignerParams.unknown_zipf
    log_letters, frequency = length_inputs(spelled_texts, unknown)
    return AlignerParams(
        LogLinear.fit(zip(log_letters, log_frames, strict=True), frequency),
        LogLinear.fit(gap),
        LogLinear.fit(start),
        repeat_penalty=_penalty(moves["repeat"], total),
        forward_penalty=_penalty(moves["forward"], total),
        backward_penalty=_penalty(moves["backward"], total),
        outside_penalty=_penalty(absent, len(spelled_texts)),
        unknown_zipf=unknown,
    )
