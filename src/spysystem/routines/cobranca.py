"""GEAtualizaCobranca / “Atualizar cobranças” / “E-mail de cobrança”: one consolidated e-mail per
customer with all their overdue titles, updated with fine and interest.

A title due on a weekend or holiday is paid without charges on the next business day, so it
is overdue only after that day (its fine and interest then count from the due date itself).
Customers are grouped per company when “Gerar cobrança por empresa” is on, else across the
group. A customer gets the e-mail of a collection level (days overdue of their oldest title:
1, 7, 15, 30 by default) once per level and per overdue episode, however often the task runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spysystem import boleto as core
from spysystem.finance.models import BankAccount, Ledger, Title, TitleStatus
from spysystem.formats import brl, date_br
from spysystem.mail.models import MailSwitches, Routine
from spysystem.mail.services import MessageDraft, message_enqueue_many
from spysystem.routines.aviso import company_options
from spysystem.routines.calendar import next_business_day
from spysystem.routines.emails import render_routine_email
from spysystem.routines.models import Boleto, default_levels

TEMPLATE_DIR = "routines/email/cobranca"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OverdueLine:
    title: Title
    days: int
    fine: Decimal
    interest: Decimal

    @property
    def updated(self) -> Decimal:
        return self.title.amount + self.fine + self.interest


def updated_amount(title: Title, as_of: date, account: BankAccount | None) -> OverdueLine:
    """Amount plus the fine (once) and simple daily interest (monthly rate ÷ 30) to ``as_of``."""
    days = (as_of - title.due_date).days
    fine_rate = account.fine_percent if account else Decimal(0)
    interest_rate = account.interest_month_percent if account else Decimal(0)
    fine = (title.amount * fine_rate / 100).quantize(CENT, ROUND_HALF_UP)
    interest = (title.amount * interest_rate / 100 * days / 30).quantize(CENT, ROUND_HALF_UP)
    return OverdueLine(title, days, fine, interest)


def _overdue(as_of: date):
    return (
        Title.objects.filter(
            ledger=Ledger.RECEIVABLE,
            status=TitleStatus.OPEN,
            due_date__lt=as_of,
            party__cobranca_opt_out=False,
        )
        .select_related("company", "party")
        .prefetch_related("party__emails")
        .order_by("due_date", "id")
    )


def _level(days: int, levels: list[int]) -> int | None:
    reached = [level for level in levels if level <= days]
    return max(reached) if reached else None


def _accounts() -> dict[int, BankAccount]:
    return {a.company_id: a for a in BankAccount.objects.filter(is_default=True)}


def _attachments(titles: list[Title], problems: list[str]) -> tuple:
    """The PDF of the boletos the titles already have, brought up to date. A boleto that cannot
    be (a due date typed outside FEBRABAN's window, say) is left out and listed in
    ``problems``: the e-mail and the customer's other boletos still go."""
    from spysystem.routines.boletos import RoutineError, boleto_data, boleto_issue

    pages = []
    for title in (t for t in titles if Boleto.objects.filter(title=t).exists()):
        try:
            pages.append(boleto_data(boleto_issue(title=title)))
        except (RoutineError, ValidationError) as exc:
            problems.append(_boleto_left_out(title, exc))
    if not pages:
        return ()
    return (("boletos.pdf", "application/pdf", core.render_pdf(pages)),)


def _boleto_left_out(title: Title, exc: Exception) -> str:
    return _("Cobrança de %(party)s sem o boleto do título %(doc)s (%(error)s).") % {
        "party": title.party.name,
        "doc": f"{title.document}/{title.installment}",
        "error": getattr(exc, "message", str(exc)),
    }


def _group_drafts(
    titles: list[Title], as_of: date, company_id, accounts, problems: list[str]
) -> list[MessageDraft]:
    party, oldest = titles[0].party, titles[0]
    options = company_options(oldest.company)
    level = _level(
        (as_of - oldest.due_date).days, list(options.cobranca_levels or default_levels())
    )
    if level is None:
        return []
    lines = [updated_amount(t, as_of, accounts.get(t.company_id)) for t in titles]
    context = {
        "party": party,
        "level": level,
        "lines": [
            {
                "title": line.title,
                "due_date": date_br(line.title.due_date),
                "days": line.days,
                "amount": brl(line.title.amount),
                "charges": brl(line.fine + line.interest),
                "updated": brl(line.updated),
            }
            for line in lines
        ],
        "total": brl(sum((line.updated for line in lines), Decimal(0))),
        "company": oldest.company if company_id else None,
        "as_of": date_br(as_of),
    }
    rendered = render_routine_email(
        routine=Routine.COBRANCA,
        company_id=company_id,
        template_dir=TEMPLATE_DIR,
        context=context,
    )
    if rendered.error:
        problems.append(rendered.error)
    subject, text, html = rendered.subject, rendered.text, rendered.html
    files = _attachments(titles, problems)
    scope = company_id or "grupo"
    return [
        MessageDraft(
            routine=Routine.COBRANCA,
            company_id=company_id,
            dedupe_key=f"cobranca:{party.pk}:{scope}:{level}:{oldest.due_date}:{email}",
            to_email=email,
            to_name=party.name,
            subject=subject,
            body_text=text,
            body_html=html,
            attachments=files,
            party_id=party.pk,
            title_ids=tuple(t.pk for t in titles),
            reply_to=options.reply_to,
        )
        for email in party.email_list
    ]


def cobranca_run(as_of: date) -> tuple[dict, list[str]]:
    """Queue the collection e-mails due on ``as_of``; returns (counts, problems)."""
    per_company = MailSwitches.current().cobranca_por_empresa
    groups: dict[tuple, list[Title]] = defaultdict(list)
    for title in _overdue(as_of):
        if next_business_day(title.due_date) >= as_of:  # due on a holiday: payable until then
            continue
        groups[(title.party_id, title.company_id if per_company else None)].append(title)
    counts, problems, accounts = {"clientes": 0, "titulos": 0, "emails": 0}, [], _accounts()
    for (_party_id, company_id), titles in groups.items():
        party = titles[0].party
        if not party.email_list:
            problems.append(
                _("%(party)s não tem e-mail: cobrança de %(n)d título(s) não enviada.")
                % {"party": party.name, "n": len(titles)}
            )
            continue
        found: list[str] = []  # told once: with the e-mail, not on every later run
        created = message_enqueue_many(_group_drafts(titles, as_of, company_id, accounts, found))
        if created:
            problems += found
            counts["clientes"] += 1
            counts["titulos"] += len(titles)
            counts["emails"] += created
    return counts, problems
