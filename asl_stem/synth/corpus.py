"""Write a synthetic corpus in the release layout: the demo corpus, or a twin of annotations.

``DIR/videos.csv`` (``user, articleName, sectionIndex, sentenceIndex, filename, videoLength,
sentence``; videoLength in seconds), ``DIR/videos/<filename>`` (the skeleton rendered by
:mod:`asl_stem.synth.render`), ``DIR/keypoints/<stem>.npy`` (``(T, 543, 2)`` float32 x, y: the
reference pipeline's format) and ``DIR/fs-annotations/<name>.csv`` with the columns of the real
annotation files. Recordings already written are kept, so a rerun resumes; every file is
written atomically, and the CSVs last.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from asl_stem.atomic import atomic_open, atomic_path, write_json
from asl_stem.corpus import open_corpus
from asl_stem.corpus.annotations import COLUMNS as ANNOTATION_COLUMNS
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.release import VIDEO_COLUMNS
from asl_stem.problems import Problem
from asl_stem.synth.articles import load_articles
from asl_stem.synth.choice import choose_fingerspelled
from asl_stem.synth.signer import synthesize, synthesize_timed
from asl_stem.synth.style import SignerStyle

log = logging.getLogger(__name__)

DEFAULT_SIZE = (192, 192)  # the demo videos are for checking by eye; small keeps them fast


@dataclass(frozen=True)
class Job:
    """One recording to make: who, which sentence, and either terms to spell or fixed spans."""

    user: str
    article: str
    section_index: int
    sentence_index: int
    filename: str
    sentence: str
    style: SignerStyle
    seed: int
    terms: tuple[str, ...] = ()
    spans: tuple[FingerspellingSpan, ...] | None = None  # given spans (a twin); None = planned
    num_frames: int = 0  # for given spans


@dataclass(frozen=True)
class Made:
    """What a job produced: its length and spans; ``resumed`` when its files were there."""

    job: Job
    num_frames: int
    spans: tuple[FingerspellingSpan, ...]
    resumed: bool


@dataclass
class CorpusReport:
    """Counts of a corpus run, and every problem (skipped rows, failed recordings)."""

    out: str
    recordings: int = 0
    resumed: int = 0
    frames: int = 0
    spans: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """For ``synth-report.json``."""
        return {
            "out": self.out,
            "recordings": self.recordings,
            "resumed": self.resumed,
            "frames": self.frames,
            "spans": self.spans,
            "problems": [problem.to_dict() for problem in self.problems],
        }


@dataclass(frozen=True)
class Output:
    """Where and how recordings are written."""

    out: Path
    fps: float = 30.0
    video: bool = True
    size: tuple[int, int] = DEFAULT_SIZE


def make_recording(job: Job, output: Output) -> Made:
    """Synthesize and write keypoints (and video), unless a previous run wrote them.

    Synthesis is deterministic and cheap, so a resumed recording is synthesized again for its
    spans and only the writing (the slow part) is skipped. The signer is drawn for the video's
    aspect ratio, so normalised coordinates match the frame.
    """
    style = dataclasses.replace(job.style, aspect=output.size[0] / output.size[1])
    key = Path(job.filename).stem
    if job.spans is not None:
        signing = synthesize_timed(
            job.spans, job.num_frames, fps=output.fps, signer=style, seed=job.seed
        )
    else:
        signing = synthesize(
            job.sentence, job.terms, fps=output.fps, signer=style, seed=job.seed, recording_id=key
        )
    npy = output.out / "keypoints" / f"{Path(job.filename).stem}.npy"
    video = output.out / "videos" / job.filename
    done = npy.exists() and (video.exists() or not output.video)
    if not done:
        if output.video:
            from asl_stem.synth.render import render_video

            # Unmarked, like the release's videos: the labels live in fs-annotations only.
            render_video(signing.keypoints, video, fps=output.fps, size=output.size)
        with atomic_path(npy, suffix=".npy") as tmp:
            np.save(tmp, np.ascontiguousarray(signing.keypoints[..., :2]))
    return Made(job, signing.num_frames, tuple(signing.spans), resumed=done)


def _run_jobs(
    jobs: Sequence[Job], output: Output, workers: int, report: CorpusReport
) -> list[Made]:
    """Make every recording (in a process pool when ``workers`` > 1), counting failures."""
    made: list[Made] = []
    progress = tqdm(total=len(jobs), desc="synth", unit="rec")
    if workers <= 1:
        for job in jobs:
            _collect(job, _safe(job, output), made, report, output)
            progress.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [(job, pool.submit(_safe, job, output)) for job in jobs]
            for job, future in futures:
                _collect(job, future.result(), made, report, output)
                progress.update()
    progress.close()
    return made


def _safe(job: Job, output: Output) -> Made | BaseException:
    """``make_recording`` with its exception returned, so one bad recording stops nothing."""
    try:
        return make_recording(job, output)
    except Exception as error:  # reported and counted by _collect
        return error


def _collect(
    job: Job, result: Made | BaseException, made: list[Made], report: CorpusReport, output: Output
) -> None:
    """Add a result to the list, or its failure to the report."""
    if isinstance(result, BaseException):
        reason = f"could not synthesize {job.filename}: {result}; it is left out of the corpus"
        report.problems.append(
            Problem(str(output.out / "videos" / job.filename), None, reason, "synth_failed")
        )
        return
    made.append(result)
    report.recordings += 1
    report.resumed += result.resumed
    report.frames += result.num_frames
    report.spans += len(result.spans)


def _csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header, quoted where needed (as the release's files are)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def write_tables(made: Sequence[Made], output: Output, annotation_name: str) -> None:
    """``videos.csv`` and ``fs-annotations/<annotation_name>`` for the recordings made."""
    video_rows, annotation_rows = [], []
    for item in made:
        job = item.job
        seconds = round(item.num_frames / output.fps, 3)
        key = (job.user, job.article, job.section_index, job.sentence_index, job.filename)
        video_rows.append((*key, seconds, job.sentence))
        spans = repr([span.frames for span in item.spans])
        texts = repr([span.text or "" for span in item.spans])
        annotation_rows.append((*key, job.sentence, spans, texts))
    with atomic_open(output.out / "fs-annotations" / annotation_name, newline="") as handle:
        handle.write(_csv_text(ANNOTATION_COLUMNS, annotation_rows))
    with atomic_open(output.out / "videos.csv", newline="") as handle:
        handle.write(_csv_text(VIDEO_COLUMNS, video_rows))


def _finish(
    jobs: Sequence[Job], output: Output, workers: int, report: CorpusReport, name: str
) -> CorpusReport:
    """Run the jobs, write the tables and the report."""
    made = _run_jobs(jobs, output, workers, report)
    write_tables(made, output, name)
    write_json(output.out / "synth-report.json", report.to_dict())
    log.info(
        "%d recordings (%d resumed), %d frames, %d spans, %d problems in %s",
        report.recordings, report.resumed, report.frames, report.spans, len(report.problems),
        output.out,
    )  # fmt: skip
    return report


def _user_id(rng: np.random.Generator) -> str:
    """A 24-hex-digit interpreter id, like the release's."""
    return "".join(f"{value:x}" for value in rng.integers(0, 16, size=24))


def _filename(rng: np.random.Generator, pageid: int, section: int, sentence: int) -> str:
    """``<random digits>-<pageid>_<section>_<sentence>.mp4``, as in the release."""
    digits = "".join(str(value) for value in rng.integers(0, 10, size=int(rng.integers(16, 19))))
    return f"{digits}-{pageid}_{section}_{sentence}.mp4"


def demo_jobs(articles: int, interpreters: int, seed: int) -> list[Job]:
    """Recordings of the first ``articles`` bundled articles by ``interpreters`` signers."""
    rng = np.random.default_rng(seed)
    people = [
        (_user_id(rng), SignerStyle.random(rng), float(rng.normal(0.0, 0.7)))
        for _ in range(interpreters)
    ]
    bundled = load_articles()
    if articles > len(bundled):
        log.warning("only %d articles are bundled; signing all of them", len(bundled))
    jobs = []
    for article in bundled[:articles]:
        for section, index, sentence in article.sentences():
            for user, style, bias in people:
                terms = choose_fingerspelled(sentence, user, bias, rng, article.title)
                filename = _filename(rng, article.pageid, section, index)
                job_seed = int(rng.integers(2**31))
                jobs.append(
                    Job(
                        user,
                        article.title,
                        section,
                        index,
                        filename,
                        sentence,
                        style,
                        job_seed,
                        tuple(terms),
                    )
                )
    return jobs


def write_demo_corpus(
    out: str | Path,
    *,
    articles: int = 4,
    interpreters: int = 3,
    seed: int = 0,
    fps: float = 30.0,
    video: bool = True,
    size: tuple[int, int] = DEFAULT_SIZE,
    workers: int = 1,
) -> CorpusReport:
    """The demo corpus: bundled articles signed by synthetic interpreters (module docstring)."""
    output = Output(Path(out), fps, video, size)
    jobs = demo_jobs(articles, interpreters, seed)
    return _finish(jobs, output, workers, CorpusReport(str(out)), "demo.csv")


def twin_jobs(annotations: str | Path, seed: int, fps: float, report: CorpusReport) -> list[Job]:
    """One job per annotated recording: its sentence, spelled strings and span frames.

    The annotation file is ingested on the fly, so a recording annotated on several rows is
    one recording with all its spans, as everywhere else in the toolkit.
    """
    rng = np.random.default_rng(seed)
    styles: dict[str, SignerStyle] = {}
    jobs = []
    for item in open_corpus(annotations).annotated_recordings():
        recording = item.recording
        if recording.interpreter not in styles:
            styles[recording.interpreter] = SignerStyle.random(rng)
        default = int(rng.uniform(60, 150) * fps / 30)
        last = max((span.end_frame for span in item.spans), default=default)
        num_frames = int(last + 1 + rng.uniform(15, 60) * fps / 30)
        jobs.append(
            Job(recording.interpreter, recording.article, recording.section_index,
                recording.sentence_index, recording.filename, item.sentence,
                styles[recording.interpreter], int(rng.integers(2**31)), spans=item.spans,
                num_frames=num_frames)
        )  # fmt: skip
    return jobs


def write_twin_corpus(
    out: str | Path,
    annotations: str | Path,
    *,
    seed: int = 0,
    fps: float = 30.0,
    video: bool = True,
    size: tuple[int, int] = DEFAULT_SIZE,
    workers: int = 1,
) -> CorpusReport:
    """A synthetic twin of an annotation file: the real sentences, strings and span frames."""
    output = Output(Path(out), fps, video, size)
    report = CorpusReport(str(out))
    jobs = twin_jobs(annotations, seed, fps, report)
    return _finish(jobs, output, workers, report, Path(annotations).name)
