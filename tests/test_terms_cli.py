"""``asl-stem terms``: predict, fit, evaluate and align through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_data import shared_file
from terms_fixtures import SENTENCES, annotated, rows, write_csv

from asl_stem.atomic import read_jsonl
from asl_stem.cli import main
from asl_stem.corpus import FingerspellingSpan
from asl_stem.corpus.readings import Reading, write_letter_file
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file, write_span_file
from asl_stem.terms.candidates import candidates
from asl_stem.terms.evidence import blend
from asl_stem.terms.features import term_key


@pytest.fixture()
def csv_path(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "fs.csv")


def test_predict_writes_one_line_per_sentence(csv_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "terms.jsonl"
    assert main(["terms", "predict", "--annotations", str(csv_path), "--out", str(out)]) == 0
    lines = list(read_jsonl(out))
    # every sentence was recorded by two interpreters: it is scored once
    assert [line["sentence"] for line in lines] == [sentence for _, sentence, _ in SENTENCES]
    for line in lines:
        sentence = line["sentence"]
        scores = [term["score"] for term in line["terms"]]
        assert scores == sorted(scores, reverse=True)
        for term in line["terms"]:
            assert set(term) == {"text", "char_start", "char_end", "score"}
            assert sentence[term["char_start"] : term["char_end"]] == term["text"]


def test_predict_reads_a_manifest_folder(csv_path: Path, tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    assert main(["ingest", "--annotations", str(csv_path), "--out", str(manifests)]) == 0
    out = tmp_path / "terms.jsonl"
    assert main(["terms", "predict", "--annotations", str(manifests), "--out", str(out)]) == 0
    first = next(read_jsonl(out))
    assert first["article"] == "Enzyme kinetics"
    assert "Michaelis–Menten" in {term["text"] for term in first["terms"]}


def test_fit_then_predict_with_that_scorer(csv_path: Path, tmp_path: Path) -> None:
    scorer = tmp_path / "scorer.json"
    fit = ["terms", "fit", "--annotations", str(csv_path), "--out", str(scorer)]
    assert main([*fit, "--model", "logistic"]) == 0
    assert json.loads(scorer.read_text("utf-8"))["format"] == "asl-stem-term-scorer"
    out = tmp_path / "terms.jsonl"
    args = ["terms", "predict", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*args, "--scorer", str(scorer)]) == 0
    first = next(read_jsonl(out))
    assert first["terms"][0]["text"] in {"Michaelis–Menten", "Michaelis", "Menten"}


def test_evaluate_json(csv_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["terms", "evaluate", "--annotations", str(csv_path), "--json"]
    assert main([*args, "--model", "logistic", "--calibration", "isotonic"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"scorer_top_k", "scorer_threshold", "rarest_k", "aligner_oracle_spans"} <= set(report)
    assert report["fit_options"] == {"model": "logistic", "calibration": "isotonic"}
    assert {fold["fit"]["calibration"] for fold in report["per_article"].values()} == {"isotonic"}


def test_evaluate_blends_with_a_detectors_spans(
    csv_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    detected = tmp_path / "detected.jsonl"
    keys = [row.recording_id for row in annotated(csv_path)]
    # a detector that found one long span in every recording but the first, and a stray line
    write_span_file(
        detected,
        [
            RecordingSpans(key, 400, (FingerspellingSpan(f"{key}:0", key, 10, 60, "detected"),))
            for key in [*keys[1:], "not-annotated"]
        ],
    )
    args = ["terms", "evaluate", "--annotations", str(csv_path), "--model", "logistic"]
    assert main([*args, "--json", "--detections", str(detected)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["others_spans"] == "detected"
    assert report["scorer_others_top_k"]["rows"] == report["scorer_top_k"]["rows"]
    named = report["aligner_detected_spans"]  # every annotated span of a detected recording
    assert named["spans"] < report["aligner_oracle_spans"]["spans"]
    assert 0.0 <= named["span_accuracy"] <= report["aligner_oracle_spans"]["span_accuracy"]
    assert main([*args, "--detections", str(detected)]) == 0
    printed = capsys.readouterr().out
    assert "their detected spans aligned" in printed and "aligner (detected spans" in printed
    stray = tmp_path / "stray.jsonl"
    write_span_file(stray, [RecordingSpans("not-annotated", 400, ())])
    assert main([*args, "--detections", str(stray)]) == 1  # nothing to blend with: refused


def test_align_with_annotated_spans(csv_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "aligned.jsonl"
    assert main(["terms", "align", "--annotations", str(csv_path), "--out", str(out)]) == 0
    aligned, problems = read_span_file(out)
    assert problems == [] and len(aligned) == len(rows())
    spans = aligned[Path(rows()[1][4]).stem].spans  # "The substrate binds the lysozyme quickly."
    assert [span.text for span in spans] == ["substrate", "lysozyme"]
    assert {span.text_source for span in spans} == {"aligned"}
    assert spans[0].char_start == "The substrate".index("substrate")
    assert aligned[Path(rows()[3][4]).stem].spans == ()  # a row with no fingerspelling


def test_align_with_detections_reports_bad_lines(
    csv_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = Path(rows()[0][4]).stem
    detections = tmp_path / "spans.jsonl"
    found = FingerspellingSpan(f"{first}:0", first, 30, 119, "detected", score=0.9)
    write_span_file(detections, [RecordingSpans(first, 300, (found,), 30.0)])
    with open(detections, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"recording_id": "broken"}) + "\n")
    out = tmp_path / "aligned.jsonl"
    args = ["terms", "align", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*args, "--spans", str(detections)]) == 0
    aligned, _ = read_span_file(out)
    (span,) = aligned[first].spans
    assert span.text_source == "aligned" and span.score == 0.9  # the detector's score is kept
    assert span.text in {c for c in SENTENCES[0][1].replace(".", "").split()}
    assert "bad_span_line" in caplog.text


def test_unusable_inputs_are_one_error_line_and_exit_code_1(
    csv_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "terms.jsonl"
    missing = ["terms", "predict", "--annotations", str(tmp_path / "none.csv"), "--out", str(out)]
    assert main(missing) == 1
    bad_scorer = ["terms", "predict", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*bad_scorer, "--scorer", str(csv_path)]) == 1
    assert "terms fit" in caplog.text
    assert not out.exists()


def test_lexicon_flag_fits_and_predicts_with_asl_lex(csv_path: Path, tmp_path: Path) -> None:
    lexicon = str(shared_file("asl-lex/signdata.csv"))
    scorer = tmp_path / "scorer.json"
    fit = ["terms", "fit", "--annotations", str(csv_path), "--out", str(scorer)]
    assert main([*fit, "--lexicon", lexicon, "--model", "logistic"]) == 0
    saved = json.loads(scorer.read_text("utf-8"))
    assert saved["lexicon_features"] is True and saved["model"]["kind"] == "logistic"
    out = tmp_path / "terms.jsonl"
    predict = ["terms", "predict", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*predict, "--scorer", str(scorer), "--lexicon", lexicon]) == 0
    assert len(list(read_jsonl(out))) == len(SENTENCES)
    assert main([*predict, "--lexicon", lexicon]) == 0  # the packaged lexicon scorer
    assert main([*predict, "--scorer", str(scorer)]) == 1  # it needs the lexicon


def _letters_file(path: Path, key: str, frames: list[tuple[int, int]], texts: list[str]) -> None:
    spans = tuple(
        FingerspellingSpan(f"{key}:{n}", key, a, b, "detected", text=t, text_source="read")
        for n, ((a, b), t) in enumerate(zip(frames, texts, strict=True))
    )
    readings = {s.id: Reading(((t, 0.9), (t[:-1], 0.1))) for s, t in zip(spans, texts, strict=True)}
    write_letter_file(path, [(RecordingSpans(key, 400, spans, 30.0), readings)])


def test_align_with_letters_uses_them_and_keeps_what_matches_nothing(
    csv_path: Path, tmp_path: Path
) -> None:
    key = Path(rows()[1][4]).stem  # "The substrate binds the lysozyme quickly."
    frames = [(40, 93), (130, 151)]  # 8 and 4 letters long; NaOH shares no letter with "quickly"
    letters = tmp_path / "letters.jsonl"
    _letters_file(letters, key, frames, ["lysozyme", "naoh"])
    out = tmp_path / "aligned.jsonl"
    args = ["terms", "align", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*args, "--letters", str(letters)]) == 0
    aligned, _ = read_span_file(out)
    assert list(aligned) == [key]  # the letters file's spans are the ones aligned
    first, second = aligned[key].spans
    assert (first.text, first.text_source) == ("lysozyme", "aligned")  # not "substrate"
    assert (second.text, second.text_source, second.char_start) == ("naoh", "read", None)
    # the same letters joined to a detector's spans of the same frames
    detections = tmp_path / "spans.jsonl"
    found = tuple(
        FingerspellingSpan(f"{key}:{n}", key, a, b, "detected") for n, (a, b) in enumerate(frames)
    )
    write_span_file(detections, [RecordingSpans(key, 400, found, 30.0)])
    assert main([*args, "--spans", str(detections), "--letters", str(letters)]) == 0
    joined, _ = read_span_file(out)
    assert [s.text for s in joined[key].spans] == ["lysozyme", "naoh"]


def test_a_detected_span_of_two_words_is_written_as_two(csv_path: Path, tmp_path: Path) -> None:
    key = Path(rows()[1][4]).stem  # "The substrate binds the lysozyme quickly."
    letters = tmp_path / "letters.jsonl"  # one detected span ran two spelled words together
    _letters_file(letters, key, [(40, 129)], ["lysozymequickly"])
    out = tmp_path / "aligned.jsonl"
    args = ["terms", "align", "--annotations", str(csv_path), "--out", str(out)]
    assert main([*args, "--letters", str(letters)]) == 0
    aligned, problems = read_span_file(out)
    assert not problems
    first, second = aligned[key].spans
    assert [(s.id, s.text, s.start_frame, s.end_frame) for s in (first, second)] == [
        (f"{key}:0.1", "lysozyme", 40, 87),  # 8 of the 15 letters: 48 of the 90 frames
        (f"{key}:0.2", "quickly", 88, 129),
    ]
    assert first.source == second.source == "detected"


def test_fit_and_predict_count_aligned_recordings_of_a_release(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ingest_fixtures import SENTENCES as RELEASE_SENTENCES
    from ingest_fixtures import build_release, filename, write_mp4

    release = build_release(tmp_path / "release", write_mp4(tmp_path / "template.mp4"))
    manifests = tmp_path / "manifests"  # interp-a annotated, interp-b only recorded
    assert main(["ingest", str(release), "--out", str(manifests), "--no-probe"]) == 0
    detections, aligned = tmp_path / "detected.jsonl", tmp_path / "aligned.jsonl"
    unlabelled = [Path(filename("interp-b", 0, i)).stem for i in (0, 1)]
    write_span_file(
        detections,
        [
            RecordingSpans(key, 20, (FingerspellingSpan(f"{key}:0", key, 2, 8, "detected"),), 25.0)
            for key in [*unlabelled, "not-in-the-release"]
        ],
    )
    source = ["--annotations", str(manifests)]
    args = ["terms", "align", *source, "--spans", str(detections), "--out", str(aligned)]
    assert main([*args, "--scorer", str(_fitted(tmp_path, source))]) == 0
    named = [s.text for key in unlabelled for s in read_span_file(aligned)[0][key].spans]
    assert all(named), named

    scorer = _fitted(tmp_path, [*source, "--aligned", str(aligned)])
    data = json.loads(scorer.read_text("utf-8"))
    assert data["fit"]["aligned_recordings"] == 2
    before = json.loads(_fitted(tmp_path, source).read_text("utf-8"))["corpus"]
    for text in named:  # each named term is seen and spelled once more
        key = term_key(text)
        assert data["corpus"][key][0] == before.get(key, [0, 0])[0] + named.count(text)

    # predict: the article's scores move towards what its aligned recordings spelled
    plain, blended = tmp_path / "plain.jsonl", tmp_path / "blended.jsonl"
    predict = ["terms", "predict", *source, "--scorer", str(scorer)]
    assert main([*predict, "--out", str(plain)]) == 0
    assert main([*predict, "--aligned", str(aligned), "--out", str(blended)]) == 0
    for before_line, line in zip(read_jsonl(plain), read_jsonl(blended), strict=True):
        scores = {(t["text"], t["char_start"]): t["score"] for t in before_line["terms"]}
        for term in line["terms"]:
            counts = (term["article_spelled"], term["article_seen"])
            assert counts[1] >= counts[0] >= 0
            before_score = scores[term["text"], term["char_start"]]
            expected = blend(before_score, counts, data["evidence_strength"])
            assert term["score"] == pytest.approx(expected, abs=1e-5)
    assert any(t["article_spelled"] for line in read_jsonl(blended) for t in line["terms"])
    assert "article_seen" not in next(read_jsonl(plain))["terms"][0]

    # a detector's span file names no term: refused, with what to run instead
    caplog.clear()
    out = tmp_path / "refused.json"
    refused = ["terms", "fit", *source, "--aligned", str(detections), "--out", str(out)]
    assert main(refused) == 1
    assert "no span has a text" in caplog.text and "terms align" in caplog.text
    assert not out.exists()

    # recordings in which nothing was spelled (no span at all) are evidence too: signed
    nothing = tmp_path / "nothing.jsonl"
    write_span_file(nothing, [RecordingSpans(key, 20, (), 25.0) for key in unlabelled])
    signed = json.loads(_fitted(tmp_path, [*source, "--aligned", str(nothing)]).read_text("utf-8"))
    assert signed["fit"]["aligned_recordings"] == 2
    acid = before[term_key("acid")]
    places = sum(
        term_key(c.text) == "acid" for i in (0, 1) for c in candidates(RELEASE_SENTENCES[0, i])
    )
    assert places >= 2
    assert signed["corpus"][term_key("acid")] == [acid[0], acid[1] + places]  # seen, unspelled


def _fitted(tmp_path: Path, args: list[str]) -> Path:
    """A logistic scorer fitted with these arguments (its path)."""
    out = tmp_path / f"scorer-{len(args)}.json"
    assert main(["terms", "fit", *args, "--model", "logistic", "--out", str(out)]) == 0
    return out
