"""The README's results block says what the committed reports say."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "results_block", ROOT / "scripts" / "results_block.py"
)
results_block = importlib.util.module_from_spec(spec)
spec.loader.exec_module(results_block)


def test_the_readme_block_matches_the_reports() -> None:
    assert results_block.main(["--check"]) == 0, "run python scripts/results_block.py"


def test_a_changed_figure_is_caught(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text("utf-8")
    figure = f"{results_block.detector_means(ROOT / 'docs' / 'detector.md')['ap@0.1 model']:.3f}"
    assert figure in text
    readme.write_text(text.replace(figure, "0.999", 1), "utf-8")
    assert results_block.main(["--check", "--readme", str(readme)]) == 1


def test_the_block_reads_the_report_tables() -> None:
    means = results_block.detector_means(ROOT / "docs" / "detector.md")
    assert means["ap@0.1 model"] > means["ap@0.1 heur"]
    folds = json.loads((ROOT / "docs" / "results" / "heuristic-loao.json").read_text("utf-8"))
    tuned = [fold["tuned"]["ap"]["0.1"] for fold in folds["folds"]]
    heur = results_block.heuristic_means(ROOT / "docs" / "results" / "heuristic-loao.json")
    assert abs(heur["ap@0.1 tuned"] - sum(tuned) / len(tuned)) < 1e-12
    assert f"{heur['ap@0.1 tuned']:.3f}" in results_block.current(ROOT / "README.md")
