"""Where each stage of the demo writes, and what it saves for people to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoPaths:
    """The demo's folder: one subfolder or file per stage, and the saved results."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @property
    def shards(self) -> Path:
        return self.root / "shards"

    @property
    def real(self) -> Path:
        """The mini release of the two pinned real videos, its manifests and shards."""
        return self.root / "real-videos"

    @property
    def detector(self) -> Path:
        return self.root / "detector"

    @property
    def spans(self) -> Path:
        return self.root / "spans.jsonl"

    @property
    def held_out_spans(self) -> Path:
        return self.root / "spans-held-out.jsonl"

    @property
    def aligned(self) -> Path:
        return self.root / "terms-aligned.jsonl"

    @property
    def index(self) -> Path:
        return self.root / "index.sqlite"

    @property
    def results_md(self) -> Path:
        return self.root / "results.md"

    @property
    def results_json(self) -> Path:
        return self.root / "results.json"

    @property
    def real_json(self) -> Path:
        return self.root / "real-videos.json"

    @property
    def detection_plot(self) -> Path:
        return self.root / "detections-held-out.png"

    @property
    def contact_sheet(self) -> Path:
        return self.root / "contact-sheet.png"

    @property
    def timings_md(self) -> Path:
        return self.root / "timings.md"

    @property
    def timings_json(self) -> Path:
        return self.root / "timings.json"

    def saved(self) -> list[Path]:
        """The files the demo leaves for people to read or open, in the order it prints them."""
        return [
            self.results_md,
            self.results_json,
            self.real_json,
            self.detection_plot,
            self.contact_sheet,
            self.timings_md,
            self.timings_json,
            self.index,
        ]
