"""A PostgreSQL transaction left open on the outbox and changes tables (rows locked, idle): the
worker skips the locked rows, keeps delivering the others, and delivers the locked ones as soon
as the transaction ends."""

from __future__ import annotations

import time

import psycopg

from reliability.common import (
    Ctx,
    FaultHandler,
    Sink,
    delivery_result,
    enqueue,
    reset_mail,
    sent_count,
    smtp_general,
    statuses,
    wait_until,
    worker,
)


def _url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _rate(handler: FaultHandler, seconds: float) -> float:
    before = handler.count()
    time.sleep(seconds)
    return (handler.count() - before) / seconds


def run(ctx: Ctx):
    count = int(ctx.size(12000, 400))  # ~100/s for a minute, and enough left to measure after
    hold = ctx.size(60, 3)  # the issue: "a transaction left open for a minute"
    reset_mail()
    handler = FaultHandler(delay=ctx.size(0.03, 0.05))
    with Sink(handler) as sink:
        smtp_general(sink.port)
        ids = enqueue(count, "idle")
        locked = sorted(ids)[:50]  # the oldest rows: the ones the worker wants first
        blocker = psycopg.connect(_url())
        # An ERP session: BEGIN, lock the oldest outbox rows and the newest changes, then sit idle
        # in transaction while the worker starts.
        blocker.execute("SELECT id FROM mail_message WHERE id = ANY(%s) FOR UPDATE", [locked])
        blocker.execute("SELECT id FROM watch_change ORDER BY id DESC LIMIT 10 FOR UPDATE")
        proc = worker(ctx, "idle").start()
        try:
            wait_until(lambda: handler.count() >= 1, 30, 0.05)
            during = _rate(handler, hold)
            blocker.rollback()
            released = time.monotonic()
            wait_until(lambda: not (set(locked) - set(handler.accepted)), 60, 0.1)
            recovery = time.monotonic() - released
            after = _rate(handler, ctx.size(3, 1))
            wait_until(lambda: sent_count() >= count, ctx.size(240, 40), 0.25)
        finally:
            blocker.close()
            proc.stop()
    result = delivery_result(ids, handler)
    final = statuses()
    result.recovery_s = recovery
    result.details = {
        "statuses": final,
        "rate_during_hold": round(during, 1),
        "rate_after": round(after, 1),
        "hold_s": hold,
    }
    result.notes.append(
        f"50 outbox rows + newest changes locked by a session idle in transaction "
        f"for {hold:.0f} s; "
        f"msg/s during {during:.0f}, after {after:.0f}; locked rows delivered "
        f"{recovery:.1f} s after it ended"
    )
    result.passed = (
        result.lost == 0
        and result.duplicates == 0
        and final == {"sent": count}
        and during > 0
        and after >= 0.5 * during
    )
    return result
