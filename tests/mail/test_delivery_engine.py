"""The delivery engine of one worker: SMTP sessions kept across batches, the next batch claimed
while the current one is being sent, broken sessions replaced without spending attempts, leases
kept, renewed and returned, and messages handed back when the worker stops."""

import threading
import time

import pytest
from django.utils import timezone

from spysystem.mail import delivery
from spysystem.mail.delivery import DeliveryEngine
from spysystem.mail.models import Message, SmtpState
from tests.conftest import drain
from tests.mail.test_delivery import enqueue
from tests.mail.test_faults import settings_for


def run_until_idle(engine: DeliveryEngine, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while engine.step():
        assert time.monotonic() < deadline, "the engine never went idle"


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Message.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_sessions_stay_open_across_batches(db, scripted):
    server = scripted()
    settings_for(server.port, max_connections=2)
    enqueue(30)
    engine = DeliveryEngine("w", batch_size=5)
    try:
        run_until_idle(engine)
        assert server.sessions <= 2  # six batches, the same two sessions at most
        state = SmtpState.objects.get()
        assert state.connections and all(k.startswith("w:") for k in state.connections)
    finally:
        engine.close()
    assert statuses() == {"sent": 30}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert SmtpState.objects.get().connections == {}  # closing returned the leases


def test_sessions_the_server_closed_are_replaced_without_spending_attempts(db, scripted):
    server = scripted(close_after=1)  # the server drops every session after one message
    settings_for(server.port, max_connections=1)
    enqueue(6)
    drain()
    assert statuses() == {"sent": 6}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert server.sessions == 6


def test_a_421_to_mail_on_a_kept_session_is_not_an_attempt(db, scripted):
    server = scripted(mail_421_on_reuse=True)
    settings_for(server.port, max_connections=1)
    enqueue(4)
    drain()
    assert statuses() == {"sent": 4}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_the_next_batch_is_claimed_while_the_current_one_is_being_sent(db, scripted):
    server = scripted(delay=0.05)
    settings_for(server.port, max_connections=1)
    enqueue(12)
    engine = DeliveryEngine("w", batch_size=4)
    try:
        assert engine.step()  # claims 4 and returns at once
        deadline = time.monotonic() + 5
        while Message.objects.filter(status="sending").count() < 8:
            assert engine.step() and time.monotonic() < deadline
        # a second batch is queued (fewer than a batch was left) before the first is through
        assert len(server.accepted) < 4
        run_until_idle(engine)
    finally:
        engine.close()
    assert statuses() == {"sent": 12}


def test_extra_sessions_the_server_refuses_hand_their_message_to_the_open_one(db, scripted):
    server = scripted(max_sessions=1, delay=0.01)
    settings_for(server.port, max_connections=3)
    enqueue(12)
    drain()
    assert statuses() == {"sent": 12}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert server.sessions == 1 and server.refused >= 1


def test_an_idle_pool_closes_its_sessions_and_returns_its_leases(db, scripted, monkeypatch):
    server = scripted()
    settings_for(server.port, max_connections=2)
    enqueue(3)
    engine = DeliveryEngine("w")
    try:
        run_until_idle(engine)
        assert SmtpState.objects.get().connections  # kept for the next batch
        opened = server.sessions
        monkeypatch.setattr(delivery, "POOL_IDLE_SECONDS", 0.0)
        assert not engine.step()
        assert SmtpState.objects.get().connections == {}
        enqueue(2, prefix="later")
        run_until_idle(engine)  # new sessions open for new work
    finally:
        engine.close()
    assert statuses() == {"sent": 5}
    assert server.sessions > opened


def test_stopping_hands_back_the_messages_not_started(db, scripted):
    server = scripted(delay=0.1)
    settings_for(server.port, max_connections=1)
    enqueue(10)
    engine = DeliveryEngine("w", batch_size=10)
    assert engine.step()
    deadline = time.monotonic() + 10
    while not server.accepted and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.close(finish=False)
    counts = statuses()
    assert "sending" not in counts
    assert 1 <= counts["sent"] < 10
    waiting = Message.objects.filter(status="pending")
    assert waiting.count() == 10 - counts["sent"]
    assert {(m.attempts, m.last_error) for m in waiting} == {(0, "")}
    assert all(m.next_attempt_at <= timezone.now() for m in waiting)
    assert SmtpState.objects.get().connections == {}


def test_messages_waiting_behind_a_slow_server_keep_their_lease(db, scripted, settings):
    settings.SPY_LEASE_SECONDS = 3  # extended every second
    server = scripted(delay=0.3)
    settings_for(server.port, max_connections=1)
    enqueue(6)
    engine = DeliveryEngine("w", batch_size=6)
    try:
        assert engine.step()
        last = Message.objects.order_by("-id").first()
        claimed_until = last.lease_until
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            engine.step()
        last.refresh_from_db()
        assert last.status == "sending" and last.lease_until > claimed_until
    finally:
        engine.close()
    assert statuses() == {"sent": 6}


@pytest.mark.django_db(transaction=True)  # the tending thread reads committed rows
def test_while_its_thread_is_busy_longer_than_a_lease_the_engine_keeps_what_it_sends(
    scripted, settings
):
    settings.SPY_LEASE_SECONDS = 2
    server = scripted(delay=0.4)  # 8 messages on one session: 3.2 s
    settings_for(server.port, max_connections=1)
    enqueue(8)
    engine = DeliveryEngine("w", batch_size=8)
    try:
        assert engine.step()
        with engine.tended():  # the worker's thread runs a long task: it does not step
            busy_until = time.monotonic() + 3.0  # longer than a lease
            while time.monotonic() < busy_until:
                time.sleep(0.1)
                sending = Message.objects.filter(status="sending")
                assert not sending.filter(lease_until__lt=timezone.now()).exists()
            sent_while_busy = Message.objects.filter(status="sent").count()
        assert sent_while_busy >= 5  # outcomes were written as they came, not after the task
        assert SmtpState.objects.get().connections  # the connection lease is still ours
    finally:
        engine.close()
    assert statuses() == {"sent": 8}
    assert len(server.accepted) == 8


def test_tending_an_engine_with_nothing_in_flight_starts_no_thread(db):
    engine = DeliveryEngine("w")
    with engine.tended():
        assert "spy-tend" not in {thread.name for thread in threading.enumerate()}


def test_a_message_that_cannot_be_built_fails_alone(db, scripted):
    server = scripted()
    settings_for(server.port)
    good, bad = enqueue(2)
    Message.objects.filter(pk=bad.pk).update(to_name="Ana\r\nBcc: espiao@example.com")
    drain()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "sent"
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert "erro interno" in bad.last_error
    assert [recipient for recipient, _data in server.accepted] == [good.to_email]


def test_a_changed_server_gets_a_new_pool(db, scripted):
    first, second = scripted(), scripted()
    settings_for(first.port, max_connections=1)
    enqueue(2)
    engine = DeliveryEngine("w")
    try:
        run_until_idle(engine)
        settings_for(second.port, max_connections=1)
        enqueue(3, prefix="moved")
        run_until_idle(engine)
    finally:
        engine.close()
    assert (len(first.accepted), len(second.accepted)) == (2, 3)
    assert statuses() == {"sent": 5}
    assert SmtpState.objects.get().connections == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("removed", ["level", "company"])
def test_settings_deleted_while_their_messages_are_in_flight_stop_nothing(
    sink, general_smtp, make_company, removed
):
    from spysystem.finance import services as finance
    from spysystem.mail import services

    company = make_company()
    where = {"level": "finance"} if removed == "level" else {"level": "company", "company": company}
    services.smtp_settings_save(
        **where, host="127.0.0.1", port=sink.port, security="none", from_email="a@b.com.br"
    )
    first = enqueue(3, prefix="a")
    Message.objects.filter(pk__in=[m.pk for m in first]).update(company=company)
    engine = DeliveryEngine("w")
    try:
        assert engine.dispatch_batch()  # in flight through the level about to go
        if removed == "level":
            services.smtp_settings_delete(level="finance")
        else:
            finance.company_delete(company=company)
        enqueue(2, prefix="b")  # routed to the general level now
        run_until_idle(engine)  # raised on every step before: the leases' state row was gone
    finally:
        engine.close()
    assert statuses() == {"sent": 5}


def test_a_level_whose_password_cannot_be_decrypted_defers_its_messages_only(
    sink, general_smtp, settings
):
    from cryptography.fernet import Fernet

    from spysystem.mail import services

    services.smtp_settings_save(
        level="finance",
        host="127.0.0.1",
        port=sink.port,
        security="none",
        from_email="f@b.com.br",
        username="u",
        password="segredo",
    )
    enqueue(2, routine="spy", prefix="spy")  # the finance level
    enqueue(2, routine="boleto", prefix="boleto")  # the general level
    settings.SPY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped
    engine = DeliveryEngine("w")
    try:
        run_until_idle(engine)
    finally:
        engine.close()
    boletos = Message.objects.filter(routine="boleto")
    assert set(boletos.values_list("status", flat=True)) == {"sent"}
    for message in Message.objects.filter(routine="spy"):
        assert (message.status, message.attempts) == ("pending", 0)
        assert "não pode ser decifrada" in message.last_error
        assert "segredo" not in message.last_error
