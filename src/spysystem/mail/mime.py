"""The bytes of an outbox message: the reference MIME build, and a cache that serializes each
distinct content once.

Every recipient of a Spy change or of a routine batch gets the same subject, bodies and
attachments; only To, Date and Message-ID differ. Building and serializing a message with
Django's ``EmailMultiAlternatives`` costs about 1 ms of CPU under the GIL, more than a whole SMTP
dialogue with a fast server, so ``MimeCache`` keeps the serialized message of each content and
writes only those three header fields per recipient (with the same encoder the reference build
uses). A cached message is byte for byte the reference build of that recipient, except for its
own Date and Message-ID and the MIME boundary, which is drawn once per content instead of once per
message (a boundary only has to be absent from the parts it separates).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from email.message import Message as MimeMessage
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers

from spysystem.mail.models import Message, SmtpSettings

LINESEP = "\r\n"
PER_RECIPIENT = ("to", "date", "message-id")  # header fields written for each message
CACHE_SIZE = 32  # distinct contents kept (a change's fan-out, a routine batch, …)
CACHE_MAX_BYTES = 1 << 20  # larger messages (big attachments) are rarely shared: not kept

# The reference build serializes with this policy (compat32, CRLF), so folding a header field
# with it gives exactly the bytes the reference build would have written.
_POLICY = compat32.clone(linesep=LINESEP)
_FIELD = re.compile(rb"[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*")
_BLANK = re.compile(r"\s")

Attachments = list[tuple[str, bytes, str]]  # (filename, content, content type)


def _reply_to(message: Message, settings: SmtpSettings) -> str:
    return message.reply_to or settings.reply_to


def message_id(message: Message, settings: SmtpSettings) -> str:
    """A new unique Message-ID that names the outbox row (``spy-<id>``), so a copy re-sent
    after a crash can be traced to the row it came from."""
    return make_msgid(f"spy-{message.pk}", settings.from_email.split("@")[-1])


def attachments_of(message: Message) -> Attachments:
    """The attachments of one message, as the builders take them."""
    return [(a.filename, bytes(a.content), a.content_type) for a in message.attachments.all()]


def build_email(
    message: Message, settings: SmtpSettings, attachments: Attachments | None = None
) -> MimeMessage:
    """The MIME message: plain text with an HTML alternative, sender from the chosen settings.

    The reference build: ``MimeCache`` output equals it except per-recipient header fields.
    ``attachments`` (default: read from the database) lets a caller load them in bulk.
    """
    if attachments is None:
        attachments = attachments_of(message)
    reply_to = _reply_to(message, settings)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((settings.from_name, settings.from_email)),
        to=[formataddr((message.to_name, message.to_email))],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id(message, settings)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for filename, content, content_type in attachments:
        email.attach(filename, content, content_type)
    return email.message()


_folded: dict[tuple[str, str], bytes] = {}  # the last Date field, folded


def _fold(name: str, value: str) -> bytes:
    """One header field as the reference build's generator writes it. A short ASCII value
    without blanks is never folded nor encoded, so it is written directly (a tenth of the
    cost; the tests compare both ways); a Date is folded once per second."""
    if len(name) + len(value) <= 76 and value.isascii() and not _BLANK.search(value):
        return f"{name}: {value}\r\n".encode("ascii")
    if name.lower() != "date":
        return _POLICY.fold_binary(name, value)
    field = _folded.get((name, value))
    if field is None:
        _folded.clear()
        field = _folded[name, value] = _POLICY.fold_binary(name, value)
    return field


class _Template:
    """A serialized message cut around its per-recipient header fields: ``parts`` are bytes to
    copy, or the header name (as written) of a field to write for each recipient."""

    def __init__(self, data: bytes) -> None:
        end = data.index(b"\r\n\r\n") + 2
        self.parts: list[bytes | str] = []
        static = bytearray()
        for match in _FIELD.finditer(data, 0, end):
            field = match.group()
            name = field.split(b":", 1)[0].decode("ascii")
            if name.lower() in PER_RECIPIENT:
                self.parts += [bytes(static), name]
                static.clear()
            else:
                static += field
        self.parts.append(bytes(static) + data[end:])

    def render(self, values: dict[str, str]) -> bytes:
        return b"".join(
            part if isinstance(part, bytes) else _fold(part, values[part.lower()])
            for part in self.parts
        )


def _content_key(message: Message, settings: SmtpSettings, attachments: Attachments) -> tuple:
    """Everything the reference build reads except the per-recipient fields."""
    return (
        settings.from_name,
        settings.from_email,
        _reply_to(message, settings),
        message.subject,
        message.body_text,
        message.body_html,
        tuple(attachments),
    )


_dates: dict[int, str] = {}


def _date() -> str:
    """``formatdate`` of now, as the reference build writes it (it shows whole seconds, so one
    string serves a whole second)."""
    second = int(time.time())
    date = _dates.get(second)
    if date is None:
        _dates.clear()
        date = _dates[second] = formatdate(second, localtime=django_settings.EMAIL_USE_LOCALTIME)
    return date


def _recipient_values(message: Message, settings: SmtpSettings) -> dict[str, str]:
    """To, Date and Message-ID of one message, as the reference build sets them (the same
    injection guard on To)."""
    _name, to = forbid_multi_line_headers(
        "To", formataddr((message.to_name, message.to_email)), None
    )
    return {"to": to, "date": _date(), "message-id": message_id(message, settings)}


class MimeCache:
    """Serialized messages by content, least recently used first out. Not thread-safe: one
    per delivery engine, used by the thread that claims and dispatches."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._templates: OrderedDict[tuple, _Template] = OrderedDict()
        self.hits = self.misses = 0

    def render(
        self, message: Message, settings: SmtpSettings, attachments: Attachments | None = None
    ) -> bytes:
        """The bytes to send (CRLF line ends) for ``message`` through ``settings``; pass
        ``attachments`` when they were loaded in bulk (default: read from the database)."""
        if attachments is None:
            attachments = attachments_of(message)
        key = _content_key(message, settings, attachments)
        template = self._templates.get(key)
        if template is not None:
            self._templates.move_to_end(key)
            self.hits += 1
            return template.render(_recipient_values(message, settings))
        self.misses += 1
        data = build_email(message, settings, attachments).as_bytes(linesep=LINESEP)
        if len(data) <= CACHE_MAX_BYTES:
            self._templates[key] = _Template(data)
            if len(self._templates) > self.size:
                self._templates.popitem(last=False)
        return data
