"""The scheduler: a slot runs once on any number of workers; downtime catches up once."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from spysystem.mail.models import Message
from spysystem.routines import scheduler
from spysystem.routines.models import Task, TaskRun
from spysystem.routines.scheduler import (
    process_one_task,
    task_run_now,
    tasks_ensure,
    validate_schedule,
)
from tests.conftest import in_two_threads

SP = ZoneInfo("America/Sao_Paulo")


def test_the_manual_task_names_exist(db):
    tasks_ensure()
    assert set(Task.objects.values_list("name", flat=True)) == {
        "GEEnviaEmailAvisoVencimento",
        "GEAtualizaCobranca",
    }


def test_a_slot_runs_once_and_the_next_one_is_tomorrow(db):
    with time_machine.travel(datetime(2026, 12, 4, 6, 0, tzinfo=SP), tick=False):
        assert not process_one_task()  # schedules 07:00 and 08:00, none due yet
    with time_machine.travel(datetime(2026, 12, 4, 7, 0, 30, tzinfo=SP), tick=False):
        assert process_one_task()
        assert not process_one_task()
    run = TaskRun.objects.get()
    assert run.task.name == "GEEnviaEmailAvisoVencimento" and run.as_of == date(2026, 12, 4)
    assert run.status == "ok"
    aviso = Task.objects.get(name="GEEnviaEmailAvisoVencimento")
    assert aviso.next_run_at == datetime(2026, 12, 5, 7, 0, tzinfo=SP)


def test_after_a_week_down_the_missed_slot_runs_once(db):
    with time_machine.travel(datetime(2026, 12, 1, 6, 0, tzinfo=SP), tick=False):
        process_one_task()
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=SP), tick=False):
        while process_one_task():
            pass
    assert TaskRun.objects.count() == 2  # one per task, not seven each
    assert Task.objects.get(name="GEAtualizaCobranca").next_run_at == datetime(
        2026, 12, 9, 8, 0, tzinfo=SP
    )
    # as of the latest missed slot: today's warnings, not a week-old "vence hoje"
    assert set(TaskRun.objects.values_list("as_of", flat=True)) == {date(2026, 12, 8)}


def test_a_task_enabled_again_starts_at_its_next_slot(db):
    from spysystem.routines.services import task_update

    tasks_ensure()
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=SP), tick=False):
        process_one_task()  # schedules both
        task = Task.objects.get(name="GEAtualizaCobranca")
        task_update(task=task, enabled=False)
    with time_machine.travel(datetime(2026, 12, 4, 10, 0, tzinfo=SP), tick=False):
        task_update(task=Task.objects.get(pk=task.pk), enabled=True)
        while process_one_task():
            pass
    assert not TaskRun.objects.filter(task=task).exists()
    assert Task.objects.get(pk=task.pk).next_run_at == datetime(2026, 12, 5, 8, 0, tzinfo=SP)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_a_slot_once():
    tasks_ensure()
    past = datetime(2026, 12, 4, 7, 0, tzinfo=SP)
    Task.objects.update(next_run_at=past, enabled=True)
    Task.objects.filter(name="GEAtualizaCobranca").update(enabled=False)
    barrier = threading.Barrier(2)

    def worker() -> bool:
        barrier.wait(timeout=10)
        return process_one_task()

    assert sorted(in_two_threads(worker)) == [False, True]
    assert TaskRun.objects.count() == 1


def test_run_now_as_of_a_missed_day(db):
    run = task_run_now(name="GEAtualizaCobranca", as_of=date(2026, 11, 30))
    assert run.as_of == date(2026, 11, 30) and run.trigger == "manual" and run.status == "ok"


def test_a_failing_task_is_recorded_and_its_spy_users_are_told(db, make_user, monkeypatch):
    tasks_ensure()
    task = Task.objects.get(name="GEAtualizaCobranca")
    task.notify_users.add(make_user("tesouraria"))

    def broken(as_of):
        raise RuntimeError("banco indisponível")

    monkeypatch.setattr(scheduler, "registry", lambda: {"GEAtualizaCobranca": broken})
    run = task_run_now(name="GEAtualizaCobranca")
    assert run.status == "failed" and "banco indisponível" in run.error
    message = Message.objects.get()
    assert message.to_email == "tesouraria@example.com" and "falhou" in message.subject


def test_a_bad_cron_expression_is_refused_in_portuguese():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Agenda inválida"):
        validate_schedule("todo dia às 7")
    validate_schedule("30 6 * * 1-5")
    assert timedelta(0) < scheduler.next_slot(
        "0 7 * * *", datetime(2026, 12, 4, 8, tzinfo=SP)
    ) - datetime(2026, 12, 4, 8, tzinfo=SP)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (datetime(2026, 12, 8, 8, 0, tzinfo=SP), datetime(2026, 12, 8, 8, 0, tzinfo=SP)),
        (
            datetime(2026, 12, 8, 7, 59, 59, 500000, tzinfo=SP),
            datetime(2026, 12, 7, 8, 0, tzinfo=SP),
        ),
        (datetime(2026, 12, 8, 9, 30, tzinfo=SP), datetime(2026, 12, 8, 8, 0, tzinfo=SP)),
    ],
)
def test_the_latest_slot_is_never_one_still_to_come(now, slot):
    assert scheduler.latest_slot("0 8 * * *", now) == slot
