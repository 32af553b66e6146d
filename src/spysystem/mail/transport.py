"""The SMTP transport: one small class, one ``send`` per message, errors that say permanent or
temporary. The engine never looks at SMTP codes anywhere else.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage as StdMessage

from django.utils.translation import gettext as _


class DeliveryError(Exception):
    """A failed delivery; ``permanent`` says whether retrying can ever help."""

    permanent = False

    def __init__(self, text: str, code: int | None = None) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


class TemporaryFailure(DeliveryError):
    permanent = False


class PermanentFailure(DeliveryError):
    permanent = True


class ConnectionFailed(TemporaryFailure):
    """No session could be opened (refused, timeout, greeting, TLS, AUTH): the message was
    never tried, so it must not spend an attempt."""


@dataclass(frozen=True)
class SmtpConfig:
    """Plain connection settings (the password already decrypted, never logged)."""

    host: str
    port: int
    security: str
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"SmtpConfig({self.host}:{self.port}, {self.security}, user={self.username!r})"


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {body}".strip()


def network_reason(exc: BaseException) -> str:
    """Portuguese words for a network-level failure (never the host's details)."""
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return _("tempo limite esgotado (timeout)")
    if isinstance(exc, ConnectionRefusedError):
        return _("conexão recusada")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("certificado TLS não confiável (%s)") % exc.verify_message
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("o servidor encerrou a conexão")
    return type(exc).__name__


def failure_for(code: int, text: bytes | str) -> DeliveryError:
    """4xx → temporary, 5xx → permanent; anything else is treated as temporary."""
    reply = _reply(code, text)
    return PermanentFailure(reply, code) if 500 <= code < 600 else TemporaryFailure(reply, code)


class SmtpTransport:
    """One SMTP session that can send several messages; use as a context manager."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Connect, secure and log in; raises ``DeliveryError`` (temporary for network faults)."""
        config = self.config
        try:
            if config.security == "ssl":
                context = ssl.create_default_context()
                self._smtp = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                self._smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            self._smtp.ehlo()
            if config.security == "starttls":
                self._starttls()
            if config.username:
                self._smtp.login(config.username, config.password)
        except DeliveryError:
            self.close()
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise ConnectionFailed(_reply(exc.smtp_code, exc.smtp_error), exc.smtp_code) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ConnectionFailed(_("falha de conexão: %s") % network_reason(exc)) from exc

    def _starttls(self) -> None:
        assert self._smtp is not None
        if not self._smtp.has_extn("starttls"):
            raise ConnectionFailed(_("o servidor não oferece STARTTLS, exigido pela configuração"))
        self._smtp.starttls(context=ssl.create_default_context())
        self._smtp.ehlo()

    def send(self, message: StdMessage, *, sender: str, recipient: str) -> str:
        """Send one message to one recipient and return the server's final reply."""
        if self._smtp is None:
            self.open()
        smtp = self._smtp
        assert smtp is not None
        try:
            self._step(smtp.mail(sender))
            self._step(smtp.rcpt(recipient))
            code, text = smtp.data(message.as_bytes(linesep="\r\n"))
        except DeliveryError:
            self._reset()
            raise
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise failure_for(exc.smtp_code, exc.smtp_error) from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise TemporaryFailure(_("conexão interrompida: %s") % network_reason(exc)) from exc
        if code != 250:
            self._reset()
            raise failure_for(code, text)
        return _reply(code, text)

    @staticmethod
    def _step(result: tuple[int, bytes]) -> None:
        code, text = result
        if not 200 <= code < 300:
            raise failure_for(code, text)

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None
