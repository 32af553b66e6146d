"""Writes of the mail context: enqueueing, the outbox state machine, SMTP settings.

Outbox transitions are guarded updates (``status``/``leased_by`` in the WHERE clause), so a worker
whose lease was taken over can never overwrite the newer owner's result.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from spysystem.audit.services import settings_change_record
from spysystem.finance.models import Company
from spysystem.mail.crypto import decrypt, encrypt, rotate
from spysystem.mail.models import (
    MailSwitches,
    Message,
    MessageAttachment,
    MessageStatus,
    Routine,
    SmtpSettings,
)
from spysystem.mail.validation import validate_no_newlines, validate_smtp_settings


@dataclass(frozen=True)
class MessageDraft:
    routine: str
    dedupe_key: str
    to_email: str
    subject: str
    body_text: str
    body_html: str = ""
    to_name: str = ""
    company_id: int | None = None
    change_id: int | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (filename, content type, content)
    party_id: int | None = None
    title_ids: tuple[int, ...] = ()  # the titles the message is about (history per title)
    reply_to: str = ""


def _notify_workers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify('spy_work', 'message')")


ENQUEUE_ATTEMPTS = 3  # a key another transaction inserted meanwhile: check the keys again
ROWS_PER_QUERY = 1000  # keys per look-up and rows per INSERT (bounded statements)
_MESSAGE_FIELDS = [
    f for f in MessageDraft.__dataclass_fields__ if f not in ("attachments", "title_ids")
]


def message_enqueue_many(drafts: list[MessageDraft]) -> int:
    """Insert the drafts as pending outbox rows (with their attachments and title links),
    skipping keys that already exist and repeated keys (the first draft of a key wins).
    Returns how many rows are new.

    Runs in the caller's transaction, in a savepoint of it: the rows commit — and the workers
    are woken, once per call — together with whatever caused them. A key that another
    transaction inserts at the same time is skipped as well: the colliding INSERT rolls back to
    the savepoint and the keys are checked again. The queries do not grow with the number of
    drafts (per 1,000: one key look-up and one INSERT per table), so callers with many e-mails
    should pass them together (a few hundred to a few thousand per call).
    """
    unique: dict[str, MessageDraft] = {}
    for draft in drafts:
        unique.setdefault(draft.dedupe_key, draft)
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                return _insert_new(list(unique.values()))
        except IntegrityError:
            if attempt >= ENQUEUE_ATTEMPTS:
                raise
            attempt += 1


def _insert_new(drafts: list[MessageDraft]) -> int:
    existing = existing_keys([d.dedupe_key for d in drafts])
    fresh = [d for d in drafts if d.dedupe_key not in existing]
    if not fresh:
        return 0
    rows = Message.objects.bulk_create(
        [Message(**{f: getattr(d, f) for f in _MESSAGE_FIELDS}) for d in fresh],
        batch_size=ROWS_PER_QUERY,
    )
    _attach(fresh, _message_ids(rows))
    _notify_workers()
    return len(fresh)


def existing_keys(keys: list[str]) -> set[str]:
    """The dedupe keys among ``keys`` that some outbox row already has (bounded look-ups)."""
    found: set[str] = set()
    for start in range(0, len(keys), ROWS_PER_QUERY):
        chunk = keys[start : start + ROWS_PER_QUERY]
        found.update(
            Message.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    return found


def _message_ids(rows: list[Message]) -> dict[str, int]:
    """dedupe key → id of the rows just inserted (returned by the INSERT where the database
    can, else looked up)."""
    if all(row.pk is not None for row in rows):
        return {row.dedupe_key: row.pk for row in rows}
    ids: dict[str, int] = {}
    for start in range(0, len(rows), ROWS_PER_QUERY):
        keys = [row.dedupe_key for row in rows[start : start + ROWS_PER_QUERY]]
        ids.update(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "id"))
    return ids


def _attach(drafts: list[MessageDraft], ids: dict[str, int]) -> None:
    """The drafts' attachments and title links, for the message ids of their keys."""
    MessageAttachment.objects.bulk_create(
        [
            MessageAttachment(message_id=ids[d.dedupe_key], filename=n, content_type=t, content=c)
            for d in drafts
            for n, t, c in d.attachments
        ],
        batch_size=ROWS_PER_QUERY,
    )
    links = Message.titles.through
    links.objects.bulk_create(
        [links(message_id=ids[d.dedupe_key], title_id=t) for d in drafts for t in d.title_ids],
        batch_size=ROWS_PER_QUERY,
    )


def _due_filter(now: datetime) -> Q:
    pending = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=MessageStatus.SENDING, lease_until__lt=now)
    return pending | abandoned


def messages_claim(*, worker_id: str, limit: int) -> list[int]:
    """Lease up to ``limit`` due messages (and ones whose lease expired) to ``worker_id``.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint rows. SQLite:
    the IMMEDIATE transaction already serializes writers.
    """
    return [message.pk for message in messages_claim_rows(worker_id=worker_id, limit=limit)]


def _claim_sql(columns: list[str]) -> str:
    """One UPDATE … RETURNING that leases the due rows (the condition of ``_due_filter``)."""
    quote = connection.ops.quote_name
    table = quote(Message._meta.db_table)
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""  # SQLite: writers are serialized
    returning = ", ".join(quote(column) for column in columns)
    return (
        f"UPDATE {table} SET status = %s, lease_until = %s, leased_by = %s WHERE id IN ("  # noqa: S608
        f"SELECT id FROM {table} WHERE (status = %s AND next_attempt_at <= %s) "
        f"OR (status = %s AND lease_until < %s) ORDER BY next_attempt_at, id LIMIT %s{lock}"
        f") RETURNING {returning}"
    )


def _from_rows(fields: list, rows: list[tuple]) -> list[Message]:
    """Model instances from raw rows of ``fields`` (in concrete-field order), converted as the
    ORM converts them (SQLite returns datetimes as text)."""
    compiler = Message.objects.none().query.get_compiler(connection=connection)
    converters = compiler.get_converters([f.get_col(Message._meta.db_table) for f in fields])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    names = [f.attname for f in fields]
    return [Message.from_db(connection.alias, names, list(row)) for row in rows]


def messages_claim_rows(
    *, worker_id: str, limit: int, fields: tuple[str, ...] = ()
) -> list[Message]:
    """``messages_claim`` returning the leased rows in id order, with ``fields`` loaded (the
    rest deferred): one UPDATE … RETURNING instead of a locking SELECT, an UPDATE and a SELECT.
    Databases without RETURNING take the ORM's path."""
    if not connection.features.can_return_columns_from_insert:
        return _claim_with_orm(worker_id=worker_id, limit=limit, fields=fields)
    loaded = [f for f in Message._meta.concrete_fields if f.primary_key or f.name in fields]
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.SPY_LEASE_SECONDS)
    adapt = connection.ops.adapt_datetimefield_value
    sending, pending = MessageStatus.SENDING.value, MessageStatus.PENDING.value
    params = [sending, adapt(lease_until), worker_id, pending, adapt(now), sending, adapt(now)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_claim_sql([f.column for f in loaded]), [*params, limit])
        rows = cursor.fetchall()
    return sorted(_from_rows(loaded, rows), key=lambda message: message.pk)


def _claim_with_orm(*, worker_id: str, limit: int, fields: tuple[str, ...]) -> list[Message]:
    now = timezone.now()
    with transaction.atomic():
        due = Message.objects.filter(_due_filter(now)).order_by("next_attempt_at", "id")
        ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=MessageStatus.SENDING,
                lease_until=now + timedelta(seconds=settings.SPY_LEASE_SECONDS),
                leased_by=worker_id,
            )
    return list(Message.objects.filter(id__in=ids).only(*fields).order_by("id"))


def _leased(message_id: int, worker_id: str):
    return Message.objects.filter(pk=message_id, status=MessageStatus.SENDING, leased_by=worker_id)


def message_mark_sent(*, message_id: int, worker_id: str, level: str, reply: str) -> bool:
    """sending → sent, with the server's reply."""
    return bool(messages_mark_sent(replies={message_id: reply}, worker_id=worker_id, level=level))


def messages_mark_sent(*, replies: dict[int, str], worker_id: str, level: str) -> int:
    """sending → sent for several messages at once (one UPDATE), each with its own reply.

    Hand-written SQL (a VALUES list joined by id): the ORM's CASE WHEN per message cost more CPU
    to compile than the whole SMTP dialogue of a message, on the worker's only database thread.
    The explicit ``id IN (…)`` makes the planner find the rows by primary key instead of
    scanning every leased row (dead versions included) for each group.
    """
    if not replies:
        return 0
    table = connection.ops.quote_name(Message._meta.db_table)
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS TEXT))"] * len(replies))
    ids = ", ".join(["%s"] * len(replies))
    # Only the table name and placeholders are formatted in: every value is a parameter.
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = %s, smtp_level = %s, last_error = '', "  # noqa: S608
        f"lease_until = NULL, attempts = attempts + 1, smtp_reply = replies.column2 "
        f"FROM (VALUES {rows}) AS replies WHERE {table}.id IN ({ids}) "
        f"AND {table}.id = replies.column1 AND {table}.status = %s AND {table}.leased_by = %s"
    )
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    params: list[Any] = [MessageStatus.SENT.value, sent_at, level]
    params += [value for pk, reply in replies.items() for value in (pk, reply[:2000])]
    params += [*replies, MessageStatus.SENDING.value, worker_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def message_mark_failed(*, message_id: int, worker_id: str, level: str, error: str) -> bool:
    """sending → failed (permanent error or retries exhausted)."""
    return bool(
        _leased(message_id, worker_id).update(
            status=MessageStatus.FAILED,
            smtp_level=level,
            last_error=error[:2000],
            lease_until=None,
            attempts=F("attempts") + 1,
        )
    )


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter in [50 %, 100 %] of ``base·2^(n−1)``, capped."""
    ceiling = min(settings.SPY_RETRY_CAP, settings.SPY_RETRY_BASE * 2 ** max(attempts - 1, 0))
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)


def _expired(message: Message, now: datetime) -> bool:
    return message.created_at < now - timedelta(hours=settings.SPY_MAX_AGE_HOURS)


def message_mark_retry(
    *,
    message: Message,
    worker_id: str,
    level: str,
    error: str,
    spend_attempt: bool = True,
    retry_at: datetime | None = None,
) -> bool:
    """sending → pending later; → failed when the attempt budget or the maximum age is spent.

    ``spend_attempt=False`` defers without counting (no route yet, rate limit, server down).
    A message with no route (``level`` empty) never expires: it waits for settings.
    """
    now = timezone.now()
    attempts = message.attempts + (1 if spend_attempt else 0)
    if attempts >= settings.SPY_MAX_ATTEMPTS:
        exhausted = _("%(error)s (tentativas esgotadas: %(n)d)") % {"error": error, "n": attempts}
        return message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=exhausted
        )
    if level and _expired(message, now):
        expired = _("%(error)s (não entregue em %(h)d horas)") % {
            "error": error,
            "h": settings.SPY_MAX_AGE_HOURS,
        }
        return message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=expired
        )
    if retry_at is None:
        delay = retry_delay(attempts) if spend_attempt else settings.SPY_RETRY_BASE
        retry_at = now + timedelta(seconds=delay)
    return bool(
        _leased(message.pk, worker_id).update(
            status=MessageStatus.PENDING,
            attempts=attempts,
            next_attempt_at=retry_at,
            smtp_level=level,
            last_error=error[:2000],
            lease_until=None,
        )
    )


def messages_defer(
    *,
    messages: list[Message],
    worker_id: str,
    level: str,
    error: str,
    retry_at: datetime | None = None,
) -> int:
    """sending → pending later for several messages, spending no attempt (rate limit, breaker,
    no route): ``message_mark_retry(spend_attempt=False)`` for each, in one UPDATE for all but
    the ones past the maximum age, which fail. Returns how many rows changed."""
    now = timezone.now()
    ending = {
        m.pk: m
        for m in messages
        if m.attempts >= settings.SPY_MAX_ATTEMPTS or (level and _expired(m, now))
    }
    changed = sum(
        message_mark_retry(
            message=m, worker_id=worker_id, level=level, error=error, spend_attempt=False
        )
        for m in ending.values()
    )
    waiting = [m.pk for m in messages if m.pk not in ending]
    if not waiting:
        return changed
    return changed + Message.objects.filter(
        pk__in=waiting, status=MessageStatus.SENDING, leased_by=worker_id
    ).update(
        status=MessageStatus.PENDING,
        next_attempt_at=retry_at or now + timedelta(seconds=settings.SPY_RETRY_BASE),
        smtp_level=level,
        last_error=error[:2000],
        lease_until=None,
    )


def messages_release(*, message_ids: list[int], worker_id: str) -> int:
    """sending → pending now, untouched otherwise: a worker hands back messages it claimed but
    never started to send (it is stopping), instead of leaving them until their lease expires."""
    if not message_ids:
        return 0
    return Message.objects.filter(
        pk__in=message_ids, status=MessageStatus.SENDING, leased_by=worker_id
    ).update(status=MessageStatus.PENDING, next_attempt_at=timezone.now(), lease_until=None)


def messages_extend_lease(*, message_ids: list[int], worker_id: str) -> int:
    """Push the lease of messages still in ``worker_id``'s hands another ``SPY_LEASE_SECONDS``
    ahead, so messages queued behind a slow server are not taken over (and sent twice) by
    another worker while this one is alive. A worker that dies stops extending them."""
    if not message_ids:
        return 0
    lease_until = timezone.now() + timedelta(seconds=settings.SPY_LEASE_SECONDS)
    return Message.objects.filter(
        pk__in=message_ids, status=MessageStatus.SENDING, leased_by=worker_id
    ).update(lease_until=lease_until)


TEST_NOT_RETRIED = _l(
    "Mensagens de teste não são reenviadas: iriam pelo servidor da hierarquia, não pelo testado. "
    "Use “Testar envio” de novo."
)


def message_retry(*, message: Message) -> bool:
    """failed/cancelled/pending → pending now (the e-mail log's "Reenviar"), its attempts
    counted afresh (an exhausted count would fail it again on a mere deferral). A "Testar envio"
    message is never re-sent (``TEST_NOT_RETRIED``)."""
    retryable = [MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.PENDING]
    rows = Message.objects.filter(pk=message.pk, status__in=retryable).exclude(routine=Routine.TEST)
    updated = rows.update(
        status=MessageStatus.PENDING, next_attempt_at=timezone.now(), last_error="", attempts=0
    )
    _notify_workers()
    return bool(updated)


def message_cancel(*, message: Message) -> bool:
    """pending/failed → cancelled; a message being sent or already sent cannot be cancelled."""
    return bool(
        Message.objects.filter(
            pk=message.pk, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        ).update(status=MessageStatus.CANCELLED, lease_until=None)
    )


SMTP_FIELDS = frozenset(
    {
        "host",
        "port",
        "security",
        "username",
        "from_email",
        "from_name",
        "reply_to",
        "timeout",
        "max_connections",
        "max_per_minute",
    }
)


def _smtp_snapshot(instance: SmtpSettings | None) -> dict[str, Any] | None:
    if instance is None or instance.pk is None:
        return None
    values = {name: getattr(instance, name) for name in sorted(SMTP_FIELDS)}
    values["password"] = instance.has_password
    return values


def _smtp_area(level: str, company: Company | None) -> str:
    return f"smtp:{level}" + (f":{company.code}" if company else "")


@transaction.atomic
def smtp_settings_save(
    *,
    level: str,
    company: Company | None = None,
    password: str | None = None,
    actor: object | None = None,
    origin: str = "system",
    **fields: Any,
) -> SmtpSettings:
    """Create or replace the settings of one level (``company`` only at the company level).

    ``password=None`` keeps the stored password; ``""`` clears it. Everything is validated
    (``validate_smtp_fields``) before anything is written.
    """
    unknown = set(fields) - SMTP_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    instance = SmtpSettings.objects.filter(level=level, company=company).first() or SmtpSettings(
        level=level, company=company
    )
    before = _smtp_snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    validate_smtp_settings(instance)
    if password is not None:
        validate_no_newlines({"password": password})
        instance.password_encrypted = encrypt(password)
    instance.save()
    after = _smtp_snapshot(instance)
    if password is not None:
        after["password_changed"] = True
    settings_change_record(
        area=_smtp_area(level, company), actor=actor, origin=origin, before=before, after=after
    )
    return instance


@transaction.atomic
def smtp_settings_delete(
    *,
    level: str,
    company: Company | None = None,
    actor: object | None = None,
    origin: str = "system",
) -> bool:
    """Remove the settings of one level; messages waiting fall back to the next level."""
    instance = SmtpSettings.objects.filter(level=level, company=company).first()
    if instance is None:
        return False
    before = _smtp_snapshot(instance)
    instance.delete()
    settings_change_record(
        area=_smtp_area(level, company), actor=actor, origin=origin, before=before, after=None
    )
    return True


SWITCHES = ("use_spy_smtp", "cobranca_por_empresa", "aviso_por_empresa")


@transaction.atomic
def switches_set(
    *, actor: object | None = None, origin: str = "system", **values: bool
) -> MailSwitches:
    """Set any of ``use_spy_smtp``, ``cobranca_por_empresa``, ``aviso_por_empresa``."""
    switches = MailSwitches.current()
    before = {name: getattr(switches, name) for name in SWITCHES}
    for name, value in values.items():
        if name not in SWITCHES:
            raise TypeError(name)
        setattr(switches, name, bool(value))
    switches.save()
    after = {name: getattr(switches, name) for name in SWITCHES}
    settings_change_record(area="switches", actor=actor, origin=origin, before=before, after=after)
    return switches


def smtp_passwords_rotate() -> int:
    """Re-encrypt every stored SMTP password with the newest key; returns how many."""
    count = 0
    for row in SmtpSettings.objects.exclude(password_encrypted=""):
        SmtpSettings.objects.filter(pk=row.pk).update(
            password_encrypted=rotate(row.password_encrypted)
        )
        count += 1
    return count


def _alert_route(failing: SmtpSettings) -> SmtpSettings | None:
    """Another level to tell the admins through: general or finance, not the failing one, and
    not paused by its own breaker."""
    now = timezone.now()
    candidates = SmtpSettings.objects.filter(company__isnull=True).exclude(pk=failing.pk)
    candidates = candidates.exclude(state__open_until__gt=now)
    return candidates.order_by("level").first()


def smtp_alert_enqueue(*, settings: SmtpSettings, error: str) -> int:
    """Tell the administrators by e-mail that ``settings`` keeps failing, through another level
    when one is configured. Returns how many messages were queued (0 when there is no other)."""
    from django.contrib.auth.models import User

    other = _alert_route(settings)
    if other is None:
        return 0
    where = settings.company.code if settings.company_id else settings.get_level_display()
    subject = _("[Spy System] Servidor SMTP com falhas: %(where)s (%(host)s)") % {
        "where": where,
        "host": settings.host,
    }
    body = _(
        "O servidor SMTP %(where)s (%(host)s:%(port)s) está recusando conexões.\n"
        "Último erro: %(error)s\n\n"
        "As mensagens continuam na fila e serão enviadas quando o servidor voltar. "
        "Confira a configuração em Geral / Spy System ou Financeiro / Spy System."
    ) % {"where": where, "host": settings.host, "port": settings.port, "error": error}
    stamp = timezone.now().strftime("%Y%m%d%H%M")
    admins = User.objects.filter(is_staff=True, is_active=True).exclude(email="")
    drafts = [
        MessageDraft(
            routine=Routine.ALERT,
            dedupe_key=f"alert:{settings.pk}:{stamp}:{admin.pk}",
            to_email=admin.email,
            subject=subject,
            body_text=body,
        )
        for admin in admins
    ]
    created = message_enqueue_many(drafts)
    Message.objects.filter(dedupe_key__in=[d.dedupe_key for d in drafts]).update(
        pinned_settings=other
    )
    return created


def _server_identity(settings: SmtpSettings) -> tuple[str, int, str, str]:
    return (settings.host.strip().lower(), settings.port, settings.security, settings.username)


def smtp_stored_password(*, stored: SmtpSettings | None, candidate: SmtpSettings) -> str:
    """The stored password to test ``candidate`` with (“Testar envio” with the field empty).

    Only for the server and user it was stored for — otherwise anyone allowed to test could
    point the test at their own server and collect it — so a different host, port, security or
    username raises ``ValidationError`` on ``password``. No stored password → ``""``.
    """
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    if stored is None or not stored.has_password or not candidate.username:
        return ""
    if _server_identity(stored) != _server_identity(candidate):
        raise ValidationError(
            {
                "password": [
                    _(
                        "Digite a senha para testar: servidor, porta, segurança ou usuário "
                        "diferem dos gravados, e a senha gravada só é usada com eles."
                    )
                ]
            }
        )
    try:
        return decrypt(stored.password_encrypted)
    except ImproperlyConfigured as exc:
        message = _("A senha gravada não pode ser decifrada com as chaves atuais: digite a senha.")
        raise ValidationError({"password": [message]}) from exc
