"""Shared fixtures: personas, small factories, real SMTP sinks and an outside DB connection."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from spysystem.finance import services as finance
from spysystem.finance.documents import cnpj_check_digits, cpf_check_digits
from spysystem.finance.models import Ledger
from spysystem.mail.services import smtp_settings_save
from spysystem.watch.context import Origin
from tests.smtp_sink import SmtpSink

_serial = itertools.count(1)


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"spysystem database: {engine}"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    reason = "PostgreSQL-only test: this run uses SQLite (set SPY_TEST_DATABASE_URL to run it)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def make_cnpj(seed: int, *, alpha: bool = False) -> str:
    base = (f"AB{seed:06d}0001" if alpha else f"{seed:08d}0001")[:12]
    return base + cnpj_check_digits(base)


def make_cpf(seed: int) -> str:
    base = f"{seed:09d}"
    return base + cpf_check_digits(base)


@pytest.fixture(autouse=True)
def _drop_changes_left_by_flush(request):
    """SQLite's flush empties tables with row-by-row DELETEs, which fire the capture trigger on
    finance_title: remove those trigger-made rows before a transactional test starts."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        from spysystem.watch.models import Change

        request.getfixturevalue("transactional_db")
        Change.objects.all().delete()


@pytest.fixture
def make_company(db):
    def factory(code: str | None = None, **kwargs):
        n = next(_serial)
        return finance.company_create(
            code=code or f"E{n:02d}",
            name=kwargs.get("name", f"Empresa {n} Ltda"),
            cnpj=make_cnpj(n),
        )

    return factory


@pytest.fixture
def make_party(db):
    def factory(name: str = "Cliente Exemplo", emails: list[str] | None = None):
        n = next(_serial)
        return finance.party_create(
            name=name, document=make_cpf(n + 1000), emails=emails or [f"cliente{n}@example.com"]
        )

    return factory


@pytest.fixture
def make_user(db):
    def factory(username: str | None = None, email: str | None = None, **kwargs):
        n = next(_serial)
        username = username or f"user{n}"
        email = f"{username}@example.com" if email is None else email
        return finance.user_create(username=username, email=email, **kwargs)

    return factory


@pytest.fixture
def make_title(db, make_company, make_party):
    def factory(**fields):
        defaults = {
            "ledger": Ledger.PAYABLE,
            "document": f"NF{next(_serial)}",
            "installment": 1,
            "issue_date": date(2026, 11, 1),
            "due_date": date(2026, 12, 10),
            "amount": Decimal("1000.00"),
            "description": "",
        }
        defaults.update(fields)
        defaults.setdefault("company", defaults.get("company") or make_company())
        defaults.setdefault("party", defaults.get("party") or make_party())
        return finance.title_create(user=None, origin=Origin.SYSTEM, **defaults)

    return factory


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def general_smtp(db, sink):
    return smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=sink.port,
        security="none",
        from_email="spy@empresa.com.br",
        from_name="Spy System",
        timeout=5,
        max_connections=4,
        max_per_minute=100000,
    )


@pytest.fixture
def outside_connection(transactional_db):
    """A DB-API connection to the test database that does not go through Django (another
    program: a legacy ERP, psql, sqlite3). Autocommit."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(settings["NAME"], isolation_level=None, timeout=30)
    else:
        conn = postgres_connect()
    yield conn
    with contextlib.suppress(Exception):
        conn.close()


def drain(worker_id: str = "test-worker") -> None:
    """Run the worker's steps until nothing is due (what ``spy worker --once`` does)."""
    from spysystem.worker import run_worker

    run_worker(once=True, worker_id=worker_id)


def postgres_connect():
    """A psycopg connection (autocommit) to the PostgreSQL test database, outside Django."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def in_two_threads(work) -> list:
    """Run ``work`` in two threads at once (each with its own connection); their results."""
    results, errors = [], []

    def run():
        try:
            results.append(work())
        except Exception as exc:  # collected: any failure is a finding
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 2
    return results
