"""The SMTP server goes down under load and comes back: everything is delivered afterwards and the
outage alone spends no message's attempt budget."""

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
    from django.db.models import Max

    from spysystem.mail.models import Message

    count = int(ctx.size(2000, 200))
    outage = ctx.size(60, 5)  # the issue: "sink down for a minute under load"
    reset_mail()
    handler = FaultHandler(delay=0.02)
    sink = Sink(handler).start()
    smtp_general(sink.port, timeout=3)
    ids = enqueue(count, "outage")
    proc = worker(ctx, "outage", SPY_RETRY_BASE="2", SPY_RETRY_CAP="10").start()
    try:
        wait_until(lambda: handler.count() >= count * 0.2, 60)
        sink.stop()
        time.sleep(outage)
        during = statuses()
        sink.start()
        back = time.monotonic()
        first = handler.count()
        wait_until(lambda: handler.count() > first, 120)
        recovery = time.monotonic() - back
        wait_until(lambda: sent_count() >= count, ctx.size(240, 60), 0.25)
    finally:
        proc.stop()
        sink.stop()
    result = delivery_result(ids, handler)
    final = statuses()
    max_attempts = Message.objects.aggregate(m=Max("attempts"))["m"] or 0
    # The messages on the wire when the server vanished spent one attempt (a dropped connection
    # after MAIL is a real attempt); the refused connections of the outage spend none.
    cut = Message.objects.filter(attempts__gt=1).count()
    result.recovery_s = recovery
    result.details = {
        "statuses": final,
        "during_outage": during,
        "max_attempts": max_attempts,
        "cut_mid_dialogue": cut,
    }
    result.notes.append(
        f"sink down {outage:.0f} s after {first} deliveries; first delivery {recovery:.1f} s "
        f"after it returned (circuit breaker pause); max attempts of a message {max_attempts}, "
        f"{cut} messages cut mid-dialogue spent 1 extra attempt"
    )
    result.passed = (
        result.lost == 0
        and result.duplicates == 0
        and final == {"sent": count}
        and max_attempts <= 2
        and cut <= 4  # max_connections
    )
    return result
