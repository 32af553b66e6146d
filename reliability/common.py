"""What every scenario uses: a fault-injecting SMTP sink, real ``spy`` processes, bounded waits,
the outbox filler and the result row."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_SPY_ID = re.compile(rb"^Message-ID:[^\r\n]*spy-(\d+)@", re.IGNORECASE | re.MULTILINE)


@dataclass
class Ctx:
    """Where a scenario runs: its work directory, the database vendor, fast or full sizes."""

    workdir: Path
    vendor: str
    fast: bool

    def size(self, full: float, fast: float) -> float:
        return fast if self.fast else full


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed (every loop is bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class FaultHandler:
    """Accepts messages and records the Spy message id of each accepted one.

    ``fault(spy_id, attempt)`` may return ``"drop"`` (close the connection after DATA without a
    reply) or an SMTP reply such as ``"451 …"`` to inject a fault; ``attempt`` counts the times the
    sink saw that id (from 0)."""

    def __init__(self, delay: float = 0.0, fault=None) -> None:
        self.delay = delay
        self.fault = fault
        self.lock = threading.Lock()
        self.accepted: Counter[int] = Counter()
        self.seen: Counter[int] = Counter()
        self.accept_times: list[float] = []
        self.other = 0  # accepted messages without a Spy id

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        match = _SPY_ID.search(envelope.content[:8192])
        spy_id = int(match.group(1)) if match else None
        with self.lock:
            attempt = self.seen[spy_id] if spy_id is not None else 0
            if spy_id is not None:
                self.seen[spy_id] += 1
        fault = self.fault(spy_id, attempt) if (self.fault and spy_id is not None) else None
        if fault == "drop":
            server.transport.abort()
            return "421 4.4.2 dropped"
        if fault:
            return fault
        with self.lock:
            if spy_id is None:
                self.other += 1
            else:
                self.accepted[spy_id] += 1
            self.accept_times.append(time.monotonic())
        return "250 2.0.0 Ok: queued"

    def count(self) -> int:
        with self.lock:
            return sum(self.accepted.values())

    def unique(self) -> int:
        with self.lock:
            return len(self.accepted)


class Sink:
    """An aiosmtpd server on loopback; ``stop()``/``start()`` on the same port simulate outages."""

    def __init__(self, handler: FaultHandler | None = None) -> None:
        self.handler = handler or FaultHandler()
        self.port = free_port()
        self._controller = None

    def start(self) -> Sink:
        from aiosmtpd.controller import Controller

        deadline = time.monotonic() + 15
        while True:
            try:
                self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
                self._controller.start()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def product_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Proc:
    """A real ``spy`` subprocess (``worker`` or ``web``) with its output in a log file."""

    def __init__(self, ctx: Ctx, name: str, args: list[str], **env: str) -> None:
        self.log_path = ctx.workdir / f"{name}.log"
        self.args = args
        self.env = {"SPY_WORKER_POLL": "0.2", **env}
        self.proc: subprocess.Popen | None = None

    def start(self) -> Proc:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "spysystem.cli", *self.args],
                env=product_env(**self.env),
                stdout=log,
                stderr=log,
            )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def worker(ctx: Ctx, name: str, **env: str) -> Proc:
    return Proc(ctx, name, ["worker"], **env)


def web(ctx: Ctx, name: str, port: int) -> Proc:
    return Proc(ctx, name, ["web", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"])


def wait_port(port: int, timeout: float = 30) -> bool:
    def is_open() -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return wait_until(is_open, timeout, 0.2)


# --- data -----------------------------------------------------------------------------------------


def reset_mail() -> None:
    """Empty the outbox and the SMTP state so each scenario starts from a clean queue."""
    from spysystem.mail.models import Message, SmtpState

    Message.objects.all().delete()
    SmtpState.objects.all().delete()


def smtp_general(port: int, *, max_connections: int = 4, timeout: int = 5, password=None):
    from spysystem.mail.models import SmtpState
    from spysystem.mail.services import smtp_settings_save

    settings = smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=port,
        security="none",
        from_email="spy@empresa.com.br",
        from_name="Spy System",
        timeout=timeout,
        max_connections=max_connections,
        max_per_minute=100000,
        password=password,
    )
    SmtpState.objects.all().delete()
    return settings


def enqueue(count: int, tag: str) -> list[int]:
    """Queue ``count`` messages through the product's enqueue path; returns their ids."""
    from django.db import transaction

    from spysystem.mail.models import Message
    from spysystem.mail.services import MessageDraft, message_enqueue_many

    with transaction.atomic():
        for start in range(0, count, 500):
            message_enqueue_many(
                [
                    MessageDraft(
                        routine="spy",
                        dedupe_key=f"rel:{tag}:{i}",
                        to_email=f"dest{i}@example.com",
                        to_name=f"Destinatário {i}",
                        subject=f"Alteração {i} — título",
                        body_text="Olá, o valor do título mudou.",
                        body_html="<p>Olá, o valor do título mudou.</p>",
                    )
                    for i in range(start, min(start + 500, count))
                ]
            )
    return list(
        Message.objects.filter(dedupe_key__startswith=f"rel:{tag}:").values_list("id", flat=True)
    )


def statuses() -> dict[str, int]:
    from django.db.models import Count

    from spysystem.mail.models import Message

    return dict(Message.objects.values_list("status").annotate(n=Count("id")))


def sent_count() -> int:
    from spysystem.mail.models import Message

    return Message.objects.filter(status="sent").count()


@dataclass
class Result:
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicates: int = 0
    recovery_s: float | None = None
    passed: bool = False
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "delivered": self.delivered,
            "lost": self.lost,
            "duplicates": self.duplicates,
            "recovery_s": None if self.recovery_s is None else round(self.recovery_s, 1),
            "passed": self.passed,
            "notes": self.notes,
            "details": self.details,
        }


def delivery_result(ids: list[int], handler: FaultHandler, *, skip: set[int] = frozenset()):
    """expected/delivered/lost/duplicates of ``ids`` (minus ``skip``) as seen by the sink."""
    wanted = set(ids) - set(skip)
    with handler.lock:
        accepted = dict(handler.accepted)
    delivered = len(wanted & accepted.keys())
    duplicates = sum(n - 1 for i, n in accepted.items() if i in wanted and n > 1)
    return Result(
        expected=len(wanted),
        delivered=delivered,
        lost=len(wanted) - delivered,
        duplicates=duplicates,
    )
