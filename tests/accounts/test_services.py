"""Accounts: users with organisation roles, hashed API tokens, login throttling."""

import pytest
from django.test import override_settings

from pmo.accounts import services
from pmo.accounts.models import ApiToken, OrgRole
from pmo.core.errors import NotFound, ValidationFailed


def test_user_create_refuses_unknown_role_and_taken_username(make_user):
    make_user(OrgRole.TEAM_MEMBER, "ann")
    with pytest.raises(ValidationFailed, match="already taken"):
        services.user_create(username="ANN", password=None)
    with pytest.raises(ValidationFailed, match="Unknown organisation role 'boss'"):
        services.user_create(username="bob", password=None, org_role="boss")


def test_user_create_enforces_password_rules(db):
    with pytest.raises(ValidationFailed, match="too short"):
        services.user_create(username="carol", password="abc")


def test_api_token_is_stored_hashed_shown_once_and_revocable(make_user):
    user = make_user()
    token, raw = services.api_token_create(user=user, name="BI export")
    assert raw.startswith("pmo_") and raw not in token.token_hash
    assert ApiToken.objects.get().token_hash == services.token_hash(raw)
    assert services.api_token_authenticate(raw) == user
    assert services.api_token_authenticate(raw + "x") is None
    services.api_token_revoke(user=user, token_id=token.pk)
    assert services.api_token_authenticate(raw) is None
    with pytest.raises(NotFound):
        services.api_token_revoke(user=user, token_id=token.pk)


def test_api_token_of_another_user_cannot_be_revoked(make_user):
    owner, other = make_user(), make_user()
    token, _ = services.api_token_create(user=owner, name="x")
    with pytest.raises(NotFound):
        services.api_token_revoke(user=other, token_id=token.pk)


def test_api_token_needs_a_name(make_user):
    with pytest.raises(ValidationFailed, match="Give the token a name"):
        services.api_token_create(user=make_user(), name="  ")


@override_settings(PMO_LOGIN_MAX_FAILURES=3)
def test_login_is_throttled_after_repeated_failures_per_username(db):
    for _ in range(3):
        assert not services.login_is_throttled(username="eve", ip_address="10.0.0.1")
        services.login_failure_record(username="eve", ip_address="10.0.0.1")
    assert services.login_is_throttled(username="EVE", ip_address="10.0.0.9")
    assert not services.login_is_throttled(username="frank", ip_address="10.0.0.9")
    services.login_failures_clear(username="eve")
    assert not services.login_is_throttled(username="eve", ip_address="10.0.0.1")
