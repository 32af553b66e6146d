"""The worker as it runs for real: threads and processes on committed data."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from spysystem.finance import services as finance
from spysystem.mail.models import Message
from spysystem.watch.context import Origin
from spysystem.watch.services import recipients_set
from spysystem.worker import run_worker
from tests.mail.test_delivery import enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _worker_thread(stop: threading.Event, worker_id: str) -> threading.Thread:
    def target():
        try:
            run_worker(stop=stop, worker_id=worker_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


@pytest.mark.postgres
def test_notify_wakes_the_worker_long_before_its_poll_interval(
    settings, make_title, make_user, general_smtp, sink
):
    settings.SPY_WORKER_POLL = 60  # without NOTIFY the change would wait a minute
    recipients_set(config={"payable": {"default": [make_user("ana").pk], "companies": {}}})
    title = make_title()
    stop = threading.Event()
    thread = _worker_thread(stop, "listener")
    time.sleep(0.5)  # let it reach LISTEN
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("9.99"))
    try:
        assert _wait_for(lambda: len(sink.received) == 1, timeout=20)
    finally:
        stop.set()
        connection.close()
        with connections["default"].cursor() as cursor:  # wake it so it sees stop
            cursor.execute("SELECT pg_notify('spy_work', 'stop')")
        thread.join(timeout=10)


@pytest.mark.postgres
def test_two_workers_on_one_queue_deliver_each_message_once(general_smtp, sink):
    enqueue(300)
    stop = threading.Event()
    threads = [_worker_thread(stop, f"w{i}") for i in range(2)]
    try:
        assert _wait_for(lambda: len(sink.received) >= 300, timeout=60)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    recipients = [r for message in sink.received for r in message.rcpt_tos]
    assert len(recipients) == 300 == len(set(recipients))
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_spy_worker_process_stops_cleanly_on_sigterm(general_smtp, sink):
    enqueue(5)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spysystem.settings",
        "DATABASE_URL": _database_url(),
        "SPY_WORKER_POLL": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "spysystem.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_for(lambda: len(sink.received) == 5, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "stopped" in output
    assert Message.objects.filter(status="sent").count() == 5


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = f"{settings['HOST']}:{settings['PORT'] or 5432}"
    return f"postgresql://{settings['USER']}@{host}/{settings['NAME']}"


def _spawn_worker(extra_env: dict | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spysystem.settings",
        "DATABASE_URL": _database_url(),
        "SPY_WORKER_POLL": "0.1",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "spysystem.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_9_mid_batch_loses_nothing_and_duplicates_at_most_the_messages_in_flight(
    general_smtp, sink
):
    sink.handler.delay = 0.01
    enqueue(300)
    lease = {"SPY_LEASE_SECONDS": "2"}
    first = _spawn_worker(lease)
    try:
        assert _wait_for(lambda: len(sink.received) >= 60, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    in_flight = Message.objects.filter(status="sending").count()
    second = _spawn_worker(lease)
    try:
        assert _wait_for(lambda: Message.objects.filter(status="sent").count() == 300, timeout=90)
    finally:
        second.terminate()
        second.wait(timeout=15)
    recipients = [r for message in sink.received for r in message.rcpt_tos]
    assert set(recipients) == {f"dest{i}@example.com" for i in range(300)}  # nothing lost
    assert len(recipients) - 300 <= in_flight  # duplicates only among the messages in flight


def test_sqlite_or_postgres_writers_and_the_worker_at_once_never_fail_a_user_write(
    make_title, make_user, general_smtp, sink
):
    recipients_set(config={"payable": {"default": [make_user("ana").pk], "companies": {}}})
    titles = [make_title() for _ in range(20)]
    stop = threading.Event()
    worker = _worker_thread(stop, "busy")
    errors: list[Exception] = []

    def writer(offset: int) -> None:
        try:
            for round_ in range(5):
                for title in titles[offset::2]:
                    amount = Decimal(100 + round_ + offset)
                    finance.title_update(
                        title=title, user=None, origin=Origin.SCREEN, amount=amount
                    )
        except Exception as exc:  # any error here is one a user would have seen
            errors.append(exc)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    try:
        assert errors == []
        assert _wait_for(lambda: len(sink.received) == 100, timeout=60)
    finally:
        stop.set()
        worker.join(timeout=10)


@pytest.mark.postgres
def test_the_waker_polls_while_the_database_is_unreachable_and_listens_again(monkeypatch):
    import psycopg

    from spysystem.worker import Waker

    def unreachable():
        raise psycopg.OperationalError("connection refused")

    waker = Waker(threading.Event())
    monkeypatch.setattr(Waker, "_listen", staticmethod(unreachable))
    waker.wait(0.01)  # no exception: the worker keeps running and polls
    assert waker._listener is None
    monkeypatch.undo()
    waker.wait(0.01)
    assert waker._listener is not None
    waker.close()


def test_stopping_the_worker_hands_back_what_it_has_not_sent(general_smtp, sink):
    sink.handler.delay = 0.05  # slow enough that batches are still queued at the stop
    enqueue(300)
    stop = threading.Event()
    thread = _worker_thread(stop, "stopping")
    try:
        assert _wait_for(lambda: len(sink.received) >= 5, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    statuses = dict(Message.objects.values_list("id", "status"))
    assert "sending" not in statuses.values()  # nothing waits for a lease to expire
    waiting = Message.objects.filter(status="pending")
    assert waiting.exists() and {m.attempts for m in waiting} == {0}
    assert Message.objects.filter(status="sent").count() == len(sink.received)


def test_the_worker_keeps_its_smtp_sessions_between_batches(general_smtp, sink, monkeypatch):
    from spysystem.mail import delivery

    monkeypatch.setattr(delivery, "BATCH_SIZE", 10)
    sessions = []
    original = sink.handler.__class__.handle_DATA

    async def handle_data(self, server, session, envelope):
        sessions.append(session)  # kept alive, so no id is reused by a later session
        return await original(self, server, session, envelope)

    monkeypatch.setattr(sink.handler.__class__, "handle_DATA", handle_data)
    enqueue(100)
    stop = threading.Event()
    thread = _worker_thread(stop, "keeper")
    try:
        assert _wait_for(lambda: len(sink.received) == 100, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert len({id(s) for s in sessions}) <= general_smtp.max_connections  # the same sessions


def _slow_sending(sink, settings) -> None:
    """10 messages on one session of a sink taking 0.3 s each (3 s), leases of 2 s."""
    from tests.mail.test_faults import settings_for

    settings.SPY_LEASE_SECONDS = 2
    sink.handler.delay = 0.3
    settings_for(sink.port, max_connections=1)
    enqueue(10)


def _lease_watch() -> tuple[list[int], list[int], Callable[[], None]]:
    """(expired, sent, look): ``look()`` notes messages whose lease ran out and the sent count."""
    from django.utils import timezone

    expired: list[int] = []
    sent: list[int] = []

    def look() -> None:
        late = Message.objects.filter(status="sending", lease_until__lt=timezone.now())
        expired.extend(late.values_list("pk", flat=True))
        sent.append(Message.objects.filter(status="sent").count())

    return expired, sent, look


def _busy(seconds: float, look: Callable[[], None]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        look()


def test_a_task_longer_than_a_lease_leaves_the_messages_in_flight_to_this_worker(
    sink, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from spysystem.mail.delivery import DeliveryEngine
    from spysystem.routines import scheduler
    from spysystem.routines.models import Task
    from spysystem.worker import run_steps_once

    _slow_sending(sink, settings)
    scheduler.tasks_ensure()
    Task.objects.update(next_run_at=timezone.now() - timedelta(minutes=1), enabled=True)
    Task.objects.filter(name="GEAtualizaCobranca").update(enabled=False)
    expired, sent, look = _lease_watch()

    def long_aviso(as_of):  # stands in for a large portfolio's aviso: 3 s, longer than a lease
        _busy(3.0, look)
        return {"titulos": 0, "emails": 0}, []

    monkeypatch.setattr(scheduler, "registry", lambda: {"GEEnviaEmailAvisoVencimento": long_aviso})
    engine = DeliveryEngine("busy", batch_size=10)
    try:
        assert engine.step()  # 10 messages in flight
        assert run_steps_once(engine)  # runs the task
    finally:
        engine.close()
    assert expired == []  # another worker could have taken none of them
    assert sent[-1] >= 8  # outcomes were written during the task, not after it
    assert Message.objects.filter(status="sent").count() == 10
    assert len(sink.received) == 10


def test_a_burst_of_changes_longer_than_a_lease_is_fanned_out_with_the_engine_tended(
    sink, settings, monkeypatch
):
    from spysystem import worker
    from spysystem.mail.delivery import DeliveryEngine

    _slow_sending(sink, settings)
    expired, sent, look = _lease_watch()
    pending = [True] * 6

    def slow_changes() -> int:  # six full batches of 0.5 s each: a 3 s burst
        if not pending:
            return 0
        _busy(0.5, look)
        return worker.FAN_OUT_BATCH if pending.pop() else 0

    monkeypatch.setattr(worker, "process_changes", slow_changes)
    engine = DeliveryEngine("busy", batch_size=10)
    try:
        assert engine.step()
        assert worker.run_steps_once(engine)
    finally:
        engine.close()
    assert expired == []
    assert sent[-1] >= 8
    assert len(sink.received) == 10


def test_a_busy_loop_looks_for_due_tasks_once_a_second(monkeypatch):
    from types import SimpleNamespace

    from spysystem import worker

    now, looks, stop = [0.0], [], threading.Event()

    def a_pass(engine, *, tasks: bool) -> bool:  # each pass of the loop takes 1/8 s
        looks.append(tasks)
        now[0] += 0.125
        if len(looks) == 25:
            stop.set()
        return True

    monkeypatch.setattr(worker, "run_steps_once", a_pass)
    monkeypatch.setattr(worker, "time", SimpleNamespace(monotonic=lambda: now[0]))
    run_worker(stop=stop, worker_id="clock")
    assert [n for n, tasks in enumerate(looks) if tasks] == [0, 8, 16, 24]


def test_once_looks_for_due_tasks_on_every_pass(monkeypatch):
    from spysystem import worker

    looks = []

    def a_pass(engine, *, tasks: bool) -> bool:
        looks.append(tasks)
        return len(looks) < 3  # two passes with work (two due slots, say), then none

    monkeypatch.setattr(worker, "run_steps_once", a_pass)
    run_worker(once=True, worker_id="once")
    assert looks == [True, True, True]


@pytest.mark.parametrize(
    ("batches", "looks"),
    [([3], 1), ([0], 1), ([100, 100, 7], 3), ([100, 0], 2)],
)
def test_the_fan_out_stops_at_the_first_batch_that_was_not_full(monkeypatch, batches, looks):
    from spysystem import worker
    from spysystem.mail.delivery import DeliveryEngine

    assert worker.FAN_OUT_BATCH == 100
    taken = iter(batches)
    calls = []
    monkeypatch.setattr(worker, "process_changes", lambda: calls.append(1) or next(taken))
    assert worker._fan_out(DeliveryEngine("fan")) is (sum(batches) > 0)
    assert len(calls) == looks
