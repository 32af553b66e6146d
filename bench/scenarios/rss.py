"""``worker_peak_rss_mb``: the peak resident memory of ``spy worker`` draining a 100,000 backlog.

The issue's backlog is the one the bulk due-date warning (GEEnviaEmailAvisoVencimento) would queue;
that routine does not exist yet, so 100,000 Spy e-mails queued at once through the product's
enqueue path stand in for it. ``details`` shows the resident memory as the drain progresses: the
worker claims ``BATCH_SIZE`` messages at a time, so it should not grow with the backlog.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bench.context import Bench
from bench.fixtures import outbox_fill, smtp_use, spy_content
from bench.procs import WorkerProcess
from bench.sink import SinkProcess
from bench.stats import rate
from spysystem.mail.models import Message, MessageStatus

BACKLOG = 100_000
CONNECTIONS = 10


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _Sampler(threading.Thread):
    """Notes (messages delivered, worker RSS) twice a second."""

    def __init__(self, sink: SinkProcess, pid: int) -> None:
        super().__init__(daemon=True)
        self.sink, self.pid = sink, pid
        self.samples: list[tuple[int, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                self.samples.append((self.sink.count(), _rss_mb(self.pid)))
            except OSError:
                return

    def by_progress(self, total: int) -> dict[str, float]:
        marks = {}
        for percent in (10, 25, 50, 75, 100):
            reached = [rss for count, rss in self.samples if count >= total * percent / 100]
            if reached:
                marks[f"{percent}%"] = round(reached[0], 1)
        return marks


def run(bench: Bench) -> dict:
    count = int(bench.scaled(BACKLOG, minimum=100))
    content = spy_content()
    Message.objects.all().delete()
    started = time.monotonic()
    outbox_fill(tag="rss", count=count, content=content)
    enqueue_seconds = time.monotonic() - started
    with SinkProcess(bench.workdir, name="rss") as sink:
        smtp_use(port=sink.port, max_connections=CONNECTIONS)
        with WorkerProcess(workdir=bench.workdir, name="worker-rss") as worker:
            sampler = _Sampler(sink, worker.pid)
            sampler.start()
            arrived = sink.wait_for(count)
            rss = worker.peak_rss_mb()
            sampler.done.set()
            sampler.join()
            sampler.samples.append((arrived, _rss_mb(worker.pid)))
        stamps = [stamp for stamp, _key in sink.records()]
    if arrived != count:
        raise RuntimeError(f"rss: the sink accepted {arrived} of {count} messages")
    bench.details["worker_rss"] = {
        "database": bench.vendor,
        "backlog": count,
        "marked_sent": Message.objects.filter(status=MessageStatus.SENT).count(),
        "enqueue_seconds": round(enqueue_seconds, 1),
        "drain_per_s": round(rate(stamps), 1),
        "rss_mb_by_progress": sampler.by_progress(count),
    }
    return {"worker_peak_rss_mb": round(rss, 1)}
