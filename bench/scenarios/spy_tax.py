"""``spy_tax_<db>``: how much the capture triggers slow the ERP's writes down.

Two client processes run single-row autocommit UPDATEs of a title's amount (their own driver, as
another program would). Phases with the triggers removed and installed alternate in ABBA order
(off, on, on, off, …), so slow drift of the machine cancels out; the triggers are dropped and
created with the product's own SQL (``watch.triggers.statements``). Result: ``1 - tps_on/tps_off``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time

from django.db import connection

from bench.clients import update_client
from bench.context import Bench
from bench.fixtures import changes_settle, titles_create
from spysystem.watch.triggers import statements

CLIENTS = 2
SECONDS_PER_MODE = 10.0
PHASES = 8  # ABBA twice
TITLES_PER_CLIENT = 100


def _triggers(*, installed: bool) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, create=False):
            cursor.execute(sql)
        if installed:
            for sql in statements(connection.vendor, create=True):
                cursor.execute(sql)


def _dsn() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params["NAME"])
    from django.conf import settings

    return settings.DATABASE_URL


def _phase_order() -> list[bool]:
    pattern = [False, True, True, False]
    return [pattern[i % 4] for i in range(PHASES)]


def run(bench: Bench) -> dict:
    ids = titles_create(prefix="TAX", count=CLIENTS * TITLES_PER_CLIENT)
    phase_seconds = bench.scaled(SECONDS_PER_MODE, minimum=0.5) / (PHASES / 2)
    ctx = multiprocessing.get_context("spawn")
    pipes, procs = [], []
    for n in range(CLIENTS):
        ours, theirs = ctx.Pipe()
        chunk = ids[n * TITLES_PER_CLIENT : (n + 1) * TITLES_PER_CLIENT]
        proc = ctx.Process(target=update_client, args=(connection.vendor, _dsn(), chunk, theirs))
        proc.start()
        pipes.append(ours)
        procs.append(proc)
    try:
        for pipe in pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                raise RuntimeError("an UPDATE client did not start")
        totals = {False: 0, True: 0}
        for installed in _phase_order():
            _triggers(installed=installed)
            start = time.monotonic() + 0.2
            for pipe in pipes:
                pipe.send((start, start + phase_seconds))
            for pipe in pipes:
                if not pipe.poll(phase_seconds + 120):
                    raise RuntimeError("an UPDATE client stopped answering")
                totals[installed] += pipe.recv()
    finally:
        for pipe in pipes:
            with contextlib.suppress(OSError):  # a client that died has nothing to stop
                pipe.send(None)
        for proc in procs:
            proc.join(timeout=30)
        _triggers(installed=True)
        changes_settle()
    seconds = phase_seconds * PHASES / 2
    tps_off, tps_on = totals[False] / seconds, totals[True] / seconds
    bench.details[f"spy_tax_{bench.suffix}"] = {
        "tps_triggers_off": round(tps_off, 1),
        "tps_triggers_on": round(tps_on, 1),
        "clients": CLIENTS,
        "seconds_per_mode": round(seconds, 1),
    }
    return {f"spy_tax_{bench.suffix}": round(1 - tps_on / tps_off, 4)}
