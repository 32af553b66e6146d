"""``POST /api/v1/titles/import``: CSV text or JSON rows, all or nothing, scoped to the user."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spysystem.finance.models import Title
from spysystem.watch.models import Change
from tests.api.conftest import API

URL = f"{API}titles/import"


@pytest.fixture
def world(make_company, make_party):
    return make_company("E01"), make_company("E02"), make_party("Cliente A")


def csv_text(party, company_code: str = "E01", amount: str = "1.234,56") -> str:
    return (
        "empresa;carteira;pessoa;documento;vencimento;valor\n"
        f"{company_code};receber;{party.document};NF-1;10/12/2026;{amount}\n"
    )


def test_csv_content_creates_and_answers_the_counts(api, world):
    _e1, _e2, party = world
    response = api.post(URL, {"format": "csv", "content": csv_text(party)}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["rows"], body["created"], body["updated"], body["dry_run"]) == (1, 1, 0, False)
    assert "1 título(s) foram criado(s)" in body["summary"]
    assert Title.objects.get().amount == Decimal("1234.56")


def test_json_rows_update_is_captured_with_origin_import(api, admin, world, make_title):
    e1, _e2, party = world
    make_title(company=e1, party=party, ledger="receivable", document="NF-1")
    row = {"empresa": "E01", "carteira": "receber", "pessoa": party.document, "documento": "NF-1"}
    row |= {"vencimento": "2026-12-10", "valor": 1500}
    response = api.post(URL, {"rows": [row]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1
    change = Change.objects.get()
    assert (change.origin, change.actor) == ("import", admin.username)


def test_broken_rows_answer_400_with_every_problem_and_write_nothing(api, world):
    _e1, _e2, party = world
    content = csv_text(party) + f"E01;receber;{party.document};NF-2;30/02/2026;abc\n"
    response = api.post(URL, {"content": content}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error_count"] == 2 and "nada foi gravado" in body["detail"]
    assert {(e["line"], e["column"]) for e in body["errors"]} == {(3, "vencimento"), (3, "valor")}
    assert not Title.objects.exists()


def test_dry_run_writes_nothing(api, world):
    _e1, _e2, party = world
    response = api.post(URL, {"content": csv_text(party), "dry_run": True}, format="json")
    assert response.json()["created"] == 1 and not Title.objects.exists()


def test_content_and_rows_together_or_neither_are_refused(api, world):
    _e1, _e2, party = world
    both = api.post(URL, {"content": csv_text(party), "rows": [{"a": 1}]}, format="json")
    neither = api.post(URL, {"format": "csv"}, format="json")
    assert both.status_code == neither.status_code == 400
    assert neither.json()["errors"][0]["message"] == "Envie `content` ou `rows` (um dos dois)."
    not_a_list = api.post(URL, {"rows": "x"}, format="json").json()
    assert not_a_list["detail"].startswith("Importação recusada")
    assert not_a_list["errors"][0]["column"] == "rows"


def test_read_only_user_is_refused_and_scope_applies(role_api, world):
    _e1, e2, party = world
    reader = role_api(role="readonly")
    assert reader.post(URL, {"content": csv_text(party)}, format="json").status_code == 403
    clerk = role_api(e2)
    refused = clerk.post(URL, {"content": csv_text(party, "E01")}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["column"] == "empresa"
    assert clerk.post(URL, {"content": csv_text(party, "E02")}, format="json").status_code == 200
    assert Title.objects.get().company == e2


def test_endpoint_is_in_the_openapi_document(api):
    schema = api.get(f"{API}openapi.json").json()
    operation = schema["paths"]["/api/v1/titles/import/"]["post"]
    assert operation["operationId"] == "titles_import"
    assert {"200", "400"} <= set(operation["responses"])
