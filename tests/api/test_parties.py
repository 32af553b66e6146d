"""``/api/v1/parties``: customers and suppliers with their e-mail lists."""

from __future__ import annotations

from spysystem.finance.models import Party
from tests.api.conftest import API
from tests.conftest import make_cpf


def test_party_is_created_with_normalized_document_and_emails(api):
    cpf = make_cpf(4242)
    punctuated = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    payload = {"name": "Fornecedor Um", "document": punctuated, "emails": ["A@Example.com"]}
    response = api.post(f"{API}parties", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Fornecedor Um",
        "document": cpf,
        "emails": ["A@example.com"],
        "aviso_opt_out": False,
        "cobranca_opt_out": False,
    }


def test_invalid_email_is_400_in_portuguese_and_nothing_is_saved(api):
    payload = {"name": "X", "document": make_cpf(77), "emails": ["ok@example.com", "não é e-mail"]}
    response = api.post(f"{API}parties", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"emails": ["E-mail inválido: não é e-mail."]}
    assert not Party.objects.exists()


def test_email_with_line_break_is_rejected(api):
    payload = {"name": "X", "document": make_cpf(78), "emails": ["a@example.com\r\nBcc: b@x.com"]}
    response = api.post(f"{API}parties", payload, format="json")
    assert response.status_code == 400
    assert response.json()["emails"] == ["E-mail inválido: contém quebra de linha."]


def test_patch_with_emails_replaces_the_whole_list(api, make_party):
    party = make_party(emails=["old@example.com", "keep@example.com"])
    response = api.patch(
        f"{API}parties/{party.pk}",
        {"emails": ["keep@example.com", "new@example.com"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["emails"] == ["keep@example.com", "new@example.com"]
    assert party.email_list == ["keep@example.com", "new@example.com"]


def test_patch_without_emails_keeps_them(api, make_party):
    party = make_party(name="Antigo", emails=["a@example.com"])
    response = api.patch(f"{API}parties/{party.pk}", {"name": "Novo"}, format="json")
    assert response.json()["name"] == "Novo"
    assert response.json()["emails"] == ["a@example.com"]


def test_parties_are_listed_with_emails_in_constant_queries(
    api, make_party, django_assert_max_num_queries
):
    for n in range(5):
        make_party(name=f"Pessoa {n}")
    api.get(f"{API}parties")  # warm the token's last-use write
    with django_assert_max_num_queries(4):
        response = api.get(f"{API}parties", {"name": "pessoa"})
    assert response.json()["count"] == 5
    assert all(len(p["emails"]) == 1 for p in response.json()["results"])


def test_party_filter_by_document_accepts_punctuation(api, make_party):
    party = make_party()
    doc = party.document
    punctuated = f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}"
    results = api.get(f"{API}parties", {"document": punctuated}).json()["results"]
    assert [p["id"] for p in results] == [party.pk]


def test_party_without_titles_is_deleted_and_with_titles_is_409(api, make_party, make_title):
    free = make_party()
    assert api.delete(f"{API}parties/{free.pk}").status_code == 204
    title = make_title()
    assert api.delete(f"{API}parties/{title.party_id}").status_code == 409
    assert Party.objects.filter(pk=title.party_id).exists()


def test_party_opt_outs_round_trip(api, make_party):
    party = make_party()
    url = f"{API}parties/{party.pk}"
    assert api.get(url).json()["aviso_opt_out"] is False
    response = api.patch(url, {"aviso_opt_out": True}, format="json")
    assert response.status_code == 200
    assert (response.json()["aviso_opt_out"], response.json()["cobranca_opt_out"]) == (True, False)
    response = api.patch(url, {"cobranca_opt_out": True, "name": "Outro Nome"}, format="json")
    assert (response.json()["aviso_opt_out"], response.json()["cobranca_opt_out"]) == (True, True)
    party.refresh_from_db()
    assert party.aviso_opt_out and party.cobranca_opt_out and party.name == "Outro Nome"
    response = api.patch(url, {"aviso_opt_out": False}, format="json")
    assert response.json()["aviso_opt_out"] is False
    created = api.post(
        f"{API}parties",
        {"name": "Novo", "document": make_cpf(5151), "cobranca_opt_out": True},
        format="json",
    ).json()
    assert (created["aviso_opt_out"], created["cobranca_opt_out"]) == (False, True)
