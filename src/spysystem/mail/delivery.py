"""The delivery engine: claim due outbox rows, resolve each one's route, send, record the result.

One ``DeliveryEngine`` per worker keeps, per SMTP settings, a ``ConnectionPool`` whose SMTP
sessions stay open across batches, and claims the next batch while the previous one is still being
sent (about two batches in flight at most), so connections wait neither for the database nor for
each other. Limits come from ``throttle`` and hold across workers: each batch takes send tokens and
renews the leases of the connections it keeps, new connections take new leases, an idle pool
closes and returns them. Messages are serialized by ``MimeCache`` (once per distinct content).

Only the engine's thread touches the database: it persists each outcome as it arrives (sent
replies grouped), so a crash loses at most the messages in flight, which are re-sent when their
lease expires (at-least-once, with a Message-ID naming the outbox row). While the worker's thread
is busy elsewhere for long (a routine task), ``tended()`` lends that job to a thread of its own.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.mail import services, throttle
from spysystem.mail.crypto import decrypt
from spysystem.mail.mime import Attachments, MimeCache
from spysystem.mail.models import Message, MessageAttachment, SmtpSettings
from spysystem.mail.pool import ConnectionFailure, ConnectionPool, Job, Outcome
from spysystem.mail.routing import Route, route_for
from spysystem.mail.transport import SmtpConfig, TemporaryFailure

__all__ = ["BATCH_SIZE", "DeliveryEngine", "process_one_batch", "smtp_config"]

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
WAIT_SECONDS = 0.25  # the longest a step waits for replies before the worker loop goes round
POOL_IDLE_SECONDS = 5.0  # an idle pool closes its sessions and returns its leases
TEND_SECONDS = 0.5  # how often ``tended()`` persists outcomes and looks at the leases


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


# What delivery reads of a message: claiming returns only these (the rest stays deferred).
_FIELDS = (
    "routine",
    "company",
    "to_email",
    "to_name",
    "subject",
    "body_text",
    "body_html",
    "reply_to",
    "attempts",
    "created_at",
    "status",
    "pinned_settings",
)


def _load_pinned(messages: list[Message]) -> None:
    """Attach the pinned settings (alerts) in one query instead of one per message."""
    pinned = {m.pinned_settings_id for m in messages if m.pinned_settings_id}
    if pinned:
        settings = SmtpSettings.objects.in_bulk(pinned)
        for message in messages:
            if message.pinned_settings_id in settings:
                message.pinned_settings = settings[message.pinned_settings_id]


def _attachments(ids: list[int]) -> dict[int, Attachments]:
    """The attachments of the messages ``ids``, in one query (cheaper than a prefetch, which
    builds a related manager per message even when there is no attachment)."""
    files: dict[int, Attachments] = {}
    rows = MessageAttachment.objects.filter(message_id__in=ids).order_by("id")
    for message_id, filename, content, content_type in rows.values_list(
        "message_id", "filename", "content", "content_type"
    ):
        files.setdefault(message_id, []).append((filename, bytes(content), content_type))
    return files


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


@dataclass(eq=False)
class _Batch:
    """The messages of one reservation: once all their outcomes are in, the batch counts as one
    success or one connection failure for the settings' circuit breaker."""

    settings: SmtpSettings
    level: str
    pool: ConnectionPool
    remaining: int
    opened: bool = False  # some message got an answer from the server
    last_error: str = ""  # the last connection failure


@dataclass(eq=False)
class _PoolEntry:
    key: tuple[SmtpConfig, str]
    pool: ConnectionPool
    settings: SmtpSettings
    renewed_at: float = 0.0


class _SentBuffer:
    """Replies of sent messages, persisted in groups: one guarded UPDATE per level for up to
    ``FLUSH_SIZE`` messages or whatever arrived within ``FLUSH_SECONDS`` (a crash between reply
    and flush re-sends those few, like any message in flight)."""

    FLUSH_SIZE = 50
    FLUSH_SECONDS = 0.05

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.replies: dict[str, dict[int, str]] = {}
        self.count = 0
        self.since = 0.0

    def add(self, level: str, message_id: int, reply: str) -> None:
        if not self.count:
            self.since = time.monotonic()
        self.replies.setdefault(level, {})[message_id] = reply
        self.count += 1
        if self.count >= self.FLUSH_SIZE:
            self.flush()

    def due_in(self) -> float:
        """Seconds until the oldest buffered reply must be written (inf when empty)."""
        if not self.count:
            return float("inf")
        return self.since + self.FLUSH_SECONDS - time.monotonic()

    def flush(self) -> None:
        for level in list(self.replies):
            services.messages_mark_sent(
                replies=self.replies[level], worker_id=self.worker_id, level=level
            )
            del self.replies[level]  # only once written: a failed flush is tried again
        self.count = 0

    def flush_if_due(self) -> None:
        if self.due_in() <= 0:
            self.flush()


class DeliveryEngine:
    """Sends the outbox for one worker; call ``step`` in the worker loop and ``close`` at the end.

    Not thread-safe: one thread at a time calls its methods — the worker's, or the tending thread
    of ``tended()`` while the worker's thread is busy elsewhere; the pools' connection threads run
    beside it and never touch the database.
    """

    def __init__(self, worker_id: str, *, batch_size: int | None = None) -> None:
        self.worker_id = worker_id
        self.batch_size = batch_size or BATCH_SIZE
        self.mime = MimeCache()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._pools: dict[int, _PoolEntry] = {}
        self._retiring: list[_PoolEntry] = []  # replaced after a settings change
        self._outcomes: deque[tuple[Job, Outcome]] = deque()  # read, not yet persisted
        self._finished: deque[_Batch] = deque()  # all outcomes in, breaker not yet told
        self._sent = _SentBuffer(worker_id)
        self._leased: dict[int, float] = {}  # message in flight → when its lease was set
        self._leases_checked = 0.0
        self._undecryptable: set[int] = set()  # settings already logged as such

    # -- the worker's entry points ---------------------------------------------------------

    def step(self) -> bool:
        """Persist the outcomes that arrived; claim and dispatch a batch when the connections
        have less than a batch left to send, else wait (at most ``WAIT_SECONDS``) for replies.
        Returns False only when nothing is in flight and nothing was due, or all that was due
        had to wait (breaker open, limits reached, no route): the worker then sleeps until the
        next poll instead of claiming and deferring the whole backlog in a tight loop."""
        self._persist()
        self._maintain()
        if self._queued() >= self.batch_size:
            self._wait(lambda: self._queued() < self.batch_size)
            return True
        _due, queued = self._claim_and_dispatch()
        if queued:
            return True
        if not self.in_flight():
            self._sent.flush()
            return False
        self._wait(lambda: not self.in_flight())
        return True

    def dispatch_batch(self) -> bool:
        """Claim up to ``batch_size`` due messages and queue them on their pools (or defer them:
        no route, breaker open, limits reached). False when nothing was due."""
        due, _queued = self._claim_and_dispatch()
        return due

    def _claim_and_dispatch(self) -> tuple[bool, int]:
        """``dispatch_batch``'s work; returns (anything was due, how many were queued to send)."""
        messages = services.messages_claim_rows(
            worker_id=self.worker_id, limit=self.batch_size, fields=_FIELDS
        )
        if not messages:
            return False, 0
        _load_pinned(messages)
        attachments = _attachments([message.pk for message in messages])
        queued = 0
        for route, group in _group_by_route(messages).values():
            if route.settings is None:
                services.messages_defer(
                    messages=group, worker_id=self.worker_id, level="", error=route.reason
                )
            else:
                queued += self._dispatch_or_defer(route, group, attachments)
        logger.debug("dispatched a batch of %d message(s), %d to send", len(messages), queued)
        return True, queued

    def close(self, *, finish: bool = True) -> None:
        """Stop: with ``finish``, send everything dispatched first; without it, hand the messages
        not yet started back to the queue (pending now, no attempt spent). Then persist every
        outcome, close the sessions and return the leases."""
        if not finish:
            for entry in self._entries():
                self._hand_back(entry.pool.close(drop_queued=True, wait=0))
        while self.in_flight():
            self._wait(lambda: not self.in_flight())
        self._persist()
        self._sent.flush()
        for entry in self._entries():
            entry.pool.close(drop_queued=False, wait=entry.pool.config.timeout)
            self._return_ended(entry)
        self._pools.clear()
        self._retiring.clear()

    def in_flight(self) -> int:
        """Messages dispatched whose outcome is not persisted yet."""
        return sum(entry.pool.in_flight for entry in self._entries()) + len(self._outcomes)

    @contextlib.contextmanager
    def tended(self) -> Iterator[None]:
        """Keep the engine going while the calling thread does something long (a routine task,
        a burst of changes to fan out).

        Inside the block a thread of its own (with its own database connection) persists the
        outcomes as they arrive and renews the leases of the messages and connections in use, so
        a task longer than ``SPY_LEASE_SECONDS`` lets no other worker take, and send again, a
        message this one is sending or has sent. It claims nothing new. The caller must not use
        the engine inside the block, and its work must be committed for the thread to see it
        (never inside an atomic block).
        """
        if not self._entries():  # no pool, nothing in flight: nothing to tend
            yield
            return
        stop = threading.Event()
        tender = threading.Thread(target=self._tend, args=(stop,), name="spy-tend", daemon=True)
        tender.start()
        try:
            yield
        finally:
            stop.set()
            # No timeout: the engine must never have two users at once. What the thread can be
            # waiting on is bounded by the SMTP timeout of a closing pool or the database's.
            tender.join()

    def _tend(self, stop: threading.Event) -> None:
        persist_failing = maintain_failing = False
        try:
            while not stop.wait(TEND_SECONDS):
                # Each on its own: outcomes that cannot be written must not stop lease renewal.
                persist_failing = _attempt(self._persist, persist_failing)
                maintain_failing = _attempt(self._maintain, maintain_failing)
        finally:
            connections.close_all()  # this thread's own connection

    # -- dispatching -----------------------------------------------------------------------

    def _dispatch_or_defer(self, route: Route, messages: list[Message], attachments: dict) -> int:
        """``_dispatch``, or, when the level's stored password cannot be decrypted with today's
        keys, defer its messages with that reason (the other groups of the batch still go)."""
        settings_id = route.settings.pk
        try:
            queued = self._dispatch(route, messages, attachments)
        except ImproperlyConfigured as exc:
            if settings_id not in self._undecryptable:  # once until it works again
                logger.warning("SMTP level %s: %s", route.level, exc)
                self._undecryptable.add(settings_id)
            services.messages_defer(
                messages=messages, worker_id=self.worker_id, level=route.level, error=str(exc)
            )
            return 0
        self._undecryptable.discard(settings_id)
        return queued

    def _dispatch(self, route: Route, messages: list[Message], attachments: dict) -> int:
        """Queue ``messages`` on their pool as far as the limits allow, defer the rest; returns
        how many were queued."""
        settings = route.settings
        entry = self._entry(settings)
        pool = entry.pool
        reservation = throttle.reserve(
            settings=settings,
            owner=self.worker_id,
            wanted=len(messages),
            held=pool.leases(),
            connections=pool.wanted_connections(len(messages)),
        )
        pool.retire(reservation.lost)
        now_messages, later = messages[: reservation.granted], messages[reservation.granted :]
        if later:
            services.messages_defer(
                messages=later,
                worker_id=self.worker_id,
                level=route.level,
                error=reservation.reason,
                retry_at=reservation.retry_at,
            )
        if not now_messages:
            return 0
        entry.renewed_at = now = time.monotonic()
        self._leased.update(dict.fromkeys([m.pk for m in now_messages], now))
        pool.add_connections(reservation.connections)
        batch = _Batch(settings, route.level, pool, remaining=len(now_messages))
        pool.submit(list(self._jobs(now_messages, settings, batch, attachments)))
        return len(now_messages)

    def _jobs(
        self, messages: list[Message], settings: SmtpSettings, batch: _Batch, files: dict
    ) -> Iterator[Job]:
        """The jobs to send; a message that cannot be serialized is answered at once with a
        temporary failure (spends an attempt, as a bug fixed later lets it through)."""
        for message in messages:
            job = Job(message=message, data=b"", batch=batch)
            try:
                job.data = self.mime.render(message, settings, files.get(message.pk, []))
            except Exception as exc:
                logger.exception("could not build message %s", message.pk)
                failure = TemporaryFailure(_("erro interno no envio: %s") % type(exc).__name__)
                batch.pool.answer(job, failure)
                continue
            yield job

    def _entry(self, settings: SmtpSettings) -> _PoolEntry:
        """The pool of ``settings``; a changed server, login or sender gets a new one."""
        key = (smtp_config(settings), settings.from_email)
        entry = self._pools.get(settings.pk)
        if entry is not None and entry.key == key:
            entry.pool.max_connections = settings.max_connections
            entry.settings = settings
            return entry
        if entry is not None:
            self._retire(entry)
        pool = ConnectionPool(
            config=key[0],
            sender=key[1],
            results=self._results,
            max_connections=settings.max_connections,
        )
        self._pools[settings.pk] = entry = _PoolEntry(key, pool, settings)
        return entry

    def _retire(self, entry: _PoolEntry) -> None:
        """Stop a pool whose settings changed; its leases go back now when nothing of it is
        in flight (else once its last messages are answered)."""
        self._hand_back(entry.pool.close(drop_queued=True, wait=0))
        if entry.pool.in_flight:
            self._retiring.append(entry)
            return
        entry.pool.close(drop_queued=False, wait=entry.pool.config.timeout)
        self._return_ended(entry)

    def _hand_back(self, jobs: list[Job]) -> None:
        """Jobs no connection started: back to the queue, and out of their batch's count."""
        services.messages_release(
            message_ids=[job.message.pk for job in jobs], worker_id=self.worker_id
        )
        for job in jobs:
            job.pool.in_flight -= 1
            self._leased.pop(job.message.pk, None)
            self._count(job.batch)

    # -- outcomes --------------------------------------------------------------------------

    def _wait(self, done: Callable[[], bool]) -> None:
        """Persist outcomes as they arrive until ``done()`` or ``WAIT_SECONDS`` passed."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            now = time.monotonic()
            if now >= deadline:
                return
            timeout = max(0.001, min(deadline - now, self._sent.due_in()))
            try:
                self._outcomes.append(self._results.get(timeout=timeout))
            except queue.Empty:
                self._maintain()
            self._persist()

    def _persist(self) -> None:
        """Write every outcome read so far (an outcome leaves the list only once written)."""
        while True:
            try:
                self._outcomes.append(self._results.get_nowait())
            except queue.Empty:
                break
        while self._outcomes:
            job, outcome = self._outcomes[0]
            self._record(job, outcome)
            self._outcomes.popleft()
            self._leased.pop(job.message.pk, None)
            job.pool.in_flight -= 1
            job.pool.last_active = time.monotonic()
            self._count(job.batch, outcome)
        self._sent.flush_if_due()
        self._finish_batches()

    def _record(self, job: Job, outcome: Outcome) -> None:
        message, level = job.message, job.batch.level
        if isinstance(outcome, str):
            self._sent.add(level, message.pk, outcome)
        elif isinstance(outcome, ConnectionFailure):
            services.message_mark_retry(
                message=message,
                worker_id=self.worker_id,
                level=level,
                error=outcome.error.text,
                spend_attempt=False,
                retry_at=timezone.now() + timedelta(seconds=throttle.breaker_delay(1)),
            )
        elif outcome.permanent:
            services.message_mark_failed(
                message_id=message.pk, worker_id=self.worker_id, level=level, error=outcome.text
            )
        else:
            services.message_mark_retry(
                message=message, worker_id=self.worker_id, level=level, error=outcome.text
            )

    def _count(self, batch: _Batch, outcome: Outcome | None = None) -> None:
        if isinstance(outcome, ConnectionFailure):
            batch.last_error = outcome.error.text
        elif outcome is not None:
            batch.opened = True
        batch.remaining -= 1
        if batch.remaining == 0:
            self._finished.append(batch)

    def _finish_batches(self) -> None:
        """Tell the breaker how each completed batch went (and return ended leases)."""
        while self._finished:
            batch = self._finished[0]
            if not batch.opened and not batch.last_error:  # handed back: nothing was tried
                self._finished.popleft()
                continue
            error = None if batch.opened else batch.last_error
            alert = throttle.release(
                settings=batch.settings, connections=batch.pool.take_ended(), error=error
            )
            self._finished.popleft()
            if alert:
                services.smtp_alert_enqueue(settings=batch.settings, error=error or "")

    # -- pools -----------------------------------------------------------------------------

    def _entries(self) -> list[_PoolEntry]:
        return [*self._pools.values(), *self._retiring]

    def _queued(self) -> int:
        return sum(entry.pool.queued() for entry in self._entries())

    def _extend_leases(self, now: float, every: float) -> None:
        """Extend the leases of messages in flight for a third of a lease or more (looked at
        a few times per lease, not on every wake-up)."""
        if now - self._leases_checked < every / 4:
            return
        self._leases_checked = now
        old = [pk for pk, since in self._leased.items() if now - since > every]
        if old:
            services.messages_extend_lease(message_ids=old, worker_id=self.worker_id)
            self._leased.update(dict.fromkeys(old, now))

    def _maintain(self) -> None:
        """Answer jobs left without a connection, renew the leases in use (messages and
        connections), close idle pools."""
        now = time.monotonic()
        renew_every = django_settings.SPY_LEASE_SECONDS / 3
        self._extend_leases(now, renew_every)
        idle_after = min(POOL_IDLE_SECONDS, django_settings.SPY_LEASE_SECONDS / 2)
        for entry in list(self._pools.values()):
            entry.pool.fail_orphans()
            if entry.pool.in_flight == 0 and now - entry.pool.last_active > idle_after:
                self._close_idle(entry)
            elif now - entry.renewed_at > renew_every:
                entry.renewed_at = now
                lost = throttle.renew(settings=entry.settings, held=entry.pool.leases())
                entry.pool.retire(lost)
        for entry in list(self._retiring):
            entry.pool.fail_orphans()
            if not entry.pool.alive() and entry.pool.in_flight == 0:
                self._return_ended(entry)
                self._retiring.remove(entry)

    def _close_idle(self, entry: _PoolEntry) -> None:
        del self._pools[entry.settings.pk]
        entry.pool.close(drop_queued=False, wait=entry.pool.config.timeout)
        self._return_ended(entry)

    def _return_ended(self, entry: _PoolEntry) -> None:
        ended = entry.pool.take_ended()
        if ended:
            throttle.release(settings=entry.settings, connections=ended, error=None, record=False)


def _attempt(work: Callable[[], None], was_failing: bool) -> bool:
    """Run ``work`` for the tending thread; True if it failed (the database is away: what is
    unwritten stays queued for the next round). Logged once per outage, not every round."""
    try:
        work()
    except Exception:
        if not was_failing:
            logger.exception("tending the deliveries during a long step failed; retrying")
        connection.close()
        return True
    if was_failing:
        logger.info("tending the deliveries works again")
    return False


def process_one_batch(*, worker_id: str, limit: int = BATCH_SIZE) -> bool:
    """Claim and deliver up to ``limit`` due messages, persisting every outcome before it
    returns (connections are not kept); False when nothing was due."""
    engine = DeliveryEngine(worker_id, batch_size=limit)
    try:
        return engine.dispatch_batch()
    finally:
        engine.close()
