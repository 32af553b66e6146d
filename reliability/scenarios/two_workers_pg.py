"""Two ``spy worker`` processes on one PostgreSQL queue: each message delivered exactly once."""

from __future__ import annotations

import time

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


def run(ctx: Ctx):
    count = int(ctx.size(3000, 300))
    reset_mail()
    handler = FaultHandler(delay=0.002)
    with Sink(handler) as sink:
        smtp_general(sink.port, max_connections=8)
        ids = enqueue(count, "two")
        procs = [worker(ctx, f"two-{i}").start() for i in range(2)]
        started = time.monotonic()
        try:
            wait_until(lambda: sent_count() >= count, ctx.size(240, 30), 0.25)
            seconds = time.monotonic() - started
        finally:
            for proc in procs:
                proc.stop()
        time.sleep(0.2)
    result = delivery_result(ids, handler)
    final = statuses()
    result.details = {"statuses": final, "drain_s": round(seconds, 1)}
    result.notes.append(f"2 workers drained {count} messages in {seconds:.1f} s")
    result.passed = result.lost == 0 and result.duplicates == 0 and final == {"sent": count}
    return result
