"""Financeiro / Opções / Spy System: who receives the Spy e-mails of each ledger."""

import pytest
from django.urls import reverse

from spysystem.watch.selectors import recipients_config
from spysystem.watch.services import recipients_set

URL = reverse("watch:spy_settings")


def _post_data(payable_default=(), payable_rows=(), receivable_default=(), receivable_rows=()):
    data = {}
    for ledger, default, rows in (
        ("payable", payable_default, payable_rows),
        ("receivable", receivable_default, receivable_rows),
    ):
        data[f"{ledger}-users"] = [str(pk) for pk in default]
        data[f"{ledger}-companies-TOTAL_FORMS"] = str(len(rows))
        data[f"{ledger}-companies-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows):
            prefix = f"{ledger}-companies-{index}"
            data[f"{prefix}-company"] = str(row.get("company", ""))
            data[f"{prefix}-users"] = [str(pk) for pk in row.get("users", [])]
            if row.get("delete"):
                data[f"{prefix}-DELETE"] = "on"
    return data


@pytest.fixture
def people(make_user, make_company):
    return {
        "ana": make_user("ana"),
        "bia": make_user("bia"),
        "sem_email": make_user("semmail", email=""),
        "e1": make_company("E1"),
        "e2": make_company("E2"),
    }


def test_page_has_both_ledgers_and_explains_the_fallback_rule(staff_client, people):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "Contas a pagar" in response.text
    assert "Contas a receber" in response.text
    assert (
        "Caso não exista um usuário para a Empresa do título, então será utilizado o usuário do "
        "campo Contas a pagar." in response.text
    )
    assert "campo Contas a receber." in response.text
    assert "semmail (sem e-mail)" in response.text
    assert "Adicionar empresa" in response.text
    assert "Gravar" in response.text


def test_save_round_trip_stores_defaults_and_company_lists(staff_client, people):
    ana, bia, e1, e2 = people["ana"], people["bia"], people["e1"], people["e2"]

    response = staff_client.post(
        URL,
        _post_data(
            payable_default=[ana.pk],
            payable_rows=[{"company": e1.pk, "users": [bia.pk]}],
            receivable_default=[bia.pk],
            receivable_rows=[{"company": e2.pk, "users": [ana.pk, bia.pk]}, {}],
        ),
    )

    assert response.status_code == 302
    assert recipients_config() == {
        "payable": {"default": [ana.pk], "companies": {str(e1.pk): [bia.pk]}},
        "receivable": {"default": [bia.pk], "companies": {str(e2.pk): [ana.pk, bia.pk]}},
    }
    page = staff_client.get(URL)
    assert "Configuração do Spy System gravada." in page.text
    form = page.context["sections"][0].companies.forms[0]
    assert form.initial == {"company": e1.pk, "users": [bia.pk]}


def test_saved_settings_come_back_checked_on_the_page(staff_client, people):
    recipients_set(
        config={
            "payable": {"default": [people["ana"].pk], "companies": {}},
            "receivable": {"default": [], "companies": {people["e2"].pk: [people["bia"].pk]}},
        }
    )

    response = staff_client.get(URL)

    assert f'name="payable-users" value="{people["ana"].pk}"' in response.text
    assert "checked" in response.text
    assert f'<option value="{people["e2"].pk}" selected>' in response.text


def test_user_without_email_is_warned_about(staff_client, people):
    staff_client.post(URL, _post_data(payable_default=[people["sem_email"].pk]))

    response = staff_client.get(URL)

    assert "O usuário semmail (Contas a pagar, padrão) não tem e-mail" in response.text
    assert "Contas a receber: nenhum usuário padrão" in response.text


def test_add_company_adds_an_empty_row_without_saving(staff_client, people):
    data = _post_data(
        payable_default=[people["ana"].pk],
        payable_rows=[{"company": people["e1"].pk, "users": [people["bia"].pk]}],
    )
    data["add_company"] = "payable"

    response = staff_client.post(URL, data)

    assert response.status_code == 200
    assert len(response.context["sections"][0].companies.forms) == 2
    assert 'name="payable-companies-1-company"' in response.text
    assert recipients_config()["payable"] == {"default": [], "companies": {}}


def test_same_company_twice_is_rejected_and_nothing_changes(staff_client, people):
    e1, ana, bia = people["e1"], people["ana"], people["bia"]

    response = staff_client.post(
        URL,
        _post_data(
            payable_default=[ana.pk],
            payable_rows=[
                {"company": e1.pk, "users": [ana.pk]},
                {"company": e1.pk, "users": [bia.pk]},
            ],
        ),
    )

    assert response.status_code == 200
    assert "A mesma empresa foi informada em duas linhas." in response.text
    assert recipients_config()["payable"]["default"] == []


def test_company_without_users_asks_for_users_or_remover(staff_client, people):
    response = staff_client.post(URL, _post_data(payable_rows=[{"company": people["e1"].pk}]))

    assert response.status_code == 200
    assert "Escolha ao menos um usuário para esta empresa, ou marque Remover." in response.text


def test_remover_drops_a_company_list(staff_client, people):
    e1, ana = people["e1"], people["ana"]
    recipients_set(config={"payable": {"default": [ana.pk], "companies": {e1.pk: [ana.pk]}}})

    staff_client.post(
        URL,
        _post_data(
            payable_default=[ana.pk],
            payable_rows=[{"company": e1.pk, "users": [ana.pk], "delete": True}],
        ),
    )

    assert recipients_config()["payable"] == {"default": [ana.pk], "companies": {}}


def test_settings_page_query_count_does_not_grow_with_companies(
    staff_client, people, make_company, django_assert_max_num_queries
):
    companies = {make_company().pk: [people["ana"].pk] for _ in range(10)}
    recipients_set(config={"payable": {"default": [], "companies": companies}})

    with django_assert_max_num_queries(12):
        response = staff_client.get(URL)

    assert len(response.context["sections"][0].companies.forms) == 11
