"""Personas for the screens, logged in: a staff controller (administrator), a clerk without staff
rights (finance staff of every company), ``login(user)`` for any other persona, and e-mails in
the log (``make_message``)."""

from __future__ import annotations

import pytest
from django.test import Client

from spysystem.mail.models import Message, MessageStatus, Routine
from spysystem.mail.services import MessageDraft, message_enqueue_many


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


@pytest.fixture
def login(db):
    """``login(user)`` → a test client with ``user`` logged in."""

    def factory(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return factory


_keys = iter(range(1, 1_000_000))


@pytest.fixture
def make_message(db):
    def factory(status=MessageStatus.PENDING, **fields):
        draft = MessageDraft(
            routine=fields.pop("routine", Routine.SPY),
            dedupe_key=f"test:{next(_keys)}",
            to_email=fields.pop("to_email", "ana@example.com"),
            subject=fields.pop("subject", "Título alterado"),
            body_text=fields.pop("body_text", "Valor: R$ 1.000,00 → R$ 1.500,00"),
            body_html=fields.pop("body_html", ""),
            company_id=fields.pop("company_id", None),
        )
        message_enqueue_many([draft])
        message = Message.objects.get(dedupe_key=draft.dedupe_key)
        Message.objects.filter(pk=message.pk).update(status=status, **fields)
        message.refresh_from_db()
        return message

    return factory
