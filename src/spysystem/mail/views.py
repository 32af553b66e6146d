"""E-mail screens: Geral / Spy System (SMTP), the e-mail log, and the demo capture inbox."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from spysystem.mail import services
from spysystem.mail.forms import OutboxFilterForm, SmtpSettingsForm, smtp_initial
from spysystem.mail.models import (
    CapturedMessage,
    Message,
    MessageStatus,
    Routine,
    SmtpLevel,
    SmtpSettings,
)
from spysystem.mail.routing import route_for
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import staff_required

RETRYABLE = {MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.PENDING}
CANCELLABLE = {MessageStatus.PENDING, MessageStatus.FAILED}


def _level_settings(level: str) -> SmtpSettings | None:
    return SmtpSettings.objects.filter(level=level, company__isnull=True).first()


@staff_required
@require_http_methods(["GET", "POST"])
def smtp_general(request: HttpRequest) -> HttpResponse:
    """The general-level SMTP server; shows which level the Spy e-mails use now, and why."""
    current = _level_settings(SmtpLevel.GENERAL)
    form = SmtpSettingsForm(request.POST or None, initial=smtp_initial(current))
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, services.smtp_settings_save, level=SmtpLevel.GENERAL, **form.service_kwargs()
        )
        if saved is not None:
            messages.success(request, _("Configuração Geral / Spy System gravada."))
            return redirect("mail:smtp_general")
    context = {
        "form": form,
        "current": current,
        "route": route_for(routine=Routine.SPY, company_id=None),
    }
    return render(request, "mail/smtp_general.html", context)


@login_required
@require_safe
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every e-mail the system sends, newest first, filtered by status, routine and company."""
    form = OutboxFilterForm(request.GET)
    rows = (
        Message.objects.select_related("company")
        .filter(**form.filters())
        .defer("body_text", "body_html")
    )
    page = paginate(request, rows)
    return render(request, "mail/outbox_list.html", {"form": form, "page_obj": page})


@login_required
@require_safe
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message with its bodies, its delivery state and the route it would take now."""
    message = get_object_or_404(Message.objects.select_related("company"), pk=pk)
    open_states = {MessageStatus.PENDING, MessageStatus.FAILED}
    context = {
        "message": message,
        "can_retry": message.status in RETRYABLE,
        "can_cancel": message.status in CANCELLABLE,
        "route": route_for(routine=message.routine, company_id=message.company_id)
        if message.status in open_states
        else None,
    }
    return render(request, "mail/outbox_detail.html", context)


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Reenviar": back to pending, due now."""
    message = get_object_or_404(Message, pk=pk)
    if services.message_retry(message=message):
        messages.success(request, _("Mensagem colocada na fila para reenvio."))
    else:
        messages.warning(request, _("Esta mensagem não pode ser reenviada na situação atual."))
    return redirect("mail:outbox_detail", pk=pk)


@login_required
@require_POST
def outbox_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cancelar": a pending or failed message will not be sent."""
    message = get_object_or_404(Message, pk=pk)
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


@login_required
@require_safe
def captured_list(request: HttpRequest) -> HttpResponse:
    """Messages caught by the demo SMTP server; the page refreshes itself."""
    page = paginate(request, CapturedMessage.objects.defer("raw"))
    return render(request, "mail/captured_list.html", {"page_obj": page})


@login_required
@require_safe
def captured_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One captured message: headers, plain text, and the HTML in a sandboxed frame."""
    captured = get_object_or_404(CapturedMessage, pk=pk)
    context = {"captured": captured, "parsed": parse_capture(captured.raw)}
    return render(request, "mail/captured_detail.html", context)
