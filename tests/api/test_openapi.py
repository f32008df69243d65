"""The OpenAPI document is committed; a change to it is reviewed, never accidental."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client
from typer.testing import CliRunner

from pmo.cli.main import app

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_openapi_document_matches_the_committed_snapshot(db):
    result = CliRunner().invoke(app, ["openapi"])
    assert result.exit_code == 0, result.output
    current = json.loads(result.output)
    committed = json.loads(SNAPSHOT.read_text())
    assert current == committed, (
        "The API's OpenAPI document differs from docs/api/openapi.json. If the change is "
        "intended, run `make openapi`, review the diff and commit it with the change."
    )


def test_openapi_document_and_docs_are_served(db):
    client = Client()
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "pmo API"
    assert client.get("/api/v1/docs").status_code == 200
