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


@pytest.fixture
def bank_account(db):
    """``bank_account(company)``: an Itaú collection account, the company's default."""
    from decimal import Decimal

    from spysystem.finance.models import BankAccount

    def factory(company, **fields):
        values = {
            "company": company,
            "bank_code": "341",
            "agency": "0057",
            "account": "12345",
            "account_dv": "7",
            "wallet": "109",
            "beneficiary_name": company.name,
            "beneficiary_document": company.cnpj,
            "fine_percent": Decimal("2.00"),
            "interest_month_percent": Decimal("1.00"),
        }
        return BankAccount.objects.create(**(values | fields))

    return factory


@pytest.fixture
def receivable(make_title, make_company, make_party, bank_account):
    """``receivable(company=None, **fields)``: an open receivable of a company with a bank
    account, for a customer with one e-mail."""
    from datetime import date

    from spysystem.finance.models import BankAccount, Ledger

    def factory(company=None, **fields):
        company = company or make_company()
        if not BankAccount.objects.filter(company=company).exists():
            bank_account(company)
        fields.setdefault("party", make_party(emails=[f"cliente-{company.code.lower()}@x.com.br"]))
        fields.setdefault("due_date", date(2027, 3, 10))
        return make_title(ledger=Ledger.RECEIVABLE, company=company, **fields)

    return factory
