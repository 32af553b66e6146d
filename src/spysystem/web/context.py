"""Template context shared by every page: the menu, following the manual's paths."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Títulos"), "finance:title_list"),
    (_("Financeiro / Opções / Spy System"), "watch:spy_settings"),
    (_("Geral / Spy System"), "mail:smtp_general"),
    (_("Histórico de alterações"), "watch:change_list"),
    (_("Log de e-mails"), "mail:outbox_list"),
]
DEMO_ENTRY = (_("Caixa de captura (demo)"), "mail:captured_list")
STAFF_ONLY = frozenset({"watch:spy_settings", "mail:smtp_general"})


def current_entry(path: str, entries: list[tuple[object, str]]) -> str:
    """The url name of the entry whose address is the longest prefix of ``path`` ('' if none)."""
    best, best_length = "", 0
    for _label, name in entries:
        try:
            address = reverse(name)
        except NoReverseMatch:
            continue
        if path.startswith(address) and len(address) > best_length:
            best, best_length = name, len(address)
    return best


def menu(request: HttpRequest) -> dict:
    """``spy_menu`` (label, url name), the entry of this page, and whether this is the demo.

    Settings entries are left out for users without ``is_staff`` (those screens answer 403).
    """
    user = getattr(request, "user", None)
    is_staff = bool(getattr(user, "is_staff", False))
    entries = [entry for entry in MENU if is_staff or entry[1] not in STAFF_ONLY]
    if settings.DEMO:
        entries.append(DEMO_ENTRY)
    return {
        "spy_menu": entries,
        "spy_menu_current": current_entry(request.path, entries),
        "spy_demo": settings.DEMO,
    }
