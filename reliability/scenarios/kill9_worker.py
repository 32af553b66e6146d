"""A worker killed with SIGKILL every few seconds and restarted while it drains the queue."""

from __future__ import annotations

import random
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

LEASE = "3"


def run(ctx: Ctx):
    from spysystem.mail.models import Message

    count = int(ctx.size(5000, 300))
    reset_mail()
    handler = FaultHandler(delay=ctx.size(0.012, 0.05))
    rng = random.Random(8)  # noqa: S311
    kills: list[int] = []
    with Sink(handler) as sink:
        smtp_general(sink.port)
        ids = enqueue(count, "kill9")
        deadline = time.monotonic() + ctx.size(240, 30)
        n = 0
        while sent_count() < count and time.monotonic() < deadline and len(kills) < ctx.size(12, 2):
            proc = worker(ctx, f"kill9-{n}", SPY_LEASE_SECONDS=LEASE).start()
            time.sleep(rng.uniform(2.0, 4.0) if not ctx.fast else rng.uniform(1.5, 2.5))
            pid = proc.proc.pid
            proc.kill9()
            leased = Message.objects.filter(status="sending", leased_by__contains=f":{pid}:")
            kills.append(leased.count())
            n += 1
        final = worker(ctx, "kill9-final", SPY_LEASE_SECONDS=LEASE).start()
        started = time.monotonic()
        wait_until(lambda: sent_count() >= count, ctx.size(180, 25), 0.25)
        recovery = time.monotonic() - started
        final.stop()
        time.sleep(0.2)
    result = delivery_result(ids, handler)
    in_flight = sum(kills)
    result.recovery_s = recovery
    result.details = {"kills": len(kills), "in_flight_at_kills": kills, "statuses": statuses()}
    result.notes.append(
        f"{len(kills)} SIGKILLs, {in_flight} messages in flight at the kills, lease {LEASE} s"
    )
    result.passed = result.lost == 0 and result.duplicates <= in_flight and len(kills) > 0
    return result
