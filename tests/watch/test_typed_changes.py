"""What a captured row holds since the typed columns (issue 7), and what the e-mail says when the
title moves on before the fan-out reaches its change."""

from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.db import connection

from spysystem.finance import services as finance
from spysystem.finance.models import Title
from spysystem.watch import services, triggers
from spysystem.watch.context import Origin
from spysystem.watch.models import Change
from spysystem.watch.services import process_one_change, recipients_set
from tests.conftest import drain, postgres_connect

OLD_KEYS = {
    "id",
    "ledger",
    "company_id",
    "party_id",
    "document",
    "installment",
    "issue_date",
    "due_date",
    "status",
    "description",
    "amount",
}


def _bodies(sink) -> list[str]:
    parsed = [message_from_bytes(m.content, policy=policy.default) for m in sink.received]
    return [p.get_body(("plain",)).get_content() for p in parsed]


def _subjects(sink) -> list[str]:
    parsed = [message_from_bytes(m.content, policy=policy.default) for m in sink.received]
    return [str(p["Subject"]) for p in parsed]


@pytest.fixture
def watcher(make_user, general_smtp):
    user = make_user("vigia")
    recipients_set(config={"payable": {"default": [user.pk], "companies": {}}})
    return user


def test_update_stores_typed_facts_and_no_snapshot_until_fan_out(make_title):
    title = make_title(amount=Decimal("1000.00"), due_date=date(2026, 12, 10))
    finance.title_update(
        title=title,
        user=None,
        origin=Origin.SCREEN,
        amount=Decimal("1250.10"),
        due_date=date(2027, 1, 5),
    )
    change = Change.objects.get()
    assert (change.amount_before, change.amount_after) == (Decimal("1000.00"), Decimal("1250.10"))
    assert (change.due_date_before, change.due_date_after) == (date(2026, 12, 10), date(2027, 1, 5))
    assert change.snapshot is None
    # before/after keep the first version's form, the descriptive fields read from the title
    assert set(change.before) == set(change.after) == OLD_KEYS
    assert change.before["amount"] == "1000.00" and change.after["amount"] == "1250.10"
    assert change.before["due_date"] == "2026-12-10" and change.after["due_date"] == "2027-01-05"
    assert change.after["document"] == title.document
    assert change.after["issue_date"] == "2026-11-01"


def test_only_the_changed_fact_is_flagged_but_both_are_recorded(make_title):
    title = make_title(amount=Decimal("10.00"), due_date=date(2026, 12, 10))
    finance.title_update(title=title, user=None, origin=Origin.API, due_date=date(2026, 12, 31))
    change = Change.objects.get()
    assert change.facts == ["due_date"]
    assert change.amount_before == change.amount_after == Decimal("10.00")


def test_fan_out_keeps_the_title_fields_the_e_mail_showed(make_title, watcher, sink):
    title = make_title(document="NF-1", description="aluguel")
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("5.00"))
    drain()
    change = Change.objects.get()
    assert change.fanned_out_at is not None
    assert change.snapshot["document"] == "NF-1"
    assert set(change.snapshot) == set(triggers.SNAPSHOT_FIELDS)
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, description="outra")
    change = Change.objects.get()
    assert change.after["description"] == "aluguel"  # what the e-mail said, not the title now


def test_e_mails_of_two_changes_before_fan_out_show_each_write_exactly(make_title, watcher, sink):
    """Amounts and dates are per write; the title's other fields are the title at fan-out time."""
    title = make_title(document="NF-1", amount=Decimal("1000.00"))
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("1200.00"))
    title.refresh_from_db()
    finance.title_update(
        title=title,
        user=None,
        origin=Origin.API,
        document="NF-2",
        amount=Decimal("1500.00"),
        due_date=date(2026, 12, 20),
    )
    drain()
    # the sink may receive them in any order (several connections)
    first, second = sorted(_bodies(sink), key=lambda body: "R$ 1.500,00" in body)
    assert "R$ 1.000,00 → R$ 1.200,00" in first and "Vencimento: " not in first
    assert "R$ 1.200,00 → R$ 1.500,00" in second and "10/12/2026 → 20/12/2026" in second
    assert all("NF-2/1" in body for body in (first, second))
    assert all("NF-2/1" in subject for subject in _subjects(sink))
    assert list(Change.objects.order_by("id").values_list("snapshot__document", flat=True)) == [
        "NF-2",
        "NF-2",
    ]


def test_update_then_deletion_before_fan_out_uses_the_deleted_title(
    make_title, make_user, watcher, sink
):
    title = make_title(document="SUMIU", amount=Decimal("1000.00"), description="frete")
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("1100.00"))
    title.refresh_from_db()
    finance.title_delete(title=title, user=make_user("bob"), origin=Origin.CLI)
    drain()
    update_body, delete_body = sorted(_bodies(sink), key=lambda body: "EXCLUÍDO" in body)
    assert "Um título foi alterado." in update_body
    assert "R$ 1.000,00 → R$ 1.100,00" in update_body and "SUMIU/1" in update_body
    assert "EXCLUÍDO" in delete_body and "R$ 1.100,00" in delete_body
    assert "frete" in delete_body and "bob" in delete_body
    update, delete = Change.objects.order_by("id")
    assert update.snapshot == delete.snapshot


def test_deletion_row_has_the_full_snapshot_from_the_trigger(make_title):
    title = make_title(document="NF-9", installment=3, amount=Decimal("321.09"), status="paid")
    title_id, party_id, company_id = title.pk, title.party_id, title.company_id
    finance.title_delete(title=title, user=None, origin=Origin.SCREEN)
    change = Change.objects.get()
    assert change.snapshot == {
        "id": title_id,
        "ledger": "payable",
        "company_id": company_id,
        "party_id": party_id,
        "document": "NF-9",
        "installment": 3,
        "issue_date": "2026-11-01",
        "status": "paid",
        "description": "",
    }
    assert (change.amount_before, change.due_date_before) == (Decimal("321.09"), date(2026, 12, 10))
    assert change.amount_after is None and change.due_date_after is None
    assert set(change.before) == OLD_KEYS and change.after is None


def test_a_title_gone_without_its_deletion_row_still_has_an_e_mail(make_title, watcher, sink):
    """Deleted while the triggers were off (a benchmark, a restore): what the change knows."""
    title = make_title(amount=Decimal("1000.00"))
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("9.00"))
    with connection.cursor() as cursor:
        for sql in triggers.statements(connection.vendor, create=False):
            cursor.execute(sql)
        Title.objects.filter(pk=title.pk).delete()
        for sql in triggers.statements(connection.vendor, create=True):
            cursor.execute(sql)
    change = Change.objects.get()
    assert change.before["document"] == f"#{title.pk}" and change.before["party_id"] is None
    drain()
    [body] = _bodies(sink)
    assert "R$ 1.000,00 → R$ 9,00" in body and f"#{title.pk}" in body


def test_listing_pending_changes_resolves_titles_in_bulk(make_title, django_assert_max_num_queries):
    titles = [make_title() for _ in range(20)]
    for title in titles:
        finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("7.00"))
    Title.objects.filter(pk=titles[0].pk).delete()
    with django_assert_max_num_queries(3):  # changes, titles, deletion snapshots
        changes = list(Change.objects.all())
        documents = {change.before["document"] for change in changes}
    assert documents == {title.document for title in titles}


def test_raw_sql_capture_stores_typed_values(make_title, outside_connection):
    title = make_title(amount=Decimal("100.00"), due_date=date(2026, 12, 10))
    outside_connection.execute(
        f"UPDATE finance_title SET amount = 250.75, due_date = '2027-03-01' WHERE id = {title.pk}"
    )
    outside_connection.execute(f"DELETE FROM finance_title WHERE id = {title.pk}")
    update, delete = Change.objects.order_by("id")
    assert (update.amount_before, update.amount_after) == (Decimal("100.00"), Decimal("250.75"))
    assert update.due_date_after == date(2027, 3, 1) and update.facts == ["amount", "due_date"]
    assert update.origin == "sql" and update.actor == update.db_user
    assert (
        delete.amount_before == Decimal("250.75") and delete.snapshot["document"] == title.document
    )
    assert update.before["document"] == title.document  # resolved from the deletion's snapshot


def test_rearm_is_a_no_op_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert triggers.wake_rearm(connection) is False


def _notifications(listener, timeout: float = 0.5) -> list[str]:
    return [n.payload for n in listener.notifies(timeout=timeout)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_first_write_after_the_worker_looked_notifies(make_title, outside_connection):
    listener = postgres_connect()
    try:
        listener.execute("LISTEN spy_work")
        titles = [make_title() for _ in range(3)]
        assert process_one_change() is False  # the queue is empty: re-armed
        for n, title in enumerate(titles):
            outside_connection.execute(
                f"UPDATE finance_title SET amount = {n + 2} WHERE id = {title.pk}"
            )
        assert _notifications(listener) == ["change"]
        while process_one_change():
            pass
        outside_connection.execute(f"UPDATE finance_title SET amount = 9 WHERE id = {titles[0].pk}")
        outside_connection.execute(f"UPDATE finance_title SET amount = 8 WHERE id = {titles[1].pk}")
        assert _notifications(listener) == ["change"]
        assert Change.objects.filter(fanned_out_at__isnull=True).count() == 2
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_change_committed_just_after_the_first_look_is_claimed_after_re_arming(
    make_title, monkeypatch
):
    title = make_title()
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("2.00"))
    real_claim = services._claim_changes
    misses = iter([True])  # the first look misses it, as if it committed a moment later
    monkeypatch.setattr(
        services, "_claim_changes", lambda limit: [] if next(misses, False) else real_claim(limit)
    )
    assert process_one_change() is True
    assert Change.objects.get().fanned_out_at is not None
    assert process_one_change() is False


@pytest.mark.django_db(transaction=True)
def test_migration_0003_converts_captured_rows_and_back(make_title):
    """0002's triggers and JSON columns come back when migrating back, and going forward again
    turns what they captured into typed columns and one snapshot."""
    import json

    from django.db.migrations.executor import MigrationExecutor

    updated = make_title(amount=Decimal("100.00"), description="antes")
    deleted = make_title(document="SUMIU", amount=Decimal("7.00"))
    MigrationExecutor(connection).migrate([("watch", "0002_capture_triggers")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE finance_title SET amount = 150.5, description = 'depois' WHERE id = %s",
                [updated.pk],
            )
            cursor.execute("DELETE FROM finance_title WHERE id = %s", [deleted.pk])
            cursor.execute("SELECT kind, before, after FROM watch_change ORDER BY id")
            (_, before, after), (kind, gone, nothing) = cursor.fetchall()
        assert json.loads(before)["amount"] == "100.00" and json.loads(after)["amount"] == "150.50"
        assert (kind, json.loads(gone)["document"], nothing) == ("delete", "SUMIU", None)
    finally:
        MigrationExecutor(connection).migrate([("watch", "0003_typed_change_columns")])
    update, delete = Change.objects.order_by("id")
    assert (update.amount_before, update.amount_after) == (Decimal("100.00"), Decimal("150.50"))
    assert update.due_date_before == update.due_date_after == date(2026, 12, 10)
    assert update.snapshot["description"] == "depois" and "amount" not in update.snapshot
    assert delete.snapshot["document"] == "SUMIU" and delete.amount_before == Decimal("7.00")
    assert set(update.before) == OLD_KEYS and delete.after is None
    # and the current triggers are installed again
    finance.title_update(title=updated, user=None, origin=Origin.SCREEN, amount=Decimal("1.00"))
    assert Change.objects.latest("id").amount_after == Decimal("1.00")
