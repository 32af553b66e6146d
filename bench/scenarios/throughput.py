"""Messages per second to a fast and to a slow SMTP sink: ours, a bare ``smtplib`` loop, and
django-post-office's ``send_queued_mail``, all in this run, on the same database and sinks.

- ``fast_sink_vs_raw``: the real ``spy worker`` draining 5,000 queued Spy e-mails ÷ one bare
  ``smtplib`` connection sending the same 5,000 pre-built messages.
- ``fast_sink_vs_post_office``: the same 5,000 ÷ post_office (its defaults, 10 threads).
- ``slow_sink_vs_ideal``: a sink that takes 50 ms per message, our settings allowing 10
  connections: our messages/s ÷ 200 (10 connections × 20 messages/s, the physical limit).
- ``slow_sink_vs_post_office``: the same slow sink ÷ post_office with 10 threads.

``details`` adds bare ``smtplib`` over 10 connections to the slow sink (pre-built messages): what
the SMTP dialogue itself leaves of the nominal 200/s.

Rates run from the first to the last message the sink accepted, so process start-up is left out
alike for every sender. Every sender's messages are the same rendered Spy e-mail.
"""

from __future__ import annotations

import smtplib
import threading

from bench.context import Bench
from bench.fixtures import (
    SENDER,
    Content,
    outbox_fill,
    post_office_fill,
    recipient,
    smtp_use,
    spy_content,
)
from bench.procs import WorkerProcess, post_office_send
from bench.sink import SinkProcess
from bench.stats import rate
from spysystem.mail.mime import build_email
from spysystem.mail.models import Message, MessageStatus, SmtpSettings

FAST_COUNT = 5000
SLOW_COUNT = 2000
SLOW_DELAY = 0.05  # seconds the slow sink takes per message
CONNECTIONS = 10
POST_OFFICE_THREADS = 10
IDEAL_SLOW_RATE = CONNECTIONS / SLOW_DELAY


def _stamps(sink: SinkProcess, expected: int, who: str) -> list[float]:
    stamps = [stamp for stamp, _key in sink.records()]
    if len(stamps) != expected:
        raise RuntimeError(f"{who}: the sink accepted {len(stamps)} of {expected} messages")
    return stamps


def _prebuilt(sink: SinkProcess, content: Content, count: int) -> list[tuple[str, bytes]]:
    """The same messages as bytes, built before any timing starts."""
    smtp_use(port=sink.port, max_connections=1)
    settings = SmtpSettings.objects.get(level="general")
    jobs = []
    for i in range(count):
        draft = Message(
            pk=i + 1,
            to_email=recipient(i),
            subject=content.subject,
            body_text=content.text,
            body_html=content.html,
        )
        jobs.append((recipient(i), build_email(draft, settings).as_bytes(linesep="\r\n")))
    return jobs


def _send_all(port: int, jobs: list[tuple[str, bytes]]) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    for to, data in jobs:
        smtp.sendmail(SENDER, [to], data)
    smtp.quit()


def _raw(sink: SinkProcess, jobs: list[tuple[str, bytes]], *, connections: int = 1) -> float:
    """Bare ``smtplib``: ``connections`` threads, one connection and one loop each, messages
    built beforehand. With one connection to the fast sink: the physical limit of the sink."""
    sink.reset()
    threads = [
        threading.Thread(target=_send_all, args=(sink.port, jobs[i::connections]))
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return rate(_stamps(sink, len(jobs), "smtplib"))


def _ours(bench: Bench, sink: SinkProcess, content: Content, *, tag: str, count: int) -> dict:
    Message.objects.all().delete()
    outbox_fill(tag=tag, count=count, content=content)
    smtp_use(port=sink.port, max_connections=CONNECTIONS)
    sink.reset()
    with WorkerProcess(workdir=bench.workdir, name=f"worker-{tag}") as worker:
        sink.wait_for(count)
        rss = worker.peak_rss_mb()
    sent = Message.objects.filter(status=MessageStatus.SENT).count()
    if sent != count:
        raise RuntimeError(f"{tag}: {sent} of {count} messages marked sent")
    return {"rate": rate(_stamps(sink, count, "spy worker")), "rss_mb": rss}


def _post_office(bench: Bench, sink: SinkProcess, content: Content, *, count: int) -> dict:
    post_office_fill(count=count, content=content)
    sink.reset()
    rss = post_office_send(workdir=bench.workdir, smtp_port=sink.port, threads=POST_OFFICE_THREADS)
    return {"rate": rate(_stamps(sink, count, "post_office")), "rss_mb": rss}


def run(bench: Bench) -> dict:
    content = spy_content()
    fast_count = int(bench.scaled(FAST_COUNT, minimum=50))
    slow_count = int(bench.scaled(SLOW_COUNT, minimum=50))
    with SinkProcess(bench.workdir, name="fast") as sink:
        raw = _raw(sink, _prebuilt(sink, content, fast_count))
        fast = _ours(bench, sink, content, tag="fast", count=fast_count)
        fast_po = _post_office(bench, sink, content, count=fast_count)
    with SinkProcess(bench.workdir, delay=SLOW_DELAY, name="slow") as sink:
        slow = _ours(bench, sink, content, tag="slow", count=slow_count)
        slow_po = _post_office(bench, sink, content, count=slow_count)
        slow_raw = _raw(sink, _prebuilt(sink, content, slow_count), connections=CONNECTIONS)
    bench.details["throughput"] = {
        "database": bench.vendor,
        "fast_messages": fast_count,
        "slow_messages": slow_count,
        "fast_smtplib_per_s": round(raw, 1),
        "fast_ours_per_s": round(fast["rate"], 1),
        "fast_post_office_per_s": round(fast_po["rate"], 1),
        "slow_ours_per_s": round(slow["rate"], 1),
        "slow_post_office_per_s": round(slow_po["rate"], 1),
        "slow_ideal_per_s": IDEAL_SLOW_RATE,
        "slow_smtplib_10_connections_per_s": round(slow_raw, 1),
        "slow_ours_vs_smtplib_10_connections": round(slow["rate"] / slow_raw, 3),
        "connections": CONNECTIONS,
        "post_office_threads": POST_OFFICE_THREADS,
        "worker_peak_rss_mb_fast": round(fast["rss_mb"], 1),
        "post_office_peak_rss_mb_fast": round(fast_po["rss_mb"], 1),
    }
    return {
        "fast_sink_vs_raw": round(fast["rate"] / raw, 3),
        "fast_sink_vs_post_office": round(fast["rate"] / fast_po["rate"], 3),
        "slow_sink_vs_ideal": round(slow["rate"] / IDEAL_SLOW_RATE, 3),
        "slow_sink_vs_post_office": round(slow["rate"] / slow_po["rate"], 3),
    }
