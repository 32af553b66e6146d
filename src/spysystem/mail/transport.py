"""The SMTP transport: one small class, one ``send`` per message, errors that say permanent or
temporary. The engine never looks at SMTP codes anywhere else.

A session stays open across messages (the engine keeps it across batches too), so a server may
have dropped it while it sat idle: when a *reused* session fails before the server accepted
``MAIL FROM`` (a disconnect, or 421 "closing"), nothing was tried yet, so ``send`` opens a fresh
session and tries once more; a failure there is a ``ConnectionFailed`` and spends no attempt.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass

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


_PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")
_LINE_START_DOT = re.compile(rb"(?m)^\.")


def quote_address(address: str) -> str:
    """``<address>`` for MAIL FROM / RCPT TO, as ``smtplib.quoteaddr`` writes it; a plain
    address skips its parser (a fifth of the client's CPU per message). ``_command`` refuses
    CR/LF, so nothing here can inject a command."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


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
        self._used = False  # the server accepted a MAIL FROM on the current session

    @property
    def is_open(self) -> bool:
        """Whether a session is open (it may still have been dropped by the server)."""
        return self._smtp is not None

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
            self._used = False
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

    def send(self, data: bytes, *, sender: str, recipient: str) -> str:
        """Send one message (its bytes, CRLF line ends: ``mime.MimeCache``) to one recipient
        and return the server's final reply.

        Raises ``ConnectionFailed`` when no session could carry it (never tried: no attempt
        spent), ``PermanentFailure`` for a 5xx and ``TemporaryFailure`` for anything else.
        """
        if self._smtp is None:
            self.open()
        self._mail(sender)
        try:
            self._step(self._command(f"RCPT TO:{quote_address(recipient)}"))
            code, text = self._data(data)
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

    def _mail(self, sender: str) -> None:
        """``MAIL FROM`` on the open session; a reused session found dead is replaced once."""
        reused = self._used
        dead = self._mail_once(sender, reused=reused)
        if dead is not None and reused:
            self.close()
            self.open()  # ConnectionFailed when the server is gone: nothing was tried
            dead = self._mail_once(sender, reused=False)
        if dead is not None:
            self.close()
            raise ConnectionFailed(_("conexão interrompida: %s") % dead)
        self._used = True

    def _mail_once(self, sender: str, *, reused: bool) -> str | None:
        """None when the server accepted the sender; the reason when the session died first.
        Any other refusal raises its ``DeliveryError``."""
        try:
            code, text = self._command(f"MAIL FROM:{quote_address(sender)}")
        except smtplib.SMTPResponseException as exc:
            code, text = exc.smtp_code, exc.smtp_error
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            return network_reason(exc)
        if 200 <= code < 300:
            return None
        if code == 421 and reused:  # "closing transmission channel": a new session may work
            return _reply(code, text)
        self._reset()
        raise failure_for(code, text)

    def _command(self, line: str) -> tuple[int, bytes]:
        """Send one command and read its reply: smtplib's ``putcmd`` + ``getreply`` without the
        per-call overhead (the client's CPU per message is what a fast server waits for).
        Network faults raise ``OSError`` (``SMTPServerDisconnected`` is one)."""
        if "\r" in line or "\n" in line:
            raise ValueError("SMTP commands cannot contain line breaks")
        return self._send_raw(line.encode("ascii") + b"\r\n")

    def _send_raw(self, data: bytes) -> tuple[int, bytes]:
        smtp = self._smtp
        if smtp is None or smtp.sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        smtp.sock.sendall(data)
        return smtp.getreply()

    def _data(self, data: bytes) -> tuple[int, bytes]:
        """DATA, then the message dot-stuffed and terminated as ``smtplib.SMTP.data`` does."""
        code, text = self._command("DATA")
        if code != 354:
            raise failure_for(code, text)
        stuffed = _LINE_START_DOT.sub(b"..", data)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        return self._send_raw(stuffed + b".\r\n")

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
