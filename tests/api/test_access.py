"""Roles and company scope, applied uniformly to every endpoint (issue 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spysystem.finance import services as finance
from spysystem.mail.services import MessageDraft, message_enqueue_many
from spysystem.watch.context import Origin
from tests.api.conftest import API

SETTINGS_READS = [
    "spy/recipients",
    "smtp/general",
    "smtp/finance",
    "smtp/switches",
    "smtp/explain?routine=spy",
    "templates",
    "templates/aviso",
    "settings-changes",
]
SETTINGS_WRITES = [
    ("put", "spy/recipients", {"payable": {"default": []}}),
    ("put", "smtp/general", {"host": "x", "from_email": "a@b.com"}),
    ("delete", "smtp/general", None),
    ("put", "smtp/switches", {"use_spy_smtp": True}),
    ("post", "smtp/test", {"host": "x", "from_email": "a@b.com", "to": "a@b.com"}),
    ("patch", "tasks/GEAtualizaCobranca", {"enabled": False}),
    ("post", "tasks/GEAtualizaCobranca/run", {}),
    ("put", "templates/aviso", {"subject": "x", "body_text": "y"}),
    ("delete", "templates/aviso", None),
    ("post", "templates/preview", {"routine": "aviso"}),
    ("post", "users", {"username": "novo"}),
    ("post", "companies", {"code": "Z", "name": "Z", "cnpj": "1"}),
    ("post", "bank-accounts", {}),
]


def _call(client, method, path, body=None):
    return getattr(client, method)(f"{API}{path}", body, format="json")


@pytest.mark.parametrize("path", SETTINGS_READS)
def test_finance_staff_cannot_read_settings(role_api, path):
    response = role_api(role="finance").get(f"{API}{path}")
    assert response.status_code == 403
    assert response.json()["detail"] == "Somente administradores podem acessar as configurações."


@pytest.mark.parametrize(("method", "path", "body"), SETTINGS_WRITES)
def test_finance_staff_cannot_write_settings(role_api, make_company, method, path, body):
    make_company()
    response = _call(role_api(role="finance"), method, path, body)
    assert response.status_code == 403
    assert "administradores" in response.json()["detail"]


def test_finance_staff_cannot_reach_company_settings(role_api, make_company):
    company = make_company()
    client = role_api(role="finance")
    for path in (
        f"smtp/companies/{company.pk}",
        f"routine-settings/{company.pk}",
        f"templates/aviso/{company.pk}",
    ):
        assert client.get(f"{API}{path}").status_code == 403, path
        assert _call(client, "put", path, {}).status_code == 403, path


def test_finance_staff_writes_titles_and_parties(role_api, make_company, make_party):
    company, party = make_company(), make_party()
    client = role_api(role="finance")
    body = _title_body(company, party)
    response = client.post(f"{API}titles", body, format="json")
    assert response.status_code == 201, response.json()
    title_id = response.json()["id"]
    assert (
        client.patch(f"{API}titles/{title_id}", {"amount": "2.00"}, format="json").status_code
        == 200
    )
    assert (
        client.patch(f"{API}parties/{party.pk}", {"name": "Outro"}, format="json").status_code
        == 200
    )
    assert client.get(f"{API}tasks").status_code == 200


def _title_body(company, party, **fields):
    return {
        "ledger": "receivable",
        "company": company.pk,
        "party": party.pk,
        "document": "NF1",
        "issue_date": "2026-11-01",
        "due_date": "2026-12-10",
        "amount": "100.00",
        **fields,
    }


READ_ONLY_WRITES = [
    ("post", "titles", {}),
    ("patch", "titles/{title}", {"amount": "1.00"}),
    ("delete", "titles/{title}", None),
    ("post", "parties", {"name": "x", "document": "1"}),
    ("patch", "parties/{party}", {"name": "x"}),
    ("delete", "parties/{party}", None),
    ("post", "companies", {}),
    ("patch", "companies/{company}", {"name": "x"}),
    ("post", "outbox/{message}/retry", None),
    ("post", "outbox/{message}/cancel", None),
    ("post", "titles/boletos/emit", {"titles": ["{title}"]}),
    ("patch", "users/{user}", {"first_name": "x"}),
    ("post", "tasks/GEAtualizaCobranca/run", {}),
]


def _message(company, key="m1"):
    message_enqueue_many(
        [
            MessageDraft(
                routine="spy",
                dedupe_key=key,
                to_email="a@example.com",
                subject=f"assunto {key}",
                body_text="x",
                company_id=company.pk if company else None,
            )
        ]
    )
    from spysystem.mail.models import Message

    return Message.objects.get(dedupe_key=key)


@pytest.mark.parametrize(("method", "path", "body"), READ_ONLY_WRITES)
def test_read_only_user_gets_403_on_every_write(
    role_api, make_title, make_user, method, path, body
):
    title = make_title()
    ids = {
        "title": title.pk,
        "party": title.party_id,
        "company": title.company_id,
        "message": _message(title.company).pk,
        "user": make_user().pk,
    }
    if body and "titles" in body:
        body = {"titles": [title.pk]}
    response = _call(role_api(role="readonly"), method, path.format(**ids), body)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]


def test_read_only_user_reads_the_data(role_api, make_title):
    title = make_title()
    client = role_api(role="readonly")
    for path in ("titles", f"titles/{title.pk}", "parties", "companies", "outbox", "changes"):
        assert client.get(f"{API}{path}").status_code == 200, path
    assert client.get(f"{API}tasks").status_code == 200
    assert client.get(f"{API}tasks/GEAtualizaCobranca/runs").status_code == 200
    response = client.patch(f"{API}titles/{title.pk}", {"amount": "5.00"}, format="json")
    assert response.json()["detail"] == (
        "Seu usuário é somente consulta: não pode fazer alterações."
    )


@pytest.fixture
def two_companies(make_company, make_title):
    a, b = make_company("CA"), make_company("CB")
    title_a, title_b = make_title(company=a), make_title(company=b)
    for title in (title_a, title_b):
        finance.title_update(title=title, user=None, origin=Origin.SYSTEM, amount=Decimal("7.00"))
    _message(a, "ma"), _message(b, "mb"), _message(None, "mtest")
    return a, b, title_a, title_b


def test_company_scope_filters_lists(role_api, two_companies):
    a, b, title_a, _ = two_companies
    client = role_api(a)
    ids = lambda path: [row["id"] for row in client.get(f"{API}{path}").json()["results"]]  # noqa: E731
    assert ids("titles") == [title_a.pk]
    assert ids(f"titles?company={b.pk}") == []
    assert ids("companies") == [a.pk]
    changes = client.get(f"{API}changes").json()["results"]
    assert changes and {c["company_id"] for c in changes} == {a.pk}
    outbox = client.get(f"{API}outbox").json()["results"]
    assert [m["subject"] for m in outbox] == ["assunto ma"]


def test_company_scope_hides_other_companies_objects(role_api, two_companies):
    a, b, title_a, title_b = two_companies
    client = role_api(a)
    for path in (f"titles/{title_b.pk}", f"companies/{b.pk}"):
        assert client.get(f"{API}{path}").status_code == 404, path
    assert (
        client.patch(f"{API}titles/{title_b.pk}", {"amount": "1.00"}, format="json").status_code
        == 404
    )
    assert client.delete(f"{API}titles/{title_b.pk}").status_code == 404
    from spysystem.mail.models import Message

    other_message = Message.objects.get(dedupe_key="mb")
    assert client.get(f"{API}outbox/{other_message.pk}").status_code == 404
    assert client.post(f"{API}outbox/{other_message.pk}/cancel").status_code == 404
    assert client.get(f"{API}titles/{title_a.pk}").status_code == 200


def test_creating_or_moving_a_title_to_another_company_is_a_field_error(
    role_api, two_companies, make_party
):
    a, b, title_a, _ = two_companies
    client = role_api(a)
    response = client.post(f"{API}titles", _title_body(b, make_party()), format="json")
    assert response.status_code == 400
    assert response.json() == {"company": ["Seu usuário não tem acesso à empresa CB."]}
    response = client.patch(f"{API}titles/{title_a.pk}", {"company": b.pk}, format="json")
    assert response.status_code == 400
    assert "company" in response.json()
    response = client.post(f"{API}titles", _title_body(a, make_party()), format="json")
    assert response.status_code == 201


def test_administrator_sees_every_company(api, two_companies):
    assert len(api.get(f"{API}titles").json()["results"]) == 2
    assert len(api.get(f"{API}outbox").json()["results"]) == 3


def test_a_settings_change_through_the_api_is_attributed_to_the_token_user(api, admin):
    from spysystem.audit.models import SettingsChange

    response = api.put(f"{API}smtp/switches", {"use_spy_smtp": True}, format="json")
    assert response.status_code == 200
    change = SettingsChange.objects.get(area="switches")
    assert (change.actor_id, change.actor_label, change.origin) == (admin.pk, "controller", "api")


def test_scoped_user_may_not_issue_boleto_for_other_company(role_api, two_companies):
    _, _, _, title_b = two_companies
    response = role_api(two_companies[0]).get(f"{API}titles/{title_b.pk}/boleto")
    assert response.status_code == 404
