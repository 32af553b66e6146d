"""GEEnviaEmailAvisoVencimento: warn customers N days before (and on) a receivable's due date.

A warning that would fall on a weekend or national holiday goes out on the business day
before it. Each (title, due date, offset) is warned once, however often the task runs; a moved
due date is a new warning.

The titles are handled company by company, ``CHUNK`` titles at a time, each chunk in one
transaction: a few queries load the titles, their customers and e-mails, their boletos and the
warnings already queued (nothing is rendered for those); the e-mails are rendered from the
company's templates compiled once (``RoutineRenderer``) and queued with one
``message_enqueue_many``. Memory stays bounded by the chunk, a chunk's e-mails are committed
outbox rows as soon as it ends, and a company that fails costs the others none of their
warnings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from spysystem import boleto as core
from spysystem.finance.models import Company, Ledger, Party, Title, TitleStatus
from spysystem.formats import brl, date_br
from spysystem.mail.models import Routine
from spysystem.mail.services import MessageDraft, existing_keys, message_enqueue_many
from spysystem.routines.boletos import (
    RoutineError,
    boleto_current,
    boleto_data,
    boleto_filename,
    boleto_issue,
)
from spysystem.routines.calendar import days_sent_on
from spysystem.routines.emails import Rendered, RoutineRenderer
from spysystem.routines.models import Boleto, CompanyRoutineSettings, default_offsets

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "routines/email/aviso"
CHUNK = 500  # titles per transaction: bounded memory, a handful of queries each


def company_options(company: Company) -> CompanyRoutineSettings:
    return CompanyRoutineSettings.objects.filter(company=company).first() or (
        CompanyRoutineSettings(company=company)
    )


def _due_offsets(as_of: date, offsets: list[int]) -> dict[date, int]:
    """Due date → the offset whose warning for that due date goes out on ``as_of``: one per due
    date, the smallest when a weekend or holiday brings two of them to the same day (a customer
    gets one warning a day for a title, not "vence em 1 dia" and "vence hoje" together)."""
    wanted: dict[date, int] = {}
    for day in days_sent_on(as_of):
        for offset in offsets:
            due = day + timedelta(days=offset)
            wanted[due] = min(offset, wanted.get(due, offset))
    return wanted


@dataclass
class _Company:
    """What every chunk of one company's run shares."""

    company: Company
    as_of: date
    wanted: dict[date, int]  # due date → the offset warned for it on ``as_of``
    reply_to: str
    renderer: RoutineRenderer


@dataclass
class _Outcome:
    """What one chunk did: warnings due, e-mails newly queued, problems."""

    titulos: int = 0
    emails: int = 0
    problems: list[str] = field(default_factory=list)


def aviso_run(as_of: date) -> tuple[dict, list[str]]:
    """Queue the due-date warnings that go out on ``as_of``; returns (counts, problems).

    ``counts``: ``titulos``, the warnings due (one per title a day, for customers with
    e-mail, queued now or before) and ``emails``, the e-mails queued now. A company that fails
    is logged and listed among the problems — its chunks committed before the failure stay
    queued, a later run queues the rest — and the other companies go on; the run raises only
    when every company failed.
    """
    counts = {"titulos": 0, "emails": 0}
    problems: list[str] = []
    companies = list(Company.objects.order_by("pk"))
    failures = [exc for c in companies if (exc := _company_guarded(c, as_of, counts, problems))]
    if companies and len(failures) == len(companies):
        raise failures[0]
    return counts, list(dict.fromkeys(problems))


def _company_guarded(
    company: Company, as_of: date, counts: dict, problems: list[str]
) -> Exception | None:
    try:
        _company_run(company, as_of, counts, problems)
    except Exception as exc:  # one company's failure must not cost the others their warnings
        logger.exception("aviso: company %s failed", company.code)
        problems.append(
            _("Empresa %(company)s: avisos interrompidos por um erro (%(error)s).")
            % {"company": company.code, "error": f"{type(exc).__name__}: {exc}"}
        )
        return exc
    return None


def _company_run(company: Company, as_of: date, counts: dict, problems: list[str]) -> None:
    with transaction.atomic():  # a failure here leaves a caller's transaction usable
        started = _company_start(company, as_of)
    if started is None:
        return
    shared, ids = started
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            outcome = _chunk_run(shared, ids[start : start + CHUNK])
        counts["titulos"] += outcome.titulos
        counts["emails"] += outcome.emails
        problems += outcome.problems


def _company_start(company: Company, as_of: date) -> tuple[_Company, list[int]] | None:
    """What the company's chunks share and the ids of its titles due a warning (in order);
    None when there are none."""
    options = company_options(company)
    wanted = _due_offsets(as_of, list(options.aviso_offsets or default_offsets()))
    ids = list(_open_titles(company, wanted).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return None
    renderer = RoutineRenderer(
        routine=Routine.AVISO, company_id=company.pk, template_dir=TEMPLATE_DIR
    )
    return _Company(company, as_of, wanted, options.reply_to, renderer), ids


def _open_titles(company: Company, wanted: dict[date, int]) -> QuerySet[Title]:
    return Title.objects.filter(
        company=company,
        ledger=Ledger.RECEIVABLE,
        status=TitleStatus.OPEN,
        due_date__in=list(wanted),
        party__aviso_opt_out=False,
    )


def _chunk_run(shared: _Company, ids: list[int]) -> _Outcome:
    """Queue the warnings of the titles ``ids`` (still open, due, not opted out)."""
    titles, emails, boletos = _load(shared, ids)
    keys = {title.pk: _keys(title, emails[title.party_id], shared) for title in titles}
    queued = existing_keys([key for by_email in keys.values() for key in by_email.values()])
    outcome, drafts = _Outcome(), []
    for title in titles:
        missing = {email: k for email, k in keys[title.pk].items() if k not in queued}
        drafts += _title_drafts(
            title, keys[title.pk], missing, boletos.get(title.pk), shared, outcome
        )
    outcome.emails = message_enqueue_many(drafts)
    return outcome


def _load(
    shared: _Company, ids: list[int]
) -> tuple[list[Title], dict[int, list[str]], dict[int, Boleto]]:
    """The chunk's titles (company and customer set: one ``Party`` per customer), each
    customer's e-mails and the titles' boletos, in four queries."""
    titles = list(_open_titles(shared.company, shared.wanted).filter(pk__in=ids).order_by("pk"))
    parties = Party.objects.filter(pk__in={t.party_id for t in titles}).prefetch_related("emails")
    by_pk = {party.pk: party for party in parties}
    for title in titles:
        title.company, title.party = shared.company, by_pk[title.party_id]
    boletos = Boleto.objects.filter(title_id__in=ids).select_related("bank_account")
    emails = {pk: party.email_list for pk, party in by_pk.items()}
    return titles, emails, {boleto.title_id: boleto for boleto in boletos}


def _keys(title: Title, emails: list[str], shared: _Company) -> dict[str, str]:
    """E-mail → dedupe key of the warning of ``title`` due now, per address."""
    offset = shared.wanted[title.due_date]
    return {email: f"aviso:{title.pk}:{title.due_date}:{offset}:{email}" for email in emails}


def _title_drafts(
    title: Title,
    keys: dict[str, str],
    missing: dict[str, str],
    boleto: Boleto | None,
    shared: _Company,
    outcome: _Outcome,
) -> list[MessageDraft]:
    """The warnings of ``title`` not queued yet (``missing``; nothing rendered when none)."""
    if not keys:
        outcome.problems.append(
            _("%(party)s não tem e-mail: título %(doc)s não avisado.")
            % {"party": title.party.name, "doc": f"{title.document}/{title.installment}"}
        )
        return []
    outcome.titulos += 1
    if not missing:
        return []
    try:
        boleto, files = _boleto_and_attachment(title, boleto)
    except (RoutineError, ValidationError) as exc:  # this title only; the others go on
        outcome.problems.append(_boleto_problem(title, exc))
        return []
    return _drafts(title, missing, boleto, files, shared, outcome)


def _boleto_problem(title: Title, exc: Exception) -> str:
    return _("Título %(doc)s não avisado: o boleto não pôde ser atualizado (%(error)s).") % {
        "doc": f"{title.document}/{title.installment}",
        "error": getattr(exc, "message", str(exc)),
    }


def _boleto_and_attachment(title: Title, boleto: Boleto | None) -> tuple[Boleto | None, tuple]:
    """The title's boleto (codes brought up to date) and its PDF, when it has one."""
    if boleto is None:
        return None, ()
    if not boleto_current(boleto, title):
        boleto = boleto_issue(title=title)  # codes follow a moved due date or a new amount
    boleto.title = title
    pdf = core.render_pdf([boleto_data(boleto)])
    return boleto, ((boleto_filename(title), "application/pdf", pdf),)


def _drafts(
    title: Title,
    missing: dict[str, str],
    boleto: Boleto | None,
    files: tuple,
    shared: _Company,
    outcome: _Outcome,
) -> list[MessageDraft]:
    """The warnings ``missing``: one rendering (a title has one warning a day), shared by the
    customer's addresses."""
    rendered = shared.renderer.render(_context(title, shared.as_of, boleto))
    if rendered.error:
        outcome.problems.append(rendered.error)
    return [
        _draft(title, key, email, rendered, files, shared.reply_to)
        for email, key in missing.items()
    ]


def _draft(
    title: Title, key: str, email: str, rendered: Rendered, files: tuple, reply_to: str
) -> MessageDraft:
    return MessageDraft(
        routine=Routine.AVISO,
        company_id=title.company_id,
        dedupe_key=key,
        to_email=email,
        to_name=title.party.name,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=files,
        party_id=title.party_id,
        title_ids=(title.pk,),
        reply_to=reply_to,
    )


def _context(title: Title, as_of: date, boleto: Boleto | None) -> dict:
    # ``offset`` is what the e-mail says: the days really left (a warning moved back from a
    # weekend or holiday is sent earlier than its configured offset).
    return {
        "title": title,
        "company": title.company,
        "party": title.party,
        "offset": (title.due_date - as_of).days,
        "amount": brl(title.amount),
        "due_date": date_br(title.due_date),
        "boleto": boleto,
    }
