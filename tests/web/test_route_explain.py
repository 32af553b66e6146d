"""“Quem recebe e por qual servidor”: the Spy recipients and the SMTP route, with the reason."""

import pytest
from django.urls import reverse

from spysystem.mail.services import smtp_settings_save, switches_set
from spysystem.watch.services import recipients_set

URL = reverse("mail:route_explain")


@pytest.fixture
def servers(make_company):
    matriz = make_company("MATRIZ")
    smtp_settings_save(
        level="general", host="smtp.geral.com.br", port=587, from_email="geral@empresa.com.br"
    )
    smtp_settings_save(
        level="finance",
        host="smtp.financeiro.com.br",
        port=2525,
        from_email="financeiro@empresa.com.br",
        from_name="Financeiro",
    )
    smtp_settings_save(
        level="company",
        company=matriz,
        host="smtp.matriz.com.br",
        port=465,
        security="ssl",
        from_email="cobranca@matriz.com.br",
        from_name="Cobrança Matriz",
    )
    switches_set(use_spy_smtp=True)
    return matriz


def _explain(client, company, routine="spy", ledger="receivable"):
    return client.get(URL, {"company": company.pk, "ledger": ledger, "routine": routine})


def test_page_without_a_choice_shows_only_the_form(staff_client, make_company):
    make_company("MATRIZ")

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "MATRIZ" in response.text
    assert "Motivo" not in response.text


def test_cobranca_uses_the_finance_level_until_gerar_cobranca_por_empresa_is_on(
    staff_client, servers
):
    off = _explain(staff_client, servers, routine="cobranca").text
    switches_set(cobranca_por_empresa=True)
    on = _explain(staff_client, servers, routine="cobranca").text

    assert "<strong>Financeiro / Spy System</strong>" in off
    assert "smtp.financeiro.com.br:2525" in off
    assert "Financeiro &lt;financeiro@empresa.com.br&gt;" in off
    assert "“Gerar cobrança por empresa” está desmarcada" in off
    assert "<strong>Financeiro / Spy System / Empresas</strong>" in on
    assert "smtp.matriz.com.br:465" in on
    assert "Cobrança Matriz &lt;cobranca@matriz.com.br&gt;" in on
    assert "A empresa tem servidor SMTP próprio" in on


def test_routines_use_the_general_level_while_the_finance_option_is_off(staff_client, servers):
    switches_set(use_spy_smtp=False, cobranca_por_empresa=True)

    response = _explain(staff_client, servers, routine="cobranca")

    assert "<strong>Geral / Spy System</strong>" in response.text
    assert "smtp.geral.com.br:587" in response.text


def test_recipients_come_from_the_company_list_or_the_default(
    staff_client, servers, make_company, make_user
):
    other = make_company("FILIAL")
    ana, bia = make_user("ana", first_name="Ana"), make_user("bia", email="")
    recipients_set(
        config={
            "receivable": {"default": [bia.pk], "companies": {servers.pk: [ana.pk]}},
            "payable": {"default": [], "companies": {}},
        }
    )

    own = _explain(staff_client, servers).text
    default = _explain(staff_client, other).text
    nobody = _explain(staff_client, other, ledger="payable").text

    assert "Usuários da lista desta empresa." in own
    assert "ana@example.com" in own
    assert "valem os usuários padrão de Contas a receber" in default
    assert "sem e-mail: não receberá avisos" in default
    assert "Ninguém recebe" in nobody


def test_no_server_at_all_is_said_plainly(staff_client, make_company):
    response = _explain(staff_client, make_company("MATRIZ"))

    assert "nenhum servidor" in response.text
    assert "Nenhum servidor SMTP configurado em nenhum dos três níveis." in response.text
