"""The capture triggers: every change of amount, due date or existence is recorded, however made."""

from datetime import date
from decimal import Decimal

import pytest

from spysystem.finance import services as finance
from spysystem.finance.models import Title
from spysystem.watch.context import Origin
from spysystem.watch.models import Change


def test_amount_change_is_captured_with_before_after_actor_and_origin(make_title, make_user):
    title = make_title(amount=Decimal("1000.00"))
    alice = make_user("alice")
    finance.title_update(title=title, user=alice, origin=Origin.SCREEN, amount=Decimal("10000.00"))
    change = Change.objects.get()
    assert change.kind == "update"
    assert change.facts == ["amount"]
    assert change.before["amount"] == "1000.00"
    assert change.after["amount"] == "10000.00"
    assert (change.actor, change.origin) == ("alice", "screen")
    assert change.title_id == title.pk and change.company_id == title.company_id


def test_amount_and_due_date_in_one_write_is_one_change_with_both_facts(make_title):
    title = make_title()
    finance.title_update(
        title=title,
        user=None,
        origin=Origin.API,
        amount=Decimal("1.50"),
        due_date=date(2027, 1, 15),
    )
    change = Change.objects.get()
    assert change.facts == ["amount", "due_date"]
    assert change.after["due_date"] == "2027-01-15"
    assert change.after["amount"] == "1.50"


def test_write_that_touches_only_other_fields_records_nothing(make_title):
    title = make_title()
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, description="outra")
    Title.objects.filter(pk=title.pk).update(status="paid")
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=title.amount)
    assert not Change.objects.exists()


def test_queryset_update_is_captured_as_sql_without_context(make_title):
    first, second = make_title(), make_title()
    Title.objects.filter(pk__in=[first.pk, second.pk]).update(due_date=date(2027, 3, 1))
    changes = Change.objects.order_by("title_id")
    assert [c.title_id for c in changes] == [first.pk, second.pk]
    assert {c.origin for c in changes} == {"sql"}
    assert all(c.facts == ["due_date"] for c in changes)


def test_deletion_keeps_the_full_snapshot(make_title, make_user):
    title = make_title(amount=Decimal("321.09"), description="aluguel")
    finance.title_delete(title=title, user=make_user("bob"), origin=Origin.CLI)
    change = Change.objects.get()
    assert change.kind == "delete" and change.after is None
    assert change.before["amount"] == "321.09"
    assert change.before["description"] == "aluguel"
    assert (change.actor, change.origin) == ("bob", "cli")


def test_bulk_delete_is_captured_per_title(make_title):
    titles = [make_title() for _ in range(3)]
    Title.objects.filter(pk__in=[t.pk for t in titles]).delete()
    assert Change.objects.filter(kind="delete").count() == 3


def test_context_does_not_leak_to_the_next_write(make_title, make_user):
    title = make_title()
    finance.title_update(
        title=title, user=make_user("carol"), origin=Origin.SCREEN, amount=Decimal(5)
    )
    Title.objects.filter(pk=title.pk).update(amount=Decimal(6))
    latest = Change.objects.order_by("-id").first()
    assert latest.origin == "sql"
    assert latest.actor != "carol"


def test_failed_write_rolls_back_its_change(make_title):
    title = make_title()
    with pytest.raises(Exception):  # noqa: B017 - any validation error will do
        finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("-1"))
    assert not Change.objects.exists()
    title.refresh_from_db()
    assert title.amount == Decimal("1000.00")


def test_raw_sql_from_another_program_is_captured(make_title, outside_connection):
    title = make_title(amount=Decimal("100.00"))
    outside_connection.execute(f"UPDATE finance_title SET amount = 250.75 WHERE id = {title.pk}")
    outside_connection.execute(f"DELETE FROM finance_title WHERE id = {title.pk}")
    update, delete = Change.objects.order_by("id")
    assert update.before["amount"] == "100.00" and update.after["amount"] == "250.75"
    assert update.origin == "sql" and delete.kind == "delete"
    assert update.actor == update.db_user


def test_raw_sql_rollback_leaves_no_change(make_title, outside_connection):
    title = make_title()
    outside_connection.execute("BEGIN")
    outside_connection.execute(f"UPDATE finance_title SET amount = 9 WHERE id = {title.pk}")
    outside_connection.execute("ROLLBACK")
    assert not Change.objects.exists()
