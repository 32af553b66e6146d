"""“Testar envio”: send one real message through settings (saved or not) and report each step.

The report names every SMTP step — connect, TLS, EHLO, AUTH, MAIL FROM, RCPT TO, DATA — with the
server's reply, in Portuguese. A failure to connect is reported with the same words whatever the
cause (refused, unreachable, DNS, timeout), so the feature cannot be used to map a network. The
message is an outbox row (routine ``test``) committed before any network I/O; its content is
fixed, so the feature cannot relay arbitrary mail; it is rate-limited per user.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import formataddr

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.finance.validators import normalize_email_address
from spysystem.mail.models import Message, MessageStatus, Routine, SmtpSettings
from spysystem.mail.transport import SmtpConfig

TEST_LIMIT_PER_MINUTE = 5
TEST_LIMIT_PER_HOUR = 30
CONNECT_FAILED = "Não foi possível conectar ao servidor SMTP informado (endereço, porta ou rede)."


@dataclass
class Step:
    name: str
    ok: bool
    reply: str
    explanation: str = ""


@dataclass
class SmtpTestReport:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def summary(self) -> str:
        if self.ok:
            return _("Envio de teste concluído: o servidor aceitou a mensagem.")
        failed = next(step for step in self.steps if not step.ok)
        return _("Falhou na etapa %(step)s: %(why)s") % {
            "step": failed.name,
            "why": failed.explanation or failed.reply,
        }

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "steps": [step.__dict__ for step in self.steps],
        }


class SmtpTestRefused(Exception):
    """The test send was not attempted (rate limit); the message says why, in Portuguese."""


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {body}".strip()


def _check_rate(user: object) -> None:
    now = timezone.now()
    recent = Message.objects.filter(routine=Routine.TEST, requested_by=user)
    if recent.filter(created_at__gte=now - timedelta(minutes=1)).count() >= TEST_LIMIT_PER_MINUTE:
        raise SmtpTestRefused(_("Muitos testes em sequência: aguarde um minuto."))
    if recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= TEST_LIMIT_PER_HOUR:
        raise SmtpTestRefused(_("Limite de testes por hora atingido: tente mais tarde."))


def _test_email(settings: SmtpSettings, to: str) -> EmailMessage:
    return EmailMessage(
        subject=_("Spy System: teste de envio"),
        body=_(
            "Este é um e-mail de teste do Spy System.\n\n"
            "Se você o recebeu, o servidor SMTP %(host)s:%(port)s está configurado corretamente."
        )
        % {"host": settings.host, "port": settings.port},
        from_email=formataddr((settings.from_name, settings.from_email)),
        to=[to],
        reply_to=[settings.reply_to] if settings.reply_to else None,
    )


@transaction.atomic
def _record(settings: SmtpSettings, to: str, user: object) -> Message:
    _check_rate(user)
    email = _test_email(settings, to)
    return Message.objects.create(
        routine=Routine.TEST,
        dedupe_key=f"test:{timezone.now().timestamp()}:{getattr(user, 'pk', 0)}:{to}",
        to_email=to,
        subject=email.subject,
        body_text=email.body,
        status=MessageStatus.SENDING,
        leased_by="test-send",
        requested_by=user if getattr(user, "pk", None) else None,
        smtp_level=settings.level or "",
    )


def smtp_test_send(
    *, settings: SmtpSettings, password: str, to: str, user: object
) -> SmtpTestReport:
    """Validate ``to``, record the test message, run the SMTP dialogue and return the report.

    ``settings`` may be unsaved (the form being edited); ``password`` is the plain password to
    use. Raises ``ValidationError`` for a bad address and ``SmtpTestRefused`` when rate-limited.
    """
    try:
        to = normalize_email_address(to)
    except ValidationError as exc:
        raise ValidationError({"to": exc.messages}) from exc
    message = _record(settings, to, user)
    config = SmtpConfig(
        host=settings.host,
        port=settings.port,
        security=settings.security,
        username=settings.username,
        password=password,
        timeout=min(float(settings.timeout), 20.0),
    )
    report = SmtpDialogue(config).run(
        _test_email(settings, to).message(), sender=settings.from_email, recipient=to
    )
    _finish(message, report)
    return report


def _finish(message: Message, report: SmtpTestReport) -> None:
    last = report.steps[-1] if report.steps else None
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT if report.ok else MessageStatus.FAILED,
        attempts=1,
        sent_at=timezone.now() if report.ok else None,
        smtp_reply=last.reply if last and report.ok else "",
        last_error="" if report.ok else report.summary[:2000],
        lease_until=None,
    )


class SmtpDialogue:
    """Runs the SMTP steps one by one, recording each reply; stops at the first failure."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.report = SmtpTestReport()
        self.smtp: smtplib.SMTP | None = None

    def _add(self, name: str, ok: bool, reply: str, explanation: str = "") -> bool:
        self.report.steps.append(Step(name, ok, reply, explanation))
        return ok

    def run(self, email, *, sender: str, recipient: str) -> SmtpTestReport:
        try:
            steps = (
                self._connect,
                self._tls,
                self._ehlo,
                self._auth,
                lambda: self._command("MAIL FROM", self.smtp.mail, sender),
                lambda: self._command("RCPT TO", self.smtp.rcpt, recipient),
                lambda: self._data(email),
            )
            for step in steps:
                if not step():
                    break
        finally:
            self._close()
        return self.report

    def _connect(self) -> bool:
        config = self.config
        try:
            if config.security == "ssl":
                context = ssl.create_default_context()
                self.smtp = _GreetedSSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                self.smtp = _Greeted(config.host, config.port, timeout=config.timeout)
        except ssl.SSLError as exc:
            return self._add(_("Conexão (TLS)"), False, "", _tls_explanation(exc))
        except smtplib.SMTPConnectError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            return self._add(_("Conexão"), False, reply, _("O servidor recusou a conexão."))
        except (OSError, smtplib.SMTPException):
            return self._add(_("Conexão"), False, "", _(CONNECT_FAILED))
        return self._add(_("Conexão"), True, _reply(*self.smtp.greeting))

    def _ehlo(self) -> bool:
        code, text = self.smtp.ehlo()
        return self._add("EHLO", 200 <= code < 300, _reply(code, text))

    def _tls(self) -> bool:
        if self.config.security != "starttls":
            return True
        self.smtp.ehlo()
        if not self.smtp.has_extn("starttls"):
            return self._add(
                "STARTTLS",
                False,
                "",
                _("O servidor não oferece STARTTLS, exigido pela configuração."),
            )
        try:
            code, text = self.smtp.starttls(context=ssl.create_default_context())
        except ssl.SSLError as exc:
            return self._add("STARTTLS", False, "", _tls_explanation(exc))
        except (OSError, smtplib.SMTPException) as exc:
            return self._add(
                "STARTTLS", False, "", _("Falha ao iniciar TLS: %s") % type(exc).__name__
            )
        return self._add("STARTTLS", code == 220, _reply(code, text))

    def _auth(self) -> bool:
        if not self.config.username:
            return True
        try:
            code, text = _login_once(self.smtp, self.config.username, self.config.password)
        except smtplib.SMTPAuthenticationError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            return self._add("AUTH", False, reply, _("Usuário ou senha recusados pelo servidor."))
        except smtplib.SMTPNotSupportedError:
            explanation = _("O servidor não aceita autenticação nesta conexão.")
            return self._add("AUTH", False, "", explanation)
        except (OSError, smtplib.SMTPException) as exc:
            explanation = _("Falha na autenticação: %s") % type(exc).__name__
            return self._add("AUTH", False, "", explanation)
        return self._add("AUTH", True, _reply(code, text))

    def _command(self, name: str, call, argument: str) -> bool:
        try:
            code, text = call(argument)
        except (OSError, smtplib.SMTPException) as exc:
            return self._add(name, False, "", _("Conexão interrompida: %s") % type(exc).__name__)
        ok = 200 <= code < 300
        return self._add(name, ok, _reply(code, text), "" if ok else _explain_code(code))

    def _data(self, email) -> bool:
        try:
            code, text = self.smtp.data(email.as_bytes(linesep="\r\n"))
        except smtplib.SMTPResponseException as exc:
            return self._add(
                "DATA", False, _reply(exc.smtp_code, exc.smtp_error), _explain_code(exc.smtp_code)
            )
        except (OSError, smtplib.SMTPException) as exc:
            return self._add("DATA", False, "", _("Conexão interrompida: %s") % type(exc).__name__)
        ok = code == 250
        return self._add("DATA", ok, _reply(code, text), "" if ok else _explain_code(code))

    def _close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class _Greeted(smtplib.SMTP):
    """``smtplib.SMTP`` that keeps the server's greeting for the report."""

    greeting: tuple[int, bytes] = (0, b"")

    def connect(self, host: str = "localhost", port: int = 0, source_address=None):
        self.greeting = super().connect(host, port, source_address)
        return self.greeting


class _GreetedSSL(smtplib.SMTP_SSL):
    greeting: tuple[int, bytes] = (0, b"")

    def connect(self, host: str = "localhost", port: int = 0, source_address=None):
        self.greeting = super().connect(host, port, source_address)
        return self.greeting


def _login_once(smtp: smtplib.SMTP, username: str, password: str) -> tuple[int, bytes]:
    """AUTH with the best advertised mechanism, once (``login()`` retries other mechanisms,
    which some servers answer by hanging up, hiding the real 535)."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    offered = smtp.esmtp_features["auth"].upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        raise smtplib.SMTPNotSupportedError("AUTH")
    smtp.user, smtp.password = username, password
    handler = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
    return smtp.auth(mechanism, handler, initial_response_ok=True)


def _explain_code(code: int) -> str:
    if 400 <= code < 500:
        return _("Recusa temporária do servidor (tente novamente mais tarde).")
    return _("Recusa definitiva do servidor.")


def _tls_explanation(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            _("O certificado do servidor não é válido ou não é confiável (%s).")
            % exc.verify_message
        )
    return _("Falha na negociação TLS.")
