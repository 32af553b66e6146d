"""Reads of the mail context for screens, the API and the CLI."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.formats import datetime_br
from spysystem.mail.models import SmtpState


def smtp_health_warnings() -> list[str]:
    """One sentence per SMTP settings that failed to connect recently (Portuguese)."""
    recent = timezone.now() - timedelta(hours=24)
    states = SmtpState.objects.filter(failures__gt=0, last_failure_at__gte=recent)
    warnings = []
    for state in states.select_related("settings", "settings__company"):
        settings = state.settings
        where = settings.company.code if settings.company_id else settings.get_level_display()
        warnings.append(
            _(
                "Servidor SMTP %(where)s (%(host)s:%(port)s): %(n)d falha(s) seguida(s) de "
                "conexão, a última em %(when)s (%(error)s). As mensagens aguardam na fila."
            )
            % {
                "where": where,
                "host": settings.host,
                "port": settings.port,
                "n": state.failures,
                "when": datetime_br(state.last_failure_at),
                "error": state.last_error,
            }
        )
    return warnings
