"""``latency_ms_p50_<db>``, ``latency_ms_p99_<db>``: from a title's commit to its Spy e-mail
accepted by the SMTP server.

One ``spy worker`` process (product settings: PostgreSQL wakes it with LISTEN/NOTIFY, SQLite polls
every ``SPY_WORKER_POLL`` s, 1.0 by default). This process changes the amount of a different title
50 times a second through ``finance.services.title_update`` and notes the time right after each
commit; the sink notes when it accepted each message. One recipient per change.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings

from bench.context import Bench
from bench.fixtures import smtp_use, titles_create
from bench.procs import WorkerProcess
from bench.sink import SinkProcess
from bench.stats import percentile
from spysystem.finance.models import Title
from spysystem.finance.services import title_update
from spysystem.mail.models import Message
from spysystem.watch.context import Origin

RATE = 50  # changes per second
SECONDS = 30
CONNECTIONS = 2  # the product's default for a server


def _change(title_id: int) -> float:
    title = Title.objects.get(pk=title_id)
    title_update(title=title, user=None, origin=Origin.API, amount=title.amount + Decimal("1.00"))
    return time.time()


def _latencies(records: list[tuple[float, str]], committed: dict[int, float]) -> list[float]:
    ids = [int(key) for _stamp, key in records if key.isdigit()]
    title_of = dict(
        Message.objects.filter(pk__in=ids).values_list("pk", "change__title_id").iterator()
    )
    return [
        (stamp - committed[title_of[int(key)]]) * 1000
        for stamp, key in records
        if key.isdigit() and title_of.get(int(key)) in committed
    ]


def _stages(records: list[tuple[float, str]]) -> dict[str, list[float]]:
    """p50/p99 of the two halves of each latency: captured → its e-mail queued (the fan-out),
    and queued → accepted by the sink (delivery)."""
    accepted = {int(key): stamp for stamp, key in records if key.isdigit()}
    rows = Message.objects.filter(pk__in=list(accepted)).values_list(
        "pk", "created_at", "change__created_at"
    )
    fan_out, delivery = [], []
    for pk, queued, captured in rows.iterator():
        fan_out.append((queued - captured).total_seconds() * 1000)
        delivery.append((accepted[pk] - queued.timestamp()) * 1000)
    return {
        name: [round(percentile(values, 50), 1), round(percentile(values, 99), 1)]
        for name, values in (("fan_out_ms_p50_p99", fan_out), ("delivery_ms_p50_p99", delivery))
    }


def run(bench: Bench) -> dict:
    count = int(bench.scaled(RATE * SECONDS))
    ids = titles_create(prefix="LAT", count=count + 1)
    with SinkProcess(bench.workdir, name=f"latency-{bench.suffix}") as sink:
        smtp_use(port=sink.port, max_connections=CONNECTIONS)
        with WorkerProcess(workdir=bench.workdir, name=f"worker-latency-{bench.suffix}") as worker:
            _change(ids[0])  # warm-up: the worker is up and listening once this one arrives
            if sink.wait_for(1, stall=120) < 1:
                worker.check_alive()
                raise RuntimeError("the warm-up Spy e-mail never arrived")
            sink.reset()
            committed: dict[int, float] = {}
            start = time.monotonic() + 0.1
            for i, title_id in enumerate(ids[1:]):
                time.sleep(max(0.0, start + i / RATE - time.monotonic()))
                committed[title_id] = _change(title_id)
            written_in = time.monotonic() - start
            arrived = sink.wait_for(count)
            rss = worker.peak_rss_mb()
        records = sink.records()
    latencies = _latencies(records, committed)
    bench.details[f"latency_{bench.suffix}"] = {
        "changes": count,
        "rate_per_s": RATE,
        "arrived": arrived,
        "matched": len(latencies),
        "max_ms": round(max(latencies), 1),
        **_stages(records),
        "worker_peak_rss_mb": round(rss, 1),
        "writer_seconds": round(written_in, 2),
        "worker_poll_s": settings.SPY_WORKER_POLL,
    }
    return {
        f"latency_ms_p50_{bench.suffix}": round(percentile(latencies, 50), 1),
        f"latency_ms_p99_{bench.suffix}": round(percentile(latencies, 99), 1),
    }
