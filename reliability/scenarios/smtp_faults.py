"""Random SMTP faults with a fixed seed: 20 % temporary (451), 5 % connections dropped after DATA,
2 % permanent rejections (554). Temporary ones are delivered, permanent ones fail once with their
reason, the rest are unaffected."""

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
    smtp_general,
    statuses,
    wait_until,
    worker,
)

SEED = 8
PERMANENT = "554 5.7.1 Mensagem recusada pela politica do destino"


def _is_permanent(spy_id: int) -> bool:
    return random.Random(f"{SEED}:perm:{spy_id}").random() < 0.02  # noqa: S311


def fault(spy_id: int, attempt: int) -> str | None:
    if _is_permanent(spy_id):
        return PERMANENT
    draw = random.Random(f"{SEED}:{spy_id}:{attempt}").random()  # noqa: S311
    if draw < 0.20:
        return "451 4.3.0 Falha temporaria, tente mais tarde"
    if draw < 0.25:
        return "drop"
    return None


def run(ctx: Ctx):
    from spysystem.mail.models import Message

    count = int(ctx.size(2000, 200))
    reset_mail()
    handler = FaultHandler(fault=fault)
    with Sink(handler) as sink:
        smtp_general(sink.port)
        ids = enqueue(count, "faults")
        permanent = {i for i in ids if _is_permanent(i)}
        proc = worker(ctx, "faults", SPY_RETRY_BASE="0.5", SPY_RETRY_CAP="2").start()

        def settled() -> bool:
            return not Message.objects.filter(status__in=["pending", "sending"]).exists()

        try:
            wait_until(settled, ctx.size(240, 35), 0.25)
        finally:
            proc.stop()
        time.sleep(0.2)
    result = delivery_result(ids, handler, skip=permanent)
    final = statuses()
    failed = list(
        Message.objects.filter(status="failed").values_list("id", "attempts", "last_error")
    )
    failed_ok = {i for i, attempts, error in failed if attempts == 1 and error == PERMANENT}
    permanent_delivered = permanent & set(handler.accepted)
    with handler.lock:
        retried = sum(1 for i, n in handler.seen.items() if n > 1 and i not in permanent)
    result.details = {
        "statuses": final,
        "permanent": len(permanent),
        "permanent_failed_once_with_reason": len(failed_ok),
        "retried_messages": retried,
        "seed": SEED,
    }
    result.notes.append(
        f"{len(permanent)} permanent rejections failed once with their reason: "
        f"{len(failed_ok)}; {retried} messages retried after 451/drop; seed {SEED}"
    )
    result.passed = (
        result.lost == 0
        and result.duplicates == 0
        and failed_ok == permanent
        and len(failed) == len(permanent)
        and not permanent_delivered
        and final.get("sent", 0) == count - len(permanent)
    )
    return result
