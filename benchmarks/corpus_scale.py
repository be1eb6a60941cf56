"""A generated corpus of the real corpus's shape, for the index and app benchmarks.

The ASL STEM Wiki has 254 articles, about 64,000 recordings and 37 interpreters, with
recordings of about 500 frames on average. This writes manifests of that shape with the
toolkit's own record classes: sentences are real STEM sentences (the shared annotation rows
when present, else the demo's bundled articles) with one made-up technical word each, so the
vocabulary grows with the corpus as a real one does; every recording gets detected spans
(some short or weak, as a detector's are) in a span file; keypoints are a small pool of
synthetic-signer recordings, linked per recording so the disk holds only the pool.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from asl_stem.corpus import Article, Corpus, FingerspellingSpan, Recording, Sentence
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file

SHARED_ROWS = Path("/work/shared/data/fs-annotations/train.csv")
SYLLABLES = ("ka", "lo", "tri", "ven", "phos", "mer", "zy", "dro", "lith", "gen", "ox", "bu")
FPS = 30.0


def sentence_pool() -> list[str]:
    """Real STEM sentences: the shared annotation rows, else the bundled demo articles."""
    if SHARED_ROWS.is_file():
        with open(SHARED_ROWS, encoding="utf-8", newline="") as handle:
            texts = {row["sentence"].strip() for row in csv.DictReader(handle)}
    else:
        from asl_stem.synth.articles import load_articles

        texts = {text for article in load_articles() for _, _, text in article.sentences()}
    return sorted(t for t in texts if len(t.split()) >= 4)


def made_up_word(rng: np.random.Generator) -> str:
    return "".join(rng.choice(SYLLABLES, size=int(rng.integers(3, 5)))) + "ase"


def keypoint_pool(folder: Path, frames: int, size: int = 6) -> list[Path]:
    """``size`` synthetic-signer recordings of ``frames`` frames, (T, 75, 2) float32 .npy."""
    from asl_stem.synth import synthesize_timed

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(size):
        path = folder / f"pool-{n}.npy"
        if not path.is_file():
            words = ["thermodynamics", "NaCl", "mitochondrion"][: 1 + n % 3]
            spans = [
                FingerspellingSpan(f"pool:{i}", "pool", 40 + 120 * i, 79 + 120 * i, text=word)
                for i, word in enumerate(words)
            ]
            signing = synthesize_timed(spans, frames, fps=FPS, seed=n)
            np.save(path, signing.keypoints[:, :75, :2].astype(np.float32))
        paths.append(path)
    return paths


def write_corpus(
    root: Path,
    *,
    recordings: int,
    articles: int = 254,
    interpreters: int = 37,
    frames: int = 500,
    keypoints: bool = True,
    seed: int = 0,
) -> tuple[Path, Path, Path | None]:
    """Manifests, a detector span file and a keypoint folder; returns their paths."""
    rng = np.random.default_rng(seed)
    pool = sentence_pool()
    per_sentence = 3
    n_sentences = max(articles, recordings // per_sentence)
    people = [rng.bytes(12).hex() for _ in range(interpreters)]  # 24-hex-digit ids, as released
    links = keypoint_pool(root / "pool", frames) if keypoints else []
    keypoint_dir = root / "keypoints" if keypoints else None
    if keypoint_dir is not None:
        keypoint_dir.mkdir(parents=True, exist_ok=True)
    all_articles, sentences, records, detected = [], [], [], []
    made = 0
    for a in range(articles):
        article_id = str(9_000_000 + a)
        title = f"Generated article {a}"
        ids = []
        count = n_sentences // articles + (a < n_sentences % articles)
        for s in range(count):
            text = _sentence(pool[(a * 31 + s) % len(pool)], made_up_word(rng))
            sentence_id = f"{article_id}_0_{s}"
            ids.append(sentence_id)
            rec_ids = []
            for who in rng.choice(interpreters, size=per_sentence, replace=False):
                if made >= recordings:
                    break
                rid = f"{rng.integers(10**16, 10**17)}-{article_id}_0_{s}"
                rec_ids.append(rid)
                length = int(np.clip(rng.normal(frames, frames / 4), frames / 4, 2 * frames))
                records.append(
                    Recording(rid, f"{rid}.mp4", people[who], title, article_id, 0, s,
                              sentence_id, "ok", int(article_id), fps=FPS, num_frames=length)
                )  # fmt: skip
                detected.append(_detections(rid, length, rng))
                if keypoint_dir is not None:
                    (keypoint_dir / f"{rid}.npy").symlink_to(links[made % len(links)])
                made += 1
            sentences.append(Sentence(sentence_id, title, article_id, 0, s, text,
                                      int(article_id), recording_ids=tuple(rec_ids)))  # fmt: skip
        all_articles.append(Article(article_id, title, int(article_id), (tuple(ids),)))
    manifests = root / "manifests"
    Corpus.from_records(all_articles, sentences, records, []).to_dir(manifests)
    spans = root / "detected.jsonl"
    write_span_file(spans, detected)
    return manifests, spans, keypoint_dir


def _sentence(text: str, word: str) -> str:
    """The sentence with its longest word replaced by a made-up technical word."""
    longest = max(re.findall(r"[A-Za-z]{4,}", text) or [text.split()[0]], key=len)
    return text.replace(longest, word, 1)


def _detections(rid: str, length: int, rng: np.random.Generator) -> RecordingSpans:
    """1-3 spans: most long and confident, some 4-7-frame or weak ones (false alarms)."""
    spans, start = [], int(rng.integers(10, 60))
    for n in range(int(rng.integers(1, 4))):
        short = rng.random() < 0.25
        size = int(rng.integers(4, 8)) if short else int(rng.integers(15, 60))
        end = min(length - 1, start + size - 1)
        if end <= start:
            break
        score = float(rng.uniform(0.2, 0.6) if short else rng.uniform(0.5, 0.99))
        spans.append(FingerspellingSpan(f"{rid}:{n}", rid, start, end, "detected",
                                        score=round(score, 3)))  # fmt: skip
        start = end + int(rng.integers(20, 120))
        if start >= length - 10:
            break
    return RecordingSpans(rid, length, tuple(spans), FPS)
