"""Financeiro / Boleto bancário / Contas: administrators create and edit the boleto accounts."""

from django.urls import reverse

from spysystem.finance.models import BankAccount


def _data(company, **overrides):
    data = {
        "company": company.pk,
        "bank_code": "341",
        "agency": "0057",
        "account": "12345",
        "account_dv": "7",
        "wallet": "109",
        "agreement": "",
        "extras": "",
        "beneficiary_name": company.name,
        "beneficiary_document": company.cnpj,
        "fine_percent": "2,00",
        "interest_month_percent": "1,00",
        "next_our_number": "1",
        "is_default": "on",
    }
    return data | overrides


def test_only_administrators_see_bank_accounts(clerk_client, staff_client):
    assert clerk_client.get(reverse("routines:bank_account_list")).status_code == 403
    assert clerk_client.get(reverse("routines:bank_account_create")).status_code == 403
    page = staff_client.get(reverse("routines:bank_account_create")).text
    for code in ("001", "237", "341", "104", "033", "756", "748", "077"):
        assert f'<option value="{code}"' in page
    assert "Campos de cada banco" in page


def test_create_and_edit_an_account(staff_client, make_company):
    company = make_company()

    response = staff_client.post(reverse("routines:bank_account_create"), _data(company))

    assert response.status_code == 302
    account = BankAccount.objects.get()
    assert (account.bank_code, account.is_default, str(account.fine_percent)) == (
        "341",
        True,
        "2.00",
    )
    assert company.code in staff_client.get(reverse("routines:bank_account_list")).text

    edit = reverse("routines:bank_account_edit", args=[account.pk])
    assert 'value="2,00"' in staff_client.get(edit).text
    staff_client.post(edit, _data(company, instructions="Não receber após 30 dias"))
    account.refresh_from_db()
    assert account.instructions == "Não receber após 30 dias"


def test_service_errors_are_shown_next_to_the_fields(staff_client, make_company):
    company = make_company()

    response = staff_client.post(
        reverse("routines:bank_account_create"),
        _data(company, beneficiary_document="123", extras="posto=02"),
    )

    assert response.status_code == 200
    assert 'id="id_beneficiary_document_error"' in response.text
    assert 'id="id_extras_error"' in response.text
    assert "Campo desconhecido para o banco 341" in response.text
    assert not BankAccount.objects.exists()


def test_bad_extras_line_is_refused_by_the_form(staff_client, make_company):
    response = staff_client.post(
        reverse("routines:bank_account_create"), _data(make_company(), extras="sem igual")
    )
    assert "Use CAMPO=VALOR" in response.text
