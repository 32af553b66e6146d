"""One SMTP session carries many messages: a session the server closed while it sat idle is
replaced before the message is tried, and only a session that cannot be replaced is a
connection failure (which spends no attempt)."""

import smtplib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spysystem.mail.transport import (
    ConnectionFailed,
    SmtpConfig,
    SmtpTransport,
    TemporaryFailure,
    quote_address,
)
from tests.mail.scripted_smtp import ScriptedSmtp

MESSAGE = b"Subject: teste\r\n\r\ncorpo\r\n"


def transport_for(server: ScriptedSmtp) -> SmtpTransport:
    return SmtpTransport(SmtpConfig(host="127.0.0.1", port=server.port, security="none", timeout=2))


def send(transport: SmtpTransport, n: int) -> str:
    return transport.send(MESSAGE, sender="spy@empresa.com.br", recipient=f"dest{n}@example.com")


def test_one_session_carries_several_messages(scripted):
    server = scripted()
    transport = transport_for(server)
    try:
        replies = [send(transport, n) for n in range(3)]
    finally:
        transport.close()
    assert [reply.split()[0] for reply in replies] == ["250"] * 3
    assert server.sessions == 1 and len(server.accepted) == 3


def test_a_session_the_server_closed_is_replaced_before_the_message_is_tried(scripted):
    server = scripted(close_after=1)  # an idle timeout / one message per connection
    transport = transport_for(server)
    try:
        for n in range(3):
            assert send(transport, n).startswith("250")
    finally:
        transport.close()
    assert server.sessions == 3
    assert [recipient for recipient, _data in server.accepted] == [
        f"dest{n}@example.com" for n in range(3)
    ]


def test_421_to_mail_on_a_reused_session_opens_a_new_one(scripted):
    server = scripted(mail_421_on_reuse=True)
    transport = transport_for(server)
    try:
        for n in range(3):
            assert send(transport, n).startswith("250")
    finally:
        transport.close()
    assert server.sessions == 3 and len(server.accepted) == 3


def test_a_reused_session_whose_server_is_gone_is_a_connection_failure(scripted):
    server = scripted(close_after=1)
    transport = transport_for(server)
    assert send(transport, 0).startswith("250")
    server.stop()  # the session was closed and new connections are refused
    with pytest.raises(ConnectionFailed):
        send(transport, 1)
    assert not transport.is_open


def test_a_fresh_session_that_dies_at_mail_is_a_connection_failure(scripted):
    server = scripted(drop_at_mail=True)
    transport = transport_for(server)
    with pytest.raises(ConnectionFailed) as raised:
        send(transport, 0)
    assert "interrompida" in raised.value.text
    assert server.accepted == []


def test_a_drop_after_data_is_still_a_temporary_failure_of_that_message():
    """Only what happens before MAIL is accepted counts as never tried."""
    from tests.smtp_sink import RawSmtpServer

    raw = RawSmtpServer("drop_after_data")
    transport = SmtpTransport(
        SmtpConfig(host="127.0.0.1", port=raw.port, security="none", timeout=2)
    )
    try:
        with pytest.raises(TemporaryFailure) as raised:
            send(transport, 0)
    finally:
        raw.stop()
    assert not isinstance(raised.value, ConnectionFailed)


ATOM = st.text(
    alphabet=st.characters(
        min_codepoint=33, max_codepoint=0x2FF, blacklist_characters='<>()[]\\,;:"@ '
    ),
    min_size=1,
    max_size=12,
)


@given(local=ATOM, domain=ATOM)
def test_quote_address_writes_what_smtplib_writes(local, domain):
    address = f"{local}@{domain}"
    assert quote_address(address) == smtplib.quoteaddr(address)


@given(address=st.text(max_size=30))
def test_quote_address_falls_back_to_smtplib_for_anything_else(address):
    assert quote_address(address) == smtplib.quoteaddr(address)


def test_lines_starting_with_a_dot_and_a_missing_last_line_break_arrive_intact(sink):
    data = b"Subject: pontos\r\n\r\n.linha com ponto\r\n..dois pontos\r\n.\r\nfim sem quebra"
    transport = SmtpTransport(
        SmtpConfig(host="127.0.0.1", port=sink.port, security="none", timeout=2)
    )
    try:
        assert transport.send(data, sender="spy@empresa.com.br", recipient="a@example.com")
    finally:
        transport.close()
    (received,) = sink.received
    assert received.content.replace(b"\r\n", b"\n").rstrip(b"\n") == data.replace(b"\r\n", b"\n")


def test_no_command_can_carry_a_line_break(scripted):
    server = scripted()
    transport = transport_for(server)
    try:
        assert send(transport, 0).startswith("250")
        with pytest.raises(ValueError):
            transport._command("RCPT TO:<a@x.com>\r\nDATA")
        # an address with a line break is quoted as smtplib quotes it: no line break remains
        assert "\n" not in quote_address("a@x.com\r\nDATA") + quote_address("x\n@y")
    finally:
        transport.close()
    assert len(server.accepted) == 1
