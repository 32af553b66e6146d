"""The open SMTP connections of one worker for one SMTP settings, kept across batches.

A ``ConnectionPool`` runs one thread per connection lease (see ``throttle``). Each thread keeps
its SMTP session open and takes the next job from the pool's single queue, so a connection never
waits for a slower one, and a new batch can be queued while the previous one is still being sent.
The threads do network I/O only: the delivery engine builds the bytes, reads the results from its
results queue, writes the database and manages the leases.

Every job put in a pool comes back exactly once on the results queue, as ``(job, outcome)`` with
the server's reply (str), a ``DeliveryError``, or a ``ConnectionFailure`` (never tried) — or it
is handed back by ``close(drop_queued=True)`` before any thread took it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from spysystem.mail.models import Message
from spysystem.mail.transport import (
    ConnectionFailed,
    DeliveryError,
    SmtpConfig,
    SmtpTransport,
    TemporaryFailure,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionFailure:
    """No connection could carry the message: it was not tried (spends no attempt)."""

    error: DeliveryError


Outcome = str | DeliveryError | ConnectionFailure


@dataclass(eq=False)
class Job:
    """One message to send: its bytes, and whatever the engine needs back with the outcome."""

    message: Message
    data: bytes
    batch: object = None
    pool: ConnectionPool | None = field(default=None, repr=False)


class ConnectionPool:
    """Up to one sending thread per lease, all fed from one queue of jobs."""

    def __init__(
        self, *, config: SmtpConfig, sender: str, results: queue.SimpleQueue, max_connections: int
    ) -> None:
        self.config, self.sender, self.results = config, sender, results
        self.max_connections = max_connections  # the settings' limit (across all workers)
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._threads: dict[str, threading.Thread] = {}
        self._opened: set[str] = set()  # leases whose session is open
        self._retired: set[str] = set()  # leases to close after their current job
        self._ended: list[str] = []  # leases of finished threads, not yet returned
        self._closing = False
        self.ceiling: int | None = None  # the server refused more connections than this
        self.last_error: DeliveryError | None = None
        self.in_flight = 0  # jobs submitted whose outcome the engine has not read yet
        self.last_active = time.monotonic()

    # -- used by the engine's thread -------------------------------------------------------

    def submit(self, jobs: list[Job]) -> None:
        """Queue ``jobs`` for the connection threads."""
        for job in jobs:
            job.pool = self
        with self._cond:
            self._jobs.extend(jobs)
            self.in_flight += len(jobs)
            self.last_active = time.monotonic()
            self._cond.notify(len(jobs))

    def answer(self, job: Job, outcome: Outcome) -> None:
        """Count ``job`` in and answer it at once (it failed before it could be queued)."""
        job.pool = self
        self.in_flight += 1
        self.results.put((job, outcome))

    def add_connections(self, leases: list[str]) -> None:
        """Start one sending thread per new lease (its session opens with its first job)."""
        with self._cond:
            for lease in leases:
                thread = threading.Thread(
                    target=self._run, args=(lease,), name=f"smtp-{lease}", daemon=True
                )
                self._threads[lease] = thread
                thread.start()

    def retire(self, leases: list[str]) -> None:
        """Close the connections of ``leases`` (expired: no longer ours) after their job."""
        with self._cond:
            self._retired.update(lease for lease in leases if lease in self._threads)
            self._cond.notify_all()

    def leases(self) -> list[str]:
        """Leases of the running connection threads (to renew)."""
        with self._cond:
            return [lease for lease in self._threads if lease not in self._retired]

    def take_ended(self) -> list[str]:
        """Leases whose thread has finished since the last call (to return)."""
        with self._cond:
            ended, self._ended = self._ended, []
            return ended

    def queued(self) -> int:
        """Jobs no connection has taken yet."""
        return len(self._jobs)

    def wanted_connections(self, more_jobs: int) -> int:
        """How many more connections the queued jobs plus ``more_jobs`` could keep busy."""
        with self._cond:
            running = len(self._threads) - len(self._retired)
            cap = min(self.max_connections, self.ceiling or self.max_connections)
            return max(0, min(cap, len(self._jobs) + more_jobs) - running)

    def fail_orphans(self) -> int:
        """When no thread is left to send them, answer the queued jobs as never tried."""
        with self._cond:
            if self._threads or not self._jobs:
                return 0
            orphans, self._jobs = list(self._jobs), deque()
        error = self.last_error or ConnectionFailed(_("nenhuma conexão disponível"))
        for job in orphans:
            self.results.put((job, ConnectionFailure(error)))
        return len(orphans)

    def close(self, *, drop_queued: bool, wait: float | None = None) -> list[Job]:
        """Stop taking jobs; returns the queued jobs (with ``drop_queued``, else the threads
        send them first). Waits up to ``wait`` seconds (None: forever, 0: not at all) for the
        threads to finish their current job and close their sessions."""
        with self._cond:
            self._closing = True
            dropped = list(self._jobs) if drop_queued else []
            if drop_queued:
                self._jobs.clear()
            threads = list(self._threads.values())
            self._cond.notify_all()
        self.join(threads, wait)
        return dropped

    @staticmethod
    def join(threads: list[threading.Thread], wait: float | None) -> None:
        """Wait for ``threads`` together up to ``wait`` seconds (None: forever, 0: not at all)."""
        if wait == 0:
            return
        deadline = None if wait is None else time.monotonic() + wait
        for thread in threads:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)

    def alive(self) -> bool:
        """Whether any connection thread is still running."""
        with self._cond:
            return bool(self._threads)

    # -- the connection threads ------------------------------------------------------------

    def _next_job(self, lease: str) -> Job | None:
        with self._cond:
            while not self._jobs and not self._closing and lease not in self._retired:
                self._cond.wait()
            if lease in self._retired or not self._jobs:
                return None
            return self._jobs.popleft()

    def _run(self, lease: str) -> None:
        """Thread body: send jobs until closed, retired, or the server cannot be reached."""
        transport = SmtpTransport(self.config)
        job = None
        try:
            while (job := self._next_job(lease)) is not None:
                outcome = self._send(transport, lease, job)
                if outcome is None:  # handed back to the other connections
                    break
                self.results.put((job, outcome))
                job = None
                if isinstance(outcome, ConnectionFailure):
                    break
        except Exception as exc:  # never leave the engine waiting for an outcome
            logger.exception("SMTP sending thread failed")
            if job is not None:
                failure = TemporaryFailure(_("erro interno no envio: %s") % type(exc).__name__)
                self.results.put((job, failure))
        finally:
            transport.close()
            self._finished(lease)

    def _finished(self, lease: str) -> None:
        with self._cond:
            self._threads.pop(lease, None)
            self._opened.discard(lease)
            self._retired.discard(lease)
            self._ended.append(lease)
            self._cond.notify_all()

    def _send(self, transport: SmtpTransport, lease: str, job: Job) -> Outcome | None:
        """The outcome of one job; None when the job went back to the queue for the other,
        working connections because this one could not be opened."""
        if not transport.is_open and not self._open(transport, lease):
            if self._hand_back(lease, job):
                return None
            return ConnectionFailure(self.last_error)
        try:
            return transport.send(job.data, sender=self.sender, recipient=job.message.to_email)
        except ConnectionFailed as error:  # the session died and could not be reopened
            self.last_error = error
            return ConnectionFailure(error)
        except DeliveryError as error:
            return error
        except Exception as exc:  # a bug or a bad address: this message only, fresh session
            logger.exception("sending message %s failed", job.message.pk)
            transport.close()
            return TemporaryFailure(_("erro interno no envio: %s") % type(exc).__name__)

    def _open(self, transport: SmtpTransport, lease: str) -> bool:
        try:
            transport.open()
        except DeliveryError as error:
            self.last_error = error
            return False
        with self._cond:
            self._opened.add(lease)
        return True

    def _hand_back(self, lease: str, job: Job) -> bool:
        """A connection failed to open while others are running: give the job back to them (the
        server may accept fewer connections than allowed) and, when some of them did open, ask
        for no more than those from now on. The last one running keeps the failure."""
        with self._cond:
            others = set(self._threads) - {lease}
            if not others:
                return False
            self._jobs.appendleft(job)
            working = self._opened - {lease}
            if working:
                self.ceiling = len(working)
            self._cond.notify()
            return True
