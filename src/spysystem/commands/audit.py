"""``spy audit list``: the settings audit trail — who changed which setting, when, from where,
and what changed (before → after, secrets masked)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from spysystem.cli_format import EMPTY, shown_of, table, truncate, when
from spysystem.commands import add_command, add_group, add_limit

ORIGINS = {"screen": "tela", "api": "API", "cli": "linha de comando", "system": "sistema"}


def _value(value: object) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def what_changed(change: Any) -> str:
    """``campo: antes → depois`` for each changed field (values already masked at record)."""
    before, after = change.before or {}, change.after or {}
    if change.after is None:
        return "removido"
    if change.before is None:
        filled = [f"{name}={_value(value)}" for name, value in sorted(after.items()) if value]
        return "criado: " + ", ".join(filled)
    parts = [
        f"{name}: {_value(before.get(name))} → {_value(after.get(name))}"
        for name in change.changed_fields
    ]
    return "; ".join(parts) or EMPTY


def cmd_audit_list(args: argparse.Namespace) -> int:
    from spysystem.audit.selectors import settings_change_list

    rows = settings_change_list(area=args.area)
    changes = list(rows[: args.limit])
    if not changes:
        print("Nenhuma alteração de configuração registrada.")
        return 0
    table_rows = [
        [
            when(change.created_at),
            change.area,
            change.actor_label,
            ORIGINS.get(change.origin, change.origin),
            truncate(what_changed(change), 100),
        ]
        for change in changes
    ]
    print(table(("quando", "área", "autor", "origem", "o que mudou"), table_rows))
    footer = shown_of(len(changes), rows.count(), "alterações")
    if footer:
        print(footer)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    audit = add_group(sub, "audit", "alterações de configuração (quem, quando, o quê)")
    listing = add_command(audit, "list", cmd_audit_list, "lista as alterações, mais recentes antes")
    listing.add_argument(
        "--area", metavar="ÁREA", help="prefixo da área, p. ex. smtp, spy, tarefa, modelo"
    )
    add_limit(listing)
