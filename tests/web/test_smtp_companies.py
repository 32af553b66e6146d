"""Financeiro / Spy System / Empresas: the list, a company's own server, “Remover configuração”."""

from django.urls import reverse

from spysystem.mail.models import SmtpSettings
from spysystem.mail.services import smtp_settings_save
from tests.web.smtp_data import smtp_form

LIST = reverse("mail:smtp_company_list")


def _own_server(company, host="smtp.matriz.com.br"):
    return smtp_settings_save(
        level="company", company=company, host=host, port=587, from_email="cobranca@matriz.com.br"
    )


def test_list_shows_which_companies_have_their_own_server(staff_client, make_company):
    matriz, filial = make_company("MATRIZ"), make_company("FILIAL")
    _own_server(matriz)
    smtp_settings_save(level="finance", host="smtp.fin.com.br", from_email="fin@empresa.com.br")

    response = staff_client.get(LIST)

    assert response.status_code == 200
    assert "smtp.matriz.com.br:587" in response.text
    assert "cobranca@matriz.com.br" in response.text
    assert reverse("mail:smtp_company", args=[filial.pk]) in response.text
    assert reverse("mail:smtp_company_delete", args=[matriz.pk]) in response.text
    assert reverse("mail:smtp_company_delete", args=[filial.pk]) not in response.text
    assert "Configurar" in response.text


def test_list_query_count_does_not_grow_with_companies(
    staff_client, make_company, django_assert_max_num_queries
):
    for index in range(12):
        company = make_company()
        if index % 2:
            _own_server(company, host=f"smtp{index}.empresa.com.br")

    with django_assert_max_num_queries(10):
        response = staff_client.get(LIST)

    assert response.text.count("Remover configuração") == 6


def test_company_server_saved_on_its_page_appears_in_the_list(staff_client, make_company):
    company = make_company("MATRIZ")

    response = staff_client.post(
        reverse("mail:smtp_company", args=[company.pk]),
        smtp_form(host="smtp.matriz.com.br"),
        follow=True,
    )

    assert "Configuração Financeiro / Spy System / Empresas · MATRIZ gravada." in response.text
    assert "smtp.matriz.com.br:587" in staff_client.get(LIST).text


def test_remover_configuracao_asks_then_removes_only_that_company(staff_client, make_company):
    matriz, filial = make_company("MATRIZ"), make_company("FILIAL")
    _own_server(matriz)
    _own_server(filial, host="smtp.filial.com.br")
    url = reverse("mail:smtp_company_delete", args=[matriz.pk])

    page = staff_client.get(url)
    response = staff_client.post(url, follow=True)

    assert "Remover o servidor SMTP de MATRIZ" in page.text
    assert "smtp.matriz.com.br:587" in page.text
    assert SmtpSettings.objects.filter(company=matriz).exists() is False
    assert SmtpSettings.objects.filter(company=filial).exists()
    assert "Configuração SMTP da empresa MATRIZ removida." in response.text


def test_company_page_links_to_remover_only_when_configured(staff_client, make_company):
    company = make_company("MATRIZ")
    url = reverse("mail:smtp_company", args=[company.pk])
    delete = reverse("mail:smtp_company_delete", args=[company.pk])

    before = staff_client.get(url).text
    _own_server(company)
    after = staff_client.get(url).text

    assert delete not in before
    assert delete in after
    assert "Financeiro / Spy System / Empresas: MATRIZ" in after


def test_removing_a_company_without_a_server_just_says_so(staff_client, make_company):
    company = make_company("MATRIZ")

    response = staff_client.post(
        reverse("mail:smtp_company_delete", args=[company.pk]), follow=True
    )

    assert "Esta empresa não tem servidor SMTP próprio." in response.text
