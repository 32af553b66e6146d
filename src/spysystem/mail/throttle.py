"""Per-settings limits shared by every worker: messages per minute (a token bucket), parallel
connections (leases) and a circuit breaker. All state lives in one ``SmtpState`` row per SMTP
settings, read and written under a row lock, so the limits hold across processes and machines.

A worker keeps its connections open across batches: each open connection holds one lease, which
the worker renews (``reserve(held=…)``, ``renew``) while it uses it and returns when it closes
the connection. A lease that expired before it was renewed is lost: the worker must close that
connection, because another worker may already have taken its place.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.mail.models import SmtpSettings, SmtpState

BREAKER_THRESHOLD = 3  # consecutive failed connections before the breaker opens
BREAKER_CAP_SECONDS = 600


@dataclass
class Reservation:
    """What a worker may do now with one SMTP settings."""

    granted: int = 0
    connections: list[str] = field(default_factory=list)  # new leases, one per new connection
    retry_at: datetime | None = None  # when to come back for what was not granted
    reason: str = ""
    lost: list[str] = field(default_factory=list)  # held leases that had expired: close them


def _locked_state(settings_id: int) -> SmtpState | None:
    """The state row of the settings, locked (created on first use); None when the settings were
    deleted meanwhile — their leases and breaker went with them, and a worker still holding
    some must carry on rather than fail on a row it can no longer create."""
    if not SmtpState.objects.filter(settings_id=settings_id).exists():
        # Locking the settings row keeps them from being deleted before the new row commits.
        if not SmtpSettings.objects.select_for_update().filter(pk=settings_id).exists():
            return None
        try:
            with transaction.atomic():
                SmtpState.objects.create(settings_id=settings_id)
        except IntegrityError:  # another worker created it first
            pass
    return SmtpState.objects.select_for_update().filter(settings_id=settings_id).first()


def _refill(state: SmtpState, settings: SmtpSettings, now: datetime) -> float:
    capacity = float(settings.max_per_minute)
    if state.tokens_at is None:
        return capacity
    elapsed = max((now - state.tokens_at).total_seconds(), 0.0)
    return min(capacity, state.tokens + elapsed * capacity / 60.0)


def _live_connections(state: SmtpState, now: datetime) -> dict[str, str]:
    return {k: v for k, v in state.connections.items() if datetime.fromisoformat(v) > now}


def _blocked(reason: str, until: datetime) -> Reservation:
    return Reservation(retry_at=until, reason=reason)


def _lease_expiry(now: datetime) -> str:
    return (now + timedelta(seconds=django_settings.SPY_LEASE_SECONDS)).isoformat()


def _renewed(
    state: SmtpState, held: list[str], now: datetime, limit: int
) -> tuple[dict, list[str]]:
    """The live leases with ``held`` ones extended, and the held ones lost: expired, or beyond
    ``limit`` (``max_connections`` was lowered: those connections close after their job). A
    worker keeps one of its leases, so that what it has queued still has a connection (several
    busy workers may then hold one each above a limit lowered below their number, until one of
    them goes idle)."""
    live = _live_connections(state, now)
    lost = [lease for lease in held if lease not in live]
    kept = [lease for lease in held if lease in live]
    surplus = min(max(0, len(live) - limit), max(0, len(kept) - 1))
    for lease in kept[len(kept) - surplus :]:
        del live[lease]
        lost.append(lease)
    expiry = _lease_expiry(now)
    live.update({lease: expiry for lease in kept if lease in live})
    return live, lost


def reserve(
    *,
    settings: SmtpSettings,
    owner: str,
    wanted: int,
    held: list[str] | tuple[str, ...] = (),
    connections: int | None = None,
) -> Reservation:
    """Take up to ``wanted`` send tokens and the connection leases to use them.

    ``held`` are leases ``owner`` already holds (open connections): they are renewed and count as
    connections to send over; up to ``connections`` new leases are added (default: one per
    granted token), never beyond ``max_connections`` across all workers. Nothing is granted while
    the breaker is open, while no connection is held or free, or while the bucket is empty;
    ``retry_at`` then says when to come back (no attempt is spent).
    """
    now = timezone.now()
    with transaction.atomic():
        state = _locked_state(settings.pk)
        if state is None:
            return _blocked(_("configuração SMTP removida"), now + timedelta(seconds=1))
        if state.open_until and state.open_until > now:
            return _blocked(_("servidor SMTP em pausa após falhas seguidas"), state.open_until)
        live, lost = _renewed(state, list(held), now, settings.max_connections)
        kept = len(held) - len(lost)
        free = settings.max_connections - len(live)
        if free <= 0 and not kept:
            return _blocked(_("limite de conexões simultâneas"), now + timedelta(seconds=1))
        tokens = _refill(state, settings, now)
        granted = min(wanted, int(tokens))
        if granted == 0:
            wait = (1.0 - tokens) * 60.0 / settings.max_per_minute
            return _blocked(_("limite de mensagens por minuto"), now + timedelta(seconds=wait))
        count = max(0, min(free, granted, granted if connections is None else connections))
        if count == 0 and not kept:  # tokens but nothing to send over: come back later
            return _blocked(_("limite de conexões simultâneas"), now + timedelta(seconds=1))
        leases = {f"{owner}:{uuid.uuid4().hex[:8]}": _lease_expiry(now) for _ in range(count)}
        state.tokens, state.tokens_at = tokens - granted, now
        state.connections = {**live, **leases}
        state.save(update_fields=["tokens", "tokens_at", "connections"])
    retry_at = now + timedelta(seconds=60.0 / settings.max_per_minute) if granted < wanted else None
    return Reservation(
        granted=granted,
        connections=list(leases),
        retry_at=retry_at,
        reason=_("limite de mensagens por minuto") if retry_at else "",
        lost=lost,
    )


def renew(*, settings: SmtpSettings, held: list[str]) -> list[str]:
    """Extend the leases of connections still in use; returns the ones that had expired."""
    if not held:
        return []
    with transaction.atomic():
        state = _locked_state(settings.pk)
        if state is None:
            return []
        # The limit as stored now: a busy worker renews with the settings it loaded long ago.
        limit = (
            SmtpSettings.objects.filter(pk=settings.pk)
            .values_list("max_connections", flat=True)
            .first()
        )
        limit = settings.max_connections if limit is None else limit
        state.connections, lost = _renewed(state, held, timezone.now(), limit)
        state.save(update_fields=["connections"])
    return lost


def breaker_delay(failures: int) -> float:
    """Seconds to pause after ``failures`` consecutive failed connections (jittered)."""
    base = django_settings.SPY_RETRY_BASE * 2 ** max(failures - 1, 0)
    return min(BREAKER_CAP_SECONDS, base) * random.uniform(0.8, 1.0)  # noqa: S311


def _record(state: SmtpState, error: str | None, now: datetime) -> bool:
    """Count a batch's outcome into the breaker; True when the admins should be alerted."""
    if error is None:
        state.failures, state.open_until, state.alerted_at = 0, None, None
        return False
    state.failures += 1
    state.last_error, state.last_failure_at = error[:2000], now
    if state.failures < BREAKER_THRESHOLD:
        return False
    state.open_until = now + timedelta(seconds=breaker_delay(state.failures))
    alert = state.alerted_at is None
    state.alerted_at = state.alerted_at or now
    return alert


def release(
    *, settings: SmtpSettings, connections: list[str], error: str | None, record: bool = True
) -> bool:
    """Return the leases ``connections`` and, with ``record``, count the outcome of a batch into
    the breaker: ``error`` is the connection failure when no connection could be opened, else
    None. Returns True when the admins should be alerted: the breaker just opened and nobody was
    told since the server last worked."""
    now = timezone.now()
    with transaction.atomic():
        state = _locked_state(settings.pk)
        if state is None:
            return False
        state.connections = {
            k: v for k, v in _live_connections(state, now).items() if k not in connections
        }
        alert = _record(state, error, now) if record else False
        state.save()
    return alert
