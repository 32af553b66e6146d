"""Template context shared by every page: the menu, following the manual's paths."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Títulos"), "finance:title_list"),
    (_("Financeiro / Opções / Spy System"), "watch:spy_settings"),
    (_("Geral / Spy System"), "mail:smtp_general"),
    (_("Histórico de alterações"), "watch:change_list"),
    (_("Log de e-mails"), "mail:outbox_list"),
]


def menu(request: HttpRequest) -> dict:
    """The menu entries, plus the capture inbox in demo mode."""
    from django.conf import settings

    entries = list(MENU)
    if settings.DEMO:
        entries.append((_("Caixa de captura (demo)"), "mail:captured_list"))
    return {"spy_menu": entries, "spy_demo": settings.DEMO}
