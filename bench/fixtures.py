"""Benchmark data, written through the product's services where a person's write would be.

Bulk rows (titles, queued messages) go in with ``bulk_create``/``message_enqueue_many``: creating a
title is not a watched event, and enqueueing is the product's own path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone

from spysystem.finance import services as finance
from spysystem.finance.documents import cnpj_check_digits, cpf_check_digits
from spysystem.finance.models import Company, Ledger, Party, Title
from spysystem.mail.models import Routine, SmtpState
from spysystem.mail.services import MessageDraft, message_enqueue_many, smtp_settings_save
from spysystem.watch.context import Origin
from spysystem.watch.emails import spy_change_email
from spysystem.watch.models import Change
from spysystem.watch.services import recipients_set

COMPANIES = 20
SENDER = "spy@empresa.com.br"
SENDER_NAME = "Spy System"
CONTROLLER = "controller@empresa.com.br"


@dataclass(frozen=True)
class Content:
    """One real Spy e-mail (subject, text, HTML), reused for every queued message."""

    subject: str
    text: str
    html: str


def base_data() -> None:
    """20 companies, one supplier and one controller who receives every Spy e-mail of payables."""
    for n in range(1, COMPANIES + 1):
        base = f"{n:08d}0001"
        finance.company_create(
            code=f"E{n:02d}", name=f"Empresa {n} Ltda", cnpj=base + cnpj_check_digits(base)
        )
    finance.party_create(
        name="Fornecedor Exemplo Ltda",
        document="123456789" + cpf_check_digits("123456789"),
        emails=["fornecedor@example.com"],
    )
    user = finance.user_create(
        username="controller", email=CONTROLLER, first_name="Carla", last_name="Controladora"
    )
    recipients_set(config={Ledger.PAYABLE: {"default": [user.pk], "companies": {}}})


def titles_create(*, prefix: str, count: int) -> list[int]:
    """``count`` open payables spread over the companies; returns their ids in creation order."""
    companies = list(Company.objects.order_by("id"))
    party = Party.objects.get()
    rows = [
        Title(
            ledger=Ledger.PAYABLE,
            company=companies[i % len(companies)],
            party=party,
            document=f"{prefix}{i:06d}",
            installment=1,
            issue_date=date(2026, 11, 1),
            due_date=date(2026, 12, 10),
            amount=Decimal("1000.00"),
            description="Serviços de manutenção",
        )
        for i in range(count)
    ]
    Title.objects.bulk_create(rows, batch_size=500)
    return list(
        Title.objects.filter(document__startswith=prefix)
        .order_by("id")
        .values_list("id", flat=True)
    )


def changes_settle() -> None:
    """Mark every captured change as fanned out, so a worker started next sees no backlog."""
    Change.objects.filter(fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())


def smtp_use(*, port: int, max_connections: int) -> None:
    """Point the general level at the sink on ``port`` and forget rate and connection state."""
    smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=port,
        security="none",
        from_email=SENDER,
        from_name=SENDER_NAME,
        timeout=30,
        max_connections=max_connections,
        max_per_minute=100000,
    )
    SmtpState.objects.all().delete()


@cache
def spy_content() -> Content:
    """Render the Spy e-mail of one real change of amount (the typical message), once."""
    title_id = titles_create(prefix="CONTENT", count=1)[0]
    title = Title.objects.get(pk=title_id)
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("10000.00"))
    change = Change.objects.filter(title_id=title_id).latest("id")
    subject, text, html = spy_change_email(change=change)
    changes_settle()
    return Content(subject=subject, text=text, html=html)


def recipient(i: int) -> str:
    return f"destinatario{i}@example.com"


def outbox_fill(*, tag: str, count: int, content: Content) -> None:
    """Queue ``count`` Spy e-mails through the product's enqueue path."""
    with transaction.atomic():
        for start in range(0, count, 1000):
            message_enqueue_many(
                [
                    MessageDraft(
                        routine=Routine.SPY,
                        dedupe_key=f"bench:{tag}:{i}",
                        to_email=recipient(i),
                        subject=content.subject,
                        body_text=content.text,
                        body_html=content.html,
                    )
                    for i in range(start, min(start + 1000, count))
                ]
            )


def post_office_fill(*, count: int, content: Content) -> None:
    """Queue the same e-mails in django-post-office (its own ``send_many``)."""
    from post_office import mail
    from post_office.models import Email

    Email.objects.all().delete()
    sender = f"{SENDER_NAME} <{SENDER}>"
    for start in range(0, count, 1000):
        mail.send_many(
            [
                {
                    "recipients": [recipient(i)],
                    "sender": sender,
                    "subject": content.subject,
                    "message": content.text,
                    "html_message": content.html,
                }
                for i in range(start, min(start + 1000, count))
            ]
        )
