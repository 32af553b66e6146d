"""Sub-commands of ``spy``, one module per subject, each with ``add_parsers(sub)``.

Arguments are parsed before Django starts (``spy --help`` needs no database), so a handler
imports models and services inside its body. A handler returns the exit code — 0 done, 1 the
operation failed or is not allowed, 2 bad input or missing configuration — or raises
``CommandError``, which ``spysystem.cli.main`` prints in Portuguese on stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A Portuguese message for stderr and the exit code that goes with it."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def add_command(
    sub: argparse._SubParsersAction, name: str, handler: Handler, help_: str
) -> argparse.ArgumentParser:
    """A sub-command whose ``--help`` repeats ``help_`` as its description."""
    parser = sub.add_parser(name, help=help_, description=help_)
    parser.set_defaults(handler=handler)
    return parser


def add_group(sub: argparse._SubParsersAction, name: str, help_: str) -> argparse._SubParsersAction:
    """A command with its own sub-commands (``spy outbox list``), one of which is required."""
    group = sub.add_parser(name, help=help_, description=help_)
    return group.add_subparsers(dest="action", required=True)


def positive_int(text: str) -> int:
    """``argparse`` type: an integer ≥ 1 (``--limit``, ids)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"informe um número inteiro positivo (recebido: {text!r})")
    return value


def add_limit(parser: argparse.ArgumentParser, default: int = 50) -> None:
    parser.add_argument(
        "--limit", type=positive_int, default=default, help=f"máximo de linhas (padrão {default})"
    )


def find_company(code: str, *, exit_code: int = 1) -> Any:
    """The company with this code; ``CommandError`` in Portuguese when there is none."""
    from spysystem.finance.models import Company

    company = Company.objects.filter(code=code).first()
    if company is None:
        raise CommandError(f"empresa com código {code!r} não encontrada.", exit_code)
    return company
