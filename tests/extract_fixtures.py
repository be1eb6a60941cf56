"""Manifests pointing at real videos (or zip members) for the extraction tests."""

from __future__ import annotations

from pathlib import Path

from asl_stem.corpus import Corpus, FingerspellingSpan, Recording, Sentence


def recording(key: str, fps: float = 30.0, num_frames: int = 72, **where: str) -> Recording:
    """An ``ok`` recording of article ``a1``; ``where`` is path= or zip_path= + zip_member=."""
    return Recording(
        id=key,
        filename=f"{key}.mp4",
        interpreter="u1",
        article="Test article",
        article_id="a1",
        section_index=0,
        sentence_index=0,
        sentence_id="a1_0_0",
        status="ok",
        fps=fps,
        num_frames=num_frames,
        width=640,
        height=360,
        **where,
    )


def write_manifest(folder: Path, recordings: list[Recording], annotated: str | None = None) -> Path:
    """Write the four manifest kinds; ``annotated`` names a recording given one span."""
    sentence = Sentence("a1_0_0", "Test article", "a1", 0, 0, "Photosynthesis uses light.")
    spans = []
    if annotated is not None:
        spans.append(FingerspellingSpan(f"{annotated}:0", annotated, 3, 9, text="ATP"))
    Corpus.from_records([], [sentence], recordings, spans).to_dir(folder)
    return folder
