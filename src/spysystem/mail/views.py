"""E-mail screens: the three SMTP levels with “Testar envio”, the per-company switches, the
route panel, the e-mail log, and the demo capture inbox.

The three SMTP screens are one view (``smtp_settings_page``) driven by an ``SmtpPage`` that says
what differs: the level, its company, the template and the option shown with it.

Access: the settings screens are for administrators; the e-mail log is readable by every role and
limited to the user's companies (messages without a company — tests, alerts — only for users who
see every company); "Reenviar"/"Cancelar" need finance staff or administrator. The capture inbox
shows administrators everything and anyone else only the messages addressed to their own e-mail.
Every settings write is attributed to the logged-in user with origin ``screen``.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from spysystem.finance.models import Company
from spysystem.mail import services
from spysystem.mail.forms import (
    ROUTED,
    SWITCHES,
    OutboxFilterForm,
    RouteExplainForm,
    SmtpSettingsForm,
    SmtpTestForm,
    Switch,
    SwitchForm,
    smtp_initial,
)
from spysystem.mail.models import (
    CapturedMessage,
    MailSwitches,
    Message,
    MessageStatus,
    Routine,
    SmtpLevel,
    SmtpSettings,
)
from spysystem.mail.routing import Route, route_for
from spysystem.mail.testsend import SmtpTestRefused, SmtpTestReport, smtp_test_send
from spysystem.watch.context import Origin
from spysystem.watch.selectors import recipients_for
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import (
    CONFIGURE,
    READ,
    WRITE,
    access_of,
    allows,
    require_role,
    scoped,
    scoped_or_404,
)

RETRYABLE = {MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.PENDING}
CANCELLABLE = {MessageStatus.PENDING, MessageStatus.FAILED}
PARTIAL_HEADER = "X-Spy-Partial"


@dataclass(frozen=True)
class SmtpPage:
    """What differs between the SMTP screens of the three levels."""

    level: str
    template: str
    url: str
    company: Company | None = None
    switch: Switch | None = None

    @property
    def title(self) -> str:
        title = str(SmtpLevel(self.level).label)
        return f"{title} · {self.company.code}" if self.company else title

    def stored(self) -> SmtpSettings | None:
        return SmtpSettings.objects.filter(level=self.level, company=self.company).first()


@dataclass
class TestOutcome:
    """What “Testar envio” produced: a report, or why it was not attempted."""

    report: SmtpTestReport | None = None
    refused: str = ""
    password_typed: bool = False


def _routes(company: Company | None) -> list[tuple[str, Route]]:
    """The route of every routine now, for ``company`` (None: a company without its own server)."""
    company_id = company.pk if company else None
    return [
        (routine.label, route_for(routine=routine, company_id=company_id)) for routine in ROUTED
    ]


def _run_test(
    request: HttpRequest,
    page: SmtpPage,
    stored: SmtpSettings | None,
    form: SmtpSettingsForm,
    test_form: SmtpTestForm,
) -> TestOutcome:
    """Validate the typed settings and address, then send one test message; saves nothing."""
    outcome = TestOutcome()
    if not all([form.is_valid(), test_form.is_valid()]):
        return outcome
    outcome.password_typed = bool(form.cleaned_data["password"])
    prepared = call_service(
        form, form.settings_for_test, level=page.level, company=page.company, stored=stored
    )
    if prepared is None:
        return outcome
    candidate, password = prepared
    try:
        outcome.report = call_service(
            test_form,
            smtp_test_send,
            settings=candidate,
            password=password,
            to=test_form.cleaned_data["to"],
            user=request.user,
        )
    except SmtpTestRefused as exc:
        outcome.refused = str(exc)
    return outcome


def _save(
    request: HttpRequest,
    page: SmtpPage,
    form: SmtpSettingsForm,
    option: SwitchForm | None,
    stored: SmtpSettings | None,
) -> bool:
    """“Gravar”: the settings of the level and, on the finance page, its option, together.

    While the level has no settings, a form left blank saves only the option.
    """
    if option is not None and stored is None and form.is_blank():
        _save_option(request, option)
        return True
    if not all([form.is_valid(), option is None or option.is_valid()]):
        return False
    with transaction.atomic():
        saved = call_service(
            form,
            services.smtp_settings_save,
            level=page.level,
            company=page.company,
            **_by(request),
            **form.service_kwargs(),
        )
        if saved is None:
            return False
        if option is not None:
            services.switches_set(**_by(request), **option.values())
    messages.success(request, _("Configuração %(title)s gravada.") % {"title": page.title})
    return True


def _by(request: HttpRequest) -> dict[str, object]:
    """Who is changing a setting, for the audit trail."""
    return {"actor": request.user, "origin": Origin.SCREEN}


def _save_option(request: HttpRequest, option: SwitchForm) -> None:
    option.is_valid()  # a single optional checkbox: always valid
    services.switches_set(**_by(request), **option.values())
    messages.success(request, _("Opção gravada."))


def _option_form(page: SmtpPage, data: object, switches: MailSwitches) -> SwitchForm | None:
    if page.switch is None:
        return None
    initial = {page.switch.name: getattr(switches, page.switch.name)}
    return SwitchForm(data, switch=page.switch, initial=initial)


def smtp_settings_page(request: HttpRequest, page: SmtpPage) -> HttpResponse:
    """GET shows the level; POST ``action`` = ``save`` (“Gravar”) or ``test`` (“Testar envio”,
    which saves nothing). A test answers only the dialog's content when spy.js asks for it
    (header ``X-Spy-Partial``), so the typed password stays in the page."""
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "save")
    stored = page.stored()
    switches = MailSwitches.current()
    form = SmtpSettingsForm(data, initial=smtp_initial(stored))
    option = _option_form(page, data, switches)
    test_form = SmtpTestForm(data if action == "test" else None)
    outcome = TestOutcome()
    if data is not None and action == "test":
        outcome = _run_test(request, page, stored, form, test_form)
        if request.headers.get(PARTIAL_HEADER):
            context = {"form": form, "test_form": test_form, "test": outcome, "partial": True}
            return render(request, "mail/_smtp_test.html", context)
    elif data is not None and _save(request, page, form, option, stored):
        return redirect(page.url)
    context = {
        "page": page,
        "form": form,
        "option": option,
        "test_form": test_form,
        "test": outcome,
        "current": stored,
        "switches": switches,
        "routes": _routes(page.company),
    }
    return render(request, page.template, context)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def smtp_general(request: HttpRequest) -> HttpResponse:
    """Geral / Spy System: the last level of the hierarchy."""
    page = SmtpPage(SmtpLevel.GENERAL, "mail/smtp_general.html", reverse("mail:smtp_general"))
    return smtp_settings_page(request, page)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def smtp_finance(request: HttpRequest) -> HttpResponse:
    """Financeiro / Spy System, with “Utilizar configurações abaixo do servidor SMTP spy system”."""
    page = SmtpPage(
        SmtpLevel.FINANCE,
        "mail/smtp_finance.html",
        reverse("mail:smtp_finance"),
        switch=SWITCHES["use_spy_smtp"],
    )
    return smtp_settings_page(request, page)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def smtp_company(request: HttpRequest, company_id: int) -> HttpResponse:
    """Financeiro / Spy System / Empresas: the server of one company."""
    company = get_object_or_404(Company, pk=company_id)
    page = SmtpPage(
        SmtpLevel.COMPANY,
        "mail/smtp_company.html",
        reverse("mail:smtp_company", args=[company.pk]),
        company=company,
    )
    return smtp_settings_page(request, page)


@require_role(CONFIGURE)
@require_safe
def smtp_company_list(request: HttpRequest) -> HttpResponse:
    """Every company, with its own server or the level it falls back to."""
    page_obj = paginate(request, Company.objects.select_related("smtp_settings").order_by("code"))
    for company in page_obj:
        company.own_smtp = getattr(company, "smtp_settings", None)
    context = {
        "page_obj": page_obj,
        "switches": MailSwitches.current(),
        "finance": SmtpSettings.objects.filter(level=SmtpLevel.FINANCE).first(),
        "general": SmtpSettings.objects.filter(level=SmtpLevel.GENERAL).first(),
    }
    return render(request, "mail/smtp_company_list.html", context)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def smtp_company_delete(request: HttpRequest, company_id: int) -> HttpResponse:
    """“Remover configuração”: the company's messages fall back to the next level."""
    company = get_object_or_404(Company, pk=company_id)
    stored = SmtpSettings.objects.filter(level=SmtpLevel.COMPANY, company=company).first()
    if stored is None:
        messages.info(request, _("Esta empresa não tem servidor SMTP próprio."))
        return redirect("mail:smtp_company_list")
    if request.method == "POST":
        services.smtp_settings_delete(level=SmtpLevel.COMPANY, company=company, **_by(request))
        messages.success(
            request,
            _("Configuração SMTP da empresa %(company)s removida.") % {"company": company.code},
        )
        return redirect("mail:smtp_company_list")
    context = {"company": company, "current": stored}
    return render(request, "mail/smtp_company_confirm_delete.html", context)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def switch_page(request: HttpRequest, switch: str) -> HttpResponse:
    """A page with one option of the manual (“Gerar cobrança por empresa”, …)."""
    spec = SWITCHES[switch]
    switches = MailSwitches.current()
    data = request.POST if request.method == "POST" else None
    form = SwitchForm(data, switch=spec, initial={spec.name: getattr(switches, spec.name)})
    if data is not None:
        _save_option(request, form)
        return redirect(request.path)
    context = {
        "form": form,
        "switch": spec,
        "switches": switches,
        "own_servers": SmtpSettings.objects.filter(level=SmtpLevel.COMPANY).count(),
    }
    return render(request, f"mail/switch_{switch}.html", context)


@require_role(CONFIGURE)
@require_safe
def route_explain(request: HttpRequest) -> HttpResponse:
    """“Quem recebe e por qual servidor”: the Spy recipients and the SMTP route of a choice."""
    form = RouteExplainForm(request.GET if "company" in request.GET else None)
    context: dict = {"form": form}
    if form.is_valid():
        company = form.cleaned_data["company"]
        routine = form.cleaned_data["routine"]
        context |= {
            "company": company,
            "ledger": form.cleaned_data["ledger"],
            "routine": routine,
            "recipients": recipients_for(ledger=form.cleaned_data["ledger"], company_id=company.pk),
            "route": route_for(routine=routine, company_id=company.pk),
        }
    return render(request, "mail/route_explain.html", context)


def _messages(request: HttpRequest) -> QuerySet[Message]:
    return scoped(Message.objects.select_related("company"), request)


@require_role(READ)
@require_safe
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every e-mail the system sends, newest first, filtered by status, routine and company."""
    form = OutboxFilterForm(request.GET, companies=scoped(Company.objects.all(), request, "id"))
    rows = _messages(request).filter(**form.filters()).defer("body_text", "body_html")
    page = paginate(request, rows)
    return render(request, "mail/outbox_list.html", {"form": form, "page_obj": page})


@require_role(READ)
@require_safe
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message with its bodies, its delivery state and the route it would take now."""
    message = get_object_or_404(_messages(request), pk=pk)
    open_states = {MessageStatus.PENDING, MessageStatus.FAILED}
    writable = allows(request, WRITE)
    context = {
        "message": message,
        "can_retry": writable and message.status in RETRYABLE and message.routine != Routine.TEST,
        "can_cancel": writable and message.status in CANCELLABLE,
        "route": route_for(routine=message.routine, company_id=message.company_id)
        if message.status in open_states
        else None,
    }
    return render(request, "mail/outbox_detail.html", context)


@require_role(WRITE)
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Reenviar": back to pending, due now."""
    message = scoped_or_404(Message.objects.all(), request, pk=pk)
    if services.message_retry(message=message):
        messages.success(request, _("Mensagem colocada na fila para reenvio."))
    elif message.routine == Routine.TEST:
        messages.warning(request, services.TEST_NOT_RETRIED)
    else:
        messages.warning(request, _("Esta mensagem não pode ser reenviada na situação atual."))
    return redirect("mail:outbox_detail", pk=pk)


@require_role(WRITE)
@require_POST
def outbox_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cancelar": a pending or failed message will not be sent."""
    message = scoped_or_404(Message.objects.all(), request, pk=pk)
    if services.message_cancel(message=message):
        messages.success(request, _("Envio cancelado."))
    else:
        messages.warning(request, _("Esta mensagem não pode ser cancelada na situação atual."))
    return redirect("mail:outbox_detail", pk=pk)


@dataclass
class ParsedCapture:
    """The parts of a captured MIME message the inbox shows."""

    sender: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: list[str] = field(default_factory=list)


def _body(parsed: EmailMessage, kind: str) -> str:
    part = parsed.get_body((kind,))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken encoding: show what we can
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _date(parsed: EmailMessage) -> datetime | None:
    header = parsed.get("Date")
    try:
        return header.datetime if header is not None else None
    except (AttributeError, ValueError):
        return None


def parse_capture(raw: str) -> ParsedCapture:
    """Decode headers and pick the text and HTML bodies of a raw message."""
    # Parse bytes, not str: 8-bit UTF-8 bodies parsed from a str come back as escape sequences.
    parsed = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)
    return ParsedCapture(
        sender=str(parsed.get("From", "")),
        to=str(parsed.get("To", "")),
        subject=str(parsed.get("Subject", "")),
        date=_date(parsed),
        text=_body(parsed, "plain"),
        html=_body(parsed, "html"),
        attachments=[part.get_filename() or "" for part in parsed.iter_attachments()],
    )


def addressed_to(email_address: str) -> Q:
    """Captured messages whose recipients (``a@x, b@y``) include exactly ``email_address``."""
    if not email_address:
        return Q(pk__in=[])
    return (
        Q(recipients__iexact=email_address)
        | Q(recipients__istartswith=f"{email_address}, ")
        | Q(recipients__iendswith=f", {email_address}")
        | Q(recipients__icontains=f", {email_address}, ")
    )


def _captured(request: HttpRequest) -> QuerySet[CapturedMessage]:
    """Administrators see the whole capture inbox; anyone else only what was sent to them."""
    captured = CapturedMessage.objects.all()
    if access_of(request).can_configure:
        return captured
    return captured.filter(addressed_to(request.user.email))


@require_role(READ)
@require_safe
def captured_list(request: HttpRequest) -> HttpResponse:
    """Messages caught by the demo SMTP server; the page refreshes itself."""
    page = paginate(request, _captured(request).defer("raw"))
    return render(request, "mail/captured_list.html", {"page_obj": page})


@require_role(READ)
@require_safe
def captured_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One captured message: headers, plain text, and the HTML in a sandboxed frame."""
    captured = get_object_or_404(_captured(request), pk=pk)
    context = {"captured": captured, "parsed": parse_capture(captured.raw)}
    return render(request, "mail/captured_detail.html", context)
