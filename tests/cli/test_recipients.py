"""``spy recipients show``."""

from __future__ import annotations

from spysystem.cli import main
from spysystem.watch.services import recipients_set


def test_recipients_show_lists_default_and_company_users_with_the_warnings(
    make_user, make_company, capsys
):
    joana = make_user("joana")
    pedro = make_user("pedro", email="")
    ana = make_user("ana")
    company = make_company("E01", name="Filial Sul Ltda")
    recipients_set(
        config={
            "payable": {"default": [joana.pk, pedro.pk], "companies": {company.pk: [ana.pk]}},
            "receivable": {"default": [], "companies": {}},
        }
    )
    assert main(["recipients", "show"]) == 0
    out = capsys.readouterr().out
    payable, receivable = out.split("Contas a receber\n", 1)
    assert payable.startswith("Contas a pagar\n")
    assert (
        "  Padrão (empresas sem lista própria): "
        "joana <joana@example.com>, pedro (sem e-mail)" in payable
    )
    assert "  E01 · Filial Sul Ltda: ana <ana@example.com>" in payable
    assert "  Padrão (empresas sem lista própria): ninguém" in receivable
    warnings = receivable.split("Avisos\n", 1)[1]
    assert "  - O usuário pedro (Contas a pagar, padrão) não tem e-mail" in warnings
    assert "  - Contas a receber: nenhum usuário padrão" in warnings


def test_recipients_show_with_nothing_configured(db, capsys):
    assert main(["recipients", "show"]) == 0
    out = capsys.readouterr().out
    assert out.count("ninguém") == 2
    assert out.count("nenhum usuário padrão") == 2
