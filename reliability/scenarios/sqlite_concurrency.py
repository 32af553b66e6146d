"""On SQLite: people edit titles through the real web app (``spy web``, the REST API with a
token) while ``spy worker`` drains the outbox and fans out their changes. No error reaches a
user, nothing is lost."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from reliability import data
from reliability.common import (
    Ctx,
    FaultHandler,
    Sink,
    delivery_result,
    enqueue,
    free_port,
    reset_mail,
    smtp_general,
    statuses,
    wait_port,
    wait_until,
    web,
    worker,
)


def run(ctx: Ctx):
    from spysystem.mail.models import Message
    from spysystem.watch.services import recipients_set

    backlog = int(ctx.size(2000, 300))
    seconds = ctx.size(60, 8)
    reset_mail()
    companies = [data.company(1), data.company(2)]
    watcher = data.user("controladora", role="admin")
    recipients_set(config={"payable": {"default": [watcher.pk], "companies": {}}})
    editor = data.user("editor", role="finance")
    token = data.token(editor)
    titles = [data.title(companies[i % 2]).pk for i in range(20)]
    handler = FaultHandler(delay=0.005)
    port = free_port()
    errors: list[str] = []
    edits = [0]
    lock = threading.Lock()
    with Sink(handler) as sink:
        smtp_general(sink.port)
        enqueue(backlog, "sqlite")
        server = web(ctx, "sqlite-web", port).start()
        drainer = worker(ctx, "sqlite-worker").start()
        try:
            if not wait_port(port, 30):
                raise RuntimeError("spy web did not start: " + server.log()[-1000:])
            stop_at = time.monotonic() + seconds

            def editor_loop(offset: int) -> None:
                n = 0
                while time.monotonic() < stop_at:
                    pk = titles[(offset + n * 3) % len(titles)]
                    amount = str(Decimal(1000 + offset * 1000 + n) + Decimal("0.01"))
                    url = f"http://127.0.0.1:{port}/api/v1/titles/{pk}"
                    try:
                        status, text = data.http(
                            "PATCH", url, token_value=token, body={"amount": amount}
                        )
                    except Exception as exc:  # a timeout or reset is an error a user saw
                        status, text = 0, repr(exc)
                    with lock:
                        if status != 200:
                            errors.append(f"{status}: {text[:200]}")
                        else:
                            edits[0] += 1
                    n += 1

            threads = [threading.Thread(target=editor_loop, args=(i,)) for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=seconds + 60)

            def drained() -> bool:
                from spysystem.watch.models import Change

                pending = Change.objects.filter(fanned_out_at__isnull=True).exists()
                return not pending and not Message.objects.exclude(status="sent").exists()

            wait_until(drained, ctx.size(180, 30), 0.25)
        finally:
            drainer.stop()
            server.stop()
        time.sleep(0.2)
    ids = list(Message.objects.values_list("id", flat=True))
    result = delivery_result(ids, handler)
    final = statuses()
    spy_mails = Message.objects.exclude(dedupe_key__startswith="rel:").count()
    result.details = {
        "statuses": final,
        "edits": edits[0],
        "user_errors": errors[:10],
        "spy_emails": spy_mails,
        "worker_log_errors": drainer.log().count("ERROR"),
    }
    result.notes.append(
        f"{edits[0]} title edits by 4 API clients over {seconds:.0f} s while the worker drained "
        f"{backlog} queued + {spy_mails} Spy e-mails; {len(errors)} errors seen by users"
    )
    result.passed = (
        not errors
        and edits[0] > 0
        and spy_mails > 0
        and result.lost == 0
        and result.duplicates == 0
        and set(final) == {"sent"}
    )
    return result
