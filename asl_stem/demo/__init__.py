"""``asl-stem demo``: every stage of the pipeline on a corpus the toolkit makes itself.

synth -> ingest -> extract (from the corpus's keypoints) -> MediaPipe on two real videos (a
mini release ingested and extracted with the real engine) -> train (CPU config, one article
held out) -> detect -> evaluate (held-out article, model beside the heuristic) -> terms align
-> index build -> figures. Each stage writes into its own folder under ``out`` and is timed;
the results, figures and timings are saved there. The stages that resume (synth, ingest,
extract) make a rerun cheap.
"""

from asl_stem.demo.paths import DemoPaths
from asl_stem.demo.pipeline import DemoError, DemoResult, check_arguments, run_demo

__all__ = ["DemoError", "DemoPaths", "DemoResult", "check_arguments", "run_demo"]
