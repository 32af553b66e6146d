"""The delivery engine: claim due outbox rows, resolve each one's route, send, record the result.

Per SMTP settings, a batch takes send tokens and connection leases from ``throttle`` (limits shared
by all workers), sends over up to ``max_connections`` parallel connections (threads do network
I/O only), and this thread persists each message's result as soon as its reply arrives. A crash
loses at most the messages in flight, which are re-sent when their lease expires (at-least-once,
with a stable Message-ID).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message as MimeMessage
from email.utils import formataddr, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.mail import services, throttle
from spysystem.mail.crypto import decrypt
from spysystem.mail.models import Message, SmtpSettings
from spysystem.mail.routing import Route, route_for
from spysystem.mail.transport import (
    ConnectionFailed,
    DeliveryError,
    SmtpConfig,
    SmtpTransport,
    TemporaryFailure,
)

logger = logging.getLogger(__name__)
BATCH_SIZE = 200


def smtp_config(settings: SmtpSettings) -> SmtpConfig:
    """The connection settings of ``settings`` with the password decrypted."""
    return SmtpConfig(
        host=settings.host,
        port=settings.port,
        security=settings.security,
        username=settings.username,
        password=decrypt(settings.password_encrypted),
        timeout=float(settings.timeout),
    )


def build_email(message: Message, settings: SmtpSettings) -> MimeMessage:
    """The MIME message: plain text with an HTML alternative, sender from the chosen settings."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((settings.from_name, settings.from_email)),
        to=[formataddr((message.to_name, message.to_email))],
        reply_to=[message.reply_to or settings.reply_to]
        if (message.reply_to or settings.reply_to)
        else None,
        headers={"Message-ID": make_msgid(f"spy-{message.pk}", settings.from_email.split("@")[-1])},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email.message()


@dataclass(frozen=True)
class ConnectionFailure:
    """No connection could be opened for a chunk: the message was not tried."""

    error: DeliveryError


def _route(message: Message, cache: dict) -> Route:
    if message.pinned_settings_id:
        pinned = message.pinned_settings
        return Route(pinned.level, pinned, _("alerta enviado por outro servidor"))
    key = (message.routine, message.company_id)
    if key not in cache:
        cache[key] = route_for(routine=message.routine, company_id=message.company_id)
    return cache[key]


def _group_by_route(messages: list[Message]) -> dict[int | None, tuple[Route, list[Message]]]:
    groups: dict[int | None, tuple[Route, list[Message]]] = {}
    cache: dict = {}
    for message in messages:
        route = _route(message, cache)
        settings_id = route.settings.pk if route.settings else None
        groups.setdefault(settings_id, (route, []))[1].append(message)
    return groups


def _defer(messages: list[Message], worker_id: str, level: str, error: str, at=None) -> None:
    for message in messages:
        services.message_mark_retry(
            message=message,
            worker_id=worker_id,
            level=level,
            error=error,
            spend_attempt=False,
            retry_at=at,
        )


def _send_chunk(config: SmtpConfig, settings: SmtpSettings, jobs: list[Message], out) -> None:
    """Thread body: builds each MIME message and sends it (no database access: attachments are
    prefetched). Puts exactly one (message, outcome) per job — the server's reply, a
    ``DeliveryError`` or a ``ConnectionFailure`` — even on a bug."""
    done = 0
    try:
        transport = SmtpTransport(config)
        try:
            transport.open()
        except DeliveryError as error:
            for message in jobs:
                out.put((message, ConnectionFailure(error)))
                done += 1
            return
        with transport:
            for message in jobs:
                out.put((message, _send_one(transport, settings, message)))
                done += 1
    except Exception as exc:  # never leave the collecting thread waiting for a result
        logger.exception("SMTP sending thread failed")
        failure = TemporaryFailure(_("erro interno no envio: %s") % type(exc).__name__)
        for message in jobs[done:]:
            out.put((message, failure))


def _send_one(transport: SmtpTransport, settings: SmtpSettings, message: Message):
    try:
        mime = build_email(message, settings)
        return transport.send(mime, sender=settings.from_email, recipient=message.to_email)
    except ConnectionFailed as error:  # reopening after a drop failed: never tried
        return ConnectionFailure(error)
    except DeliveryError as error:
        return error


def _record_failure(message: Message, outcome, worker_id: str, level: str) -> bool:
    """Persist a failed attempt; returns whether a connection was opened for it."""
    if isinstance(outcome, ConnectionFailure):
        services.message_mark_retry(
            message=message,
            worker_id=worker_id,
            level=level,
            error=outcome.error.text,
            spend_attempt=False,
            retry_at=timezone.now() + timedelta(seconds=throttle.breaker_delay(1)),
        )
        return False
    if outcome.permanent:
        services.message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=outcome.text
        )
    else:
        services.message_mark_retry(
            message=message, worker_id=worker_id, level=level, error=outcome.text
        )
    return True


class _SentBuffer:
    """Replies of sent messages, persisted in groups: one guarded UPDATE for up to
    ``FLUSH_SIZE`` messages or whatever arrived within ``FLUSH_SECONDS`` (a crash between reply
    and flush re-sends those few, like any message in flight)."""

    FLUSH_SIZE = 25
    FLUSH_SECONDS = 0.05

    def __init__(self, worker_id: str, level: str) -> None:
        self.worker_id, self.level = worker_id, level
        self.replies: dict[int, str] = {}

    def add(self, message: Message, reply: str) -> None:
        self.replies[message.pk] = reply
        if len(self.replies) >= self.FLUSH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.replies:
            services.messages_mark_sent(
                replies=self.replies, worker_id=self.worker_id, level=self.level
            )
            self.replies = {}


def _collect(results: queue.Queue, count: int, worker_id: str, level: str) -> tuple[bool, str]:
    """Persist ``count`` results as they arrive; returns (a connection opened, last error)."""
    sent = _SentBuffer(worker_id, level)
    opened, last_error = False, ""
    for _n in range(count):
        try:
            message, outcome = results.get(timeout=sent.FLUSH_SECONDS)
        except queue.Empty:
            sent.flush()
            message, outcome = results.get()
        if isinstance(outcome, str):
            sent.add(message, outcome)
            opened = True
            continue
        if isinstance(outcome, ConnectionFailure):
            last_error = outcome.error.text
        opened = _record_failure(message, outcome, worker_id, level) or opened
    sent.flush()
    return opened, last_error


def _send_parallel(route: Route, messages: list[Message], connections: int, worker_id: str):
    """Send over ``connections`` threads; persist results here as they arrive.

    Returns the connection error text when no connection could be opened, else None.
    """
    settings = route.settings
    config = smtp_config(settings)
    results: queue.Queue = queue.Queue()
    threads = [
        threading.Thread(
            target=_send_chunk,
            args=(config, settings, messages[i::connections], results),
            daemon=True,
        )
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    opened, last_error = _collect(results, len(messages), worker_id, route.level)
    for thread in threads:
        thread.join()
    return None if opened else last_error


def _deliver_group(route: Route, messages: list[Message], worker_id: str) -> None:
    settings = route.settings
    reservation = throttle.reserve(settings=settings, owner=worker_id, wanted=len(messages))
    now_messages, later = messages[: reservation.granted], messages[reservation.granted :]
    if later:
        _defer(later, worker_id, route.level, reservation.reason, reservation.retry_at)
    if not now_messages:
        return
    error = _send_parallel(route, now_messages, len(reservation.connections), worker_id)
    alert = throttle.release(settings=settings, connections=reservation.connections, error=error)
    if alert:
        services.smtp_alert_enqueue(settings=settings, error=error or "")


def process_one_batch(*, worker_id: str, limit: int = BATCH_SIZE) -> bool:
    """Claim and deliver up to ``limit`` due messages; False when nothing was due."""
    ids = services.messages_claim(worker_id=worker_id, limit=limit)
    if not ids:
        return False
    messages = list(
        Message.objects.filter(id__in=ids)
        .select_related("pinned_settings")
        .prefetch_related("attachments")
        .order_by("id")
    )
    for route, group in _group_by_route(messages).values():
        if route.settings is None:
            _defer(group, worker_id, "", route.reason)
        else:
            _deliver_group(route, group, worker_id)
    logger.info("processed a batch of %d message(s)", len(messages))
    return True
