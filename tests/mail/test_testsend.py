"""“Testar envio”: each SMTP step reported with the server's reply, in Portuguese."""

import logging

import pytest

from spysystem.mail.models import Message, SmtpSettings
from spysystem.mail.testsend import CONNECT_FAILED, SmtpTestRefused, smtp_test_send
from tests.smtp_sink import Authenticator, SmtpSink, free_port, self_signed_context


def unsaved(port: int, **fields) -> SmtpSettings:
    values = {
        "level": "general",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_email": "spy@empresa.com.br",
        "timeout": 5,
    }
    values.update(fields)
    return SmtpSettings(**values)


def steps(report) -> list[tuple[str, bool]]:
    return [(step.name, step.ok) for step in report.steps]


def test_successful_test_send_reports_every_step_and_delivers(db, sink, make_user):
    report = smtp_test_send(
        settings=unsaved(sink.port), password="", to="teste@empresa.com.br", user=make_user()
    )
    assert report.ok, report.as_dict()
    assert steps(report) == [
        ("Conexão", True),
        ("EHLO", True),
        ("MAIL FROM", True),
        ("RCPT TO", True),
        ("DATA", True),
    ]
    assert report.steps[-1].reply.startswith("250")
    assert sink.received[0].rcpt_tos == ["teste@empresa.com.br"]
    recorded = Message.objects.get(routine="test")
    assert recorded.status == "sent"


def test_closed_port_and_unknown_host_give_the_same_words(db, make_user):
    user = make_user()
    closed = smtp_test_send(
        settings=unsaved(free_port()), password="", to="a@empresa.com.br", user=user
    )
    unknown = smtp_test_send(
        settings=unsaved(25, host="host-que-nao-existe.invalid", security="starttls"),
        password="",
        to="a@empresa.com.br",
        user=user,
    )
    assert not closed.ok and not unknown.ok
    assert closed.steps[0].explanation == unknown.steps[0].explanation == CONNECT_FAILED
    assert "Conexão" in closed.summary


def test_recipient_rejection_is_reported_at_rcpt_with_the_reply(db, sink, make_user):
    sink.handler.on_rcpt = lambda address: "550 5.1.1 Caixa postal inexistente"
    report = smtp_test_send(
        settings=unsaved(sink.port), password="", to="x@empresa.com.br", user=make_user()
    )
    assert steps(report)[-1] == ("RCPT TO", False)
    assert report.steps[-1].reply == "550 5.1.1 Caixa postal inexistente"
    assert "definitiva" in report.steps[-1].explanation
    assert Message.objects.get(routine="test").status == "failed"


def test_starttls_required_but_not_offered_stops_before_login(db, sink, make_user):
    report = smtp_test_send(
        settings=unsaved(sink.port, security="starttls", username="u"),
        password="segredo",
        to="x@empresa.com.br",
        user=make_user(),
    )
    assert steps(report)[-1] == ("STARTTLS", False)
    assert "STARTTLS" in report.summary and "AUTH" not in [s.name for s in report.steps]


def test_self_signed_certificate_is_refused_by_default(db, tmp_path, make_user):
    server = SmtpSink(tls_context=self_signed_context(tmp_path), require_starttls=True).start()
    try:
        report = smtp_test_send(
            settings=unsaved(server.port, security="starttls"),
            password="",
            to="x@empresa.com.br",
            user=make_user(),
        )
    finally:
        server.stop()
    assert not report.ok
    assert "certificado" in report.steps[-1].explanation
    assert server.received == []


def test_wrong_password_fails_at_auth_and_the_password_is_never_reported(db, make_user, caplog):
    server = SmtpSink(authenticator=Authenticator("spy", "certa"), auth_require_tls=False).start()
    caplog.set_level(logging.DEBUG)
    try:
        bad = smtp_test_send(
            settings=unsaved(server.port, username="spy"),
            password="errada-123",
            to="x@empresa.com.br",
            user=make_user(),
        )
        good = smtp_test_send(
            settings=unsaved(server.port, username="spy"),
            password="certa",
            to="x@empresa.com.br",
            user=make_user(),
        )
    finally:
        server.stop()
    assert steps(bad)[-1] == ("AUTH", False) and "senha" in bad.steps[-1].explanation
    assert good.ok and ("AUTH", True) in steps(good)
    assert "errada-123" not in str(bad.as_dict()) and "errada-123" not in caplog.text


def test_test_send_is_rate_limited_per_user(db, sink, make_user):
    user = make_user()
    for _ in range(5):
        smtp_test_send(settings=unsaved(sink.port), password="", to="x@empresa.com.br", user=user)
    with pytest.raises(SmtpTestRefused, match="aguarde"):
        smtp_test_send(settings=unsaved(sink.port), password="", to="x@empresa.com.br", user=user)
    assert len(sink.received) == 5


def test_invalid_address_is_a_field_error_and_nothing_is_recorded(db, sink, make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        smtp_test_send(
            settings=unsaved(sink.port), password="", to="a@b\r\nBcc: x@y.com", user=make_user()
        )
    assert "to" in info.value.message_dict
    assert not Message.objects.exists()
