"""PostgreSQL restarted mid-run, then the workers' sessions ended with ``pg_terminate_backend``:
the workers reconnect, nothing is lost, nothing stays in "sending"."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from reliability.common import (
    Ctx,
    FaultHandler,
    Sink,
    delivery_result,
    enqueue,
    reset_mail,
    statuses,
    wait_until,
    worker,
)

LEASE = "5"


def _cluster(action: str) -> None:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", action]
    subprocess.run(command, check=True, timeout=120, capture_output=True)  # noqa: S603


def start_cluster() -> None:
    """Start the local cluster (used by ``run.py`` to make sure PostgreSQL is up at the end)."""
    try:
        _cluster("start")
    except subprocess.CalledProcessError as exc:
        if b"already running" not in (exc.stderr or b"") + (exc.stdout or b""):
            raise


def _db(fn, timeout: float = 60):
    """Run ``fn`` against the database, reconnecting until it answers (bounded)."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except Exception:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _sending() -> int:
    from spysystem.mail.models import Message

    return Message.objects.filter(status="sending").count()


def _sent() -> int:
    from spysystem.mail.models import Message

    return Message.objects.filter(status="sent").count()


def _terminate_workers() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _revive(procs, died: list[str]) -> bool:
    """A worker that exited is recorded and started again (as systemd would); always False so it
    can sit inside a wait predicate."""
    for proc in procs:
        if proc.proc is not None and not proc.alive():
            died.append(f"{proc.log_path.stem} exit {proc.proc.returncode}")
            proc.start()
    return False


def run(ctx: Ctx):
    from django.db import connection

    count = int(ctx.size(3000, 300))
    reset_mail()
    handler = FaultHandler(delay=0.02)
    in_flight: list[int] = []
    died: list[str] = []
    terminated = 0
    recoveries: list[float] = []
    from reliability.common import smtp_general

    with Sink(handler) as sink:
        smtp_general(sink.port)
        ids = enqueue(count, "pgrestart")
        procs = [worker(ctx, f"pgr-{i}", SPY_LEASE_SECONDS=LEASE).start() for i in range(2)]
        try:
            wait_until(lambda: handler.count() >= count * 0.15, 60)
            connection.close()
            _cluster("restart")
            event = time.monotonic()
            in_flight.append(_db(_sending))
            before = handler.count()
            wait_until(lambda: _revive(procs, died) or handler.count() > before, 60)
            recoveries.append(time.monotonic() - event)
            wait_until(lambda: handler.count() >= count * 0.5, 60)
            terminated = _db(_terminate_workers)
            event = time.monotonic()
            connection.close()
            in_flight.append(_db(_sending))
            before = handler.count()
            wait_until(lambda: _revive(procs, died) or handler.count() > before, 60)
            recoveries.append(time.monotonic() - event)
            _db(
                lambda: wait_until(
                    lambda: _revive(procs, died) or _sent() >= count, ctx.size(180, 40), 0.25
                ),
                200,
            )
        finally:
            for proc in procs:
                proc.stop()
            start_cluster()
        time.sleep(0.2)
    final = _db(statuses)
    result = delivery_result(ids, handler)
    result.recovery_s = max(recoveries) if recoveries else None
    result.details = {
        "statuses": final,
        "in_flight_at_events": in_flight,
        "recoveries_s": [round(r, 1) for r in recoveries],
        "terminated_sessions": terminated,
        "workers_died": died,
    }
    result.notes.append(
        f"restart + pg_terminate_backend of {terminated} sessions; first delivery after each "
        f"event in {', '.join(f'{r:.1f}' for r in recoveries)} s; lease {LEASE} s"
    )
    if died:
        result.notes.append(f"workers exited instead of reconnecting (restarted): {died}")
    result.passed = (
        not died
        and result.lost == 0
        and final.get("sending", 0) == 0
        and final == {"sent": count}
        and result.duplicates <= sum(in_flight)
    )
    return result
