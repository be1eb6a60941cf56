"""A generated corpus of the real corpus's shape, for the index, app and scale benchmarks.

The ASL STEM Wiki has 254 articles, about 64,000 recordings and 37 interpreters, with
recordings of about 500 frames on average. This writes manifests of that shape with the
toolkit's own record classes: sentences are real STEM sentences (the shared annotation rows
when present, else the demo's bundled articles) with one made-up technical word each, so the
vocabulary grows with the corpus as a real one does; every recording gets detected spans
(some short or weak, as a detector's are) in a span file; keypoints are a small pool of
synthetic-signer recordings, linked per recording so the disk holds only the pool. Each
recording takes the length of its pool entry (six lengths from half to one and a half times
``frames``), so its keypoints, its listed frame count and its video agree.

``write_release`` writes the same corpus in the release's own layout, one zip holding
``videos.csv`` and ``videos/<id>.mp4``: each member is a tiny real mp4 (the pinned test video
``single_face.mp4`` shrunk to 64x36 and looped to the pool entry's length), so ingest probes
real containers and decodes real frames.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np

from asl_stem.corpus import Article, Corpus, FingerspellingSpan, Recording, Sentence
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file

SHARED_ROWS = Path("/work/shared/data/fs-annotations/train.csv")
SYLLABLES = ("ka", "lo", "tri", "ven", "phos", "mer", "zy", "dro", "lith", "gen", "ox", "bu")
FPS = 30.0
POOL_SCALES = (0.5, 0.75, 0.9, 1.1, 1.25, 1.5)  # pool lengths as fractions of ``frames``
VIDEO_SIZE = (64, 36)


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


def pool_lengths(frames: int) -> list[int]:
    """The pool's recording lengths: their mean is ``frames``."""
    return [round(frames * scale) for scale in POOL_SCALES]


def keypoint_pool(folder: Path, frames: int, points: int = 75) -> list[Path]:
    """Synthetic-signer recordings of the pool's lengths, ``(T, points, 2)`` float32 .npy.

    ``points=543`` pads the 75 body points with zeros (missing face), the reference layout
    that ``extract --source keypoints`` reads.
    """
    from asl_stem.synth import synthesize_timed

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, length in enumerate(pool_lengths(frames)):
        path = folder / f"pool-{n}-{length}x{points}.npy"
        if not path.is_file():
            words = ["thermodynamics", "NaCl", "mitochondrion"][: 1 + n % 3]
            spans = [
                FingerspellingSpan(f"pool:{i}", "pool", 40 + 120 * i, 79 + 120 * i, text=word)
                for i, word in enumerate(words)
                if 79 + 120 * i < length
            ]
            signing = synthesize_timed(spans, length, fps=FPS, seed=n)
            body = np.zeros((length, points, 2), dtype=np.float32)
            body[:, :75] = signing.keypoints[:, :75, :2]
            np.save(path, body)
        paths.append(path)
    return paths


def video_pool(folder: Path, frames: int) -> dict[int, Path]:
    """A tiny real mp4 per pool length (the pinned test video, shrunk and looped), by length."""
    import cv2

    from asl_stem.assets import fetch

    capture = cv2.VideoCapture(str(fetch("single_face.mp4")))
    source = []
    while (frame := capture.read()[1]) is not None:
        source.append(cv2.resize(frame, VIDEO_SIZE, interpolation=cv2.INTER_AREA))
    capture.release()
    loop = source + source[-2:0:-1]  # forwards then backwards, so the loop has no jump
    folder.mkdir(parents=True, exist_ok=True)
    videos = {}
    for length in pool_lengths(frames):
        path = folder / f"video-{length}.mp4"
        if not path.is_file():
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, VIDEO_SIZE)
            for n in range(length):
                writer.write(loop[n % len(loop)])
            writer.release()
        videos[length] = path
    return videos


def write_corpus(
    root: Path,
    *,
    recordings: int,
    articles: int = 254,
    interpreters: int = 37,
    frames: int = 500,
    keypoints: bool = True,
    points: int = 75,
    seed: int = 0,
) -> tuple[Path, Path, Path | None]:
    """Manifests, a detector span file and a keypoint folder; returns their paths."""
    rng = np.random.default_rng(seed)
    pool = sentence_pool()
    per_sentence = 3
    n_sentences = max(articles, recordings // per_sentence)
    people = [rng.bytes(12).hex() for _ in range(interpreters)]  # 24-hex-digit ids, as released
    lengths = pool_lengths(frames)
    links = keypoint_pool(root / "pool", frames, points) if keypoints else []
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
                length = lengths[made % len(lengths)]
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


def write_release(root: Path, manifests: Path, frames: int) -> Path:
    """``root/release.zip`` in the release's layout for the corpus in ``manifests``.

    ``videos.csv`` (the release's columns) and one stored mp4 member a recording, the pool
    video of the recording's length; the zip is written member by member, never held whole.
    """
    from asl_stem.corpus.release import VIDEO_COLUMNS

    videos = video_pool(root / "video-pool", frames)
    corpus = Corpus.from_dir(manifests)
    sentences = {s.id: s for s in corpus.sentences}
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(VIDEO_COLUMNS)
    target = root / "release.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for r in corpus.recordings:
            text = sentences[r.sentence_id].text
            seconds = f"{r.num_frames / FPS:.2f}"
            writer.writerow([r.interpreter, r.article, r.section_index,
                             r.sentence_index, r.filename, seconds, text])  # fmt: skip
            archive.write(videos[r.num_frames], f"release/videos/{r.filename}")
        archive.writestr("release/videos.csv", table.getvalue())
    return target
