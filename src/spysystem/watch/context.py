"""Who is writing, and through which door: the attribution the capture triggers read.

The triggers run inside the database, so the application hands them the actor and origin for the
current transaction. PostgreSQL: transaction-local settings ``spy.actor``/``spy.origin``.
SQLite (one writer at a time): a one-row table written and cleared inside the same transaction.
A write that never passes through here (raw SQL from another program) is attributed to the
database user with origin ``sql``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Origin(TextChoices):
    SCREEN = "screen", _("tela")
    API = "api", _("API")
    CLI = "cli", _("linha de comando")
    IMPORT = "import", _("importação")
    SQL = "sql", _("SQL direto")
    SYSTEM = "system", _("sistema")


def actor_label(user: object | None) -> str:
    """The name recorded for an app user (``None`` → ``sistema``)."""
    return getattr(user, "username", None) or "sistema"


def _set_context(actor: str, origin: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('spy.actor', %s, true), set_config('spy.origin', %s, true)",
                [actor, origin],
            )
        else:
            cursor.execute(
                "INSERT OR REPLACE INTO watch_writecontext (id, actor, origin) VALUES (1, %s, %s)",
                [actor, origin],
            )


def _clear_context() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('spy.actor', '', true), set_config('spy.origin', '', true)"
            )
        else:
            cursor.execute("DELETE FROM watch_writecontext WHERE id = 1")


@contextmanager
def write_context(*, user: object | None, origin: str) -> Iterator[None]:
    """Run the block in one transaction whose title writes are attributed to ``user``/``origin``.

    The attribution is cleared before the block's transaction ends, so it never leaks to a later
    write made by someone else on the same connection.
    """
    with transaction.atomic():
        _set_context(actor_label(user), str(origin))
        yield
        _clear_context()
