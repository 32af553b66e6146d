"""Boletos in the API: bank accounts, a title's boleto and PDF, the routines, compute/parse."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from spysystem.api.services import token_create
from spysystem.finance.models import BankAccount, Ledger, Role, TitleDocument
from spysystem.mail.models import Message, MessageAttachment
from spysystem.routines.models import Boleto
from tests.api.conftest import API, bearer_client
from tests.boleto.test_operations import ITAU_JSON
from tests.routines.test_boletos import account_for

ITAU_OUT = {
    "bank": "341",
    "barcode": "34194254800006757871090001015271248021246000",
    "digitable_line": "34191.09008 01015.271248 80212.460002 4 25480000675787",
    "our_number": "109/00010152-7",
    "due_factor": "2548",
    "due_date": "2029-05-20",
    "amount": "6757.87",
    "free_field": "1090001015271248021246000",
}


@pytest.fixture
def receivable(make_title, make_company):
    def factory(company=None, **fields):
        company = company or make_company()
        if not BankAccount.objects.filter(company=company).exists():
            account_for(company)
        fields.setdefault("due_date", date(2027, 3, 10))
        return make_title(ledger=Ledger.RECEIVABLE, company=company, **fields)

    return factory


@pytest.fixture
def scoped(make_user):
    """A client for a user of the given role who sees only ``companies``."""

    def factory(*companies, role=Role.FINANCE):
        user = make_user(role=role, company_ids=[c.pk for c in companies])
        return bearer_client(token_create(user=user))

    return factory


def pdf_pages(content: bytes) -> int:
    return content.count(b"/Type /Page\n") or content.count(b"/Type /Page")


# -- bank accounts ------------------------------------------------------------------------------


def _account_body(company, /, **fields):
    body = {
        "company": company.pk,
        "bank": "341",
        "agency": "0057",
        "account": "12345",
        "account_dv": "7",
        "wallet": "109",
        "beneficiary_name": company.name,
        "beneficiary_document": company.cnpj,
        "fine_percent": "2.00",
    }
    body.update(fields)
    return body


def test_bank_account_create_read_update_delete(api, make_company):
    company = make_company()
    response = api.post(f"{API}bank-accounts", _account_body(company), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["bank"] == "341" and created["bank_name"] == "Itaú"
    assert created["is_default"] is True and created["boletos"] == 0
    assert created["next_our_number"] == 1 and created["fine_percent"] == "2.00"
    url = f"{API}bank-accounts/{created['id']}"
    assert api.get(url).json() == created
    listed = api.get(f"{API}bank-accounts", {"company": company.pk}).json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    patched = api.patch(url, {"wallet": "112", "extras": {}}, format="json")
    assert patched.status_code == 200 and patched.json()["wallet"] == "112"
    assert api.delete(url).status_code == 204
    assert not BankAccount.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"bank": "999"}, "bank", "Banco 999 não suportado"),
        ({"beneficiary_document": "11.111.111/0001-11"}, "beneficiary_document", "inválido"),
        ({"wallet": "1234"}, "wallet", "Carteira 1234 longo demais para o Itaú"),
        ({"extras": {"posto": "05"}}, "extras", "Campo desconhecido para o banco 341: posto"),
        ({"next_our_number": 123456789}, "next_our_number", "no máximo 8 dígitos"),
        ({"company": 999999}, "company", "Empresa 999999 não encontrada."),
    ],
)
def test_bank_account_bad_data_answers_400_by_field_and_saves_nothing(
    api, make_company, fields, field, fragment
):
    body = _account_body(make_company(), **fields)
    response = api.post(f"{API}bank-accounts", body, format="json")
    assert response.status_code == 400
    assert fragment in " ".join(response.json()[field])
    assert not BankAccount.objects.exists()


def test_a_new_default_account_takes_the_mark_from_the_old_one(api, make_company):
    company = make_company()
    first = api.post(f"{API}bank-accounts", _account_body(company), format="json").json()
    second = api.post(f"{API}bank-accounts", _account_body(company), format="json").json()
    assert second["is_default"] is False
    third = api.post(
        f"{API}bank-accounts", _account_body(company, is_default=True), format="json"
    ).json()
    assert list(BankAccount.objects.filter(is_default=True).values_list("id", flat=True)) == [
        third["id"]
    ]
    assert api.get(f"{API}bank-accounts/{first['id']}").json()["is_default"] is False


def test_an_account_with_boletos_cannot_be_deleted_or_change_its_codes(api, receivable):
    title = receivable()
    account = BankAccount.objects.get()
    assert api.get(f"{API}titles/{title.pk}/boleto").status_code == 200
    url = f"{API}bank-accounts/{account.pk}"
    response = api.delete(url)
    assert response.status_code == 409
    assert "boletos emitidos" in response.json()["detail"]
    response = api.patch(url, {"agency": "1234"}, format="json")
    assert response.status_code == 400 and "boletos emitidos" in response.json()["agency"][0]
    response = api.patch(url, {"instructions": "Não receber após 30 dias."}, format="json")
    assert response.status_code == 200
    assert api.get(url).json()["boletos"] == 1


def test_only_administrators_write_bank_accounts_and_users_see_their_companies(
    api, clerk_api, scoped, make_company
):
    a, b = make_company(), make_company()
    account_for(a), account_for(b)
    response = clerk_api.post(f"{API}bank-accounts", _account_body(a), format="json")
    assert response.status_code == 403
    assert "administradores" in response.json()["detail"]
    assert len(clerk_api.get(f"{API}bank-accounts").json()["results"]) == 2
    only_a = scoped(a)
    assert [r["company"] for r in only_a.get(f"{API}bank-accounts").json()["results"]] == [a.pk]
    other = BankAccount.objects.get(company=b)
    assert only_a.get(f"{API}bank-accounts/{other.pk}").status_code == 404


# -- a title's boleto ---------------------------------------------------------------------------


def test_title_boleto_is_issued_on_first_read(api, receivable):
    title = receivable(amount=Decimal("1234.56"))
    response = api.get(f"{API}titles/{title.pk}/boleto")
    assert response.status_code == 200
    body = response.json()
    boleto = Boleto.objects.get()
    assert body == {
        "title": title.pk,
        "bank_account": boleto.bank_account_id,
        "bank": "341",
        "our_number": 1,
        "our_number_formatted": boleto.our_number_formatted,
        "barcode": boleto.barcode,
        "digitable_line": boleto.digitable_line,
        "due_date": "2027-03-10",
        "amount": "1234.56",
        "bank_issued": False,
        "created_at": body["created_at"],
    }
    assert body["our_number_formatted"].startswith("109/00000001-")
    assert api.get(f"{API}titles/{title.pk}/boleto/").json()["our_number"] == 1


def test_title_boleto_pdf(api, receivable):
    title = receivable()
    response = api.get(f"{API}titles/{title.pk}/boleto.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="boleto-{title.document}-1.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_a_title_that_admits_no_boleto_answers_409_and_allocates_nothing(
    api, make_title, receivable
):
    payable = make_title(ledger=Ledger.PAYABLE)
    response = api.get(f"{API}titles/{payable.pk}/boleto")
    assert response.status_code == 409
    assert "Boleto só existe para títulos a receber." in response.json()["detail"]
    response = api.get(f"{API}titles/{payable.pk}/boleto.pdf")
    assert response.status_code == 409 and response["Content-Type"] == "application/json"
    good = receivable()
    response = api.post(
        f"{API}titles/boletos/pdf", {"titles": [good.pk, payable.pk]}, format="json"
    )
    assert response.status_code == 409 and f"Título {payable.pk}" in response.json()["detail"]
    assert not Boleto.objects.exists()


def test_print_several_boletos_in_one_pdf(api, receivable):
    titles = [receivable(), receivable()]
    response = api.post(
        f"{API}titles/boletos/pdf", {"titles": [t.pk for t in titles]}, format="json"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert Boleto.objects.count() == 2
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert all(b.digitable_line in text for b in Boleto.objects.all())
        assert text.count("\f") == 2  # one page per boleto


# -- scope and roles ----------------------------------------------------------------------------


def test_a_user_of_company_a_gets_404_for_company_b_titles(scoped, receivable, make_company):
    a, b = make_company(), make_company()
    mine, theirs = receivable(a), receivable(b)
    client = scoped(a)
    assert client.get(f"{API}titles/{mine.pk}/boleto").status_code == 200
    for response in (
        client.get(f"{API}titles/{theirs.pk}/boleto"),
        client.get(f"{API}titles/{theirs.pk}/boleto.pdf"),
        client.post(f"{API}titles/boletos/pdf", {"titles": [theirs.pk]}, format="json"),
        client.post(f"{API}titles/boletos/emit", {"titles": [mine.pk, theirs.pk]}, format="json"),
        client.post(f"{API}titles/boletos/resend", {"titles": [theirs.pk]}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] in (
            "Não encontrado.",
            f"Título(s) não encontrado(s): {theirs.pk}. Nada foi feito.",
        )
    assert not Boleto.objects.filter(title=theirs).exists()
    assert not Message.objects.exists()  # the visible title of the refused batch is not sent


def test_read_only_users_cannot_send_nor_issue_but_can_read_issued_boletos(api, scoped, receivable):
    title = receivable()
    reader = scoped(title.company, role=Role.READONLY)
    for path in ("emit", "resend"):
        response = reader.post(f"{API}titles/boletos/{path}", {"titles": [title.pk]}, format="json")
        assert response.status_code == 403
        assert "somente consulta" in response.json()["detail"]
    response = reader.get(f"{API}titles/{title.pk}/boleto")
    assert response.status_code == 403 and "ainda não foi emitido" in response.json()["detail"]
    assert not Boleto.objects.exists() and not Message.objects.exists()
    api.get(f"{API}titles/{title.pk}/boleto")
    assert reader.get(f"{API}titles/{title.pk}/boleto").status_code == 200
    assert reader.get(f"{API}titles/{title.pk}/boleto.pdf").content.startswith(b"%PDF")


# -- routines -----------------------------------------------------------------------------------


def test_emit_for_two_titles_queues_two_messages_with_the_pdf(api, receivable, make_party):
    titles = [
        receivable(party=make_party(emails=["ana@example.com"])),
        receivable(party=make_party(emails=["bruno@example.com"])),
    ]
    body = {"titles": [t.pk for t in titles]}
    response = api.post(f"{API}titles/boletos/emit", body, format="json")
    assert response.status_code == 200
    assert response.json() == {"queued": 2, "done": body["titles"], "errors": []}
    messages = Message.objects.filter(routine="boleto").order_by("to_email")
    assert [m.to_email for m in messages] == ["ana@example.com", "bruno@example.com"]
    attachments = MessageAttachment.objects.filter(message__in=messages)
    assert attachments.count() == 2
    for message, title in zip(messages, titles, strict=True):
        (attachment,) = message.attachments.all()
        assert attachment.filename == f"boleto-{title.document}-1.pdf"
        assert attachment.content_type == "application/pdf"
        assert bytes(attachment.content).startswith(b"%PDF")
    again = api.post(f"{API}titles/boletos/emit", body, format="json").json()
    assert again["queued"] == 0 and again["done"] == body["titles"]


def test_emit_reports_per_title_errors_and_sends_the_others(api, receivable, make_title):
    from spysystem.finance.services import party_update

    good, silent = receivable(), receivable()
    party_update(party=silent.party, emails=[])
    payable = make_title(ledger=Ledger.PAYABLE)
    body = {"titles": [good.pk, silent.pk, payable.pk]}
    response = api.post(f"{API}titles/boletos/emit", body, format="json").json()
    assert response["queued"] == 1 and response["done"] == [good.pk]
    assert response["errors"] == [
        {"title": silent.pk, "message": f"{silent.party.name} não tem e-mail cadastrado."},
        {"title": payable.pk, "message": "Boleto só existe para títulos a receber."},
    ]
    assert not Boleto.objects.filter(title__in=[silent, payable]).exists()


def test_resend_sends_the_boleto_and_the_title_documents_again(api, receivable):
    title = receivable()
    TitleDocument.objects.create(title=title, filename="nota.pdf", content=b"%PDF-1.4 nota")
    api.post(f"{API}titles/boletos/emit", {"titles": [title.pk]}, format="json")
    response = api.post(f"{API}titles/boletos/resend", {"titles": [title.pk]}, format="json")
    assert response.json() == {"queued": 1, "done": [title.pk], "errors": []}
    resent = Message.objects.order_by("-id").first()
    assert sorted(a.filename for a in resent.attachments.all()) == [
        f"boleto-{title.document}-1.pdf",
        "nota.pdf",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "titles"), ({"titles": []}, "titles"), ({"titles": ["x"]}, "titles")],
)
def test_routines_need_a_list_of_title_ids(api, db, body, field):
    response = api.post(f"{API}titles/boletos/emit", body, format="json")
    assert response.status_code == 400 and field in response.json()


# -- compute / parse ----------------------------------------------------------------------------


def test_compute_one_object_and_a_list(api, db):
    response = api.post(f"{API}boleto/compute", ITAU_JSON, format="json")
    assert response.status_code == 200 and response.json() == ITAU_OUT
    response = api.post(f"{API}boleto/compute", [ITAU_JSON, ITAU_JSON], format="json")
    assert response.status_code == 200 and response.json() == [ITAU_OUT, ITAU_OUT]


def test_compute_errors_by_field_and_by_item(api, db):
    bad = {**ITAU_JSON, "our_number": "123456789"}
    response = api.post(f"{API}boleto/compute", bad, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "our_number": ["Nosso número 123456789 longo demais para o Itaú: no máximo 8 dígitos."]
    }
    response = api.post(
        f"{API}boleto/compute", [ITAU_JSON, bad, {**ITAU_JSON, "bank": "999"}], format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"1", "2"}
    assert errors["1"]["our_number"][0].startswith("Nosso número 123456789")
    assert errors["2"]["bank"][0].startswith("Banco 999 não suportado")


def test_parse_good_and_bad_lines(api, db):
    line = ITAU_OUT["digitable_line"]
    response = api.post(f"{API}boleto/parse", {"line": line}, format="json")
    assert response.status_code == 200
    assert response.json()["due_date"] == "2029-05-20"
    assert response.json()["amount"] == "6757.87" and response.json()["bank_name"] == "Itaú"
    old = api.post(
        f"{API}boleto/parse", {"line": line, "reference_date": "2005-01-01"}, format="json"
    )
    assert old.json()["due_date"] == "2004-09-28"  # same factor, the cycle before the rollover
    response = api.post(f"{API}boleto/parse", {"line": line[:-1] + "8"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "line": ["Dígito verificador geral não confere: verifique a digitação."]
    }


def test_boleto_endpoints_need_a_token(anon, db):
    assert anon.post(f"{API}boleto/parse", {"line": "1"}, format="json").status_code == 401
    assert anon.get(f"{API}bank-accounts").status_code == 401


def test_openapi_documents_the_boleto_paths(api):
    document = api.get(f"{API}openapi.json").json()
    paths = document["paths"]
    for path in (
        "bank-accounts/",
        "bank-accounts/{id}/",
        "titles/{id}/boleto/",
        "titles/{id}/boleto.pdf",
        "titles/boletos/emit/",
        "titles/boletos/resend/",
        "titles/boletos/pdf/",
        "boleto/parse/",
        "boleto/compute/",
    ):
        assert f"/api/v1/{path}" in paths, path
    pdf = paths["/api/v1/titles/{id}/boleto.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    assert "oneOf" in document["components"]["schemas"]["BoletoComputeRequest"]
