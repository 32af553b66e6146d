"""``spy worker``: a loop over small steps — fan out the pending changes, run a due task, deliver
a batch.

Delivery goes through one ``DeliveryEngine`` for the worker's life: it keeps SMTP connections
open and the next batch queued between steps, and on stop hands the messages it has not started
back to the queue.

Each step is a ``process_*()`` function the tests call directly. PostgreSQL wakes the
loop with LISTEN/NOTIFY (the triggers and the outbox notify ``spy_work``); SQLite polls briefly.
SIGTERM/SIGINT finish the current step and exit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

from django.conf import settings
from django.db import close_old_connections, connection

from spysystem.mail.delivery import DeliveryEngine
from spysystem.routines.scheduler import process_one_task
from spysystem.watch.services import FAN_OUT_BATCH, process_changes

logger = logging.getLogger(__name__)
# Due tasks are looked for at most this often: their slots are minutes apart, and the look (a few
# queries and a transaction) would otherwise run on every pass of a busy loop.
TASK_LOOK_SECONDS = 1.0


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_steps_once(engine: DeliveryEngine, *, tasks: bool = True) -> bool:
    """One pass: fan out the pending changes (``_fan_out``), run one due task slot (unless
    ``tasks`` is False), one delivery step of ``engine`` (the worker's, which keeps connections
    and messages in flight between passes). True if anything was done or is still in flight."""
    did_work = _fan_out(engine)
    if tasks:
        did_work = process_one_task(while_running=_tending(engine)) or did_work
    return engine.step() or did_work


def _fan_out(engine: DeliveryEngine) -> bool:
    """Fan out the pending changes, a batch per transaction, until a batch is not full (what
    was pending at that look is done: its e-mails go out before the next look); False when there
    was none. A burst (a bulk update in the ERP: thousands of changes) runs with the engine
    tended, like a task."""
    done = process_changes()
    if done < FAN_OUT_BATCH:  # the backlog is gone: its e-mails go out before another look
        return done > 0
    with _tending(engine)():
        while process_changes() == FAN_OUT_BATCH:
            pass
    return True


def _tending(engine: DeliveryEngine) -> Callable[[], AbstractContextManager]:
    """What long work in the worker's thread runs inside: the engine tended by a thread of its
    own, since a task (the aviso of a large portfolio) or a burst of changes can outlast the
    leases of the messages in flight. Not inside an atomic block (tests drive the loop in their
    transaction, which another thread cannot see)."""
    if connection.in_atomic_block:
        return contextlib.nullcontext
    return engine.tended


class Waker:
    """Sleeps until the next poll or, on PostgreSQL, until a NOTIFY on ``spy_work`` arrives.

    A lost LISTEN connection (the database restarted) never stops the worker: it polls and
    listens again on a later wait.
    """

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._postgres = connection.vendor == "postgresql"
        self._listener = None

    @staticmethod
    def _listen():
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        listener = psycopg.connect(**params, autocommit=True, connect_timeout=5)
        listener.execute("LISTEN spy_work")
        return listener

    def _ensure_listener(self) -> None:
        if not self._postgres or self._listener is not None:
            return
        try:
            self._listener = self._listen()
        except Exception:  # the database is down: poll until it is back
            logger.warning("LISTEN unavailable; polling every %ss", settings.SPY_WORKER_POLL)

    def wait(self, timeout: float) -> None:
        self._ensure_listener()
        if self._listener is None:
            self.stop.wait(timeout)
            return
        try:
            for _notify in self._listener.notifies(timeout=timeout, stop_after=1):
                break
        except Exception:  # the database restarted: poll now, listen again next time
            logger.warning("LISTEN connection lost; reconnecting")
            self.close()
            self.stop.wait(timeout)

    def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None


def run_worker(
    *, once: bool = False, stop: threading.Event | None = None, worker_id: str | None = None
) -> None:
    """Process changes and messages until stopped; with ``once``, until nothing is due."""
    stop = stop or threading.Event()
    worker_id = worker_id or new_worker_id()
    waker = None if once else Waker(stop)
    engine = DeliveryEngine(worker_id)
    logger.info("worker %s started", worker_id)
    tasks_at = 0.0  # when to look for a due task next
    try:
        while not stop.is_set():
            if not connection.in_atomic_block:  # tests drive the loop inside their transaction
                close_old_connections()
            tasks = once or time.monotonic() >= tasks_at  # --once runs every due slot
            if tasks:
                tasks_at = time.monotonic() + TASK_LOOK_SECONDS
            if _step(engine, tasks=tasks):
                continue
            if once:
                break
            waker.wait(settings.SPY_WORKER_POLL)
    finally:
        _close_engine(engine, finish=once)
        if waker:
            waker.close()
        logger.info("worker %s stopped", worker_id)


def _step(engine: DeliveryEngine, *, tasks: bool) -> bool:
    try:
        return run_steps_once(engine, tasks=tasks)
    except Exception:
        # One bad step must not kill the worker: log it, reconnect, and carry on (the engine
        # keeps the outcomes it could not write and writes them on a later step).
        logger.exception("worker step failed")
        connection.close()
        return False


def _close_engine(engine: DeliveryEngine, *, finish: bool) -> None:
    """Stopping hands the messages not yet started back to the queue; ``--once`` sends them."""
    try:
        engine.close(finish=finish)
    except Exception:  # the database is gone: the leases of what is left expire on their own
        logger.exception("could not close the delivery engine cleanly")


def install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """Make SIGTERM/SIGINT set ``stop``; returns a function that restores the old handlers."""
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    return lambda: [signal.signal(sig, handler) for sig, handler in previous.items()]
