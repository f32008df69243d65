"""Fixtures for the web pages: a logged-in browser client per person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pmo.accounts.models import User


@pytest.fixture
def client_as(people: dict[str, User]) -> Callable[[str | None], Client]:
    """`client_as("manager")`: a test client logged in as that person (None: anonymous)."""

    def make(who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(people[who])
        return client

    return make


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
