"""The boleto, task and e-mail template screens in a real browser, with screenshots:
titulos-boletos, titulo-boleto, tarefas, tarefa-execucao, modelo-de-email."""

from datetime import date
from decimal import Decimal

import pytest

from spysystem.finance import services as finance
from spysystem.finance.models import BankAccount, Ledger
from spysystem.mail.models import Message
from spysystem.routines.models import Boleto, TaskRun
from spysystem.watch.context import Origin
from tests.browser.chromium import PASSWORD, field, missing_reason

if reason := missing_reason():
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture
def office(make_user, make_company, make_party):
    make_user("controladora", password=PASSWORD, is_admin=True, first_name="Clara")
    company = make_company("MATRIZ", name="Comércio Exemplo Ltda")
    BankAccount.objects.create(
        company=company,
        bank_code="341",
        agency="0057",
        account="12345",
        account_dv="7",
        wallet="109",
        beneficiary_name=company.name,
        beneficiary_document=company.cnpj,
        fine_percent=Decimal("2.00"),
        interest_month_percent=Decimal("1.00"),
    )
    party = make_party("Cliente Bom Preço", emails=["financeiro@bompreco.com.br"])
    titles = [
        finance.title_create(
            user=None,
            origin=Origin.SYSTEM,
            ledger=Ledger.RECEIVABLE,
            company=company,
            party=party,
            document=f"NF-20{n}",
            installment=1,
            issue_date=date(2027, 2, 1),
            due_date=date(2027, 3, 10 + n),
            amount=Decimal("850.00") * n,
            description="",
        )
        for n in (1, 2)
    ]
    return {"titles": titles}


def test_emit_boletos_from_the_list_and_see_the_title(page, log_in, shoot, office):
    log_in("controladora")
    for title in office["titles"]:
        page.get_by_label(f"Selecionar {title}").check()
    shoot("titulos-boletos")
    page.get_by_role("button", name="Emitir boletos").click()
    page.get_by_text("2 e-mails colocados na fila de envio.").wait_for()
    assert Message.objects.filter(routine="boleto").count() == 2

    page.goto(f"/titulos/{office['titles'][0].pk}/")
    line = Boleto.objects.get(title=office["titles"][0]).digitable_line
    page.get_by_text(line).wait_for()
    page.get_by_role("cell", name="financeiro@bompreco.com.br").first.wait_for()
    shoot("titulo-boleto")
    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimir boleto").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_tasks_run_now_and_template_preview(page, log_in, shoot, office):
    log_in("controladora")
    page.locator("nav.menu").get_by_role("link", name="Tarefas", exact=True).click()
    page.get_by_text("GEEnviaEmailAvisoVencimento").wait_for()
    shoot("tarefas")
    row = page.get_by_role("row").filter(has_text="GEEnviaEmailAvisoVencimento")
    row.get_by_label("Como se fosse o dia").fill("05/03/2027")
    row.get_by_role("button", name="Executar agora").click()
    page.get_by_role("heading", name="Execução de GEEnviaEmailAvisoVencimento").wait_for()
    shoot("tarefa-execucao")
    assert TaskRun.objects.get().as_of == date(2027, 3, 5)

    page.goto("/rotinas/modelos/cobranca/")
    field(page, "Título para a pré-visualização").select_option(index=1)
    page.get_by_role("button", name="Pré-visualizar").click()
    page.get_by_role("heading", name="Pré-visualização").wait_for()
    assert "Cliente Bom Preço" in page.locator("[data-preview-text]").inner_text()
    page.frame_locator("iframe.html-body").get_by_text("Cliente Bom Preço").first.wait_for()
    shoot("modelo-de-email")
