"""``spy changes list``: the captured changes of titles (what the Spy e-mails describe)."""

from __future__ import annotations

import argparse
from typing import Any

from spysystem.cli_format import EMPTY, shown_of, table, when
from spysystem.commands import add_command, add_group, add_limit, find_company, positive_int

FACTS = {"amount": "valor", "due_date": "vencimento", "deleted": "exclusão"}
HEADERS = (
    "quando",
    "carteira",
    "empresa",
    "título",
    "fatos",
    "antes → depois",
    "autor",
    "origem",
)


def old_new(change: Any) -> str:
    """``R$ 1.000,00 → R$ 1.200,00; 10/12/2026 → 15/12/2026``; a deletion shows what was lost."""
    from spysystem.formats import brl, date_br

    before, after = change.before, change.after
    if after is None:
        return f"{brl(before['amount'])}, venc. {date_br(before['due_date'])} → excluído"
    parts = []
    if change.amount_changed:
        parts.append(f"{brl(before['amount'])} → {brl(after['amount'])}")
    if change.due_date_changed:
        parts.append(f"{date_br(before['due_date'])} → {date_br(after['due_date'])}")
    return "; ".join(parts) or EMPTY


def _row(change: Any, codes: dict[int, str]) -> list[object]:
    from spysystem.finance.models import Ledger
    from spysystem.watch.context import Origin

    snapshot = change.after or change.before
    origin = Origin(change.origin).label if change.origin in Origin.values else change.origin
    return [
        when(change.created_at),
        Ledger(change.ledger).label,
        codes.get(change.company_id, f"#{change.company_id}"),
        f"{change.title_id} ({snapshot['document']}/{snapshot['installment']})",
        ", ".join(FACTS.get(fact, fact) for fact in change.facts),
        old_new(change),
        change.actor,
        origin,
    ]


def cmd_changes_list(args: argparse.Namespace) -> int:
    from spysystem.finance.models import Company
    from spysystem.watch.selectors import change_list

    company = find_company(args.company) if args.company else None
    rows = change_list(
        title_id=args.title, company_id=company.pk if company else None, ledger=args.ledger
    )
    changes = list(rows[: args.limit])
    if not changes:
        print("Nenhuma alteração capturada.")
        return 0
    ids = {change.company_id for change in changes}
    codes = dict(Company.objects.filter(pk__in=ids).values_list("pk", "code"))
    print(table(HEADERS, [_row(change, codes) for change in changes]))
    footer = shown_of(len(changes), rows.count(), "alterações")
    if footer:
        print(footer)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    changes = add_group(sub, "changes", "alterações capturadas de títulos")
    listing = add_command(
        changes, "list", cmd_changes_list, "lista as alterações, mais recentes antes"
    )
    listing.add_argument("--company", metavar="CÓDIGO", help="código da empresa")
    listing.add_argument("--title", type=positive_int, metavar="ID", help="id do título")
    listing.add_argument("--ledger", choices=("payable", "receivable"), help="carteira")
    add_limit(listing)
