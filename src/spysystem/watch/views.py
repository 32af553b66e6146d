"""Spy screens: Financeiro / Opções / Spy System (recipients, administrators only) and the change
history (any role, limited to the companies the user may see)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from spysystem.finance.models import Company, Ledger, Party, TitleStatus
from spysystem.formats import brl, date_br
from spysystem.watch import selectors, services
from spysystem.watch.context import Origin
from spysystem.watch.forms import (
    ChangeFilterForm,
    LedgerSection,
    RecipientChoices,
    recipient_sections,
    with_extra_row,
)
from spysystem.watch.models import Change
from spysystem.web.paging import paginate
from spysystem.web.permissions import CONFIGURE, READ, require_role, scoped, scoped_or_404


def _save_sections(request: HttpRequest, sections: list[LedgerSection]) -> list[str]:
    """Write the recipients; return the service's error messages (empty on success)."""
    config = {section.ledger: section.config() for section in sections}
    try:
        services.recipients_set(config=config, actor=request.user, origin=Origin.SCREEN)
    except ValidationError as error:
        return error.messages
    messages.success(request, _("Configuração do Spy System gravada."))
    return []


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def spy_settings(request: HttpRequest) -> HttpResponse:
    """Default and per-company users of each ledger; "Adicionar empresa" adds an empty row."""
    choices = RecipientChoices.load()
    errors: list[str] = []
    if request.method == "POST":
        add_row = request.POST.get("add_company", "")
        data = with_extra_row(request.POST, add_row) if add_row else request.POST
        sections = recipient_sections(choices=choices, data=data)
        if not add_row and all([s.is_valid() for s in sections]):
            errors = _save_sections(request, sections)
            if not errors:
                return redirect("watch:spy_settings")
    else:
        sections = recipient_sections(choices=choices, config=selectors.recipients_config())
    context = {
        "sections": sections,
        "warnings": selectors.recipients_warnings(),
        "service_errors": errors,
        "has_users": bool(choices.users),
    }
    return render(request, "watch/spy_settings.html", context)


def _attach_labels(changes: Iterable[Change]) -> None:
    """Company and party names for a page of changes: at most two queries, whatever the page
    size (none for the parties that resolving pending changes already loaded)."""
    changes = list(changes)
    companies = Company.objects.in_bulk({c.company_id for c in changes})
    parties = {c.known_party.pk: c.known_party for c in changes if c.known_party}
    missing = {c.title_fields.get("party_id") for c in changes} - set(parties) - {None}
    if missing:
        parties.update(Party.objects.in_bulk(missing))
    for change in changes:
        snapshot = change.title_fields
        company = companies.get(change.company_id)
        party = parties.get(snapshot.get("party_id"))
        change.company_label = company.code if company else f"#{change.company_id}"
        change.party_label = party.name if party else f"#{snapshot.get('party_id')}"


@require_role(READ)
@require_safe
def change_list(request: HttpRequest) -> HttpResponse:
    """Captured changes, newest first, filtered by company, ledger and title."""
    form = ChangeFilterForm(request.GET, companies=scoped(Company.objects.all(), request, "id"))
    changes = (
        scoped(selectors.change_list(**form.selector_filters()), request)
        .annotate(message_count=Count("messages"))
        .order_by("-id")
    )
    page = paginate(request, changes)
    _attach_labels(page.object_list)
    return render(request, "watch/change_list.html", {"form": form, "page_obj": page})


def _company_text(pk: Any) -> str:
    company = Company.objects.filter(pk=pk).first()
    return str(company) if company else f"#{pk}"


def _party_text(pk: Any) -> str:
    party = Party.objects.filter(pk=pk).first()
    return f"{party.name} ({party.document_display})" if party else f"#{pk}"


def _choice_text(choices: type) -> Callable[[Any], str]:
    return lambda value: str(choices(value).label) if value in choices.values else str(value)


SNAPSHOT_ROWS: list[tuple[str, Any, Callable[[Any], str]]] = [
    ("ledger", gettext_lazy("Carteira"), _choice_text(Ledger)),
    ("company_id", gettext_lazy("Empresa"), _company_text),
    ("party_id", gettext_lazy("Pessoa"), _party_text),
    ("document", gettext_lazy("Documento"), str),
    ("installment", gettext_lazy("Parcela"), str),
    ("issue_date", gettext_lazy("Emissão"), date_br),
    ("due_date", gettext_lazy("Vencimento"), date_br),
    ("amount", gettext_lazy("Valor"), brl),
    ("status", gettext_lazy("Situação"), _choice_text(TitleStatus)),
    ("description", gettext_lazy("Descrição"), str),
]


def snapshot_rows(change: Change) -> list[dict[str, Any]]:
    """Before/after of each title field, formatted in pt-BR, with what changed flagged."""
    rows = []
    after = change.after or {}
    for key, label, show in SNAPSHOT_ROWS:
        old, new = change.before.get(key), after.get(key)
        rows.append(
            {
                "label": label,
                "before": show(old) if old not in (None, "") else "—",
                "after": (show(new) if new not in (None, "") else "—") if change.after else "",
                "changed": bool(change.after) and old != new,
            }
        )
    return rows


@require_role(READ)
@require_safe
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One change: the title before and after, who, when, how, and the e-mails it generated."""
    change = scoped_or_404(Change.objects.all(), request, pk=pk)
    context = {
        "change": change,
        "rows": snapshot_rows(change),
        "company_label": _company_text(change.company_id),
        "emails": change.messages.order_by("id"),
    }
    return render(request, "watch/change_detail.html", context)
