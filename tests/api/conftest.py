"""API personas: an administrator and a clerk, each with a bearer token, and an anonymous client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from spysystem.api.services import token_create

API = "/api/v1/"


def bearer_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def admin(make_user):
    return make_user("controller", is_admin=True)


@pytest.fixture
def clerk(make_user):
    return make_user("clerk")


@pytest.fixture
def api(admin):
    """An administrator's client (``controller``, ``is_staff``)."""
    return bearer_client(token_create(user=admin))


@pytest.fixture
def clerk_api(clerk):
    """A non-administrator's client (``clerk``)."""
    return bearer_client(token_create(user=clerk))


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def role_api(make_user):
    """A client for a user of ``role`` who sees only ``companies`` (none given: all)."""

    def factory(*companies, role="finance", username=None):
        user = make_user(username, role=role, company_ids=[c.pk for c in companies])
        return bearer_client(token_create(user=user))

    return factory
