"""Base data written through the product's services: companies, a supplier, people, titles."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from datetime import date
from decimal import Decimal

_serial = itertools.count(1)


def company(n: int):
    from spysystem.finance import services as finance
    from spysystem.finance.documents import cnpj_check_digits
    from spysystem.finance.models import Company

    base = f"{n:08d}0001"
    cnpj = base + cnpj_check_digits(base)
    existing = Company.objects.filter(cnpj=cnpj).first()
    if existing:
        return existing
    return finance.company_create(code=f"R{n:02d}", name=f"Empresa {n} Ltda", cnpj=cnpj)


def party():
    from spysystem.finance import services as finance
    from spysystem.finance.documents import cpf_check_digits
    from spysystem.finance.models import Party

    return Party.objects.first() or finance.party_create(
        name="Fornecedor Exemplo Ltda",
        document="123456789" + cpf_check_digits("123456789"),
        emails=["fornecedor@example.com"],
    )


def title(company_obj, **fields):
    from spysystem.finance import services as finance
    from spysystem.finance.models import Ledger
    from spysystem.watch.context import Origin

    values = {
        "ledger": Ledger.PAYABLE,
        "company": company_obj,
        "party": party(),
        "document": f"REL{next(_serial):06d}",
        "installment": 1,
        "issue_date": date(2026, 11, 1),
        "due_date": date(2026, 12, 10),
        "amount": Decimal("1000.00"),
        "description": "Serviços",
    }
    values.update(fields)
    return finance.title_create(user=None, origin=Origin.SYSTEM, **values)


def user(username: str, *, role: str | None = None, companies=(), password="senha-forte-123"):  # noqa: S107
    from django.contrib.auth import get_user_model

    from spysystem.finance import services as finance

    existing = get_user_model().objects.filter(username=username).first()
    if existing:
        return existing
    return finance.user_create(
        username=username,
        email=f"{username}@example.com",
        password=password,
        role=role,
        is_admin=role == "admin",
        company_ids=[c.pk for c in companies],
    )


def token(user_obj) -> str:
    from spysystem.api.services import token_create

    return token_create(user=user_obj)


def http(method: str, url: str, *, token_value: str | None = None, body=None, timeout=30):
    """One HTTP request with urllib; returns (status, text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    if token_value:
        request.add_header("Authorization", f"Bearer {token_value}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
