"""Títulos screens: list, filters, create, edit (captured by the Spy), bad input, delete."""

from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.urls import reverse

from spysystem.finance.models import Ledger, Title, TitleStatus
from spysystem.watch.models import Change
from spysystem.watch.services import recipients_set
from tests.conftest import drain


def _form_data(title_or_none=None, **overrides) -> dict:
    data = {
        "ledger": Ledger.PAYABLE,
        "document": "NF-100",
        "installment": "1",
        "issue_date": "01/11/2026",
        "due_date": "10/12/2026",
        "amount": "1.000,00",
        "status": TitleStatus.OPEN,
        "description": "",
    }
    if title_or_none is not None:
        title = title_or_none
        data |= {
            "company": title.company_id,
            "party": title.party_id,
            "ledger": title.ledger,
            "document": title.document,
            "installment": str(title.installment),
            "issue_date": title.issue_date.strftime("%d/%m/%Y"),
            "due_date": title.due_date.strftime("%d/%m/%Y"),
            "amount": str(title.amount),
            "status": title.status,
        }
    return data | overrides


def test_list_shows_amounts_in_reais_and_dates_in_brazilian_format(clerk_client, make_title):
    make_title(amount=Decimal("1234.56"), issue_date=date(2026, 11, 3), due_date=date(2026, 12, 10))

    response = clerk_client.get(reverse("finance:title_list"))

    assert response.status_code == 200
    assert "R$ 1.234,56" in response.text
    assert "10/12/2026" in response.text
    assert "03/11/2026" in response.text
    assert "Contas a pagar" in response.text


def test_list_filters_by_company_ledger_status_and_due_range(
    clerk_client, make_title, make_company
):
    e1, e2 = make_company("E1"), make_company("E2")
    make_title(company=e1, document="ALVO", due_date=date(2026, 12, 10))
    make_title(company=e2, document="OUTRA-EMPRESA", due_date=date(2026, 12, 10))
    make_title(company=e1, document="A-RECEBER", ledger=Ledger.RECEIVABLE)
    make_title(company=e1, document="PAGO", status=TitleStatus.PAID)
    make_title(company=e1, document="FORA-DO-PRAZO", due_date=date(2027, 3, 1))

    response = clerk_client.get(
        reverse("finance:title_list"),
        {
            "company": e1.pk,
            "ledger": "payable",
            "status": "open",
            "due_from": "01/12/2026",
            "due_to": "2026-12-31",
        },
    )

    shown = [title.document for title in response.context["page_obj"]]
    assert shown == ["ALVO"]


def test_an_invalid_filter_is_reported_and_ignored(clerk_client, make_title):
    make_title(document="VISIVEL")

    response = clerk_client.get(reverse("finance:title_list"), {"due_from": "32/13/2026"})

    assert "Data inválida" in response.text
    assert "VISIVEL" in response.text


def test_list_pages_fifty_titles_at_a_time(clerk_client, make_title, make_company, make_party):
    company, party = make_company(), make_party()
    for _ in range(51):
        make_title(company=company, party=party)

    first = clerk_client.get(reverse("finance:title_list"))
    second = clerk_client.get(reverse("finance:title_list"), {"page": 2})

    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 1
    assert "Página 1 de 2" in first.text


def test_list_query_count_does_not_grow_with_rows(
    clerk_client, make_title, make_company, make_party, django_assert_max_num_queries
):
    parties = [make_party() for _ in range(5)]
    companies = [make_company() for _ in range(5)]
    for index in range(50):
        make_title(company=companies[index % 5], party=parties[index % 5])

    with django_assert_max_num_queries(7):
        response = clerk_client.get(reverse("finance:title_list"), {"ledger": "payable"})

    assert len(response.context["page_obj"]) == 50


def test_create_accepts_brazilian_amount_and_date(
    clerk_client, clerk_user, make_company, make_party
):
    company, party = make_company(), make_party()

    response = clerk_client.post(
        reverse("finance:title_create"),
        _form_data(company=company.pk, party=party.pk, amount="1.234,56", due_date="10/12/2026"),
    )

    title = Title.objects.get(document="NF-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:title_detail", args=[title.pk])
    assert title.amount == Decimal("1234.56")
    assert title.due_date == date(2026, 12, 10)
    assert title.updated_by == clerk_user


def test_create_accepts_dot_decimal_amount_and_iso_date(clerk_client, make_company, make_party):
    company, party = make_company(), make_party()

    clerk_client.post(
        reverse("finance:title_create"),
        _form_data(company=company.pk, party=party.pk, amount="1234.56", due_date="2026-12-10"),
    )

    title = Title.objects.get(document="NF-100")
    assert (title.amount, title.due_date) == (Decimal("1234.56"), date(2026, 12, 10))


def test_edit_of_amount_is_captured_with_screen_origin_and_the_username(clerk_client, make_title):
    title = make_title(amount=Decimal("1000.00"))

    response = clerk_client.post(
        reverse("finance:title_edit", args=[title.pk]), _form_data(title, amount="1.500,00")
    )

    change = Change.objects.get(title_id=title.pk)
    assert response.status_code == 302
    assert (change.origin, change.actor) == ("screen", "auxiliar")
    assert change.amount_changed and not change.due_date_changed
    assert change.before["amount"] == "1000.00"
    assert change.after["amount"] == "1500.00"


def test_detail_shows_the_change_history_old_and_new(clerk_client, make_title):
    title = make_title(amount=Decimal("1000.00"), due_date=date(2026, 12, 10))
    clerk_client.post(
        reverse("finance:title_edit", args=[title.pk]),
        _form_data(title, amount="1.500,00", due_date="20/12/2026"),
    )

    response = clerk_client.get(reverse("finance:title_detail", args=[title.pk]))

    assert "R$ 1.000,00" in response.text
    assert "R$ 1.500,00" in response.text
    assert "10/12/2026" in response.text
    assert "20/12/2026" in response.text
    assert "auxiliar" in response.text
    assert "tela" in response.text


def test_edit_form_shows_stored_values_in_brazilian_format(clerk_client, make_title):
    title = make_title(amount=Decimal("1234.50"), due_date=date(2026, 12, 10))

    response = clerk_client.get(reverse("finance:title_edit", args=[title.pk]))

    assert 'value="1.234,50"' in response.text
    assert 'value="10/12/2026"' in response.text


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("amount", "-10,00", "O valor deve ser maior que zero."),
        ("amount", "0,00", "O valor deve ser maior que zero."),
        ("amount", "12a,00", "Informe um valor numérico, por exemplo 1.234,56."),
        ("amount", "10,505", "Use no máximo 2 casas decimais."),
        ("due_date", "31/02/2026", "Data inválida: use dd/mm/aaaa"),
        ("due_date", "2026/12/10", "Data inválida: use dd/mm/aaaa"),
        ("party", "999999", "Pessoa desconhecida"),
        ("company", "999999", "Empresa desconhecida"),
    ],
)
def test_bad_input_shows_a_portuguese_error_keeps_the_typing_and_changes_nothing(
    clerk_client, make_title, field, typed, error
):
    title = make_title(amount=Decimal("1000.00"), due_date=date(2026, 12, 10))

    response = clerk_client.post(
        reverse("finance:title_edit", args=[title.pk]),
        _form_data(title, **{field: typed, "document": "DIGITADO"}),
    )

    title.refresh_from_db()
    assert response.status_code == 200
    assert error in response.text
    assert 'value="DIGITADO"' in response.text
    assert (title.amount, title.due_date) == (Decimal("1000.00"), date(2026, 12, 10))
    assert title.document != "DIGITADO"
    assert not Change.objects.exists()


def test_bad_input_on_create_creates_nothing(clerk_client, make_company, make_party):
    company, party = make_company(), make_party()

    response = clerk_client.post(
        reverse("finance:title_create"),
        _form_data(company=company.pk, party=party.pk, amount="mil reais"),
    )

    assert response.status_code == 200
    assert 'value="mil reais"' in response.text
    assert not Title.objects.exists()


def test_service_validation_error_is_shown_on_the_form(clerk_client, make_title):
    existing = make_title(document="NF-1", installment=1)

    response = clerk_client.post(
        reverse("finance:title_create"),
        _form_data(existing, amount="50,00"),
    )

    assert response.status_code == 200
    assert "já existe" in response.text
    assert Title.objects.count() == 1


def test_delete_asks_for_confirmation_then_deletes_and_is_captured(clerk_client, make_title):
    title = make_title(amount=Decimal("1000.00"))
    url = reverse("finance:title_delete", args=[title.pk])

    page = clerk_client.get(url)
    assert "Sim, excluir" in page.text
    assert Title.objects.filter(pk=title.pk).exists()

    response = clerk_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("finance:title_list")
    assert not Title.objects.filter(pk=title.pk).exists()
    change = Change.objects.get(title_id=title.pk)
    assert (change.kind, change.origin, change.actor) == ("delete", "screen", "auxiliar")


def test_unknown_title_is_404(clerk_client, db):
    assert clerk_client.get(reverse("finance:title_detail", args=[999999])).status_code == 404
    assert clerk_client.post(reverse("finance:title_delete", args=[999999])).status_code == 404


def test_editing_on_screen_e_mails_the_configured_user_and_the_log_shows_it(
    clerk_client, make_title, make_user, general_smtp, sink
):
    title = make_title(amount=Decimal("1000.00"))
    recipients_set(config={"payable": {"default": [make_user("vigia").pk], "companies": {}}})

    clerk_client.post(
        reverse("finance:title_edit", args=[title.pk]), _form_data(title, amount="10.000,00")
    )
    drain()

    assert [m.rcpt_tos for m in sink.received] == [["vigia@example.com"]]
    body = message_from_bytes(sink.received[0].content, policy=policy.default)
    text = body.get_body(("plain",)).get_content()
    assert "R$ 1.000,00 → R$ 10.000,00" in text
    assert "auxiliar" in text
    assert "tela" in text
    log = clerk_client.get(reverse("mail:outbox_list"), {"status": "sent"})
    assert "vigia@example.com" in log.text
