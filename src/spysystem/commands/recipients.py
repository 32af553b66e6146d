"""``spy recipients show``: who receives the Spy e-mails of each ledger, and what is wrong."""

from __future__ import annotations

import argparse
from typing import Any

from spysystem.commands import add_command, add_group


def user_label(user: Any) -> str:
    """``joana <joana@empresa.com.br>``, or the reason the user gets nothing."""
    notes = [] if user.is_active else ["inativo"]
    if not user.email:
        notes.append("sem e-mail")
    address = f" <{user.email}>" if user.email else ""
    return f"{user.username}{address}" + (f" ({', '.join(notes)})" if notes else "")


def ledger_lines(rows: list[Any]) -> list[str]:
    """The default list first, then one line per company with its own list."""
    default = [user_label(r.user) for r in rows if r.company_id is None]
    lines = [f"  Padrão (empresas sem lista própria): {', '.join(default) or 'ninguém'}"]
    companies: dict[Any, list[str]] = {}
    for row in rows:
        if row.company_id is not None:
            companies.setdefault(row.company, []).append(user_label(row.user))
    lines += [f"  {company}: {', '.join(users)}" for company, users in companies.items()]
    return lines


def cmd_recipients_show(args: argparse.Namespace) -> int:
    from spysystem.finance.models import Ledger
    from spysystem.watch.selectors import recipient_list, recipients_warnings

    rows = list(recipient_list())
    for ledger in Ledger:
        print(ledger.label)
        print("\n".join(ledger_lines([r for r in rows if r.ledger == ledger.value])))
    warnings = recipients_warnings()
    if warnings:
        print("Avisos")
        print("\n".join(f"  - {warning}" for warning in warnings))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    recipients = add_group(sub, "recipients", "destinatários do Spy System")
    add_command(
        recipients,
        "show",
        cmd_recipients_show,
        "mostra os destinatários por carteira (padrão e por empresa) e os avisos",
    )
