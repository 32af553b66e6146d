"""The three options of the manual: one on Financeiro / Spy System, two on their own pages."""

import pytest
from django.urls import reverse

from spysystem.mail.models import MailSwitches, SmtpSettings
from spysystem.mail.services import switches_set
from tests.web.smtp_data import level_page, smtp_form

FINANCE = reverse("mail:smtp_finance")


@pytest.mark.parametrize(
    ("name", "switch", "label"),
    [
        ("mail:switch_cobranca", "cobranca_por_empresa", "Gerar cobrança por empresa"),
        (
            "mail:switch_aviso",
            "aviso_por_empresa",
            "Envio de e-mail de aviso de vencimento por empresa",
        ),
    ],
)
def test_switch_page_turns_its_option_on_and_off(staff_client, db, name, switch, label):
    url = reverse(name)

    page = staff_client.get(url)
    on = staff_client.post(url, {switch: "on"}, follow=True)
    turned_on = getattr(MailSwitches.current(), switch)
    staff_client.post(url, {})

    assert label in page.text
    assert "Opção gravada." in on.text
    assert f'name="{switch}" id="id_{switch}" checked' in on.text
    assert turned_on is True
    assert getattr(MailSwitches.current(), switch) is False


def test_switch_pages_follow_the_manual_paths_and_leave_other_options_alone(staff_client, db):
    switches_set(use_spy_smtp=True, aviso_por_empresa=True)

    cobranca = staff_client.get(reverse("mail:switch_cobranca"))
    staff_client.post(reverse("mail:switch_cobranca"), {"cobranca_por_empresa": "on"})
    aviso = staff_client.get(reverse("mail:switch_aviso"))

    assert "<h1>CRM / Telecobrança</h1>" in cobranca.text
    assert "GEAtualizaCobranca" in cobranca.text
    assert (
        "<h1>Financeiro / Boleto bancário / Emissão de boleto / Outras configurações</h1>"
        in aviso.text
    )
    assert "GEEnviaEmailAvisoVencimento" in aviso.text
    switches = MailSwitches.current()
    assert (switches.use_spy_smtp, switches.cobranca_por_empresa, switches.aviso_por_empresa) == (
        True,
        True,
        True,
    )


def test_switch_page_warns_while_the_finance_option_is_off(staff_client, db):
    off = staff_client.get(reverse("mail:switch_aviso")).text
    switches_set(use_spy_smtp=True)
    on = staff_client.get(reverse("mail:switch_aviso")).text

    assert "esta opção não tem efeito" in off
    assert "esta opção não tem efeito" not in on


def test_finance_page_explains_the_hierarchy_and_the_routines(staff_client, db):
    text = staff_client.get(FINANCE).text

    assert "Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail" in text
    assert (
        "Financeiro / Spy system / Empresas → Financeiro / Spy system → Geral / Spy system" in text
    )
    for routine in (
        "Contas a Receber, Impressão de boleto",
        "Telecobrança, Detalhamento da cobrança, Imprimir boleto",
        "Tarefa envolvida: GEAtualizaCobranca",
        "Tarefa envolvida: GEEnviaEmailAvisoVencimento",
    ):
        assert routine in text


def test_finance_gravar_saves_the_option_with_the_server(staff_client, db):
    staff_client.post(FINANCE, smtp_form(use_spy_smtp="on"))
    both_on = (MailSwitches.current().use_spy_smtp, level_page("finance").stored() is not None)
    staff_client.post(FINANCE, smtp_form())

    assert both_on == (True, True)
    assert MailSwitches.current().use_spy_smtp is False


def test_finance_option_alone_is_saved_while_the_level_is_left_blank(staff_client, db):
    blank = smtp_form(host="", username="", from_email="", from_name="")

    response = staff_client.post(FINANCE, blank | {"use_spy_smtp": "on"}, follow=True)

    assert "Opção gravada." in response.text
    assert MailSwitches.current().use_spy_smtp is True
    assert not SmtpSettings.objects.exists()


def test_finance_option_is_not_saved_when_the_server_is_invalid(staff_client, db):
    response = staff_client.post(FINANCE, smtp_form(port="70000", use_spy_smtp="on"))

    assert "A porta deve estar entre 1 e 65535." in response.text
    assert 'name="use_spy_smtp" id="id_use_spy_smtp" checked' in response.text
    assert MailSwitches.current().use_spy_smtp is False
    assert not SmtpSettings.objects.exists()
