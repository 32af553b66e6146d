"""Bearer-token authentication and the two permission levels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spysystem.api.models import ApiToken
from spysystem.api.services import token_create
from spysystem.finance import services as finance
from tests.api.conftest import API, bearer_client

SETTINGS_ENDPOINTS = [
    "spy/recipients",
    "smtp/general",
    "smtp/finance",
    "smtp/switches",
    "smtp/explain?routine=spy",
]


def test_request_without_token_is_401_with_bearer_challenge(anon, db):
    response = anon.get(f"{API}companies")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] == "As credenciais de autenticação não foram fornecidas."


def test_unknown_token_is_401_in_portuguese(db):
    response = bearer_client("spy_not-a-real-token").get(f"{API}companies")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token inválido."


def test_malformed_authorization_header_is_401(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert anon.get(f"{API}companies").status_code == 401


def test_valid_token_authenticates_and_records_last_use(api, admin):
    response = api.get(f"{API}companies")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=admin).last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(api, admin):
    api.get(f"{API}companies")
    recent = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.filter(user=admin).update(last_used_at=recent)
    api.get(f"{API}companies")
    assert ApiToken.objects.get(user=admin).last_used_at == recent


def test_token_of_inactive_user_is_rejected(make_user):
    user = make_user("gone")
    token = token_create(user=user)
    finance.user_update(user=user, is_active=False)
    response = bearer_client(token).get(f"{API}companies")
    assert response.status_code == 401


def test_trailing_slash_is_optional(api):
    assert api.get(f"{API}companies/").status_code == 200
    assert api.get(f"{API}companies").status_code == 200


@pytest.mark.parametrize("path", SETTINGS_ENDPOINTS)
def test_non_administrator_cannot_read_settings(clerk_api, path):
    response = clerk_api.get(f"{API}{path}")
    assert response.status_code == 403
    assert response.json()["detail"] == "Somente administradores podem acessar as configurações."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "spy/recipients"),
        ("put", "smtp/general"),
        ("delete", "smtp/general"),
        ("put", "smtp/switches"),
    ],
)
def test_non_administrator_cannot_write_settings(clerk_api, method, path):
    response = getattr(clerk_api, method)(f"{API}{path}", {}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("path", SETTINGS_ENDPOINTS)
def test_administrator_reaches_settings(api, path):
    assert api.get(f"{API}{path}").status_code in (200, 404)


def test_non_administrator_reads_users_but_cannot_create_them(clerk_api):
    assert clerk_api.get(f"{API}users").status_code == 200
    response = clerk_api.post(f"{API}users", {"username": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Somente administradores podem alterar usuários."


def test_non_administrator_works_with_titles_outbox_and_changes(clerk_api):
    for path in ("companies", "parties", "titles", "outbox", "changes"):
        assert clerk_api.get(f"{API}{path}").status_code == 200, path
