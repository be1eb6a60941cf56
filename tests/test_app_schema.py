"""Property-based runs: the JSON API from its OpenAPI schema, and the form pages; never a 500."""

from __future__ import annotations

import pytest
import schemathesis
from app_fixtures import build_fixture_index
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asl_stem.webapp import create_app

EXAMPLES_PER_OPERATION = 15


def expected_type(path: str, status: int) -> str:
    """JSON, except the CSV export, the binary keypoints and videos when they succeed."""
    if status >= 300:
        return "application/json"
    for suffix, kind in ((".csv", "text/csv"), (".bin", "application/octet-stream"),
                         ("/video", "video/mp4")):  # fmt: skip
        if path.endswith(suffix):
            return kind
    return "application/json"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    root = tmp_path_factory.mktemp("schema")
    app = create_app(build_fixture_index(root), root / "notes.sqlite", allowed_hosts=["*"])
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_input_gives_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            where = (case.method, case.formatted_path, case.body, response.text[:300])
            assert response.status_code < 500, where
            if case.path.startswith("/api"):
                kind = response.headers["content-type"][0]
                assert kind.startswith(expected_type(case.path, response.status_code)), where

        check()


@pytest.fixture(scope="module")
def page_client(api_schema: schemathesis.BaseSchema) -> TestClient:
    return TestClient(api_schema.app)


@given(text=st.text(max_size=400), title=st.text(max_size=40), query=st.text(max_size=60))
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_pages_never_fail_on_any_text(
    page_client: TestClient, text: str, title: str, query: str
) -> None:
    prepared = page_client.post("/prepare", data={"text": text, "title": title})
    assert prepared.status_code in (200, 422), prepared.text[:300]
    assert prepared.text.lower().count("<script") == 1  # only the app's own player.js
    found = page_client.get("/search", params={"q": query})
    assert found.status_code == 200
    noted = page_client.post("/terms/1/notes", data={"sign": text[:500], "link": title})
    assert noted.status_code in (200, 303, 422), noted.text[:300]
