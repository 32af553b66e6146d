"""Real SMTP servers on loopback for tests: a recording sink that can inject faults."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class SinkHandler:
    """Records messages; ``on_rcpt``/``on_data`` may return an SMTP reply to inject a fault."""

    received: list[Received] = field(default_factory=list)
    on_rcpt: Callable[[str], str | None] | None = None
    on_data: Callable[[Received], str | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self.on_rcpt(address) if self.on_rcpt else None
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        fault = self.on_data(message) if self.on_data else None
        if fault:
            return fault
        with self.lock:
            self.received.append(message)
        return "250 2.0.0 Ok: queued"


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 at a free port. ``stop()``/``start()`` simulate outages."""

    def __init__(
        self, handler: SinkHandler | None = None, port: int | None = None, **server_kwargs
    ) -> None:
        self.handler = handler or SinkHandler()
        self.port = port or free_port()
        self.server_kwargs = server_kwargs
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> SmtpSink:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.server_kwargs
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def self_signed_context(tmp_path) -> ssl.SSLContext:
    """A server TLS context with a freshly generated self-signed certificate for 127.0.0.1."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


class Authenticator:
    """Accepts exactly one username/password pair (aiosmtpd ``authenticator`` protocol)."""

    def __init__(self, username: str, password: str) -> None:
        self.expected = (username.encode(), password.encode())

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login, auth_data.password) == self.expected
        return AuthResult(success=ok, handled=False)
