"""Who is calling (tokens, session, CSRF) and how every kind of error answers: problem+json."""

from __future__ import annotations

from django.test import Client
from tests.conftest import PASSWORD

from pmo.accounts.models import ApiToken
from pmo.api.main import NO_SUCH_ENDPOINT
from pmo.core.middleware import BODY_TOO_LARGE

from .conftest import API

PROBLEM = "application/problem+json"


def test_me_describes_the_caller(api_as):
    me = api_as("pmo_analyst").get(f"{API}/me").json()
    assert (me["username"], me["org_role"], me["is_pmo"]) == ("analyst", "pmo_analyst", True)


def test_token_is_shown_once_stored_hashed_and_revoked(api_as, people):
    client = api_as("member")
    created = client.post(f"{API}/tokens", {"name": "laptop"}, content_type="application/json")
    assert created.status_code == 201
    raw = created.json()["token"]
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert raw.startswith(stored.prefix) and raw not in stored.token_hash
    listed = client.get(f"{API}/tokens").json()
    assert "token" not in listed["items"][0]
    assert {t["name"] for t in listed["items"]} == {"laptop", "tests"}

    fresh = Client(headers={"authorization": f"Bearer {raw}"})
    assert fresh.get(f"{API}/me").status_code == 200
    assert client.delete(f"{API}/tokens/{stored.pk}").status_code == 204
    for response in (
        fresh.get(f"{API}/me"),
        fresh.post(f"{API}/tokens", {"name": "x"}, content_type="application/json"),
    ):
        assert (response.status_code, response["Content-Type"]) == (401, PROBLEM)
    assert client.delete(f"{API}/tokens/{stored.pk}").status_code == 404


def test_someone_elses_token_cannot_be_revoked(api_as, people):
    mine = api_as("manager").post(f"{API}/tokens", {"name": "m"}, content_type="application/json")
    assert api_as("member").delete(f"{API}/tokens/{mine.json()['id']}").status_code == 404


def test_unknown_token_answers_401(project):
    response = Client(headers={"authorization": "Bearer pmo_nonsense"}).get(f"{API}/projects")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Authenticate with a valid API token or a logged-in session."
    )


def test_session_auth_reads_freely_and_writes_only_with_csrf(people, project):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="manager", password=PASSWORD)
    assert browser.get(f"{API}/projects/{project.pk}").status_code == 200
    url = f"{API}/projects/{project.pk}/stakeholders"
    refused = browser.post(url, {"name": "CFO"}, content_type="application/json")
    assert (refused.status_code, refused["Content-Type"]) == (403, PROBLEM)
    secret = "s" * 32  # a CSRF cookie and the same value in the header, as a browser sends
    browser.cookies["csrftoken"] = secret
    accepted = browser.post(
        url, {"name": "CFO"}, content_type="application/json", headers={"x-csrftoken": secret}
    )
    assert accepted.status_code == 201, accepted.content


def test_oversized_body_answers_413(api_as, settings, project):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"name": "' + "x" * 200 + '"}'
    response = api_as("manager").post(
        f"{API}/projects/{project.pk}/stakeholders", body, content_type="application/json"
    )
    assert (response.status_code, response["Content-Type"]) == (413, PROBLEM)
    assert response.json()["detail"] == BODY_TOO_LARGE.format(size=len(body), limit=100)


def test_malformed_json_answers_400_problem(api_as):
    response = api_as("manager").post(
        f"{API}/projects", "{not json", content_type="application/json"
    )
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json()["title"] == "Bad Request"


def test_bad_input_answers_422_with_fields(api_as):
    client = api_as("manager")
    for body in ('["a list"]', "null", '{"code": 7}'):
        response = client.post(f"{API}/projects", body, content_type="application/json")
        assert (response.status_code, response["Content-Type"]) == (422, PROBLEM), body
    wrong = client.post(
        f"{API}/projects", {"code": "bad code!", "name": "X"}, content_type="application/json"
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"].startswith("code: Use capital letters")


def test_numbers_too_large_for_the_database_are_invalid_not_errors(api_as, project):
    client = api_as("manager")
    huge = 2**70
    assert client.get(f"{API}/projects/{huge}").status_code == 422
    assert client.get(f"{API}/projects", {"offset": huge}).status_code == 422
    response = client.patch(
        f"{API}/projects/{project.pk}",
        {"version": 1, "sponsor_id": huge},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_nul_characters_are_invalid(api_as):
    response = api_as("manager").get(f"{API}/projects", {"search": "a\x00b"})
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_filters_are_checked(api_as):
    response = api_as("manager").get(f"{API}/projects", {"stage": "dreaming", "limit": 0})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"stage", "limit"}


def test_unknown_route_answers_404_problem(api_as):
    response = api_as("manager").get(f"{API}/projectz/1")
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert response.json()["detail"] == NO_SUCH_ENDPOINT.format(method="GET", path="projectz/1")
    assert Client().delete(f"{API}/nothing").status_code == 404
