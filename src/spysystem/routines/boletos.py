"""The boleto routines of the manual: issue (allocate the nosso número), print, e-mail, re-send.

"Impressão de boleto", "Imprimir boletos", "Emitir boletos" and "Reenvio de boletos/notas dos
títulos selecionados" all come down to the functions here; every e-mail goes through the outbox
with routine ``boleto`` (so it follows the SMTP hierarchy), the PDF attached.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem import boleto as core
from spysystem.finance.models import BankAccount, Ledger, Title, TitleStatus
from spysystem.formats import brl, date_br
from spysystem.mail.models import Routine
from spysystem.mail.services import MessageDraft, message_enqueue_many
from spysystem.routines.emails import render_routine_email
from spysystem.routines.models import Boleto

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "routines/email/boleto"


class RoutineError(Exception):
    """A title the routine cannot handle; ``message`` says why, in Portuguese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_title(title: Title) -> None:
    if title.ledger != Ledger.RECEIVABLE:
        raise RoutineError(_("Boleto só existe para títulos a receber."))
    if title.status != TitleStatus.OPEN:
        raise RoutineError(_("O título não está em aberto."))


def _account_for(title: Title) -> BankAccount:
    account = BankAccount.objects.filter(company_id=title.company_id, is_default=True).first()
    if account is None:
        raise RoutineError(
            _("A empresa %(company)s não tem conta bancária para boleto.")
            % {"company": title.company.code}
        )
    return account


def core_account(account: BankAccount) -> core.BankAccount:
    """The pure-Python account the FEBRABAN core computes with."""
    return core.BankAccount(
        bank_code=account.bank_code,
        agency=account.agency,
        agency_dv=account.agency_dv,
        account=account.account,
        account_dv=account.account_dv,
        wallet=account.wallet,
        agreement=account.agreement,
        extras=dict(account.extras or {}),
    )


def _compute(account: BankAccount, our_number: int, title: Title) -> core.ComputedBoleto:
    try:
        return core.compute(
            account=core_account(account),
            nosso_numero=str(our_number),
            due_date=title.due_date,
            amount=title.amount,
            reference_date=timezone.localdate(),
        )
    except core.BoletoError as exc:
        raise RoutineError(exc.message) from exc


def boleto_current(boleto: Boleto, title: Title) -> bool:
    """True when ``boleto`` needs no new codes for ``title``: same due date and amount, or
    bank-issued (never recomputed)."""
    same = boleto.due_date == title.due_date and boleto.amount == title.amount
    return same or boleto.bank_issued


@transaction.atomic
def boleto_issue(*, title: Title) -> Boleto:
    """The title's boleto, allocating the next nosso número on first issue.

    The number is taken under a row lock in this transaction: a failure rolls it back, so
    numbers have no gaps and never repeat. A title whose amount or due date changed gets new
    codes with the same number; a bank-issued boleto is never recomputed.
    """
    _check_title(title)
    existing = Boleto.objects.filter(title=title).select_related("bank_account").first()
    if existing and boleto_current(existing, title):
        return existing
    if existing:
        return _recompute(existing, title)
    account = BankAccount.objects.select_for_update().get(pk=_account_for(title).pk)
    computed = _compute(account, account.next_our_number, title)
    boleto = Boleto.objects.create(
        title=title,
        bank_account=account,
        our_number=account.next_our_number,
        **_codes(computed, title),
    )
    BankAccount.objects.filter(pk=account.pk).update(next_our_number=account.next_our_number + 1)
    return boleto


def _codes(computed: core.ComputedBoleto, title: Title) -> dict:
    return {
        "our_number_formatted": computed.nosso_numero_formatted,
        "barcode": computed.barcode.barcode,
        "digitable_line": computed.barcode.formatted_line,
        "due_date": title.due_date,
        "amount": title.amount,
    }


def _recompute(boleto: Boleto, title: Title) -> Boleto:
    computed = _compute(boleto.bank_account, boleto.our_number, title)
    for name, value in _codes(computed, title).items():
        setattr(boleto, name, value)
    boleto.save()
    return boleto


def _party(name: str, document: str, address: str = "") -> core.Party:
    return core.Party(name=name, document=document, address=(address,) if address else ())


def boleto_data(boleto: Boleto) -> core.BoletoData:
    """What the PDF page shows for ``boleto``."""
    title, account = boleto.title, boleto.bank_account
    computed = _compute(account, boleto.our_number, title)
    fine = _("Multa de %(fine)s%% após o vencimento; juros de %(interest)s%% ao mês.") % {
        "fine": str(account.fine_percent).replace(".", ","),
        "interest": str(account.interest_month_percent).replace(".", ","),
    }
    return core.BoletoData.from_computed(
        computed,
        beneficiary=_party(
            account.beneficiary_name, account.beneficiary_document, account.beneficiary_address
        ),
        payer=_party(title.party.name, title.party.document),
        document_number=f"{title.document}/{title.installment}",
        document_date=title.issue_date,
        processing_date=timezone.localdate(),
        instructions=tuple(line for line in account.instructions.splitlines() if line.strip()),
        fine_interest=fine if account.fine_percent or account.interest_month_percent else "",
    )


def boletos_pdf(*, titles: list[Title]) -> bytes:
    """One PDF with the boletos of ``titles`` (issuing them when needed), one per page."""
    boletos = [boleto_issue(title=title) for title in titles]
    return core.render_pdf([boleto_data(b) for b in boletos])


def boleto_filename(title: Title) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in title.document)
    return f"boleto-{safe}-{title.installment}.pdf"


def _emails(title: Title) -> list[str]:
    emails = title.party.email_list
    if not emails:
        raise RoutineError(_("%(party)s não tem e-mail cadastrado.") % {"party": title.party.name})
    return emails


def _render(title: Title, boleto: Boleto) -> tuple[str, str, str]:
    context = {
        "title": title,
        "company": title.company,
        "party": title.party,
        "boleto": boleto,
        "amount": brl(title.amount),
        "due_date": date_br(title.due_date),
    }
    rendered = render_routine_email(
        routine=Routine.BOLETO,
        company_id=title.company_id,
        template_dir=TEMPLATE_DIR,
        context=context,
    )
    if rendered.error:
        logger.warning("boleto e-mail of title %s: %s", title.pk, rendered.error)
    return rendered.subject, rendered.text, rendered.html


def _attachments(title: Title, boleto: Boleto, *, with_documents: bool) -> tuple:
    files = [(boleto_filename(title), "application/pdf", core.render_pdf([boleto_data(boleto)]))]
    if with_documents:
        files += [(d.filename, d.content_type, bytes(d.content)) for d in title.documents.all()]
    return tuple(files)


@transaction.atomic
def boleto_email_enqueue(*, title: Title, resend: bool = False) -> int:
    """Issue the title's boleto and queue one e-mail per address of the customer, PDF attached.

    The first send of a boleto is idempotent (emitting twice sends once); a re-send
    (``resend=True``) always queues new messages and also attaches the title's documents.
    Raises ``RoutineError`` — and allocates nothing — when the customer has no e-mail.
    """
    emails = _emails(title)
    boleto = boleto_issue(title=title)
    subject, text, html = _render(title, boleto)
    files = _attachments(title, boleto, with_documents=resend)
    send_key = uuid.uuid4().hex[:12] if resend else f"{boleto.due_date}:{boleto.amount:.2f}"
    drafts = [
        MessageDraft(
            routine=Routine.BOLETO,
            company_id=title.company_id,
            dedupe_key=f"boleto:{boleto.pk}:{send_key}:{email}",
            to_email=email,
            to_name=title.party.name,
            subject=subject,
            body_text=text,
            body_html=html,
            attachments=files,
            party_id=title.party_id,
            title_ids=(title.pk,),
        )
        for email in emails
    ]
    return message_enqueue_many(drafts)


@dataclass
class RunResult:
    """What a routine did, title by title."""

    queued: int = 0
    done: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _each(titles: list[Title], action) -> RunResult:
    result = RunResult()
    for title in titles:
        try:
            result.queued += action(title)
            result.done.append(title.pk)
        except (RoutineError, ValidationError) as exc:
            result.errors.append((title.pk, getattr(exc, "message", str(exc))))
    return result


def boletos_emit(*, titles: list[Title]) -> RunResult:
    """ "Emitir boletos": for each title, allocate, render and e-mail; one bad title does not
    stop the others (its error is listed)."""
    return _each(titles, lambda title: boleto_email_enqueue(title=title))


def boletos_resend(*, titles: list[Title]) -> RunResult:
    """ "Reenvio de boletos/notas dos títulos selecionados": the boleto and the title's documents
    again, as new messages."""
    return _each(titles, lambda title: boleto_email_enqueue(title=title, resend=True))
