"""``spy outbox list|retry|cancel``: the e-mail log from a shell (same services as the screens)."""

from __future__ import annotations

import argparse
from typing import Any

from spysystem.cli_format import EMPTY, shown_of, table, truncate, when
from spysystem.commands import CommandError, add_command, add_group, add_limit, find_company

SHORT_LEVELS = {"general": "Geral", "finance": "Financeiro", "company": "Empresa"}
HEADERS = (
    "id",
    "criado em",
    "rotina",
    "empresa",
    "destinatário",
    "situação",
    "tentativas",
    "próxima tentativa",
    "nível SMTP",
    "último erro",
)


def _row(message: Any) -> list[object]:
    from spysystem.mail.models import MessageStatus, Routine

    waiting = message.status == MessageStatus.PENDING
    return [
        message.pk,
        when(message.created_at),
        Routine(message.routine).label,
        message.company.code if message.company else EMPTY,
        message.to_email,
        MessageStatus(message.status).label,
        message.attempts,
        when(message.next_attempt_at) if waiting else EMPTY,
        SHORT_LEVELS.get(message.smtp_level, message.smtp_level or EMPTY),
        truncate(message.last_error, 50),
    ]


def _checked(value: str | None, choices: Any, option: str) -> str | None:
    """``value`` when it is one of the model's choices (read after Django starts), else exit 2."""
    if value and value not in choices.values:
        raise CommandError(f"{option}: use um de {', '.join(choices.values)}.", 2)
    return value


def _day(value: str | None, option: str):
    """``YYYY-MM-DD`` (a São Paulo calendar day) or None; anything else exits 2."""
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: use o formato AAAA-MM-DD.", 2) from exc


def cmd_outbox_list(args: argparse.Namespace) -> int:
    from spysystem.mail.models import Message, MessageStatus, Routine

    filters = {
        "status": _checked(args.status, MessageStatus, "--status"),
        "routine": _checked(args.routine, Routine, "--routine"),
    }
    if args.company:
        filters["company"] = find_company(args.company)
    filters["created_at__date__gte"] = _day(args.date_from, "--from")
    filters["created_at__date__lte"] = _day(args.date_to, "--to")
    rows = Message.objects.select_related("company").defer("body_text", "body_html")
    rows = rows.filter(**{k: v for k, v in filters.items() if v})
    messages = list(rows[: args.limit])
    if not messages:
        print("Nenhuma mensagem.")
        return 0
    print(table(HEADERS, [_row(m) for m in messages]))
    footer = shown_of(len(messages), rows.count(), "mensagens")
    if footer:
        print(footer)
    return 0


def _message(message_id: int) -> Any:
    from spysystem.mail.models import Message

    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        raise CommandError(f"mensagem {message_id} não encontrada.")
    return message


def _refused(verb: str, message: Any) -> CommandError:
    from spysystem.mail.models import Message, MessageStatus

    current = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    label = MessageStatus(current).label if current else message.status
    return CommandError(
        f"a mensagem {message.pk} não pode ser {verb}: está com situação “{label}”."
    )


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from spysystem.mail.models import Routine
    from spysystem.mail.services import TEST_NOT_RETRIED, message_retry

    message = _message(args.id)
    if not message_retry(message=message):
        if message.routine == Routine.TEST:
            raise CommandError(str(TEST_NOT_RETRIED))
        raise _refused("reenviada", message)
    print(f"Mensagem {message.pk} colocada na fila para reenvio.")
    return 0


def cmd_outbox_cancel(args: argparse.Namespace) -> int:
    from spysystem.mail.services import message_cancel

    message = _message(args.id)
    if not message_cancel(message=message):
        raise _refused("cancelada", message)
    print(f"Mensagem {message.pk} cancelada.")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    outbox = add_group(sub, "outbox", "registro de e-mails (fila de envio)")
    listing = add_command(outbox, "list", cmd_outbox_list, "lista as mensagens, mais novas antes")
    listing.add_argument("--status", help="situação: pending, sending, sent, failed ou cancelled")
    listing.add_argument("--routine", help="rotina: spy, boleto, cobranca, aviso, test…")
    listing.add_argument("--company", metavar="CÓDIGO", help="código da empresa")
    listing.add_argument("--from", dest="date_from", metavar="AAAA-MM-DD", help="criadas desde")
    listing.add_argument("--to", dest="date_to", metavar="AAAA-MM-DD", help="criadas até")
    add_limit(listing)
    retry = add_command(
        outbox, "retry", cmd_outbox_retry, "reenvia agora uma mensagem com falha ou cancelada"
    )
    retry.add_argument("id", type=int, help="id da mensagem")
    cancel = add_command(
        outbox, "cancel", cmd_outbox_cancel, "cancela uma mensagem pendente ou com falha"
    )
    cancel.add_argument("id", type=int, help="id da mensagem")
