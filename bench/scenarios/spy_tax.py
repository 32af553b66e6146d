"""``spy_tax_<db>``: how much the capture triggers slow the ERP's writes down.

Two client processes run single-row autocommit UPDATEs of a title's amount (their own driver, as
another program would). Phases with the triggers removed and installed alternate in mirrored
order (off, empty, on, on, empty, off, …), so slow drift of the machine cancels out; the triggers
are dropped and created with the product's own SQL (``watch.triggers.statements``). Result:
``1 - tps_on/tps_off``.

The "empty" phases install, instead, a trigger on the same event and condition whose body does
nothing: what any row trigger costs the writer on this machine, the floor under the capture's
figure (reported in the details as ``empty_trigger_tax``), measured in the same run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

from django.db import connection

from bench.clients import update_client
from bench.context import Bench
from bench.fixtures import changes_settle, titles_create
from spysystem.watch.triggers import statements

CLIENTS = 2
SECONDS_PER_MODE = 10.0
OFF, EMPTY, ON = "off", "empty", "on"
MODES = [OFF, EMPTY, ON]  # a block runs them, then again in reverse: two phases each
BLOCKS = 5
TITLES_PER_CLIENT = 100

EMPTY_CREATE = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION bench_empty_trigger() RETURNS trigger LANGUAGE plpgsql"
        " AS $$BEGIN RETURN NULL; END$$",
        "CREATE TRIGGER bench_empty AFTER UPDATE OF amount, due_date ON finance_title"
        " FOR EACH ROW WHEN (OLD.amount IS DISTINCT FROM NEW.amount"
        " OR OLD.due_date IS DISTINCT FROM NEW.due_date) EXECUTE FUNCTION bench_empty_trigger()",
    ],
    "sqlite": [
        "CREATE TRIGGER bench_empty AFTER UPDATE OF amount, due_date ON finance_title"
        " FOR EACH ROW WHEN OLD.amount IS NOT NEW.amount OR OLD.due_date IS NOT NEW.due_date"
        " BEGIN SELECT 1; END",
    ],
}
EMPTY_DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS bench_empty ON finance_title",
        "DROP FUNCTION IF EXISTS bench_empty_trigger()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS bench_empty"],
}


def _triggers(mode: str) -> None:
    """Leave exactly the triggers of ``mode`` on ``finance_title``."""
    vendor = connection.vendor
    create = {OFF: [], EMPTY: EMPTY_CREATE[vendor], ON: statements(vendor, create=True)}[mode]
    with connection.cursor() as cursor:
        for sql in [*statements(vendor, create=False), *EMPTY_DROP[vendor], *create]:
            cursor.execute(sql)


def _dsn() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params["NAME"])
    from django.conf import settings

    return settings.DATABASE_URL


def run(bench: Bench) -> dict:
    ids = titles_create(prefix="TAX", count=CLIENTS * TITLES_PER_CLIENT)
    phase_seconds = bench.scaled(SECONDS_PER_MODE, minimum=0.5) / (2 * BLOCKS)
    try:
        with update_clients(ids) as pipes:
            blocks = mirrored_blocks(pipes, MODES, _triggers, phase_seconds, BLOCKS)
    finally:
        _triggers(ON)
        changes_settle()
    totals = {mode: sum(block[mode] for block in blocks) for mode in MODES}
    seconds = phase_seconds * 2 * BLOCKS
    bench.details[f"spy_tax_{bench.suffix}"] = {
        "tps_triggers_off": round(totals[OFF] / seconds, 1),
        "tps_triggers_on": round(totals[ON] / seconds, 1),
        "tps_empty_trigger": round(totals[EMPTY] / seconds, 1),
        "empty_trigger_tax": tax(totals, EMPTY),
        "tax_per_block": [tax(block, ON) for block in blocks],
        "clients": CLIENTS,
        "seconds_per_mode": round(seconds, 1),
    }
    return {f"spy_tax_{bench.suffix}": tax(totals, ON)}


def tax(done: dict[str, int], mode: str) -> float:
    """``1 - done[mode] / done["off"]``: the share of the trigger-free rate ``mode`` loses."""
    return round(1 - done[mode] / done[OFF], 4)


@contextlib.contextmanager
def update_clients(ids: list[int]) -> Iterator[list[Connection]]:
    """``CLIENTS`` UPDATE client processes, each over its share of ``ids``; yields their pipes."""
    ctx = multiprocessing.get_context("spawn")
    pipes, procs = [], []
    share = len(ids) // CLIENTS
    try:
        for n in range(CLIENTS):
            ours, theirs = ctx.Pipe()
            chunk = ids[n * share : (n + 1) * share]
            args = (connection.vendor, _dsn(), chunk, theirs)
            proc = ctx.Process(target=update_client, args=args)
            proc.start()
            pipes.append(ours)
            procs.append(proc)
        for pipe in pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                raise RuntimeError("an UPDATE client did not start")
        yield pipes
    finally:
        for pipe in pipes:
            with contextlib.suppress(OSError):  # a client that died has nothing to stop
                pipe.send(None)
        for proc in procs:
            proc.join(timeout=30)


def mirrored_blocks(
    pipes: list[Connection],
    modes: list[str],
    install: Callable[[str], None],
    phase_seconds: float,
    blocks: int,
) -> list[dict[str, int]]:
    """``blocks`` times: each mode, then each mode again in reverse order (``install(mode)``
    before each phase); returns the UPDATEs done per mode in each block."""
    order = [*modes, *reversed(modes)]
    return [_block(pipes, order, install, phase_seconds) for _ in range(blocks)]


def _block(
    pipes: list[Connection], order: list[str], install: Callable[[str], None], seconds: float
) -> dict[str, int]:
    done = dict.fromkeys(order, 0)
    for mode in order:
        install(mode)
        start = time.monotonic() + 0.2
        for pipe in pipes:
            pipe.send((start, start + seconds))
        for pipe in pipes:
            if not pipe.poll(seconds + 120):
                raise RuntimeError("an UPDATE client stopped answering")
            done[mode] += pipe.recv()
    return done
