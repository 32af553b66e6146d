"""Labels for stored codes (origin, ledger, status, facts) used by the screens."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Ledger, TitleStatus
from spysystem.mail.models import MessageStatus, Routine, SmtpLevel
from spysystem.watch.context import Origin

register = template.Library()

_FACTS = {"amount": _("Valor"), "due_date": _("Vencimento"), "deleted": _("Exclusão")}


def _label(choices: type, value: object) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


@register.filter
def origin_label(value: str) -> str:
    """``screen`` → ``tela``."""
    return _label(Origin, value)


@register.filter
def ledger_label(value: str) -> str:
    """``payable`` → ``Contas a pagar``."""
    return _label(Ledger, value)


@register.filter
def title_status_label(value: str) -> str:
    """``open`` → ``Em aberto``."""
    return _label(TitleStatus, value)


@register.filter
def message_status_label(value: str) -> str:
    """``failed`` → ``falhou``."""
    return _label(MessageStatus, value)


@register.filter
def routine_label(value: str) -> str:
    """``cobranca`` → ``Envio de cobrança``."""
    return _label(Routine, value)


@register.filter
def smtp_level_label(value: str) -> str:
    """``finance`` → ``Financeiro / Spy System``; empty → ``—``."""
    return _label(SmtpLevel, value) if value else "—"


@register.filter
def fact_labels(facts: list[str]) -> str:
    """``["amount", "due_date"]`` → ``Valor, Vencimento``."""
    return ", ".join(str(_FACTS.get(fact, fact)) for fact in facts)
