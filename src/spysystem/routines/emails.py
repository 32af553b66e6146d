"""Rendering a routine's e-mail: the company's edited template when there is one, else the
built-in one in ``templates/<dir>/{subject.txt,body.txt,body.html}``.

Edited templates see plain values only (strings, numbers, dicts, lists) — never model
instances — so a template cannot reach anything but what the e-mail shows. A template that
fails to render falls back to the built-in one; the error is returned so the caller can show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import get_template, render_to_string
from django.utils.translation import gettext as _

from spysystem.routines.models import EmailTemplate
from spysystem.routines.stencil import StencilSet

_ENGINE = Engine(
    libraries={"spy": "spysystem.web.templatetags.spy"}, builtins=["django.templatetags.i18n"]
)
_SAFE_FIELDS = {
    "Title": (
        "id",
        "document",
        "installment",
        "issue_date",
        "due_date",
        "amount",
        "status",
        "description",
    ),
    "Company": ("code", "name", "cnpj"),
    "Party": ("name", "document"),
    "Boleto": ("our_number_formatted", "digitable_line", "barcode", "due_date", "amount"),
    "Change": ("kind", "actor", "origin", "created_at"),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    error: str = ""  # why the edited template was not used


_SCALARS = frozenset({str, int, float, bool, Decimal, date, datetime, type(None)})


def plain(value: object) -> object:
    """``value`` with model instances replaced by dicts of their whitelisted fields."""
    if type(value) in _SCALARS:  # the common case, first
        return value
    if isinstance(value, models.Model):
        fields = _SAFE_FIELDS.get(type(value).__name__, ())
        return {name: plain(getattr(value, name, "")) for name in fields}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, str | int | float | bool | Decimal | date | datetime) or value is None:
        return value
    return str(value)


def template_for(routine: str, company_id: int | None) -> EmailTemplate | None:
    """The company's template, else the global one, else None (built-in)."""
    return templates_for(routine, [company_id])[company_id]


def templates_for(
    routine: str, company_ids: Iterable[int | None]
) -> dict[int | None, EmailTemplate | None]:
    """``template_for`` of each of ``company_ids``, in one query."""
    ids = set(company_ids)
    candidates = EmailTemplate.objects.filter(routine=routine).filter(
        models.Q(company_id__in=ids - {None}) | models.Q(company_id__isnull=True)
    )
    by_company = {t.company_id: t for t in candidates}
    return {cid: by_company.get(cid) or by_company.get(None) for cid in ids}


def _builtin(template_dir: str, context: dict) -> tuple[str, str, str]:
    subject = render_to_string(f"{template_dir}/subject.txt", context)
    return (
        " ".join(subject.split()),
        render_to_string(f"{template_dir}/body.txt", context),
        render_to_string(f"{template_dir}/body.html", context),
    )


def _edited(template: EmailTemplate, context: dict) -> Rendered:
    values = plain(context)
    return _rendered([t.render(Context(values, autoescape=a)) for t, a in _compiled(template)])


def _fallback_error(routine: str, exc: Exception) -> str:
    return _("O modelo editado de %(routine)s não pôde ser usado (%(error)s); usado o padrão.") % {
        "routine": routine,
        "error": exc,
    }


def render_routine_email(
    *, routine: str, company_id: int | None, template_dir: str, context: dict
) -> Rendered:
    """Render with the edited template when one applies; fall back to the built-in one."""
    return render_with(
        template_for(routine, company_id),
        routine=routine,
        template_dir=template_dir,
        context=context,
    )


def render_with(
    template: EmailTemplate | None, *, routine: str, template_dir: str, context: dict
) -> Rendered:
    """``render_routine_email`` with the template already looked up (``templates_for``, for
    callers rendering many e-mails); ``None`` renders the built-in one."""
    if template is not None:
        try:
            return _edited(template, context)
        except Exception as exc:  # any failure of an edited template falls back to the built-in
            return Rendered(*_builtin(template_dir, context), error=_fallback_error(routine, exc))
    return Rendered(*_builtin(template_dir, context))


def _rendered(parts: list[str], error: str = "") -> Rendered:
    return Rendered(" ".join(parts[0].split()), parts[1], parts[2] if len(parts) > 2 else "", error)


def _compiled(template: EmailTemplate) -> list[tuple[Template, bool]]:
    """An edited template's parts, compiled: (template, autoescape) for subject, text, HTML."""
    parts = [(_ENGINE.from_string(template.subject), False)]
    parts.append((_ENGINE.from_string(template.body_text), False))
    if template.body_html:
        parts.append((_ENGINE.from_string(template.body_html), True))
    return parts


def _edited_set(template: EmailTemplate) -> StencilSet:
    return StencilSet(_compiled(template))


class RoutineRenderer:
    """One routine's e-mail for one company, looked up and compiled once, for many contexts.

    The rules of ``render_routine_email`` — the company's edited template, else the global one,
    else the built-in; an edited template sees plain values only and, when it fails, the
    built-in one is used and ``Rendered.error`` says why — with the templates compiled once and
    each context rendered through a ``StencilSet`` (a fraction of Django's per-render cost).
    Unlike ``render_routine_email`` the built-in templates get plain values too, so they may
    only read what ``plain`` keeps (the whitelisted fields). Make one per run and company: an
    edit saved meanwhile applies from the next one.
    """

    def __init__(self, *, routine: str, company_id: int | None, template_dir: str) -> None:
        self.routine = routine
        names = ("subject.txt", "body.txt", "body.html")
        self._builtin = StencilSet(
            [(get_template(f"{template_dir}/{n}").template, True) for n in names]
        )
        self._edited: StencilSet | None = None
        self._broken = ""  # why the edited template does not even compile
        edited = template_for(routine, company_id)
        if edited is not None:
            try:
                self._edited = _edited_set(edited)
            except Exception as exc:  # a template saved before validation, or by hand
                self._broken = _fallback_error(routine, exc)

    def render(self, context: dict) -> Rendered:
        """``context`` rendered (made plain first) with the templates that apply."""
        values = plain(context)
        if self._broken:
            return _rendered(self._builtin.render(values), self._broken)
        if self._edited is None:
            return _rendered(self._builtin.render(values))
        try:
            return _rendered(self._edited.render(values))
        except Exception as exc:  # any failure of an edited template falls back to the built-in
            return _rendered(self._builtin.render(values), _fallback_error(self.routine, exc))


def template_validate(*, subject: str, body_text: str, body_html: str) -> None:
    """Raise ``ValidationError`` (field → Portuguese message) for a template that does not parse."""
    from django.core.exceptions import ValidationError

    errors = {}
    for name, source in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        try:
            _ENGINE.from_string(source)
        except TemplateSyntaxError as exc:
            errors[name] = [_("Erro de sintaxe no modelo: %s") % exc]
    if errors:
        raise ValidationError(errors)


def preview_context(title: object) -> dict:
    """A context every routine's template can render, built from a real title (nothing is
    allocated or sent): the fields of the boleto, aviso and cobrança e-mails together."""
    from spysystem.formats import brl, date_br
    from spysystem.routines.models import Boleto

    line = {
        "title": title,
        "due_date": date_br(title.due_date),
        "days": 7,
        "amount": brl(title.amount),
        "charges": brl(0),
        "updated": brl(title.amount),
    }
    return {
        "title": title,
        "company": title.company,
        "party": title.party,
        "boleto": Boleto.objects.filter(title=title).first(),
        "amount": brl(title.amount),
        "due_date": date_br(title.due_date),
        "offset": 1,
        "level": 7,
        "lines": [line],
        "total": brl(title.amount),
        "as_of": date_br(title.due_date),
    }


def template_preview(
    *, routine: str, title: object, subject: str, body_text: str, body_html: str = ""
) -> Rendered:
    """Render an edited template (saved or not) against ``title``; errors come back as text."""
    draft = EmailTemplate(
        routine=routine, subject=subject, body_text=body_text, body_html=body_html
    )
    try:
        return _edited(draft, preview_context(title))
    except Exception as exc:  # shown to the user next to the preview
        return Rendered("", "", "", error=_("O modelo não pôde ser gerado: %s") % exc)
