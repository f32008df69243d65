"""Fixtures for the API tests: a token-authenticated client per person, files in a temp dir."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmo.accounts.models import User
from pmo.accounts.services import api_token_create

API = "/api/v1"


def token_client(user: User) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def api_as(people: dict[str, User]) -> Callable[[str], Client]:
    """`api_as("manager")` is a client speaking for that person; "anonymous" has no token."""

    def as_(who: str) -> Client:
        return Client() if who == "anonymous" else token_client(people[who])

    return as_


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str = "plan.txt", content: bytes = b"the plan", kind: str = "text/plain") -> Any:
    return SimpleUploadedFile(name, content, content_type=kind)
