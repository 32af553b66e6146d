"""GEEnviaEmailAvisoVencimento: warn customers N days before (and on) a receivable's due date.

A warning that would fall on a weekend or national holiday goes out on the business day
before it. Each (title, due date, offset) is warned once, however often the task runs; a moved
due date is a new warning.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import gettext as _

from spysystem import boleto as core
from spysystem.finance.models import Company, Ledger, Title, TitleStatus
from spysystem.formats import brl, date_br
from spysystem.mail.models import Routine
from spysystem.mail.services import MessageDraft, message_enqueue_many
from spysystem.routines.calendar import days_sent_on
from spysystem.routines.emails import Rendered, render_routine_email
from spysystem.routines.models import Boleto, CompanyRoutineSettings, default_offsets

TEMPLATE_DIR = "routines/email/aviso"


def company_options(company: Company) -> CompanyRoutineSettings:
    return CompanyRoutineSettings.objects.filter(company=company).first() or (
        CompanyRoutineSettings(company=company)
    )


def _due_offsets(as_of: date, offsets: list[int]) -> dict[date, list[int]]:
    """Due date → the offsets whose warning for that due date goes out on ``as_of``."""
    wanted: dict[date, list[int]] = defaultdict(list)
    for day in days_sent_on(as_of):
        for offset in offsets:
            wanted[day + timedelta(days=offset)].append(offset)
    return wanted


def _boleto_and_attachment(title: Title) -> tuple[Boleto | None, tuple]:
    """The title's boleto (codes brought up to date) and its PDF, when it has one."""
    if not Boleto.objects.filter(title=title).exists():
        return None, ()
    from spysystem.routines.boletos import boleto_data, boleto_filename, boleto_issue

    boleto = boleto_issue(title=title)  # codes follow a moved due date or a new amount
    pdf = core.render_pdf([boleto_data(boleto)])
    return boleto, ((boleto_filename(title), "application/pdf", pdf),)


def _render(title: Title, offset: int, boleto: Boleto | None) -> Rendered:
    context = {
        "title": title,
        "company": title.company,
        "party": title.party,
        "offset": offset,
        "amount": brl(title.amount),
        "due_date": date_br(title.due_date),
        "boleto": boleto,
    }
    return render_routine_email(
        routine=Routine.AVISO,
        company_id=title.company_id,
        template_dir=TEMPLATE_DIR,
        context=context,
    )


def _drafts(title: Title, offset: int, reply_to: str, problems: list[str]) -> list[MessageDraft]:
    boleto, files = _boleto_and_attachment(title)
    rendered = _render(title, offset, boleto)
    if rendered.error:
        problems.append(rendered.error)
    subject, text, html = rendered.subject, rendered.text, rendered.html
    return [
        MessageDraft(
            routine=Routine.AVISO,
            company_id=title.company_id,
            dedupe_key=f"aviso:{title.pk}:{title.due_date}:{offset}:{email}",
            to_email=email,
            to_name=title.party.name,
            subject=subject,
            body_text=text,
            body_html=html,
            attachments=files,
            party_id=title.party_id,
            title_ids=(title.pk,),
            reply_to=reply_to,
        )
        for email in title.party.email_list
    ]


def _company_run(company: Company, as_of: date, counts: dict, problems: list[str]) -> None:
    options = company_options(company)
    wanted = _due_offsets(as_of, list(options.aviso_offsets or default_offsets()))
    titles = (
        Title.objects.filter(
            company=company,
            ledger=Ledger.RECEIVABLE,
            status=TitleStatus.OPEN,
            due_date__in=list(wanted),
            party__aviso_opt_out=False,
        )
        .select_related("company", "party")
        .prefetch_related("party__emails")
    )
    for title in titles:
        if not title.party.email_list:
            problems.append(
                _("%(party)s não tem e-mail: título %(doc)s não avisado.")
                % {"party": title.party.name, "doc": f"{title.document}/{title.installment}"}
            )
            continue
        for offset in wanted[title.due_date]:
            counts["titulos"] += 1
            counts["emails"] += message_enqueue_many(
                _drafts(title, offset, options.reply_to, problems)
            )


def aviso_run(as_of: date) -> tuple[dict, list[str]]:
    """Queue the due-date warnings that go out on ``as_of``; returns (counts, problems)."""
    counts = {"titulos": 0, "emails": 0}
    problems: list[str] = []
    for company in Company.objects.all():
        _company_run(company, as_of, counts, problems)
    return counts, problems
