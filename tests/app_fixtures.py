"""A tiny corpus for the index and app tests: two articles, three interpreters, real manifests.

Manifests are written with the toolkit's own record classes; keypoints are reference-format
``(T, 543, 2)`` files beside ``videos/`` (as the demo corpus lays them out), made by the
toolkit's synthetic signer spelling each recording's spans in their frames. Which interpreter
spells which term is chosen so that terms are sometimes spelled, sometimes signed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from synth_fixtures import timed_spans

from asl_stem.corpus import Article, Corpus, FingerspellingSpan, Recording, Sentence
from asl_stem.synth import synthesize_timed

FPS = 30.0
INTERPRETERS = ("alice", "bob", "carol")
ARTICLES = {
    "1001": (
        "Acid–base reaction",
        [
            "An acid–base reaction is a chemical reaction between an acid and a base.",
            "The Brønsted–Lowry theory defines acids as proton donors.",
            "Titration of NaCl solutions uses phenolphthalein as an indicator.",
        ],
    ),
    "1002": (
        "Photosynthesis",
        [
            "Photosynthesis converts light energy into chemical energy.",
            "Chlorophyll absorbs light, and RuBisCO fixes carbon dioxide.",
        ],
    ),
}
# (article, sentence index, interpreter) -> spelled strings, in sentence order.
SPELLED = {
    ("1001", 1, "alice"): ["Brønsted", "Lowry"],
    ("1001", 1, "bob"): ["Bronsted"],
    ("1001", 2, "alice"): ["NaCl", "phenolphthalein"],
    ("1001", 2, "carol"): ["phenolphthalein"],
    ("1002", 0, "carol"): ["energy"],  # ASL-LEX has a sign for it (initialized)
    ("1002", 1, "alice"): ["RuBisCO"],
    ("1002", 1, "bob"): ["chlorophyll", "RuBisCO"],
}


def recording_id(article: str, index: int, interpreter: str) -> str:
    """A release-style id: random-looking prefix, page id, section 0, sentence index."""
    prefix = {"alice": "0165511942682994", "bob": "0265511942682994", "carol": "0365511942682994"}
    return f"{prefix[interpreter]}3-{article}_0_{index}"


def signed_keypoints(spelled: list[str], num_frames: int, seed: int) -> np.ndarray:
    """(T, 543, 2) keypoints of the synthetic signer spelling ``spelled`` in fixed frames."""
    spans = timed_spans(*((20 + 40 * n, 49 + 40 * n, text) for n, text in enumerate(spelled)))
    signing = synthesize_timed(spans, num_frames, fps=FPS, seed=seed)
    return signing.keypoints[..., :2].astype(np.float32)


def write_corpus(root: Path, annotated: tuple[str, ...] = tuple(ARTICLES)) -> Path:
    """Write manifests to ``root/manifests`` and keypoints to ``root/release/keypoints``.

    Recordings of articles not in ``annotated`` have no annotation (no spans, no num_spans);
    their keypoints still spell the strings of ``SPELLED``.
    """
    manifests, keypoints = root / "manifests", root / "release" / "keypoints"
    keypoints.mkdir(parents=True, exist_ok=True)
    articles, sentences, recordings, spans = [], [], [], []
    for seed, (article_id, (title, texts)) in enumerate(ARTICLES.items()):
        ids = []
        for index, text in enumerate(texts):
            sentence_id = f"{article_id}_0_{index}"
            ids.append(sentence_id)
            rec_ids = [recording_id(article_id, index, who) for who in INTERPRETERS]
            sentences.append(
                Sentence(
                    sentence_id,
                    title,
                    article_id,
                    0,
                    index,
                    text,
                    int(article_id),
                    recording_ids=tuple(rec_ids),
                )
            )
            for who, rid in zip(INTERPRETERS, rec_ids, strict=True):
                spelled = SPELLED.get((article_id, index, who), [])
                num_frames = 90 + 40 * len(spelled)
                recordings.append(
                    Recording(
                        rid,
                        f"{rid}.mp4",
                        who,
                        title,
                        article_id,
                        0,
                        index,
                        sentence_id,
                        "ok",
                        int(article_id),
                        str(root / "release" / "videos" / f"{rid}.mp4"),
                        fps=FPS,
                        num_frames=num_frames,
                        num_spans=len(spelled) if article_id in annotated else None,
                    )
                )
                for n, text_spelled in enumerate(spelled if article_id in annotated else []):
                    start = 20 + 40 * n
                    spans.append(
                        FingerspellingSpan(
                            f"{rid}:{n}",
                            rid,
                            start,
                            start + 29,
                            text=text_spelled,
                            sentence_id=sentence_id,
                            interpreter=who,
                            article=title,
                        )
                    )
                np.save(
                    keypoints / f"{rid}.npy",
                    signed_keypoints(spelled, num_frames, seed * 10 + index),
                )
        articles.append(Article(article_id, title, int(article_id), (tuple(ids),), " ".join(texts)))
    Corpus.from_records(articles, sentences, recordings, spans).to_dir(manifests)
    return manifests


ASL_LEX_CSV = """EntryID,LemmaID,Code,SignBankEnglishTranslations,SignFrequency(M),VimeoVideo
chlorophyll,chlorophyll,A_01_001,"chlorophyll, green pigment",2.1,https://vimeo.com/1
acid_2,acid,A_01_002,"acid; sour",3.0,
,,A_01_003,,,
titration,titration,A_01_004,titration,1.0,javascript:alert(1)
"""


def build_fixture_index(root: Path, **options: object) -> Path:
    """Manifests, an ASL-LEX style lexicon and the index built from them with the real scorer."""
    from asl_stem.termindex import build_index

    manifests = write_corpus(root)
    lexicon = root / "asl-lex.csv"
    lexicon.write_text(ASL_LEX_CSV, encoding="utf-8")
    return build_index(manifests, out=root / "index.sqlite", lexicon_csv=lexicon, **options)


# Real video for the player: the single_face.mp4 test clip (72 frames at 30 fps) stands in for
# these recordings; their spans (frames 20-49, 60-69 clipped) lie inside it.
VIDEO_RECORDINGS = (("1001", 1, "alice"), ("1001", 1, "carol"))


def write_video_release(root: Path, kind: str, compress: bool = False) -> Path:
    """A release holding real mp4s of ``VIDEO_RECORDINGS``: ``videos/`` folder, or a zip."""
    import shutil
    import zipfile

    from asl_stem.assets import fetch

    clip = fetch("single_face.mp4")
    names = [f"{recording_id(*key)}.mp4" for key in VIDEO_RECORDINGS]
    if kind == "folder":
        folder = root / "release" / "videos"
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(clip, folder / name)
        return root / "release"
    archive = root / "release.zip"
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(archive, "w", method) as out:
        out.writestr("asl-stem-wiki/videos.csv", "user,filename\n")
        for name in names:
            out.write(clip, f"asl-stem-wiki/videos/{name}")
    return archive
