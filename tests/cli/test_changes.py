"""``spy changes list``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from spysystem.cli import main
from spysystem.finance import services as finance
from spysystem.finance.models import Ledger
from spysystem.watch.context import Origin


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_change_shows_when_ledger_company_title_facts_old_new_actor_and_origin(
    make_title, make_company, make_user, capsys
):
    company = make_company("E01")
    title = make_title(company=company, document="NF77", amount=Decimal("1000.00"))
    finance.title_update(
        title=title,
        user=make_user("joana"),
        origin=Origin.API,
        amount=Decimal("1250.00"),
        due_date=date(2026, 12, 15),
    )
    code, out, _ = run(capsys, "changes", "list")
    assert code == 0
    header, _rule, row = out.splitlines()
    for column in ("quando", "carteira", "empresa", "título", "fatos", "antes → depois", "autor"):
        assert column in header
    assert re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}  Contas a pagar  E01  ", row)
    assert f"{title.pk} (NF77/1)" in row
    assert "valor, vencimento" in row
    assert "R$ 1.000,00 → R$ 1.250,00; 10/12/2026 → 15/12/2026" in row
    assert row.endswith("joana   API") or row.split()[-2:] == ["joana", "API"]


def test_deletion_shows_what_was_lost(make_title, capsys):
    title = make_title(amount=Decimal("99.90"))
    finance.title_delete(title=title, user=None, origin=Origin.SCREEN)
    _, out, _ = run(capsys, "changes", "list")
    row = out.splitlines()[2]
    assert "exclusão" in row
    assert "R$ 99,90, venc. 10/12/2026 → excluído" in row
    assert "sistema" in row and "tela" in row


def test_changes_are_filtered_by_company_title_and_limit(make_company, make_title, capsys):
    e1, e2 = make_company("F01"), make_company("F02")
    wanted = make_title(company=e1)
    other = make_title(company=e2, ledger=Ledger.RECEIVABLE)
    for title, amount in ((wanted, "1.00"), (other, "2.00"), (wanted, "3.00")):
        finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal(amount))
    _, by_company, _ = run(capsys, "changes", "list", "--company", "F01")
    _, by_title, _ = run(capsys, "changes", "list", "--title", str(other.pk))
    _, limited, _ = run(capsys, "changes", "list", "--limit", "1")
    assert len(by_company.splitlines()[2:]) == 2 and "F02" not in by_company
    assert len(by_title.splitlines()[2:]) == 1 and "Contas a receber" in by_title
    assert limited.splitlines()[-1] == "Mostrando 1 de 3 alterações; use --limit para ver mais."


def test_no_changes_and_unknown_company(db, capsys):
    assert run(capsys, "changes", "list")[1] == "Nenhuma alteração capturada.\n"
    code, _, err = run(capsys, "changes", "list", "--company", "NAO")
    assert code == 1 and "não encontrada" in err
