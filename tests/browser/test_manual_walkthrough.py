"""The manual's steps 1–6 walked in a real browser, end to end, and a screenshot of each main
screen into docs/screenshots/.

1. Financeiro / Opções / Spy System; 2–3. the users of Contas a pagar and Contas a receber, and a
company added with its own user; 4. the option and the SMTP server (a loopback sink); 5. Testar
envio → the e-mail → OK → the step-by-step result (success, then a closed port); 6. Gravar. Then a
title of that company is edited and the Spy e-mail arrives at the sink for the company's user.
"""

import email
import email.policy
from datetime import date
from decimal import Decimal

import pytest

from spysystem.finance import services as finance
from spysystem.mail.capture import captured_store
from spysystem.mail.models import MailSwitches, SmtpLevel, SmtpSettings
from spysystem.watch.context import Origin
from spysystem.watch.selectors import recipients_config
from tests.browser.chromium import PASSWORD, field, missing_reason
from tests.conftest import drain
from tests.smtp_sink import free_port

if reason := missing_reason():
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture
def office(make_user, make_company, make_party):
    """The controller, two companies, the people who watch them and a payable of the branch."""
    admin = make_user(
        "controladora", password=PASSWORD, is_admin=True, first_name="Clara", last_name="Controle"
    )
    make_user("ana", first_name="Ana", last_name="Souza")
    make_user("bruno", first_name="Bruno", last_name="Lima", role="finance")
    make_user("leitor", role="readonly", first_name="Leo", last_name="Leitor")
    make_user("semmail", email="", first_name="Sem", last_name="E-mail")
    matriz = make_company("MATRIZ", name="Comércio Exemplo Ltda")
    filial = make_company("FILIAL", name="Comércio Exemplo Filial Ltda")
    party = make_party("Fornecedor Papel e Cia", emails=["contas@papelecia.com.br"])
    for index, company in enumerate([matriz, filial, matriz], start=1):
        finance.title_create(
            user=None,
            origin=Origin.SYSTEM,
            ledger="payable",
            company=company,
            party=party,
            document=f"NF-10{index}",
            installment=1,
            issue_date=date(2026, 11, 1),
            due_date=date(2026, 12, 10 + index),
            amount=Decimal("1000.00") * index,
            description="",
        )
    return {"admin": admin, "filial": filial, "matriz": matriz}


def _menu(page, entry: str) -> None:
    """Open the Configurador menu and choose ``entry``, as a person would."""
    page.locator("nav.menu summary", has_text="Configurador").click()
    page.locator("nav.menu").get_by_role("link", name=entry, exact=True).click()


def _section(page, ledger: str):
    return page.locator("section", has=page.get_by_role("heading", name=ledger, exact=True))


def _steps_1_to_3_recipients(page, office) -> None:
    _menu(page, "Financeiro / Opções / Spy System")
    page.wait_for_url("**/spy/")
    payable = _section(page, "Contas a pagar")
    payable.get_by_role("group", name="Contas a pagar").get_by_label("ana — Ana Souza").check()
    payable.get_by_role("button", name="Adicionar empresa").click()
    payable = _section(page, "Contas a pagar")
    row = payable.locator(".company-row").last
    row.get_by_label("Empresa").select_option(label=str(office["filial"]))
    row.get_by_role("group", name="Usuários da empresa").get_by_label("bruno — Bruno Lima").check()
    receivable = _section(page, "Contas a receber")
    receivable.get_by_role("group", name="Contas a receber").get_by_label("ana — Ana Souza").check()
    page.get_by_role("button", name="Gravar").click()
    page.get_by_text("Configuração do Spy System gravada.").wait_for()


def _fill_server(page, port: int) -> None:
    field(page, "Servidor SMTP").fill("127.0.0.1")
    field(page, "Porta").fill(str(port))
    field(page, "Segurança").select_option("none")
    field(page, "Usuário").fill("")
    field(page, "E-mail do remetente").fill("spy@comercioexemplo.com.br")
    field(page, "Nome do remetente").fill("Spy System")
    field(page, "Tempo limite (segundos)").fill("5")


def _test_send(page, to: str) -> str:
    """Testar envio → type the e-mail → OK; the dialog's result text."""
    page.get_by_role("button", name="Testar envio").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Informe o e-mail para envio").fill(to)
    dialog.get_by_role("button", name="OK").click()
    result = dialog.locator("[data-test-result] .alert")
    result.first.wait_for()
    return dialog.locator("[data-test-result]").inner_text()


def _steps_4_to_6_smtp(page, sink, shoot) -> None:
    _menu(page, "Financeiro / Spy System")
    page.wait_for_url("**/email/smtp/financeiro/")
    page.get_by_label(
        "Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail"
    ).check()
    _fill_server(page, sink.port)

    ok = _test_send(page, "controladora@example.com")
    assert "Envio de teste concluído: o servidor aceitou a mensagem." in ok
    shoot("smtp-testar-envio", full_page=False)
    page.get_by_role("dialog").get_by_role("button", name="Fechar").click()

    field(page, "Porta").fill(str(free_port()))
    failed = _test_send(page, "controladora@example.com")
    assert "Falhou na etapa Conexão" in failed
    assert "Não foi possível conectar ao servidor SMTP informado" in failed
    shoot("smtp-testar-envio-falha", full_page=False)
    page.get_by_role("dialog").get_by_role("button", name="Fechar").click()

    field(page, "Porta").fill(str(sink.port))
    page.get_by_role("button", name="Gravar").click()
    page.get_by_text("Configuração Financeiro / Spy System gravada.").wait_for()


def _edit_amount(page, document: str, amount: str, shoot) -> None:
    page.locator("nav.menu").get_by_role("link", name="Títulos").click()
    shoot("titulos")
    page.get_by_role("link", name=f"{document}/1").click()
    page.get_by_role("link", name="Editar").click()
    field(page, "Valor (R$)").fill(amount)
    shoot("titulo-editar")
    page.get_by_role("button", name="Gravar").click()
    page.get_by_text(f"Título {document}/1 gravado.").wait_for()


def _spy_mail(sink, to: str) -> email.message.EmailMessage:
    found = [m for m in sink.received if m.rcpt_tos == [to]]
    assert len(found) == 1, [m.rcpt_tos for m in sink.received]
    return email.message_from_bytes(found[0].content, policy=email.policy.default)


def test_manual_steps_end_to_end_until_the_spy_e_mail_arrives(
    page, log_in, shoot, sink, office, settings
):
    log_in("controladora")

    _steps_1_to_3_recipients(page, office)
    shoot("spy-system-usuarios")
    _steps_4_to_6_smtp(page, sink, shoot)
    shoot("smtp-financeiro")
    _edit_amount(page, "NF-102", "2.500,00", shoot)
    drain()

    filial = str(office["filial"].pk)
    assert recipients_config()["payable"]["companies"] == {filial: [_pk("bruno")]}
    assert MailSwitches.current().use_spy_smtp
    stored = SmtpSettings.objects.get(level=SmtpLevel.FINANCE)
    assert (stored.host, stored.port, stored.security) == ("127.0.0.1", sink.port, "none")
    spy = _spy_mail(sink, "bruno@example.com")
    assert "NF-102" in spy["Subject"] and "FILIAL" in spy["Subject"]
    assert "R$ 2.500,00" in spy.get_body(("plain",)).get_content()
    assert not [m for m in sink.received if "ana@example.com" in m.rcpt_tos]

    _screens_after_the_change(page, shoot, sink, settings)


def _pk(username: str) -> int:
    from django.contrib.auth.models import User

    return User.objects.get(username=username).pk


def _screens_after_the_change(page, shoot, sink, settings) -> None:
    page.locator("nav.menu").get_by_role("link", name="Log de e-mails").click()
    page.get_by_text("bruno@example.com").first.wait_for()
    shoot("log-de-emails")
    page.locator("nav.menu").get_by_role("link", name="Histórico de alterações").click()
    page.get_by_text("R$ 2.500,00").first.wait_for()
    shoot("historico-de-alteracoes")
    for message in sink.received:  # what the demo's capture server would have kept
        captured_store(
            mail_from=message.mail_from, recipients=message.rcpt_tos, raw=message.content
        )
    settings.DEMO = True  # the capture inbox is a demo screen (menu entry and banner)
    page.reload()
    page.locator("nav.menu").get_by_role("link", name="Caixa de captura (demo)").click()
    page.get_by_text("bruno@example.com").first.wait_for()
    shoot("caixa-de-captura")
    settings.DEMO = False
    _menu(page, "Usuários e acesso")
    page.get_by_text("não recebe e-mails do Spy System").wait_for()
    shoot("usuarios")
    page.get_by_role("link", name="Novo usuário").click()
    field(page, "Papel").wait_for()
    shoot("usuario-novo")
    _menu(page, "Auditoria de configurações")
    page.get_by_text("Financeiro / Spy System (servidor SMTP)").first.wait_for()
    shoot("auditoria")
