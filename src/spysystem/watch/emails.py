"""The Spy notification e-mail: what changed in a title, old → new, who, when and how."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spysystem.finance.documents import format_document
from spysystem.finance.models import Company, Ledger, Party, TitleStatus
from spysystem.formats import brl, date_br, datetime_br
from spysystem.routines.emails import render_with, templates_for
from spysystem.routines.models import EmailTemplate
from spysystem.watch.context import Origin
from spysystem.watch.models import Change, ChangeKind

TEMPLATE_DIR = "watch/email/spy_change"


def _amount_fact(old: Decimal, new: Decimal) -> dict:
    diff = new - old
    percent = f", {diff / old * 100:+.2f}%".replace(".", ",") if old else ""
    sign = "+" if diff >= 0 else "-"
    return {
        "label": _("Valor"),
        "old": brl(old),
        "new": brl(new),
        "delta": f"{sign}{brl(abs(diff))}{percent}",
    }


def _due_date_fact(old: date, new: date) -> dict:
    days = (new - old).days
    if days > 0:
        delta = ngettext("adiado em %d dia", "adiado em %d dias", days) % days
    else:
        delta = ngettext("antecipado em %d dia", "antecipado em %d dias", -days) % -days
    return {"label": _("Vencimento"), "old": date_br(old), "new": date_br(new), "delta": delta}


def _facts(change: Change) -> list[dict]:
    facts = []
    if change.amount_changed:
        facts.append(_amount_fact(change.amount_before, change.amount_after))
    if change.due_date_changed:
        facts.append(_due_date_fact(change.due_date_before, change.due_date_after))
    return facts


def _deleted_rows(change: Change, fields: dict, party: Party | None) -> list[tuple[str, str]]:
    party_name = party.name if party else f"#{fields.get('party_id')}"
    status = fields.get("status")
    return [
        (_("Pessoa"), party_name),
        (_("Documento / parcela"), f"{fields.get('document')} / {fields.get('installment')}"),
        (_("Emissão"), date_br(fields["issue_date"]) if fields.get("issue_date") else "—"),
        (_("Vencimento"), date_br(change.due_date_before)),
        (_("Valor"), brl(change.amount_before)),
        (_("Situação"), str(TitleStatus(status).label) if status in TitleStatus.values else "—"),
        (_("Descrição"), fields.get("description") or "—"),
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class EmailLookups:
    """What the Spy e-mails of some changes read besides the changes themselves: their
    companies, the template of each company, and the parties that resolving the titles' fields
    did not bring (a deleted title's), looked up once for all of them."""

    companies: dict[int, Company]
    templates: dict[int | None, EmailTemplate | None]
    parties: dict[int, Party]

    @classmethod
    def of(cls, changes: Iterable[Change]) -> EmailLookups:
        """Two or three queries, however many changes."""
        changes = list(changes)
        ids = {change.company_id for change in changes}
        unknown = {c.title_fields.get("party_id") for c in changes if c.known_party is None}
        unknown.discard(None)
        parties = Party.objects.in_bulk(unknown) if unknown else {}
        return cls(Company.objects.in_bulk(ids), templates_for("spy", ids), parties)


def change_email_context(change: Change, lookups: EmailLookups | None = None) -> dict:
    """Everything the templates show (company and party from ``lookups``, looked up for this
    change alone when not given).

    Amount and due date, before and after, are the change's own (exact for this write, even if
    the title changed again since). The title's other fields (party, document, installment; all
    of them for a deletion) are ``change.title_fields``: the deleted title for a deletion, else
    the title as it is at fan-out time (or as it was deleted, if it was deleted meanwhile).
    """
    lookups = lookups or EmailLookups.of([change])
    fields = change.title_fields
    company = lookups.companies.get(change.company_id)
    party_id = fields.get("party_id")
    party = change.known_party or lookups.parties.get(party_id)
    deleted = change.kind == ChangeKind.DELETE
    link = f"/spy/alteracoes/{change.pk}/" if deleted else f"/titulos/{change.title_id}/"
    installment = fields.get("installment")
    document = fields.get("document") or f"#{change.title_id}"
    return {
        "change": change,
        "deleted": deleted,
        "ledger_label": Ledger(change.ledger).label,
        "company_label": f"{company.code} · {company.name}" if company else f"#{change.company_id}",
        "company_cnpj": format_document(company.cnpj) if company else "",
        "party_label": party.name if party else f"#{party_id}" if party_id else "—",
        "party_document": format_document(party.document) if party else "",
        "document": _one_line(document if installment is None else f"{document}/{installment}"),
        "facts": _facts(change),
        "snapshot_rows": _deleted_rows(change, fields, party) if deleted else [],
        "actor": change.actor,
        "origin_label": Origin(change.origin).label
        if change.origin in Origin.values
        else change.origin,
        "when": datetime_br(change.created_at),
        "link": settings.SPY_BASE_URL.rstrip("/") + link,
    }


def spy_change_email(
    *, change: Change, lookups: EmailLookups | None = None
) -> tuple[str, str, str]:
    """Render (subject, plain text, HTML) of the notification for ``change``, in pt-BR; pass
    ``lookups`` when rendering many (``EmailLookups.of`` all of them)."""
    lookups = lookups or EmailLookups.of([change])
    rendered = render_with(
        lookups.templates[change.company_id],
        routine="spy",
        template_dir=TEMPLATE_DIR,
        context=change_email_context(change, lookups),
    )
    return rendered.subject, rendered.text, rendered.html
