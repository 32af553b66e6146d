"""The engine against servers that misbehave: each fault gets its documented behaviour."""

import logging

import pytest
from django.utils import timezone

from spysystem.mail import throttle
from spysystem.mail.models import Message, SmtpState
from spysystem.mail.services import smtp_settings_save
from tests.conftest import drain
from tests.mail.test_delivery import enqueue
from tests.smtp_sink import Authenticator, RawSmtpServer, SmtpSink, self_signed_context


def settings_for(port: int, **fields):
    values = {
        "level": "general",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_email": "spy@empresa.com.br",
        "timeout": 2,
        "max_connections": 2,
        "max_per_minute": 10000,
    }
    values.update(fields)
    return smtp_settings_save(**values)


def due_now():
    Message.objects.update(next_attempt_at=timezone.now())


@pytest.fixture
def raw():
    servers = []

    def start(mode):
        server = RawSmtpServer(mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_421_at_greeting_defers_without_spending_attempts(db, raw):
    settings_for(raw("greet421").port)
    enqueue(3)
    drain()
    for message in Message.objects.all():
        assert (message.status, message.attempts) == ("pending", 0)
        assert message.last_error.startswith("421")
        assert message.next_attempt_at > timezone.now()


def test_stalled_server_times_out_and_the_messages_wait(db, raw):
    settings_for(raw("stall").port, timeout=1)
    enqueue(1)
    drain()
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("pending", 0)
    assert "timeout" in message.last_error.lower()


def test_disconnect_after_data_is_retried_not_lost(db, raw):
    server = raw("drop_after_data")
    settings_for(server.port)
    enqueue(1)
    drain()
    message = Message.objects.get()
    assert server.data_received == 1
    assert (message.status, message.attempts) == ("pending", 1)
    assert "interrompida" in message.last_error


def test_rcpt_4xx_and_5xx_for_some_recipients_leave_the_others_sent(db, sink):
    settings_for(sink.port)

    def refuse(address):
        if address.startswith("dest1@"):
            return "450 4.2.1 Caixa ocupada"
        if address.startswith("dest2@"):
            return "550 5.1.1 Inexistente"
        return None

    sink.handler.on_rcpt = refuse
    enqueue(4)
    drain()
    statuses = dict(Message.objects.values_list("to_email", "status"))
    assert statuses == {
        "dest0@example.com": "sent",
        "dest1@example.com": "pending",
        "dest2@example.com": "failed",
        "dest3@example.com": "sent",
    }
    assert sorted(r for m in sink.received for r in m.rcpt_tos) == [
        "dest0@example.com",
        "dest3@example.com",
    ]


def test_5xx_after_data_fails_once_with_the_reason(db, sink):
    settings_for(sink.port)
    sink.handler.on_data = lambda message: "554 5.7.1 Conteúdo recusado"
    enqueue(1)
    drain()
    due_now()
    drain()
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "554 5.7.1 Conteúdo recusado"


def test_authentication_failure_defers_and_repeated_failures_open_the_breaker(db, make_user):
    make_user("admin", is_admin=True)
    server = SmtpSink(authenticator=Authenticator("spy", "certa"), auth_require_tls=False).start()
    backup = SmtpSink().start()
    try:
        failing = settings_for(server.port, level="finance", username="spy", password="errada")
        settings_for(backup.port)  # the general level works
        enqueue(1)
        for _ in range(throttle.BREAKER_THRESHOLD):
            due_now()
            drain()
        state = SmtpState.objects.get(settings=failing)
        assert state.failures == throttle.BREAKER_THRESHOLD and state.open_until > timezone.now()
        spy_message = Message.objects.get(routine="spy")
        assert (spy_message.status, spy_message.attempts) == ("pending", 0)
        assert spy_message.last_error.startswith("535")
        # the admins were told, once, through the general level
        alert = Message.objects.get(routine="alert")
        assert alert.status == "sent" and alert.smtp_level == "general"
        assert backup.received[0].rcpt_tos == ["admin@example.com"]
        # while the breaker is open nothing is tried, and no attempt is spent
        due_now()
        drain()
        assert SmtpState.objects.get(settings=failing).failures == throttle.BREAKER_THRESHOLD
        assert Message.objects.filter(routine="alert").count() == 1
    finally:
        server.stop()
        backup.stop()


def test_fixing_the_password_closes_the_breaker_and_sends(db):
    server = SmtpSink(authenticator=Authenticator("spy", "certa"), auth_require_tls=False).start()
    try:
        settings_for(server.port, username="spy", password="errada")
        enqueue(1)
        drain()
        settings_for(server.port, username="spy", password="certa")
        due_now()
        drain()
    finally:
        server.stop()
    assert Message.objects.get().status == "sent"
    assert SmtpState.objects.get().failures == 0


def test_starttls_required_but_missing_is_a_connection_failure(db, sink):
    settings_for(sink.port, security="starttls")
    enqueue(1)
    drain()
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("pending", 0)
    assert "STARTTLS" in message.last_error
    assert sink.received == []


def test_self_signed_certificate_is_not_trusted(db, tmp_path):
    server = SmtpSink(tls_context=self_signed_context(tmp_path), require_starttls=True).start()
    try:
        settings_for(server.port, security="starttls")
        enqueue(1)
        drain()
    finally:
        server.stop()
    message = Message.objects.get()
    assert message.status == "pending" and server.received == []
    assert "certificado TLS não confiável" in message.last_error


def test_rate_limit_defers_the_excess_without_spending_attempts(db, sink):
    settings_for(sink.port, max_per_minute=2)
    enqueue(5)
    drain()
    assert len(sink.received) == 2
    waiting = Message.objects.filter(status="pending")
    assert waiting.count() == 3
    assert {m.attempts for m in waiting} == {0}
    assert {m.last_error for m in waiting} == {"limite de mensagens por minuto"}


def test_connection_limit_is_shared_between_workers(db, sink):
    settings = settings_for(sink.port, max_connections=2)
    first = throttle.reserve(settings=settings, owner="w1", wanted=10)
    second = throttle.reserve(settings=settings, owner="w2", wanted=10)
    assert len(first.connections) == 2
    assert second.granted == 0 and second.reason == "limite de conexões simultâneas"
    throttle.release(settings=settings, connections=first.connections, error=None)
    assert len(throttle.reserve(settings=settings, owner="w2", wanted=1).connections) == 1


def test_messages_older_than_the_maximum_age_fail_instead_of_retrying(db, sink, settings):
    settings_for(sink.port)
    sink.handler.on_data = lambda message: "451 4.3.0 Depois"
    enqueue(1)
    Message.objects.update(
        created_at=timezone.now() - timezone.timedelta(hours=settings.SPY_MAX_AGE_HOURS + 1)
    )
    drain()
    message = Message.objects.get()
    assert message.status == "failed" and "horas" in message.last_error


def test_many_messages_use_parallel_connections_and_each_is_sent_once(db, sink):
    settings_for(sink.port, max_connections=4)
    sink.handler.delay = 0.01
    enqueue(60)
    drain()
    assert Message.objects.filter(status="sent").count() == 60
    assert sorted(r for m in sink.received for r in m.rcpt_tos) == sorted(
        f"dest{i}@example.com" for i in range(60)
    )


def test_the_password_never_reaches_the_log(db, caplog):
    server = SmtpSink(authenticator=Authenticator("spy", "certa"), auth_require_tls=False).start()
    caplog.set_level(logging.DEBUG)
    try:
        settings_for(server.port, username="spy", password="senha-super-secreta")
        enqueue(1)
        drain()
    finally:
        server.stop()
    assert "senha-super-secreta" not in caplog.text
    assert "senha-super-secreta" not in Message.objects.get().last_error


def test_a_server_gone_after_a_dropped_connection_spends_no_attempt_on_the_rest(db, raw):
    server = raw("drop_after_data")
    server.close_listener_after_data = True  # the first message drops, then the port is closed
    settings_for(server.port, max_connections=1)
    enqueue(3)
    drain()
    by_attempts = sorted(Message.objects.values_list("attempts", flat=True))
    assert server.data_received == 1
    assert by_attempts == [0, 0, 1]  # only the message actually tried spent an attempt
