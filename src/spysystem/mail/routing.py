"""Which SMTP server sends a message: the three-level hierarchy of the manual (DESIGN.md §4).

``resolve_route`` is pure: it takes the configured settings and the switches and returns the level,
the settings and the reason in words. ``route_for`` loads them; the engine calls it at delivery
time, so fixing a setting heals the messages still waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from spysystem.mail.models import MailSwitches, Routine, SmtpLevel, SmtpSettings


def _no_server() -> str:
    text = _("nenhum servidor SMTP configurado")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Route:
    level: str | None
    settings: SmtpSettings | None
    reason: str


def _company_allowed(routine: str, switches: MailSwitches) -> tuple[bool, str]:
    if routine in (Routine.SPY, Routine.BOLETO):
        return True, ""
    if routine == Routine.COBRANCA:
        return switches.cobranca_por_empresa, _("“Gerar cobrança por empresa” está desmarcada")
    if routine == Routine.AVISO:
        return switches.aviso_por_empresa, _(
            "“Envio de e-mail de aviso de vencimento por empresa” está desmarcada"
        )
    return False, _("a rotina não usa configurações por empresa")


def resolve_route(
    *,
    routine: str,
    general: SmtpSettings | None,
    finance: SmtpSettings | None,
    company: SmtpSettings | None,
    switches: MailSwitches,
) -> Route:
    """Apply DESIGN.md §4 to already-loaded settings; never touches the database."""
    if routine != Routine.SPY and not switches.use_spy_smtp:
        if general:
            return Route(
                SmtpLevel.GENERAL,
                general,
                _(
                    "“Utilizar configurações abaixo do servidor SMTP spy system” está desmarcada: "
                    "as rotinas usam o nível Geral / Spy System."
                ),
            )
        return Route(
            None,
            None,
            _("%(none)s: o nível Geral / Spy System não está preenchido.") % {"none": _no_server()},
        )
    notes = []
    if company:
        allowed, why_not = _company_allowed(routine, switches)
        if allowed:
            return Route(
                SmtpLevel.COMPANY,
                company,
                _("A empresa tem servidor SMTP próprio (Financeiro / Spy System / Empresas)."),
            )
        notes.append(_("A empresa tem servidor próprio, mas %(why)s.") % {"why": why_not})
    else:
        notes.append(_("A empresa não tem servidor SMTP próprio."))
    if finance:
        notes.append(_("Usando Financeiro / Spy System."))
        return Route(SmtpLevel.FINANCE, finance, " ".join(notes))
    if general:
        notes.append(_("Financeiro / Spy System não está preenchido; usando Geral / Spy System."))
        return Route(SmtpLevel.GENERAL, general, " ".join(notes))
    notes.append(_("%(none)s em nenhum dos três níveis.") % {"none": _no_server()})
    return Route(None, None, " ".join(notes))


def route_for(*, routine: str, company_id: int | None) -> Route:
    """Load the settings and switches and resolve the route for one message."""
    rows = SmtpSettings.objects.filter(company__isnull=True) | SmtpSettings.objects.filter(
        company_id=company_id
    )
    by_level = {row.level: row for row in rows}
    return resolve_route(
        routine=routine,
        general=by_level.get(SmtpLevel.GENERAL),
        finance=by_level.get(SmtpLevel.FINANCE),
        company=by_level.get(SmtpLevel.COMPANY) if company_id else None,
        switches=MailSwitches.current(),
    )
