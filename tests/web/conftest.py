"""Personas for the screens: a staff controller and a clerk without staff rights, logged in."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def staff_user(make_user):
    return make_user("controladora", is_admin=True, first_name="Clara", last_name="Controle")


@pytest.fixture
def clerk_user(make_user):
    return make_user("auxiliar")


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def clerk_client(clerk_user) -> Client:
    client = Client()
    client.force_login(clerk_user)
    return client
