"""``/api/v1/spy/recipients``: the Spy recipient lists, with warnings for what will not work."""

from __future__ import annotations

from spysystem.watch.models import SpyRecipient
from tests.api.conftest import API


def test_recipients_round_trip_and_warn_about_users_without_email(api, make_company, make_user):
    company = make_company("E1")
    silent, loud = make_user("silent", email=""), make_user("loud")
    config = {
        "payable": {"default": [loud.pk], "companies": {str(company.pk): [silent.pk]}},
        "receivable": {"default": [loud.pk, silent.pk], "companies": {}},
    }
    response = api.put(f"{API}spy/recipients", config, format="json")
    assert response.status_code == 200, response.json()
    body = api.get(f"{API}spy/recipients").json()
    assert body["payable"] == config["payable"]
    assert body["receivable"] == {"default": sorted([loud.pk, silent.pk]), "companies": {}}
    assert body["warnings"] == [
        "O usuário silent (Contas a pagar, E1) não tem e-mail e não receberá avisos.",
        "O usuário silent (Contas a receber, padrão) não tem e-mail e não receberá avisos.",
    ]


def test_get_then_put_of_the_same_document_changes_nothing(api, make_user):
    user = make_user()
    api.put(f"{API}spy/recipients", {"payable": {"default": [user.pk]}}, format="json")
    document = api.get(f"{API}spy/recipients").json()
    assert api.put(f"{API}spy/recipients", document, format="json").json() == document


def test_empty_configuration_warns_that_nobody_watches(api):
    body = api.get(f"{API}spy/recipients").json()
    assert body["payable"] == {"default": [], "companies": {}}
    assert len(body["warnings"]) == 2
    assert "nenhum usuário padrão" in body["warnings"][0]


def test_omitted_ledger_is_kept(api, make_user):
    user = make_user()
    api.put(f"{API}spy/recipients", {"receivable": {"default": [user.pk]}}, format="json")
    api.put(f"{API}spy/recipients", {"payable": {"default": []}}, format="json")
    assert api.get(f"{API}spy/recipients").json()["receivable"]["default"] == [user.pk]


def test_unknown_user_or_company_is_400_and_nothing_changes(api, make_user):
    user = make_user()
    api.put(f"{API}spy/recipients", {"payable": {"default": [user.pk]}}, format="json")
    config = {"payable": {"default": [999999], "companies": {"888888": [user.pk]}}}
    response = api.put(f"{API}spy/recipients", config, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "users": ["Usuário desconhecido: 999999."],
        "companies": ["Empresa desconhecida: 888888."],
    }
    assert list(SpyRecipient.objects.values_list("user_id", flat=True)) == [user.pk]


def test_malformed_shape_is_400(api):
    bad = {"payable": {"default": ["ana"], "companies": {"E1": [1]}}}
    response = api.put(f"{API}spy/recipients", bad, format="json")
    assert response.status_code == 400
    errors = response.json()["payable"]
    assert errors["companies"] == ["Id de empresa inválido: E1."]
    assert "default" in errors


def test_empty_put_is_400(api):
    response = api.put(f"{API}spy/recipients", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Informe ao menos uma carteira: “payable” ou “receivable”."]
    }


def test_company_key_must_be_a_plain_decimal_id(api, make_user):
    user = make_user()
    config = {"payable": {"default": [], "companies": {"²": [user.pk]}}}
    response = api.put(f"{API}spy/recipients", config, format="json")
    assert response.status_code == 400
    assert response.json() == {"payable": {"companies": ["Id de empresa inválido: ²."]}}
