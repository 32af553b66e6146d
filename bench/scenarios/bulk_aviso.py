"""``bulk_aviso_100k_s``, ``bulk_aviso_vs_insert``: the due-date warning task against a bare
bulk INSERT of the same outbox rows.

Open receivables due five days after a business day (``AS_OF``) across the 20 companies, each
customer with one e-mail: the task GEEnviaEmailAvisoVencimento (through the scheduler's registry,
as the worker runs it) queues one warning per title. The baseline inserts the same rows again
(same table, same sizes, new keys) with one ``bulk_create`` in one transaction.

Scaled down: ``SAMPLE`` titles instead of 100,000 (the task's cost is per title, so
``bulk_aviso_100k_s`` is the measured time × 100,000 / ``SAMPLE``; the ratio needs no scaling).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from bench.context import Bench
from bench.fixtures import COMPANIES
from spysystem.finance import services as finance
from spysystem.finance.documents import cpf_check_digits
from spysystem.finance.models import Company, Ledger, Party, Title
from spysystem.mail.models import Message, Routine

SAMPLE = 10_000
AS_OF = date(2026, 3, 2)  # a Monday; the 5-day warnings of titles due on 7 March go out on it
CUSTOMERS = 100
TASK = "GEEnviaEmailAvisoVencimento"


def _customers() -> list[Party]:
    parties = []
    for n in range(CUSTOMERS):
        base = f"{700000000 + n:09d}"
        parties.append(
            finance.party_create(
                name=f"Cliente {n} Ltda",
                document=base + cpf_check_digits(base),
                emails=[f"cliente{n}@example.com"],
            )
        )
    return parties


def _receivables(count: int) -> None:
    companies = list(Company.objects.order_by("id")[:COMPANIES])
    parties = _customers()
    due = AS_OF + timedelta(days=5)
    Title.objects.bulk_create(
        [
            Title(
                ledger=Ledger.RECEIVABLE,
                company=companies[i % len(companies)],
                party=parties[i % len(parties)],
                document=f"AV{i:06d}",
                installment=1,
                issue_date=AS_OF - timedelta(days=25),
                due_date=due,
                amount=Decimal("1530.25"),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def _insert_baseline() -> float:
    fields = ["routine", "company_id", "to_email", "to_name", "subject", "body_text", "body_html"]
    rows = [
        Message(dedupe_key=f"copy:{n}", **values)
        for n, values in enumerate(Message.objects.filter(routine=Routine.AVISO).values(*fields))
    ]
    started = time.perf_counter()
    with transaction.atomic():
        Message.objects.bulk_create(rows, batch_size=1000)
    return time.perf_counter() - started


def run(bench: Bench) -> dict:
    try:
        from spysystem.routines.scheduler import registry

        task = registry()[TASK]
    except (ImportError, KeyError):
        missing = f"not measured: task {TASK} not built yet"
        return {"bulk_aviso_100k_s": missing, "bulk_aviso_vs_insert": missing}
    count = int(bench.scaled(SAMPLE, minimum=100))
    _receivables(count)
    Message.objects.all().delete()
    started = time.perf_counter()
    counts, problems = task(AS_OF)
    seconds = time.perf_counter() - started
    queued = Message.objects.filter(routine=Routine.AVISO).count()
    if queued != count:
        raise RuntimeError(f"{TASK} queued {queued} of {count} warnings: {problems[:3]}")
    insert_seconds = _insert_baseline()
    bench.details["bulk_aviso"] = {
        "titles": count,
        "task_seconds": round(seconds, 2),
        "bulk_insert_seconds": round(insert_seconds, 2),
        "task_counts": counts,
        "scaled_from": f"{count} titles × {100_000 / count:g}",
    }
    return {
        "bulk_aviso_100k_s": round(seconds * 100_000 / count, 1),
        "bulk_aviso_vs_insert": round(seconds / insert_seconds, 2),
    }
