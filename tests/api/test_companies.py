"""``/api/v1/companies``: CRUD through the finance services."""

from __future__ import annotations

from spysystem.api.views import Pagination
from spysystem.finance.models import Company
from tests.api.conftest import API
from tests.conftest import make_cnpj


def test_company_is_created_with_punctuated_cnpj_and_answered_normalized(api):
    cnpj = make_cnpj(501)
    punctuated = f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
    response = api.post(
        f"{API}companies", {"code": "E1", "name": "Matriz Ltda", "cnpj": punctuated}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], "code": "E1", "name": "Matriz Ltda", "cnpj": cnpj}
    assert Company.objects.get(pk=body["id"]).cnpj == cnpj


def test_alphanumeric_cnpj_is_accepted(api):
    cnpj = make_cnpj(7, alpha=True)
    response = api.post(
        f"{API}companies", {"code": "AL", "name": "Alfa", "cnpj": cnpj.lower()}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cnpj"] == cnpj


def test_invalid_cnpj_is_400_in_portuguese_and_nothing_is_saved(api):
    response = api.post(
        f"{API}companies", {"code": "X", "name": "X", "cnpj": "11.111.111/1111-11"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "cnpj": ["CNPJ inválido: confira os 14 caracteres e os dígitos verificadores."]
    }
    assert not Company.objects.exists()


def test_missing_fields_are_400_field_by_field(api):
    response = api.post(f"{API}companies", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == ["Este campo é obrigatório."]
    assert set(response.json()) == {"code", "name", "cnpj"}


def test_duplicate_cnpj_is_400(api, make_company):
    existing = make_company()
    response = api.post(
        f"{API}companies", {"code": "NEW", "name": "Outra", "cnpj": existing.cnpj}, format="json"
    )
    assert response.status_code == 400
    assert "cnpj" in response.json()
    assert Company.objects.count() == 1


def test_company_is_read_listed_and_filtered(api, make_company):
    first, second = make_company("A1"), make_company("B2")
    assert api.get(f"{API}companies/{first.pk}").json()["code"] == "A1"
    listing = api.get(f"{API}companies").json()
    assert listing["count"] == 2
    assert [c["code"] for c in listing["results"]] == ["A1", "B2"]
    filtered = api.get(f"{API}companies", {"cnpj": second.cnpj}).json()
    assert [c["id"] for c in filtered["results"]] == [second.pk]


def test_list_is_paged_with_limit_and_offset(api, make_company):
    for code in ("A", "B", "C"):
        make_company(code)
    page = api.get(f"{API}companies", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3
    assert [c["code"] for c in page["results"]] == ["B", "C"]


def test_company_is_patched(api, make_company):
    company = make_company("OLD")
    response = api.patch(f"{API}companies/{company.pk}", {"name": "Novo Nome"}, format="json")
    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.code, company.name) == ("OLD", "Novo Nome")


def test_put_is_not_offered(api, make_company):
    company = make_company()
    response = api.put(f"{API}companies/{company.pk}", {"name": "x"}, format="json")
    assert response.status_code == 405


def test_company_without_titles_is_deleted(api, make_company):
    company = make_company()
    assert api.delete(f"{API}companies/{company.pk}").status_code == 204
    assert not Company.objects.exists()


def test_company_with_titles_cannot_be_deleted(api, make_title):
    title = make_title()
    response = api.delete(f"{API}companies/{title.company_id}")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Não é possível excluir: existem títulos ligados a este registro."
    }
    assert Company.objects.filter(pk=title.company_id).exists()


def test_unknown_company_is_404(api):
    response = api.get(f"{API}companies/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Não encontrado."}


def test_page_size_is_capped(api, make_company, monkeypatch):
    monkeypatch.setattr(Pagination, "max_limit", 2)
    for code in ("A", "B", "C"):
        make_company(code)
    body = api.get(f"{API}companies", {"limit": 100000}).json()
    assert (body["count"], len(body["results"])) == (3, 2)
