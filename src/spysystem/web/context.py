"""Template context shared by every page: the menu (following the manual's paths), the demo flag,
the user's access (``spy_access``, to hide buttons they may not use) and, for administrators, the
SMTP health banner."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from spysystem.web.permissions import access_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    label: object
    name: str
    staff: bool = False


@dataclass(frozen=True)
class Group:
    """A menu entry that opens a list of entries (a ``<details>``, works without JavaScript)."""

    label: object
    entries: list[Entry] = field(default_factory=list)


MENU: list[Entry | Group] = [
    Entry(_("Títulos"), "finance:title_list"),
    Entry(_("Pessoas"), "finance:party_list"),
    Entry(_("Tarefas"), "routines:task_list"),
    Entry(_("Histórico de alterações"), "watch:change_list"),
    Entry(_("Log de e-mails"), "mail:outbox_list"),
    Group(
        _("Configurador"),
        [
            Entry(_("Financeiro / Opções / Spy System"), "watch:spy_settings", staff=True),
            Entry(_("Geral / Spy System"), "mail:smtp_general", staff=True),
            Entry(_("Financeiro / Spy System"), "mail:smtp_finance", staff=True),
            Entry(_("Financeiro / Spy System / Empresas"), "mail:smtp_company_list", staff=True),
            Entry(_("CRM / Telecobrança"), "mail:switch_cobranca", staff=True),
            Entry(
                _("Financeiro / Boleto bancário / Emissão de boleto / Outras configurações"),
                "mail:switch_aviso",
                staff=True,
            ),
            Entry(
                _("Financeiro / Boleto bancário / Contas"), "routines:bank_account_list", staff=True
            ),
            Entry(_("Opções das rotinas por empresa"), "routines:options_list", staff=True),
            Entry(_("Modelos de e-mail"), "routines:template_list", staff=True),
            Entry(_("Quem recebe e por qual servidor"), "mail:route_explain", staff=True),
            Entry(_("Usuários e acesso"), "user_list", staff=True),
            Entry(_("Auditoria de configurações"), "settings_audit", staff=True),
        ],
    ),
]
DEMO_ENTRY = Entry(_("Caixa de captura (demo)"), "mail:captured_list")


def current_entry(path: str, entries: list[Entry]) -> str:
    """The url name of the entry whose address is the longest prefix of ``path`` ('' if none)."""
    best, best_length = "", 0
    for entry in entries:
        try:
            address = reverse(entry.name)
        except NoReverseMatch:
            continue
        if path.startswith(address) and len(address) > best_length:
            best, best_length = entry.name, len(address)
    return best


def visible_menu(*, is_staff: bool, demo: bool) -> list[Entry | Group]:
    """The menu for this user: staff-only entries left out for others, empty groups dropped."""
    items: list[Entry | Group] = []
    for item in MENU:
        if isinstance(item, Group):
            entries = [entry for entry in item.entries if is_staff or not entry.staff]
            if entries:
                items.append(Group(item.label, entries))
        elif is_staff or not item.staff:
            items.append(item)
    if demo:
        items.append(DEMO_ENTRY)
    return items


def _flat(items: list[Entry | Group]) -> list[Entry]:
    flat: list[Entry] = []
    for item in items:
        flat.extend(item.entries if isinstance(item, Group) else [item])
    return flat


def smtp_health(request: HttpRequest) -> list[str]:
    """``mail.selectors.smtp_health_warnings()`` for administrators; nothing for others, nothing
    while that function does not exist yet, and nothing (logged) if it fails: a banner never breaks
    a page."""
    if not access_of(request).can_configure:
        return []
    try:
        from spysystem.mail.selectors import smtp_health_warnings
    except ImportError:
        return []
    try:
        return [str(warning) for warning in smtp_health_warnings()]
    except Exception:
        logger.exception("smtp_health_warnings() falhou; a página segue sem o aviso")
        return []


def menu(request: HttpRequest) -> dict:
    """``spy_menu`` (entries and groups), the entry of this page, the demo flag, ``spy_access``
    and ``spy_smtp_warnings`` (the administrators' banner).

    Settings entries are left out for non-administrators (those screens answer 403).
    """
    access = access_of(request)
    items = visible_menu(is_staff=access.can_configure, demo=settings.DEMO)
    return {
        "spy_access": access,
        "spy_menu": items,
        "spy_menu_current": current_entry(request.path, _flat(items)),
        "spy_demo": settings.DEMO,
        "spy_smtp_warnings": smtp_health(request),
    }
