"""Leave-one-article-out on tiny toy shards: one fold per article, resumable, a report."""

from __future__ import annotations

from detect_fixtures import make_toy_shards

from asl_stem.detect.loao import END, START, leave_one_article_out, write_report


def test_one_fold_per_article_then_resume_and_report(tmp_path):
    shards = tmp_path / "shards"
    make_toy_shards(shards, count=6, frames=100, articles=("Alpha", "Beta"))
    overrides = [
        "--model.debug=true",
        "--trainer.max_epochs=1",
        "--data.window_frames=64",
        "--data.num_workers=0",
        "--trainer.enable_progress_bar=false",
    ]
    folds = leave_one_article_out(
        str(shards), "models/detector-cpu.yaml", tmp_path / "folds", overrides
    )
    assert [f.article for f in folds] == ["Alpha", "Beta"]
    assert [f.model.recordings for f in folds] == [3, 3]
    assert all(f.heuristic.recordings == 3 for f in folds)
    assert (tmp_path / "folds" / "fold-1.json").exists()

    again = leave_one_article_out(
        str(shards),
        "models/detector-cpu.yaml",
        tmp_path / "folds",
        ["--this-would-fail-if-training-ran"],
    )
    assert again == folds

    doc = tmp_path / "detector.md"
    doc.write_text("# Detector\n\nHand-written text.\n", encoding="utf-8")
    write_report(folds, doc, "LOAO", "Preamble.")
    write_report(folds, doc, "LOAO", "Preamble again.")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Detector\n\nHand-written text.\n")
    assert text.count(START) == text.count(END) == 1 and "Preamble again." in text
    assert "| Alpha | 3 |" in text and "| **mean** | 6 |" in text
