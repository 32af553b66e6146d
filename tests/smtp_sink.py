"""Real SMTP servers on loopback for tests: a recording sink that can inject faults."""

from __future__ import annotations

import asyncio
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
    delay: float = 0.0  # seconds to wait before answering DATA (a slow server)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self.on_rcpt(address) if self.on_rcpt else None
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
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


class RawSmtpServer:
    """A scripted TCP server for faults aiosmtpd cannot produce: a 421 greeting, a server that
    never answers, a connection dropped right after the message data."""

    def __init__(self, mode: str) -> None:
        assert mode in {"greet421", "stall", "drop_after_data"}
        self.mode = mode
        self.port = free_port()
        self.data_received = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(8)
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self.close_listener_after_data = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        if self.mode == "stall":
            self._held.append(conn)  # keep it open, say nothing
            return
        if self.mode == "greet421":
            conn.sendall(b"421 4.3.2 Servico indisponivel\r\n")
            conn.close()
            return
        self._dialogue(conn)

    def _dialogue(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 raw ESMTP\r\n")
        for line in reader:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 raw\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                for data_line in reader:
                    if data_line == b".\r\n":
                        break
                self.data_received += 1
                if self.close_listener_after_data:
                    self.stop()  # the server is gone: reconnecting is refused
                conn.close()  # drop without the final reply
                return
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._held:
            conn.close()
