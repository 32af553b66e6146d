"""The delivery engine: claim due outbox rows, resolve each one's route, send, record the result.

One connection per SMTP settings per batch; the result of every message is persisted right after
the server's reply, so a crash loses at most the messages in flight (which are re-sent when their
lease expires: at-least-once, with the Message-ID stable for receivers to dedupe).
"""

from __future__ import annotations

import logging
from email.utils import formataddr, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart

from spysystem.mail import services
from spysystem.mail.crypto import decrypt
from spysystem.mail.models import Message, SmtpSettings
from spysystem.mail.routing import Route, route_for
from spysystem.mail.transport import DeliveryError, SmtpConfig, SmtpTransport

logger = logging.getLogger(__name__)
BATCH_SIZE = 50


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


def build_email(message: Message, settings: SmtpSettings) -> SafeMIMEMultipart:
    """The MIME message: plain text with an HTML alternative, sender from the chosen settings."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((settings.from_name, settings.from_email)),
        to=[formataddr((message.to_name, message.to_email))],
        reply_to=[settings.reply_to] if settings.reply_to else None,
        headers={"Message-ID": make_msgid(f"spy-{message.pk}", settings.from_email.split("@")[-1])},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email.message()


def _group_by_route(messages: list[Message]) -> dict[int | None, tuple[Route, list[Message]]]:
    groups: dict[int | None, tuple[Route, list[Message]]] = {}
    routes: dict[tuple[str, int | None], Route] = {}
    for message in messages:
        key = (message.routine, message.company_id)
        if key not in routes:
            routes[key] = route_for(routine=message.routine, company_id=message.company_id)
        route = routes[key]
        settings_id = route.settings.pk if route.settings else None
        groups.setdefault(settings_id, (route, []))[1].append(message)
    return groups


def _defer_unrouted(messages: list[Message], worker_id: str, reason: str) -> None:
    for message in messages:
        services.message_mark_retry(
            message=message,
            worker_id=worker_id,
            level="",
            error=reason,
            spend_attempt=False,
        )


def _record_failure(message: Message, worker_id: str, level: str, error: DeliveryError) -> None:
    if error.permanent:
        services.message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=error.text
        )
    else:
        services.message_mark_retry(
            message=message, worker_id=worker_id, level=level, error=error.text
        )


def _send_group(route: Route, messages: list[Message], worker_id: str) -> None:
    settings = route.settings
    assert settings is not None and route.level is not None
    transport = SmtpTransport(smtp_config(settings))
    try:
        transport.open()
    except DeliveryError as error:
        for message in messages:
            _record_failure(message, worker_id, route.level, error)
        return
    with transport:
        for message in messages:
            try:
                reply = transport.send(
                    build_email(message, settings),
                    sender=settings.from_email,
                    recipient=message.to_email,
                )
            except DeliveryError as error:
                _record_failure(message, worker_id, route.level, error)
                continue
            services.message_mark_sent(
                message_id=message.pk, worker_id=worker_id, level=route.level, reply=reply
            )


def process_one_batch(*, worker_id: str, limit: int = BATCH_SIZE) -> bool:
    """Claim and deliver up to ``limit`` due messages; False when nothing was due."""
    ids = services.messages_claim(worker_id=worker_id, limit=limit)
    if not ids:
        return False
    messages = list(Message.objects.filter(id__in=ids).order_by("id"))
    for route, group in _group_by_route(messages).values():
        if route.settings is None:
            _defer_unrouted(group, worker_id, route.reason)
        else:
            _send_group(route, group, worker_id)
    logger.info("delivered batch of %d message(s)", len(messages))
    return True
