"""``/api/v1/titles``: writes attributed to the token's user with origin ``api``, and captured."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from spysystem.finance.models import Ledger, Title
from spysystem.watch.models import Change
from tests.api.conftest import API


@pytest.fixture
def payload(make_company, make_party):
    return {
        "ledger": "payable",
        "company": make_company().pk,
        "party": make_party().pk,
        "document": "NF-100",
        "issue_date": "2026-11-01",
        "due_date": "2026-12-10",
        "amount": "1234.56",
    }


def test_title_is_created_with_defaults_and_answered_in_contract_formats(api, admin, payload):
    response = api.post(f"{API}titles", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "1234.56"
    assert (body["due_date"], body["ledger"], body["status"]) == ("2026-12-10", "payable", "open")
    assert (body["company"], body["party"]) == (payload["company"], payload["party"])
    assert (body["installment"], body["description"], body["updated_by"]) == (1, "", admin.pk)
    assert Title.objects.get().amount == Decimal("1234.56")


def test_patch_of_amount_is_captured_with_origin_api_and_the_token_user(api, make_title):
    title = make_title(amount=Decimal("1000.00"))
    response = api.patch(f"{API}titles/{title.pk}", {"amount": "10000.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["amount"] == "10000.00"
    change = Change.objects.get(title_id=title.pk)
    assert (change.origin, change.actor, change.facts) == ("api", "controller", ["amount"])
    assert Decimal(change.before["amount"]) == Decimal("1000.00")
    assert Decimal(change.after["amount"]) == Decimal("10000.00")


def test_patch_of_due_date_is_captured(api, make_title):
    title = make_title(due_date=date(2026, 12, 10))
    response = api.patch(f"{API}titles/{title.pk}", {"due_date": "2026-12-25"}, format="json")
    assert response.status_code == 200
    assert Change.objects.get(title_id=title.pk).facts == ["due_date"]


def test_delete_is_captured_with_the_full_snapshot(api, make_title):
    title = make_title()
    assert api.delete(f"{API}titles/{title.pk}").status_code == 204
    change = Change.objects.get(title_id=title.pk)
    assert (change.kind, change.origin, change.actor, change.after) == (
        "delete",
        "api",
        "controller",
        None,
    )
    assert not Title.objects.exists()


def test_unknown_company_and_party_are_400_in_portuguese(api, payload):
    payload.update(company=999999, party=888888)
    response = api.post(f"{API}titles", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "company": ["Empresa 999999 não encontrada."],
        "party": ["Pessoa 888888 não encontrada."],
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5.00", "O valor deve ser maior que zero."),
        ("amount", "0", "O valor deve ser maior que zero."),
        ("amount", "mil reais", "Informe um valor numérico, por exemplo “1234.56”."),
        ("amount", "1.234", "O valor pode ter no máximo 2 casas decimais."),
        (
            "due_date",
            "10/12/2026",
            "Formato de data inválido. Use um dos formatos a seguir: YYYY-MM-DD.",
        ),
        ("ledger", "both", '"both" não é uma escolha válida.'),
    ],
)
def test_bad_input_is_400_with_the_field_message_and_nothing_is_saved(
    api, payload, field, value, message
):
    payload[field] = value
    response = api.post(f"{API}titles", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Title.objects.exists()


def test_bad_patch_leaves_the_title_and_history_untouched(api, make_title):
    title = make_title(amount=Decimal("50.00"))
    payload = {"amount": "99.00", "due_date": "2026-02-30"}
    response = api.patch(f"{API}titles/{title.pk}", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"due_date"}
    title.refresh_from_db()
    assert title.amount == Decimal("50.00")
    assert not Change.objects.exists()


def test_duplicate_natural_key_is_400(api, payload):
    assert api.post(f"{API}titles", payload, format="json").status_code == 201
    response = api.post(f"{API}titles", payload, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Title.objects.count() == 1


def test_titles_are_filtered(api, make_company, make_party, make_title):
    e1, e2 = make_company(), make_company()
    party = make_party()
    wanted = make_title(company=e1, party=party, due_date=date(2026, 12, 10))
    make_title(company=e1, party=party, due_date=date(2027, 1, 10))
    make_title(company=e1, ledger=Ledger.RECEIVABLE, due_date=date(2026, 12, 10))
    make_title(company=e2, due_date=date(2026, 12, 10))
    make_title(company=e1, status="paid", due_date=date(2026, 12, 10))
    query = {
        "company": e1.pk,
        "ledger": "payable",
        "status": "open",
        "due_from": "2026-12-01",
        "due_to": "2026-12-31",
        "party": party.pk,
    }
    results = api.get(f"{API}titles", query).json()["results"]
    assert [t["id"] for t in results] == [wanted.pk]


def test_malformed_filter_is_400(api):
    response = api.get(f"{API}titles", {"due_from": "amanhã", "ledger": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"due_from", "ledger"}


def test_title_list_runs_in_constant_queries(api, make_title, django_assert_max_num_queries):
    for _ in range(6):
        make_title()
    api.get(f"{API}titles")  # warm the token's last-use write
    with django_assert_max_num_queries(3):
        response = api.get(f"{API}titles")
    assert response.json()["count"] == 6


def test_title_is_read_by_id(api, make_title):
    title = make_title(document="NF-9")
    body = api.get(f"{API}titles/{title.pk}").json()
    assert (body["id"], body["document"]) == (title.pk, "NF-9")
