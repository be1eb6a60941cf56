"""The JSON API: the same data as the pages, for scripts and other tools.

Routes return their JSON directly (``JSONResponse``): the data are plain dicts from the index,
and FastAPI's validation of a declared return type would cost more than the query.

Every span says where it came from (``source``: annotated/detected, with the detector's
``score``; ``text_source``: annotated/aligned/read, with ``text_score``), every clip whether its
recording's spans are annotated or detected (``basis``), and term counts are split by source.
Interpreters are given by readable label (``interpreter``) and raw id (``interpreter_id``).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from asl_stem.layout import HAND_BONES, LEFT_HAND, NUM_BODY_POINTS, POSE, POSE_BONES, RIGHT_HAND
from asl_stem.webapp.media import gzip_blob_response, video_response
from asl_stem.webapp.models import ArticleId, NoteIn, PrepareIn, RecordingId, TermId
from asl_stem.webapp.services import prepare_pasted, prepared_article_json, save_note
from asl_stem.webapp.state import State

router = APIRouter()
SearchText = Annotated[str, Query(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]

BONES = (
    [(POSE.start + a, POSE.start + b) for a, b in POSE_BONES]
    + [(RIGHT_HAND.start + a, RIGHT_HAND.start + b) for a, b in HAND_BONES]
    + [(LEFT_HAND.start + a, LEFT_HAND.start + b) for a, b in HAND_BONES]
)
GAP_COLUMNS = (
    "display", "n_spelled", "n_signed", "n_spelled_interpreters", "n_signed_interpreters",
    "n_spelled_annotated", "n_spelled_detected", "n_signed_annotated", "n_signed_detected",
    "n_signs", "score", "id",
)  # fmt: skip


@router.get("/healthz", tags=["meta"])
def healthz() -> dict[str, bool]:
    """Liveness: answers without touching the index."""
    return {"ok": True}


@router.get("/api/meta", tags=["meta"])
def meta(state: State) -> Response:
    """How and when the index was built: counts, sources, the thresholds detections met, and
    the term scorer's fit (its weights stay in the index)."""
    found = state.reader.meta()
    found.pop("problems", None)
    scorer = found.pop("scorer", None)
    if scorer is not None:
        found["scorer"] = {
            "lexicon_features": scorer.get("lexicon_features"),
            "threshold": scorer.get("threshold"),
            "fit": scorer.get("fit", {}),
        }
    return JSONResponse(found)


@router.get("/api/articles", tags=["articles"])
def articles(state: State) -> Response:
    """Every article of the corpus."""
    return JSONResponse(state.reader.articles())


@router.get("/api/articles/{article_id}", tags=["articles"])
def article(article_id: ArticleId, state: State) -> Response:
    """An article and its sentences."""
    return JSONResponse(state.reader.article(article_id))


@router.get("/api/articles/{article_id}/prepare", tags=["prepare"])
def prepare_article(article_id: ArticleId, state: State) -> Response:
    """An article's terms, scored and looked up in the corpus."""
    return Response(prepared_article_json(state, article_id), media_type="application/json")


@router.post("/api/prepare", tags=["prepare"])
def prepare_text(body: PrepareIn, state: State) -> Response:
    """Pasted text's terms, scored and looked up in the corpus."""
    return JSONResponse(prepare_pasted(state, body.text, body.article))


@router.get("/api/terms/{term_id}", tags=["terms"])
def term(term_id: TermId, state: State) -> Response:
    """A term: counts by source, interpreters, clips, occurrences, links, signs, notes."""
    detail = state.reader.term(term_id)
    detail["notes"] = state.notes.for_term(detail["norm"])
    return JSONResponse(detail)


@router.get("/api/terms/{term_id}/notes", tags=["notes"])
def notes(term_id: TermId, state: State) -> Response:
    """Interpreters' notes on a term, newest first."""
    return JSONResponse(state.notes.for_term(state.reader.term(term_id)["norm"]))


@router.post("/api/terms/{term_id}/notes", tags=["notes"], status_code=201)
def add_note(term_id: TermId, body: NoteIn, state: State) -> dict[str, Any]:
    """Save a note on a term (committed before the answer)."""
    return save_note(state, state.reader.term(term_id)["norm"], body)


@router.get("/api/search", tags=["search"])
async def search(q: SearchText, state: State) -> Response:
    """Terms and sentences matching every word of ``q`` (prefixes).

    ``async``: the indexed query is short, and running it inline costs less than the hop to a
    worker thread (docs/app.md, "Serving")."""
    return JSONResponse(state.reader.search(q))


@router.get("/api/sign-gap", tags=["terms"])
def sign_gap(state: State, limit: Limit = 100, offset: Offset = 0) -> Response:
    """Terms by how often interpreters fingerspell them, with how often they signed them
    instead and whether the lexicon has a sign."""
    return JSONResponse(state.reader.sign_gap(limit, offset))


@router.get("/api/sign-gap.csv", tags=["terms"])
def sign_gap_csv(state: State, limit: Limit = 1000, offset: Offset = 0) -> Response:
    """The sign-gap list as CSV (one term a row, most fingerspelled first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("term", *GAP_COLUMNS[1:-2], "fingerspelling_likelihood", "term_id"))
    for row in state.reader.sign_gap(limit, offset):
        writer.writerow([row[name] for name in GAP_COLUMNS])
    headers = {"Content-Disposition": 'attachment; filename="sign-gap.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/api/recordings/{recording_id}", tags=["recordings"])
def recording(recording_id: RecordingId, state: State) -> Response:
    """A recording: sentence, interpreter, every span with its source."""
    return JSONResponse(state.reader.recording(recording_id))


@router.get("/api/skeleton", tags=["recordings"])
def skeleton() -> Response:
    """The 75 points and the bones the player draws between them."""
    body = json.dumps({"num_points": NUM_BODY_POINTS, "bones": BONES})
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(body, media_type="application/json", headers=headers)


@router.get("/api/recordings/{recording_id}/keypoints", tags=["recordings"])
def keypoints(recording_id: RecordingId, state: State) -> Response:
    """Playback keypoints as JSON (for scripts): frames of flat (x, y) lists over 75 points."""
    data = state.reader.keypoints(recording_id).to_json()
    data["bones"] = BONES
    return JSONResponse(data)


@router.get("/api/recordings/{recording_id}/keypoints.bin", tags=["recordings"])
def keypoints_binary(recording_id: RecordingId, request: Request, state: State) -> Response:
    """Playback keypoints as the player reads them: quantised, gzip, with an ETag."""
    etag, blob = state.reader.keypoint_blob(recording_id)
    return gzip_blob_response(request, blob, etag)


@router.get("/api/recordings/{recording_id}/video", tags=["recordings"])
@router.head("/api/recordings/{recording_id}/video", include_in_schema=False)
def video(recording_id: RecordingId, request: Request, state: State) -> Response:
    """The interpreter's video, with HTTP range requests (206)."""
    location = state.reader.video(recording_id)
    etag = f"{location.size:x}-{int(location.mtime):x}-{location.offset:x}"
    return video_response(request, location, etag)
