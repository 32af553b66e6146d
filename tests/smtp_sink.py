"""Real SMTP servers on loopback for tests: a recording sink that can inject faults."""

from __future__ import annotations

import socket
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

    def __init__(self, handler: SinkHandler | None = None, port: int | None = None) -> None:
        self.handler = handler or SinkHandler()
        self.port = port or free_port()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> SmtpSink:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
