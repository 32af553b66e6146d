"""The demo capture SMTP server: accepts every message on loopback and keeps it for the UI."""

from __future__ import annotations

import email
import email.policy
import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from spysystem.mail.models import CapturedMessage

logger = logging.getLogger(__name__)


def captured_store(*, mail_from: str, recipients: list[str], raw: bytes) -> CapturedMessage:
    """Keep one received message (subject decoded for the list screen)."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    close_old_connections()
    return CapturedMessage.objects.create(
        mail_from=mail_from,
        recipients=", ".join(recipients),
        subject=str(parsed.get("Subject", ""))[:500],
        raw=raw.decode("utf-8", errors="replace"),
    )


class CaptureHandler:
    async def handle_DATA(self, server, session, envelope) -> str:
        await sync_to_async(captured_store, thread_sensitive=False)(
            mail_from=envelope.mail_from, recipients=list(envelope.rcpt_tos), raw=envelope.content
        )
        return "250 Mensagem capturada"


def capture_server_start(*, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    """Start the capture server in a background thread; call ``.stop()`` on the result."""
    controller = Controller(CaptureHandler(), hostname=host, port=port)
    controller.start()
    logger.info("capture SMTP server on %s:%d", host, port)
    return controller
