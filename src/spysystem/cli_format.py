"""Plain-text output of the ``spy`` command: tables, cut lines, dates and errors on stderr.

Nothing here touches the database or reads settings at import time, so ``spy --help`` stays free
of Django.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime

EMPTY = "—"


def one_line(text: object) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def truncate(text: object, width: int) -> str:
    """One line of at most ``width`` characters; ``…`` marks a cut; empty → ``—``."""
    line = one_line(text)
    if not line:
        return EMPTY
    return line if len(line) <= width else line[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns two spaces apart, a header line and a rule under it."""
    cells = [[str(h) for h in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def when(value: datetime | None) -> str:
    """``dd/mm/aaaa hh:mm`` in America/Sao_Paulo; ``—`` for none."""
    from spysystem.formats import datetime_br

    return datetime_br(value) if value else EMPTY


def yes_no(value: bool) -> str:
    return "sim" if value else "não"


def shown_of(shown: int, total: int, noun: str) -> str:
    """The footer of a list cut by ``--limit`` (empty when nothing was cut)."""
    if total <= shown:
        return ""
    return f"Mostrando {shown} de {total} {noun}; use --limit para ver mais."


def print_error(message: str) -> None:
    print(f"erro: {message}", file=sys.stderr)


def print_validation_error(exc: Exception) -> None:
    """A Django ``ValidationError`` as ``erro: campo: mensagem`` lines on stderr."""
    messages = getattr(exc, "message_dict", None) or {"": getattr(exc, "messages", [str(exc)])}
    for field, errors in messages.items():
        for error in errors:
            print_error(f"{field + ': ' if field else ''}{error}")
