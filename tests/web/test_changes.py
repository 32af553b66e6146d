"""Histórico de alterações: list with filters, and one change with its e-mails."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from spysystem.finance import services as finance
from spysystem.finance.models import Ledger
from spysystem.formats import datetime_br
from spysystem.watch.context import Origin
from spysystem.watch.models import Change
from spysystem.watch.services import change_fan_out, recipients_set


def _raise(title, amount: str, user=None) -> Change:
    finance.title_update(title=title, user=user, origin=Origin.SCREEN, amount=Decimal(amount))
    return Change.objects.filter(title_id=title.pk).latest("id")


def test_list_shows_who_changed_what_from_where(clerk_client, clerk_user, make_title, make_company):
    title = make_title(company=make_company("MATRIZ"), document="NF-77", amount=Decimal("1000"))
    _raise(title, "10000.00", user=clerk_user)

    response = clerk_client.get(reverse("watch:change_list"))

    assert response.status_code == 200
    for text in ("MATRIZ", "NF-77/1", "R$ 1.000,00", "R$ 10.000,00", "auxiliar", "tela", "Valor"):
        assert text in response.text


def test_list_filters_by_company_ledger_and_title(clerk_client, make_title, make_company):
    e1, e2 = make_company("E1"), make_company("E2")
    wanted = make_title(company=e1, document="QUERO")
    _raise(wanted, "2000.00")
    _raise(make_title(company=e2, document="OUTRA"), "2000.00")
    _raise(make_title(company=e1, document="RECEBER", ledger=Ledger.RECEIVABLE), "2000.00")
    _raise(make_title(company=e1, document="OUTRO-TITULO"), "2000.00")

    by_all = clerk_client.get(
        reverse("watch:change_list"), {"company": e1.pk, "ledger": "payable", "title": wanted.pk}
    )
    by_company = clerk_client.get(reverse("watch:change_list"), {"company": e2.pk})

    assert [c.title_id for c in by_all.context["page_obj"]] == [wanted.pk]
    assert [c.company_id for c in by_company.context["page_obj"]] == [e2.pk]


def test_list_query_count_does_not_grow_with_rows(
    clerk_client, make_title, make_company, make_party, django_assert_max_num_queries
):
    company, party = make_company(), make_party()
    for _ in range(30):
        _raise(make_title(company=company, party=party), "5.00")

    with django_assert_max_num_queries(8):  # + 1 for the user's access (role and companies)
        response = clerk_client.get(reverse("watch:change_list"))

    assert len(response.context["page_obj"]) == 30


def test_detail_shows_before_after_actor_origin_time_and_emails(
    clerk_client, clerk_user, make_title, make_user
):
    title = make_title(amount=Decimal("1000.00"), due_date=date(2026, 12, 10))
    watcher = make_user("vigia")
    recipients_set(config={"payable": {"default": [watcher.pk], "companies": {}}})
    finance.title_update(
        title=title,
        user=clerk_user,
        origin=Origin.SCREEN,
        amount=Decimal("1500.00"),
        due_date=date(2026, 12, 20),
    )
    change = Change.objects.get(title_id=title.pk)
    change_fan_out(change=change)

    response = clerk_client.get(reverse("watch:change_detail", args=[change.pk]))

    assert response.status_code == 200
    for text in ("R$ 1.000,00", "R$ 1.500,00", "10/12/2026", "20/12/2026", "auxiliar", "tela"):
        assert text in response.text
    assert datetime_br(change.created_at) in response.text
    assert "vigia@example.com" in response.text
    assert "Valor, Vencimento" in response.text
    assert response.text.count('class="changed"') == 2


def test_detail_of_a_deletion_shows_the_deleted_title(clerk_client, clerk_user, make_title):
    title = make_title(document="SUMIU", amount=Decimal("321.00"))
    title_id = title.pk
    finance.title_delete(title=title, user=clerk_user, origin=Origin.SCREEN)
    change = Change.objects.get(title_id=title_id)

    response = clerk_client.get(reverse("watch:change_detail", args=[change.pk]))

    assert "exclusão" in response.text
    assert "SUMIU" in response.text
    assert "R$ 321,00" in response.text
    assert "Depois (excluído)" in response.text


@pytest.mark.parametrize("name", ["watch:change_detail"])
def test_unknown_change_is_404(clerk_client, name):
    assert clerk_client.get(reverse(name, args=[999999])).status_code == 404
