"""Fixing and validating draft manifests: the second and third steps of the recipe.

``fix_manifests`` repairs what the input allows to repair, reporting each repair: spans that
end past their video's last frame are clipped to it, spans that start past it are left out,
span ids are renumbered in frame order and every annotated recording's ``num_spans`` is set to
the spans kept. ``validate_manifests`` then checks that the records agree with one another;
a disagreement there is a bug of the reader, not bad input, so it raises.
"""

from __future__ import annotations

from collections import Counter

from asl_stem.corpus.manifests import ManifestError
from asl_stem.corpus.records import FingerspellingSpan, Recording, id_problem, number_spans
from asl_stem.corpus.sets import Corpus, RecordingSet, SpanSet
from asl_stem.problems import Problem


def fix_manifests(corpus: Corpus) -> tuple[Corpus, list[Problem]]:
    """The corpus with spans fitted to their videos and span counts set; and what was fixed."""
    problems: list[Problem] = []
    recordings = corpus.recordings.to_eager()
    kept = []
    for span in corpus.spans:
        fitted = _fit_to_video(span, recordings[span.recording_id], problems)
        if fitted is not None:
            kept.append(fitted)
    spans = number_spans(kept)
    counts = Counter(span.recording_id for span in spans)
    counted = RecordingSet.from_records(
        r.replace(num_spans=counts[r.id]) if r.num_spans is not None else r for r in recordings
    )
    fixed = Corpus(corpus.articles, corpus.sentences, counted, SpanSet.from_records(spans))
    return fixed, problems


def _fit_to_video(
    span: FingerspellingSpan, recording: Recording, problems: list[Problem]
) -> FingerspellingSpan | None:
    """The span, clipped to the video's last frame when it is known; None when past it."""
    if recording.num_frames is None or span.end_frame < recording.num_frames:
        return span
    last = recording.num_frames - 1
    file, _, line = (span.origin or "").rpartition(":")
    where = (
        f"span ({span.start_frame}, {span.end_frame}) of {recording.filename} "
        f"({recording.num_frames} frames)"
    )
    number = int(line) if line.isdigit() else None
    if span.start_frame > last:
        reason = f"{where} starts past the last frame {last}; left out: check the annotation"
        problems.append(Problem(file or recording.filename, number, reason, "span_past_end"))
        return None
    reason = f"{where} ends past the last frame {last}; clipped to {last}"
    problems.append(Problem(file or recording.filename, number, reason, "span_past_end", "warning"))
    return span.replace(end_frame=last)


def validate_manifests(corpus: Corpus) -> None:
    """Raise ``ManifestError`` listing every way the records disagree with one another."""
    issues: list[str] = []
    sentences = corpus.sentences.to_eager()
    recordings = corpus.recordings.to_eager()
    for recording in recordings:
        if (problem := id_problem(recording.id)) is not None:
            issues.append(problem)
        sentence = sentences.get(recording.sentence_id)
        if sentence is None or recording.id not in sentence.recording_ids:
            issues.append(f"recording {recording.id} is not listed by its sentence")
    for sentence in sentences:
        issues += [
            f"sentence {sentence.id} lists an unknown recording {rid}"
            for rid in sentence.recording_ids
            if rid not in recordings
        ]
    for article in corpus.articles:
        issues += [
            f"article {article.id} lists an unknown sentence {sid}"
            for section in article.sections
            for sid in section
            if sid not in sentences
        ]
    for span in corpus.spans:
        recording = recordings.get(span.recording_id)
        if recording is None:
            issues.append(f"span {span.id} names an unknown recording")
        elif recording.num_frames is not None and span.end_frame >= recording.num_frames:
            issues.append(f"span {span.id} ends past its video ({recording.num_frames} frames)")
    if issues:
        shown = "; ".join(issues[:10])
        raise ManifestError(
            f"the manifests disagree with one another ({len(issues)} issues: {shown}); "
            "this is a bug of asl-stem: please report it with the input"
        )
